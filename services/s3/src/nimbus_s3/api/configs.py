"""Bucket sub-resources (versioning, policy, ACL, CORS, lifecycle, ...) and the object
sub-resources (tagging, ACL, retention, legal hold), with S3's validation and errors.

Each Put validates the whole document before it writes anything, so a rejected Put leaves
the previous configuration in place. Changes that decide access (policy, ACL, public access
block, ownership, CORS, website) announce themselves to the gateways in the same transaction.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from nimbus.common.v1.common_pb2 import RequestContext
from nimbus_core.errors import AwsError
from nimbus_core.operations import Input, OperationTable, Output, UnaryHandler
from nimbus_core.runtime import Resources
from nimbus_policy import is_public_policy

from nimbus_s3 import acl, config_objects
from nimbus_s3.bucket_checks import check_expected_owner
from nimbus_s3.bucket_events import bucket_changed
from nimbus_s3.buckets import Bucket, get_bucket, require_bucket
from nimbus_s3.config_acl import check_public_acl, requested_acl
from nimbus_s3.config_cors import validate_cors
from nimbus_s3.config_documents import (
    DEFAULT_ENCRYPTION,
    validate_accelerate,
    validate_encryption,
    validate_notification,
    validate_ownership,
    validate_public_access_block,
    validate_request_payment,
    validate_versioning,
    validate_website,
)
from nimbus_s3.config_errors import (
    acls_not_supported,
    invalid_bucket_state,
    not_set,
)
from nimbus_s3.config_lifecycle import validate_lifecycle
from nimbus_s3.config_lock import validate_lock_configuration
from nimbus_s3.config_policy import policy_is_public, validate_policy
from nimbus_s3.config_tagging import MAX_BUCKET_TAGS, validate_tag_set
from nimbus_s3.configs import delete_config, get_config, put_config
from nimbus_s3.errors import access_denied, malformed_xml
from nimbus_s3.settings import S3Settings

# Config kinds whose changes the gateway must hear about, and the change name it gets.
ANNOUNCED = {
    "policy": "policy",
    "public_access_block": "public_access_block",
    "cors": "cors",
    "website": "website",
}
DEFAULT_TRANSITION_MINIMUM = "all_storage_classes_128K"


def _name(params: Input) -> str:
    return str(params.get("Bucket", ""))


class BucketConfigs:
    """The handlers, sharing one pool."""

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record]) -> None:
        self.pool = pool

    async def bucket(self, db: Any, params: Input, *, lock: bool = False) -> Bucket:
        bucket = await require_bucket(db, _name(params), for_update=lock)
        check_expected_owner(bucket, params)
        return bucket

    async def put(self, params: Input, kind: str, document: dict[str, Any]) -> Output:
        """Store one validated document (and announce it if the gateway cares)."""
        async with self.pool.acquire() as conn, conn.transaction():
            bucket = await self.bucket(conn, params, lock=True)
            await put_config(conn, bucket.name, kind, document)
            if kind in ANNOUNCED:
                await bucket_changed(conn, bucket, ANNOUNCED[kind])
        return {}

    async def get(self, params: Input, kind: str) -> dict[str, Any]:
        """The stored document, or S3's not-set error for kind."""
        bucket = await self.bucket(self.pool, params)
        document = await get_config(self.pool, bucket.name, kind)
        if document is None:
            raise not_set(kind, bucket.name)
        return document

    async def get_or(self, params: Input, kind: str, default: dict[str, Any]) -> dict[str, Any]:
        bucket = await self.bucket(self.pool, params)
        document = await get_config(self.pool, bucket.name, kind)
        return default if document is None else document

    async def delete(self, params: Input, kind: str) -> Output:
        async with self.pool.acquire() as conn, conn.transaction():
            bucket = await self.bucket(conn, params, lock=True)
            removed = await delete_config(conn, bucket.name, kind)
            if removed and kind in ANNOUNCED:
                await bucket_changed(conn, bucket, ANNOUNCED[kind])
        return {}

    # --- versioning -------------------------------------------------------------------

    async def put_versioning(self, ctx: RequestContext, params: Input) -> Output:
        status, mfa = validate_versioning(params.get("VersioningConfiguration"))
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT 1 FROM s3_buckets WHERE name = $1 FOR UPDATE", _name(params))
            bucket = await self.bucket(conn, params)
            if bucket.object_lock_enabled and status == "Suspended":
                raise invalid_bucket_state(
                    "An Object Lock configuration is present on this bucket, so the versioning"
                    " state cannot be changed."
                )
            await conn.execute(
                "UPDATE s3_buckets SET versioning = coalesce($2, versioning),"
                " mfa_delete = coalesce($3, mfa_delete) WHERE name = $1",
                bucket.name,
                status,
                mfa,
            )
        return {}

    async def get_versioning(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await self.bucket(self.pool, params)
        output: Output = {}
        if bucket.versioning:
            output["Status"] = bucket.versioning
        if bucket.mfa_delete:
            output["MFADelete"] = bucket.mfa_delete
        return output

    # --- policy -----------------------------------------------------------------------

    async def put_policy(self, ctx: RequestContext, params: Input) -> Output:
        text = params.get("Policy")
        if not isinstance(text, str):
            raise malformed_xml()
        policy = validate_policy(text, _name(params))
        async with self.pool.acquire() as conn, conn.transaction():
            bucket = await self.bucket(conn, params, lock=True)
            # Read under the same transaction as the write: a racing PutPublicAccessBlock
            # cannot let a public policy slip in.
            block = await get_config(conn, bucket.name, "public_access_block") or {}
            if block.get("BlockPublicPolicy") and is_public_policy(policy):
                raise access_denied()
            await put_config(conn, bucket.name, "policy", {"Policy": text})
            await bucket_changed(conn, bucket, "policy")
        return {}

    async def get_policy(self, ctx: RequestContext, params: Input) -> Output:
        return {"Policy": (await self.get(params, "policy"))["Policy"]}

    async def delete_policy(self, ctx: RequestContext, params: Input) -> Output:
        return await self.delete(params, "policy")

    async def get_policy_status(self, ctx: RequestContext, params: Input) -> Output:
        document = await self.get(params, "policy")
        return {"PolicyStatus": {"IsPublic": policy_is_public(str(document["Policy"]))}}

    # --- ACL, public access block, ownership ------------------------------------------

    async def put_acl(self, ctx: RequestContext, params: Input) -> Output:
        async with self.pool.acquire() as conn, conn.transaction():
            bucket = await self.bucket(conn, params, lock=True)
            document = requested_acl(params, bucket.account_id, None)
            if bucket.object_ownership == "BucketOwnerEnforced" and not (
                acl.allowed_when_acls_disabled(document, bucket.account_id)
            ):
                raise acls_not_supported()
            await check_public_acl(conn, bucket, document)
            await conn.execute(
                "UPDATE s3_buckets SET acl = $2::jsonb WHERE name = $1",
                bucket.name,
                json.dumps(document),
            )
            await bucket_changed(conn, bucket, "acl")
        return {}

    async def get_acl(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await self.bucket(self.pool, params)
        return {"Owner": bucket.acl.get("Owner"), "Grants": bucket.acl.get("Grants", [])}

    async def put_public_access_block(self, ctx: RequestContext, params: Input) -> Output:
        document = validate_public_access_block(params.get("PublicAccessBlockConfiguration"))
        return await self.put(params, "public_access_block", document)

    async def get_public_access_block(self, ctx: RequestContext, params: Input) -> Output:
        return {"PublicAccessBlockConfiguration": await self.get(params, "public_access_block")}

    async def delete_public_access_block(self, ctx: RequestContext, params: Input) -> Output:
        return await self.delete(params, "public_access_block")

    async def put_ownership(self, ctx: RequestContext, params: Input) -> Output:
        ownership = validate_ownership(params.get("OwnershipControls"))
        async with self.pool.acquire() as conn, conn.transaction():
            bucket = await self.bucket(conn, params, lock=True)
            if ownership == "BucketOwnerEnforced" and not acl.only_owner(
                bucket.acl, bucket.account_id
            ):
                raise AwsError(
                    "InvalidBucketAclWithObjectOwnership",
                    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced"
                    " setting",
                    400,
                )
            await conn.execute(
                "UPDATE s3_buckets SET object_ownership = $2 WHERE name = $1",
                bucket.name,
                ownership,
            )
            await bucket_changed(conn, bucket, "ownership")
        return {}

    async def get_ownership(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await self.bucket(self.pool, params)
        if not bucket.object_ownership:
            raise not_set("ownership", bucket.name)
        return {"OwnershipControls": {"Rules": [{"ObjectOwnership": bucket.object_ownership}]}}

    async def delete_ownership(self, ctx: RequestContext, params: Input) -> Output:
        async with self.pool.acquire() as conn, conn.transaction():
            bucket = await self.bucket(conn, params, lock=True)
            # No controls: ACLs are enabled and writers own their objects (ObjectWriter).
            await conn.execute(
                "UPDATE s3_buckets SET object_ownership = '' WHERE name = $1", bucket.name
            )
            await bucket_changed(conn, bucket, "ownership")
        return {}

    # --- CORS, lifecycle, tagging, encryption -----------------------------------------

    async def put_cors(self, ctx: RequestContext, params: Input) -> Output:
        return await self.put(params, "cors", validate_cors(params.get("CORSConfiguration")))

    async def get_cors(self, ctx: RequestContext, params: Input) -> Output:
        return {"CORSRules": (await self.get(params, "cors"))["CORSRules"]}

    async def delete_cors(self, ctx: RequestContext, params: Input) -> Output:
        return await self.delete(params, "cors")

    async def put_lifecycle(self, ctx: RequestContext, params: Input) -> Output:
        document = validate_lifecycle(params.get("LifecycleConfiguration"))
        minimum = params.get("TransitionDefaultMinimumObjectSize")
        if minimum is not None:
            if minimum not in ("all_storage_classes_128K", "varies_by_storage_class"):
                raise AwsError(
                    "InvalidRequest", f"Invalid TransitionDefaultMinimumObjectSize found: {minimum}"
                )
            document["TransitionDefaultMinimumObjectSize"] = minimum
        await self.put(params, "lifecycle", document)
        return {
            "TransitionDefaultMinimumObjectSize": document.get(
                "TransitionDefaultMinimumObjectSize", DEFAULT_TRANSITION_MINIMUM
            )
        }

    async def get_lifecycle(self, ctx: RequestContext, params: Input) -> Output:
        document = await self.get(params, "lifecycle")
        return {
            "Rules": document["Rules"],
            "TransitionDefaultMinimumObjectSize": document.get(
                "TransitionDefaultMinimumObjectSize", DEFAULT_TRANSITION_MINIMUM
            ),
        }

    async def put_lifecycle_legacy(self, ctx: RequestContext, params: Input) -> Output:
        config = params.get("LifecycleConfiguration")
        if not isinstance(config, dict) or not isinstance(config.get("Rules"), list):
            raise malformed_xml()
        rules = [_modern_rule(rule) for rule in config["Rules"]]
        await self.put(params, "lifecycle", validate_lifecycle({"Rules": rules}))
        return {}

    async def get_lifecycle_legacy(self, ctx: RequestContext, params: Input) -> Output:
        document = await self.get(params, "lifecycle")
        return {"Rules": [_legacy_rule(rule) for rule in document["Rules"]]}

    async def delete_lifecycle(self, ctx: RequestContext, params: Input) -> Output:
        return await self.delete(params, "lifecycle")

    async def put_tagging(self, ctx: RequestContext, params: Input) -> Output:
        tag_set = validate_tag_set(params.get("Tagging"), limit=MAX_BUCKET_TAGS)
        if not tag_set:
            return await self.delete(params, "tagging")
        return await self.put(params, "tagging", {"TagSet": tag_set})

    async def get_tagging(self, ctx: RequestContext, params: Input) -> Output:
        return {"TagSet": (await self.get(params, "tagging"))["TagSet"]}

    async def delete_tagging(self, ctx: RequestContext, params: Input) -> Output:
        return await self.delete(params, "tagging")

    async def put_encryption(self, ctx: RequestContext, params: Input) -> Output:
        document = validate_encryption(params.get("ServerSideEncryptionConfiguration"))
        return await self.put(params, "encryption", document)

    async def get_encryption(self, ctx: RequestContext, params: Input) -> Output:
        # Since 2023 every bucket encrypts with SSE-S3 unless told otherwise.
        document = await self.get_or(params, "encryption", DEFAULT_ENCRYPTION)
        return {"ServerSideEncryptionConfiguration": document}

    async def delete_encryption(self, ctx: RequestContext, params: Input) -> Output:
        return await self.delete(params, "encryption")

    # --- object lock, website, notification, the rest --------------------------------

    async def put_object_lock(self, ctx: RequestContext, params: Input) -> Output:
        document = validate_lock_configuration(params.get("ObjectLockConfiguration"))
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT 1 FROM s3_buckets WHERE name = $1 FOR UPDATE", _name(params))
            bucket = await self.bucket(conn, params)
            if not bucket.object_lock_enabled:
                if bucket.versioning != "Enabled":
                    raise invalid_bucket_state(
                        "Versioning must be 'Enabled' on the bucket to apply a Object Lock"
                        " configuration"
                    )
                await conn.execute(
                    "UPDATE s3_buckets SET object_lock_enabled = true WHERE name = $1", bucket.name
                )
            await put_config(conn, bucket.name, "object_lock", document)
        return {}

    async def get_object_lock(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await self.bucket(self.pool, params)
        document = await get_config(self.pool, bucket.name, "object_lock")
        if document is None:
            if not bucket.object_lock_enabled:
                raise not_set("object_lock", bucket.name)
            document = {"ObjectLockEnabled": "Enabled"}
        return {"ObjectLockConfiguration": document}

    async def put_website(self, ctx: RequestContext, params: Input) -> Output:
        return await self.put(
            params, "website", validate_website(params.get("WebsiteConfiguration"))
        )

    async def get_website(self, ctx: RequestContext, params: Input) -> Output:
        return await self.get(params, "website")

    async def delete_website(self, ctx: RequestContext, params: Input) -> Output:
        return await self.delete(params, "website")

    async def put_notification(self, ctx: RequestContext, params: Input) -> Output:
        bucket = await self.bucket(self.pool, params)
        document = validate_notification(params.get("NotificationConfiguration"), bucket.region)
        if not document:
            return await self.delete(params, "notification")
        return await self.put(params, "notification", document)

    async def get_notification(self, ctx: RequestContext, params: Input) -> Output:
        return await self.get_or(params, "notification", {})

    async def put_accelerate(self, ctx: RequestContext, params: Input) -> Output:
        document = validate_accelerate(params.get("AccelerateConfiguration"), _name(params))
        return await self.put(params, "accelerate", document)

    async def get_accelerate(self, ctx: RequestContext, params: Input) -> Output:
        return await self.get_or(params, "accelerate", {})

    async def put_request_payment(self, ctx: RequestContext, params: Input) -> Output:
        document = validate_request_payment(params.get("RequestPaymentConfiguration"))
        return await self.put(params, "request_payment", document)

    async def get_request_payment(self, ctx: RequestContext, params: Input) -> Output:
        return await self.get_or(params, "request_payment", {"Payer": "BucketOwner"})

    async def put_logging(self, ctx: RequestContext, params: Input) -> Output:
        status = params.get("BucketLoggingStatus")
        if not isinstance(status, dict):
            raise malformed_xml()
        enabled = status.get("LoggingEnabled")
        if not enabled:
            return await self.delete(params, "logging")
        bucket = await self.bucket(self.pool, params)
        await check_logging_target(self.pool, bucket, enabled)
        return await self.put(params, "logging", {"LoggingEnabled": enabled})

    async def get_logging(self, ctx: RequestContext, params: Input) -> Output:
        return await self.get_or(params, "logging", {})

    def handlers(self) -> dict[str, UnaryHandler]:
        return {
            "PutBucketVersioning": self.put_versioning,
            "GetBucketVersioning": self.get_versioning,
            "PutBucketPolicy": self.put_policy,
            "GetBucketPolicy": self.get_policy,
            "DeleteBucketPolicy": self.delete_policy,
            "GetBucketPolicyStatus": self.get_policy_status,
            "PutBucketAcl": self.put_acl,
            "GetBucketAcl": self.get_acl,
            "PutPublicAccessBlock": self.put_public_access_block,
            "GetPublicAccessBlock": self.get_public_access_block,
            "DeletePublicAccessBlock": self.delete_public_access_block,
            "PutBucketOwnershipControls": self.put_ownership,
            "GetBucketOwnershipControls": self.get_ownership,
            "DeleteBucketOwnershipControls": self.delete_ownership,
            "PutBucketCors": self.put_cors,
            "GetBucketCors": self.get_cors,
            "DeleteBucketCors": self.delete_cors,
            "PutBucketLifecycleConfiguration": self.put_lifecycle,
            "GetBucketLifecycleConfiguration": self.get_lifecycle,
            "PutBucketLifecycle": self.put_lifecycle_legacy,
            "GetBucketLifecycle": self.get_lifecycle_legacy,
            "DeleteBucketLifecycle": self.delete_lifecycle,
            "PutBucketTagging": self.put_tagging,
            "GetBucketTagging": self.get_tagging,
            "DeleteBucketTagging": self.delete_tagging,
            "PutBucketEncryption": self.put_encryption,
            "GetBucketEncryption": self.get_encryption,
            "DeleteBucketEncryption": self.delete_encryption,
            "PutObjectLockConfiguration": self.put_object_lock,
            "GetObjectLockConfiguration": self.get_object_lock,
            "PutBucketWebsite": self.put_website,
            "GetBucketWebsite": self.get_website,
            "DeleteBucketWebsite": self.delete_website,
            "PutBucketNotificationConfiguration": self.put_notification,
            "GetBucketNotificationConfiguration": self.get_notification,
            "PutBucketAccelerateConfiguration": self.put_accelerate,
            "GetBucketAccelerateConfiguration": self.get_accelerate,
            "PutBucketRequestPayment": self.put_request_payment,
            "GetBucketRequestPayment": self.get_request_payment,
            "PutBucketLogging": self.put_logging,
            "GetBucketLogging": self.get_logging,
        }


async def check_logging_target(db: Any, bucket: Bucket, enabled: dict[str, Any]) -> None:
    target_name = str(enabled.get("TargetBucket") or "")
    if "TargetPrefix" not in enabled or not target_name:
        raise malformed_xml()
    target = await get_bucket(db, target_name)
    if target is None:
        raise invalid_logging_target("The target bucket for logging does not exist", target_name)
    if target.account_id != bucket.account_id:
        raise invalid_logging_target(
            "The owner for the bucket to be logged and the target bucket must be the same.",
            target_name,
        )
    if target.region != bucket.region:
        raise AwsError(
            "CrossLocationLoggingProhibitted",
            "Cross S3 location logging not allowed. ",
            403,
            extra={"TargetBucketLocation": target.region, "SourceBucketLocation": bucket.region},
        )


def invalid_logging_target(message: str, target: str) -> AwsError:
    return AwsError("InvalidTargetBucketForLogging", message, 400, extra={"TargetBucket": target})


def _modern_rule(rule: Any) -> Any:
    """A PutBucketLifecycle (legacy) rule in the current shape."""
    if not isinstance(rule, dict):
        raise malformed_xml()
    modern = {
        k: v for k, v in rule.items() if k not in ("Transition", "NoncurrentVersionTransition")
    }
    if rule.get("Transition") is not None:
        modern["Transitions"] = [rule["Transition"]]
    if rule.get("NoncurrentVersionTransition") is not None:
        modern["NoncurrentVersionTransitions"] = [rule["NoncurrentVersionTransition"]]
    modern.setdefault("Prefix", "")
    return modern


def _legacy_rule(rule: dict[str, Any]) -> dict[str, Any]:
    legacy = {
        k: v
        for k, v in rule.items()
        if k not in ("Transitions", "NoncurrentVersionTransitions", "Filter")
    }
    if rule.get("Transitions"):
        legacy["Transition"] = rule["Transitions"][0]
    if rule.get("NoncurrentVersionTransitions"):
        legacy["NoncurrentVersionTransition"] = rule["NoncurrentVersionTransitions"][0]
    if "Prefix" not in legacy:
        legacy["Prefix"] = ((rule.get("Filter") or {}).get("Prefix")) or ""
    return legacy


def bucket_first(configs: BucketConfigs, handler: UnaryHandler) -> UnaryHandler:
    """S3 answers NoSuchBucket (and a wrong expected owner) before it reads the body."""

    async def checked(ctx: RequestContext, params: Input) -> Output:
        await configs.bucket(configs.pool, params)
        return await handler(ctx, params)

    return checked


def table(resources: Resources, settings: S3Settings) -> OperationTable:
    configs = BucketConfigs(resources.pool)
    handlers = {
        name: bucket_first(configs, handler) if name.startswith("Put") else handler
        for name, handler in configs.handlers().items()
    }
    objects = config_objects.handlers(resources.pool)
    handlers.update(
        {
            name: bucket_first(configs, handler) if name.startswith("Put") else handler
            for name, handler in objects.items()
        }
    )
    return OperationTable(unary=handlers)
