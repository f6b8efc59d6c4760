"""STS operations that need the store: temporary credentials and key lookups.

GetCallerIdentity needs none and stays in nimbus_iam.sts.
"""

from __future__ import annotations

from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import Input, Output

from nimbus_iam.api.common import Handlers, iso, scope_of
from nimbus_iam.callers import Caller, CallerRef
from nimbus_iam.models import AccessKey
from nimbus_iam.sessions import AssumeRoleInput, Sessions
from nimbus_iam.validation import DOCUMENT, NAME, TAG_KEY, TAG_VALUE, Checks

EXTERNAL_ID = r"[\w+=,.@:\/-]*"
SESSION_NAME = r"[\w+=,.@-]*"
ACCESS_KEY_ID = r"[\w]*"


def _credentials(key: AccessKey) -> Output:
    assert key.expiration is not None
    return {
        "AccessKeyId": key.access_key_id,
        "SecretAccessKey": key.secret_access_key,
        "SessionToken": key.session_token,
        "Expiration": iso(key.expiration),
    }


def _check_tags(checks: Checks, params: Input) -> dict[str, str]:
    raw = params.get("Tags") or []
    checks.count(raw, "tags", 50)
    tags: dict[str, str] = {}
    for index, tag in enumerate(raw, 1):
        key, value = tag.get("Key"), tag.get("Value")
        member = f"tags.{index}.member"
        checks.string(key, f"{member}.key", min_len=1, max_len=128, pattern=TAG_KEY, required=True)
        checks.string(value, f"{member}.value", max_len=256, pattern=TAG_VALUE, required=True)
        if isinstance(key, str) and isinstance(value, str):
            tags[key] = value
    return tags


class StsApi:
    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def handlers(self) -> Handlers:
        return {
            "GetSessionToken": self.get_session_token,
            "AssumeRole": self.assume_role,
            "GetAccessKeyInfo": self.get_access_key_info,
            "DecodeAuthorizationMessage": self.decode_authorization_message,
        }

    async def _caller(self, context: RequestContext) -> Caller:
        scope = scope_of(context)
        ref = CallerRef(
            scope.account_id,
            context.principal_arn,
            context.user_id,
            context.access_key_id,
            context.source_ip,
        )
        return await self._sessions.caller(ref)

    async def get_session_token(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        checks.integer(params.get("DurationSeconds"), "durationSeconds", 900, 129600)
        checks.string(params.get("SerialNumber"), "serialNumber", min_len=9, max_len=256)
        checks.string(params.get("TokenCode"), "tokenCode", min_len=6, max_len=6, pattern=r"[\d]*")
        checks.done()
        caller = await self._caller(context)
        key = await self._sessions.get_session_token(
            caller, scope_of(context).region, params.get("DurationSeconds")
        )
        return {"Credentials": _credentials(key)}

    async def assume_role(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        checks.string(params.get("RoleArn"), "roleArn", min_len=20, max_len=2048, required=True)
        checks.string(
            params.get("RoleSessionName"),
            "roleSessionName",
            min_len=2,
            max_len=64,
            pattern=SESSION_NAME,
            required=True,
        )
        checks.integer(params.get("DurationSeconds"), "durationSeconds", 900, 43200)
        checks.string(
            params.get("ExternalId"), "externalId", min_len=2, max_len=1224, pattern=EXTERNAL_ID
        )
        checks.string(params.get("Policy"), "policy", min_len=1, max_len=2048, pattern=DOCUMENT)
        arns = [str(a.get("arn", "")) for a in params.get("PolicyArns") or []]
        checks.count(arns, "policyArns", 10)
        for index, arn in enumerate(arns, 1):
            checks.string(arn, f"policyArns.{index}.member.arn", min_len=20, max_len=2048)
        tags = _check_tags(checks, params)
        transitive = [str(k) for k in params.get("TransitiveTagKeys") or []]
        checks.count(transitive, "transitiveTagKeys", 50)
        checks.string(
            params.get("SourceIdentity"), "sourceIdentity", min_len=2, max_len=64, pattern=NAME
        )
        checks.done()
        caller = await self._caller(context)
        assumed = await self._sessions.assume_role(
            caller,
            scope_of(context).region,
            AssumeRoleInput(
                role_arn=params["RoleArn"],
                session_name=params["RoleSessionName"],
                duration=params.get("DurationSeconds"),
                external_id=params.get("ExternalId"),
                policy=params.get("Policy"),
                policy_arns=arns,
                tags=tags,
                transitive_tag_keys=transitive,
                source_identity=params.get("SourceIdentity"),
            ),
        )
        output: Output = {
            "Credentials": _credentials(assumed.key),
            "AssumedRoleUser": {
                "AssumedRoleId": assumed.key.user_id,
                "Arn": assumed.key.principal_arn,
            },
        }
        if assumed.packed_policy_size is not None:
            output["PackedPolicySize"] = assumed.packed_policy_size
        if assumed.key.session is not None and assumed.key.session.source_identity:
            output["SourceIdentity"] = assumed.key.session.source_identity
        return output

    async def get_access_key_info(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        checks.string(
            params.get("AccessKeyId"),
            "accessKeyId",
            min_len=16,
            max_len=128,
            pattern=ACCESS_KEY_ID,
            required=True,
        )
        checks.done()
        scope_of(context)
        account = await self._sessions.access_key_account(params["AccessKeyId"])
        if account is None:
            raise AwsError(
                "InvalidParameterValue", "The access key ID provided does not exist.", 400
            )
        return {"Account": account}

    async def decode_authorization_message(self, context: RequestContext, params: Input) -> Output:
        checks = Checks()
        checks.string(
            params.get("EncodedMessage"), "encodedMessage", min_len=1, max_len=10240, required=True
        )
        checks.done()
        scope_of(context)
        # Nimbus's AccessDenied messages are never encoded, so no message is one of ours.
        raise AwsError(
            "InvalidAuthorizationMessageException",
            "The encoded message is not valid.",
            400,
        )
