"""SimulatePrincipalPolicy and SimulateCustomPolicy over nimbus_policy.simulate."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg
from nimbus_policy import (
    ContextValue,
    MalformedPolicyDocument,
    Policy,
    PolicyKind,
    Principal,
    SimulationResult,
    parse_policy,
    simulate,
)

from nimbus_iam import aws_managed, principal_policies
from nimbus_iam.entity_models import Kind
from nimbus_iam.entity_models import Principal as Entity
from nimbus_iam.iam_errors import invalid_input
from nimbus_iam.principal_policies import EffectivePolicy
from nimbus_iam.scope import Scope
from nimbus_iam.statement_positions import Position, statement_positions

_ACCOUNT = re.compile(r"^arn:aws:(?:iam|sts)::(\d{12}):")


@dataclass(frozen=True)
class Source:
    """How an evaluation result names a policy: SourcePolicyId and SourcePolicyType."""

    policy_id: str
    policy_type: str
    # Each statement's start and end in the document, by statement index.
    positions: list[tuple[Position, Position]] = field(default_factory=list)


@dataclass(frozen=True)
class Simulation:
    results: list[SimulationResult]
    sources: dict[str, Source]
    boundary_given: bool


@dataclass(frozen=True)
class SimulationInput:
    """What both operations share: the request to simulate and its extra policies."""

    actions: Sequence[str]
    resources: Sequence[str]
    context: Mapping[str, ContextValue]
    policy_inputs: Sequence[str] = ()
    boundary_inputs: Sequence[str] = ()
    resource_policy: str | None = None
    resource_owner: str | None = None
    caller_arn: str | None = None


def _parse(text: str, kind: PolicyKind, policy_id: str) -> Policy:
    try:
        return parse_policy(text, kind, policy_id=policy_id)
    except MalformedPolicyDocument as exc:
        raise invalid_input(exc.message) from None


def _account_of(arn: str | None) -> str | None:
    found = _ACCOUNT.match(arn or "")
    return found.group(1) if found else None


def _effective_source(policy: EffectivePolicy) -> Source:
    positions = statement_positions(policy.document)
    if policy.kind == "managed":
        managed = aws_managed.is_aws_managed(policy.policy_arn)
        return Source(policy.name, "aws-managed" if managed else "user-managed", positions)
    kind = "group" if ":group/" in policy.source_arn else "role"
    kind = "user" if ":user/" in policy.source_arn else kind
    return Source(policy.name, kind, positions)


def _simulated(entity: Entity | None, scope: Scope, caller_arn: str | None) -> Principal:
    if entity is None:
        arn = caller_arn or scope.caller_arn or f"arn:aws:iam::{scope.account_id}:root"
        account = _account_of(arn) or scope.account_id
        # Never "root": the simulator evaluates the policies given, which root would bypass.
        return Principal(arn=arn, account=account, type="user")
    tags = {t.key: t.value for t in entity.tags}
    if entity.kind is Kind.ROLE:
        return Principal(
            arn=entity.arn,
            account=entity.account_id,
            type="assumed-role",
            user_id=entity.principal_id,
            tags=tags,
            role_arn=entity.arn,
        )
    return Principal(
        arn=entity.arn,
        account=entity.account_id,
        type="user",
        user_id=entity.principal_id,
        username=entity.name,
        tags=tags,
    )


class Simulator:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def simulate_principal_policy(
        self, scope: Scope, source_arn: str, request: SimulationInput
    ) -> Simulation:
        """The principal's own policies, plus any given ones, against each action/resource."""
        entity, effective, boundary = await principal_policies.simulation_sources(
            self._pool, scope.account_id, source_arn
        )
        sources: dict[str, Source] = {}
        identity: list[Policy] = []
        for policy in effective:
            key = f"p{len(sources)}"
            sources[key] = _effective_source(policy)
            identity.append(_parse(policy.document, "identity", key))
        boundaries: list[Policy] = []
        # A boundary given as input stands in for the principal's own.
        if boundary is not None and not request.boundary_inputs:
            sources["b"] = _effective_source(boundary)
            boundaries.append(_parse(boundary.document, "identity", "b"))
        if entity.kind is Kind.GROUP:
            caller = _simulated(None, scope, request.caller_arn)
        else:
            caller = _simulated(entity, scope, None)
        return self._run(caller, request, sources, identity, boundaries)

    async def simulate_custom_policy(self, scope: Scope, request: SimulationInput) -> Simulation:
        """Only the given policies, for CallerArn (or the caller)."""
        caller = _simulated(None, scope, request.caller_arn)
        return self._run(caller, request, {}, [], [])

    def _run(
        self,
        caller: Principal,
        request: SimulationInput,
        sources: dict[str, Source],
        identity: list[Policy],
        boundaries: list[Policy],
    ) -> Simulation:
        for index, text in enumerate(request.policy_inputs, 1):
            key = f"PolicyInputList.{index}"
            sources[key] = Source(key, "IAM Policy", statement_positions(text))
            identity.append(_parse(text, "identity", key))
        for index, text in enumerate(request.boundary_inputs, 1):
            key = f"PermissionsBoundaryPolicyInputList.{index}"
            sources[key] = Source(key, "IAM Policy", statement_positions(text))
            boundaries.append(_parse(text, "identity", key))
        if len(boundaries) > 1:
            raise invalid_input("Only one permissions boundary policy may be provided.")
        resource_policy = None
        if request.resource_policy is not None:
            sources["ResourcePolicy"] = Source(
                "ResourcePolicy", "resource", statement_positions(request.resource_policy)
            )
            resource_policy = _parse(request.resource_policy, "resource", "ResourcePolicy")
        results = simulate(
            caller,
            list(request.actions),
            list(request.resources) or ["*"],
            context=request.context,
            identity_policies=identity,
            resource_policy=resource_policy,
            resource_account=_account_of(request.resource_owner),
            permissions_boundary=boundaries[0] if boundaries else None,
        )
        return Simulation(results, sources, bool(boundaries))
