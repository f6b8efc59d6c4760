"""STS operations served by iam. GetCallerIdentity needs no store: the gateway already knows."""

from __future__ import annotations

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import Input, Output

from nimbus_iam import ids


async def get_caller_identity(context: RequestContext, _: Input) -> Output:
    """Who signed the request, as the gateway resolved it from the access key.

    Root callers may arrive with only the account filled in: their ARN and UserId follow
    from it (arn:aws:iam::<account>:root and the account id).
    """
    if not context.account_id:
        raise AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    return {
        "UserId": context.user_id or context.account_id,
        "Account": context.account_id,
        "Arn": context.principal_arn or ids.root_arn(context.account_id),
    }
