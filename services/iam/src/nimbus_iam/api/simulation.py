"""SimulatePrincipalPolicy and SimulateCustomPolicy."""

from __future__ import annotations

from typing import Any

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.operations import Input, Output
from nimbus_policy import ContextValue, SimulationResult

from nimbus_iam.api.common import Handlers, check_arn, page_out, paging, scope_of
from nimbus_iam.iam_errors import invalid_input
from nimbus_iam.pagination import paginate
from nimbus_iam.simulation import Simulation, SimulationInput, Simulator
from nimbus_iam.validation import DOCUMENT, Checks

_CONTEXT_TYPES = [
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
]


def _scalar(kind: str, raw: str, name: str) -> str | bool | int | float:
    if kind.startswith("numeric"):
        try:
            return int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            raise invalid_input(f"Invalid value {raw} for context key {name}.") from None
    if kind.startswith("boolean"):
        if raw.lower() not in ("true", "false"):
            raise invalid_input(f"Invalid value {raw} for context key {name}.")
        return raw.lower() == "true"
    return raw


def _context(params: Input) -> dict[str, ContextValue]:
    context: dict[str, ContextValue] = {}
    for entry in params.get("ContextEntries") or []:
        name = str(entry.get("ContextKeyName") or "")
        kind = str(entry.get("ContextKeyType") or "string")
        values = [_scalar(kind, str(v), name) for v in entry.get("ContextKeyValues") or []]
        if not name:
            continue
        context[name] = values if kind.endswith("List") or len(values) != 1 else values[0]
    return context


def _check_common(checks: Checks, params: Input) -> None:
    checks.required(params.get("ActionNames"), "actionNames")
    for index, action in enumerate(params.get("ActionNames") or [], 1):
        checks.string(action, f"actionNames.{index}.member", min_len=3, max_len=128)
    for index, arn in enumerate(params.get("ResourceArns") or [], 1):
        checks.string(arn, f"resourceArns.{index}.member", min_len=1, max_len=2048)
    for member in ("PolicyInputList", "PermissionsBoundaryPolicyInputList"):
        for index, text in enumerate(params.get(member) or [], 1):
            checks.string(
                text,
                f"{member[0].lower()}{member[1:]}.{index}.member",
                min_len=1,
                max_len=131072,
                pattern=DOCUMENT,
            )
    for index, entry in enumerate(params.get("ContextEntries") or [], 1):
        member = f"contextEntries.{index}.member"
        checks.string(
            entry.get("ContextKeyName"), f"{member}.contextKeyName", min_len=5, max_len=256
        )
        checks.enum(entry.get("ContextKeyType"), f"{member}.contextKeyType", _CONTEXT_TYPES)
    checks.string(params.get("ResourcePolicy"), "resourcePolicy", min_len=1, max_len=131072)
    checks.string(params.get("ResourceOwner"), "resourceOwner", min_len=1, max_len=2048)
    checks.string(params.get("CallerArn"), "callerArn", min_len=1, max_len=2048)


def _request(params: Input) -> SimulationInput:
    return SimulationInput(
        actions=[str(a) for a in params.get("ActionNames") or []],
        resources=[str(r) for r in params.get("ResourceArns") or []],
        context=_context(params),
        policy_inputs=[str(p) for p in params.get("PolicyInputList") or []],
        boundary_inputs=[str(p) for p in params.get("PermissionsBoundaryPolicyInputList") or []],
        resource_policy=params.get("ResourcePolicy"),
        resource_owner=params.get("ResourceOwner"),
        caller_arn=params.get("CallerArn"),
    )


def _statements(simulation: Simulation, result: SimulationResult) -> list[dict[str, Any]]:
    shapes = []
    for statement in result.matched_statements:
        source = simulation.sources.get(statement.policy_id)
        if source is None:
            continue
        shape: dict[str, Any] = {
            "SourcePolicyId": source.policy_id,
            "SourcePolicyType": source.policy_type,
        }
        if statement.statement_index < len(source.positions):
            (start_line, start_col), (end_line, end_col) = source.positions[
                statement.statement_index
            ]
            shape["StartPosition"] = {"Line": start_line, "Column": start_col}
            shape["EndPosition"] = {"Line": end_line, "Column": end_col}
        shapes.append(shape)
    return shapes


def _result(simulation: Simulation, result: SimulationResult, explicit: bool) -> Output:
    statements = _statements(simulation, result)
    shape: Output = {
        "EvalActionName": result.action,
        "EvalResourceName": result.resource,
        "EvalDecision": result.decision.value,
        "MatchedStatements": statements,
        "MissingContextValues": list(result.missing_context_values),
    }
    if simulation.boundary_given:
        allowed = result.policy_type is None or result.policy_type.value != "permissions boundary"
        shape["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": allowed}
    if explicit:
        shape["ResourceSpecificResults"] = [
            {
                "EvalResourceName": result.resource,
                "EvalResourceDecision": result.decision.value,
                "MatchedStatements": statements,
                "MissingContextValues": list(result.missing_context_values),
            }
        ]
    return shape


def _page(simulation: Simulation, params: Input, explicit: bool) -> Output:
    numbered = list(enumerate(simulation.results))
    page = paginate(numbered, lambda r: f"{r[0]:08d}", params.get("Marker"), params.get("MaxItems"))
    return page_out(page, "EvaluationResults", lambda r: _result(simulation, r[1], explicit))


class SimulationApi:
    def __init__(self, simulator: Simulator) -> None:
        self._simulator = simulator

    def handlers(self) -> Handlers:
        return {
            "SimulatePrincipalPolicy": self.simulate_principal_policy,
            "SimulateCustomPolicy": self.simulate_custom_policy,
        }

    async def simulate_principal_policy(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        check_arn(checks, params, "PolicySourceArn")
        _check_common(checks, params)
        paging(checks, params)
        checks.done()
        simulation = await self._simulator.simulate_principal_policy(
            scope_of(context), params["PolicySourceArn"], _request(params)
        )
        return _page(simulation, params, bool(params.get("ResourceArns")))

    async def simulate_custom_policy(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        checks.required(params.get("PolicyInputList"), "policyInputList")
        _check_common(checks, params)
        paging(checks, params)
        checks.done()
        simulation = await self._simulator.simulate_custom_policy(
            scope_of(context), _request(params)
        )
        return _page(simulation, params, bool(params.get("ResourceArns")))
