"""The IamInternal gRPC service: proto messages in and out, the work done by the logic classes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NoReturn

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc

from nimbus_iam.accounts import Accounts
from nimbus_iam.credentials import Credentials, invalid_client_token_id
from nimbus_iam.models import AccessKey, Account
from nimbus_iam.principal_policies import EffectivePolicy, PrincipalPolicyReader

SERVICE_NAME = iam_pb2.DESCRIPTOR.services_by_name["IamInternal"].full_name


def _timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def _identity(key: AccessKey) -> iam_pb2.AccessKeyIdentity:
    identity = iam_pb2.AccessKeyIdentity(
        access_key_id=key.access_key_id,
        secret_access_key=key.secret_access_key,
        session_token=key.session_token or "",
        account_id=key.account_id,
        principal_arn=key.principal_arn,
        user_id=key.user_id,
        principal_type=key.principal_type.value,
        status=key.status.value,
    )
    if key.expiration is not None:
        identity.expiration.CopyFrom(_timestamp(key.expiration))
    session = key.session
    if session is not None:
        identity.session_policies.extend(session.policies)
        identity.session_tags.update(session.tags)
        identity.role_arn = session.role_arn or ""
        identity.source_identity = session.source_identity or ""
    return identity


def _account(account: Account) -> iam_pb2.Account:
    return iam_pb2.Account(
        account_id=account.account_id, name=account.name, created=_timestamp(account.created)
    )


async def _abort_unknown_key(context: grpc.aio.ServicerContext) -> NoReturn:
    """NOT_FOUND tells any gRPC caller there is no such key; the AwsError in the trailing
    metadata is what the gateway relays to the AWS client."""
    error = invalid_client_token_id()
    context.set_trailing_metadata(error.trailing_metadata())
    await context.abort(grpc.StatusCode.NOT_FOUND, error.message)
    raise AssertionError("abort raises")


def _policy(policy: EffectivePolicy) -> iam_pb2.PrincipalPolicy:
    return iam_pb2.PrincipalPolicy(
        kind=policy.kind,
        policy_id=policy.policy_id,
        policy_arn=policy.policy_arn,
        policy_name=policy.name,
        version_id=policy.version_id,
        document=policy.document,
        source_arn=policy.source_arn,
    )


class IamInternalServicer(iam_pb2_grpc.IamInternalServicer):
    """Translates between the wire and Accounts/Credentials; AwsErrors pass through as they are."""

    def __init__(
        self,
        accounts: Accounts,
        credentials: Credentials,
        policies: PrincipalPolicyReader | None = None,
    ) -> None:
        self._accounts = accounts
        self._credentials = credentials
        self._policies = policies

    async def ResolveAccessKey(
        self, request: iam_pb2.ResolveAccessKeyRequest, context: grpc.aio.ServicerContext
    ) -> iam_pb2.AccessKeyIdentity:
        key = await self._credentials.find_access_key(request.access_key_id)
        if key is None:
            await _abort_unknown_key(context)
        return _identity(key)

    async def RecordAccessKeyUse(
        self, request: iam_pb2.RecordAccessKeyUseRequest, context: grpc.aio.ServicerContext
    ) -> iam_pb2.RecordAccessKeyUseResponse:
        recorded = await self._credentials.record_access_key_use(
            request.access_key_id, request.service, request.region
        )
        return iam_pb2.RecordAccessKeyUseResponse(recorded=recorded)

    async def CreateAccount(
        self, request: iam_pb2.CreateAccountRequest, context: grpc.aio.ServicerContext
    ) -> iam_pb2.CreateAccountResponse:
        account, key = await self._accounts.create_account(request.name)
        return iam_pb2.CreateAccountResponse(
            account_id=account.account_id,
            name=account.name,
            access_key_id=key.access_key_id,
            secret_access_key=key.secret_access_key,
        )

    async def ListAccounts(
        self, request: iam_pb2.ListAccountsRequest, context: grpc.aio.ServicerContext
    ) -> iam_pb2.ListAccountsResponse:
        accounts = await self._accounts.list_accounts()
        return iam_pb2.ListAccountsResponse(accounts=[_account(a) for a in accounts])

    async def GetPrincipalPolicies(
        self, request: iam_pb2.GetPrincipalPoliciesRequest, context: grpc.aio.ServicerContext
    ) -> iam_pb2.GetPrincipalPoliciesResponse:
        if self._policies is None:
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "GetPrincipalPolicies")
            raise AssertionError("abort raises")
        found = await self._policies.get_principal_policies(request.principal_arn)
        reply = iam_pb2.GetPrincipalPoliciesResponse(
            account_id=found.account_id,
            principal_arn=found.principal_arn,
            principal_type=found.principal_type,
            principal_id=found.principal_id,
            identity_policies=[_policy(p) for p in found.identity_policies],
            principal_tags=found.tags,
        )
        if found.permissions_boundary is not None:
            reply.permissions_boundary.CopyFrom(_policy(found.permissions_boundary))
        return reply


def registrar(
    accounts: Accounts, credentials: Credentials, policies: PrincipalPolicyReader | None = None
) -> Callable[[grpc.aio.Server], None]:
    """Adds IamInternal to a server (the runtime calls it with the server it builds)."""

    def add(server: grpc.aio.Server) -> None:
        iam_pb2_grpc.add_IamInternalServicer_to_server(
            IamInternalServicer(accounts, credentials, policies), server
        )

    return add
