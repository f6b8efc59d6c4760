"""The smaller bucket sub-resources: S3's checks for each Put* input document."""

from __future__ import annotations

import re
import uuid
from typing import Any

from nimbus_core.errors import AwsError

from nimbus_s3.errors import invalid_argument, invalid_request, malformed_xml

OWNERSHIPS = ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter")
SSE_ALGORITHMS = ("AES256", "aws:fsx", "aws:backup", "aws:kms", "aws:kms:dsse")
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
DEFAULT_ENCRYPTION = {
    "Rules": [
        {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": False,
        }
    ]
}
PUBLIC_ACCESS_FLAGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)
# Every event type S3 notifications accept.
NOTIFICATION_EVENTS = frozenset(
    {
        "s3:ReducedRedundancyLostObject",
        "s3:ObjectCreated:*",
        "s3:ObjectCreated:Put",
        "s3:ObjectCreated:Post",
        "s3:ObjectCreated:Copy",
        "s3:ObjectCreated:CompleteMultipartUpload",
        "s3:ObjectRemoved:*",
        "s3:ObjectRemoved:Delete",
        "s3:ObjectRemoved:DeleteMarkerCreated",
        "s3:ObjectRestore:*",
        "s3:ObjectRestore:Post",
        "s3:ObjectRestore:Completed",
        "s3:ObjectRestore:Delete",
        "s3:Replication:*",
        "s3:Replication:OperationFailedReplication",
        "s3:Replication:OperationNotTracked",
        "s3:Replication:OperationMissedThreshold",
        "s3:Replication:OperationReplicatedAfterThreshold",
        "s3:LifecycleTransition",
        "s3:IntelligentTiering",
        "s3:ObjectAcl:Put",
        "s3:LifecycleExpiration:*",
        "s3:LifecycleExpiration:Delete",
        "s3:LifecycleExpiration:DeleteMarkerCreated",
        "s3:ObjectTagging:*",
        "s3:ObjectTagging:Put",
        "s3:ObjectTagging:Delete",
    }
)
# Notification destination lists and the ARN member of each.
NOTIFICATION_TARGETS = {
    "TopicConfigurations": "TopicArn",
    "QueueConfigurations": "QueueArn",
    "LambdaFunctionConfigurations": "LambdaFunctionArn",
}


def validate_versioning(config: Any) -> tuple[str | None, str | None]:
    """(Status, MFADelete) of a VersioningConfiguration; None where not given."""
    if not isinstance(config, dict):
        raise malformed_xml()
    status, mfa = config.get("Status"), config.get("MFADelete")
    if status is not None and status not in ("Enabled", "Suspended"):
        raise malformed_xml()
    if mfa is not None and mfa not in ("Enabled", "Disabled"):
        raise malformed_xml()
    return status, mfa


def validate_public_access_block(config: Any) -> dict[str, bool]:
    if not isinstance(config, dict):
        raise malformed_xml()
    return {flag: bool(config.get(flag, False)) for flag in PUBLIC_ACCESS_FLAGS}


def validate_ownership(controls: Any) -> str:
    """The one ObjectOwnership of an OwnershipControls document."""
    rules = controls.get("Rules") if isinstance(controls, dict) else None
    if not isinstance(rules, list) or len(rules) != 1 or not isinstance(rules[0], dict):
        raise malformed_xml()
    ownership = rules[0].get("ObjectOwnership")
    if ownership not in OWNERSHIPS:
        raise malformed_xml()
    return str(ownership)


def validate_encryption(config: Any) -> dict[str, Any]:
    """A ServerSideEncryptionConfiguration: one rule, its default algorithm (optional since
    BlockedEncryptionTypes came in 2025) and the encryption types it blocks."""
    rules = config.get("Rules") if isinstance(config, dict) else None
    if not isinstance(rules, list) or len(rules) != 1 or not isinstance(rules[0], dict):
        raise malformed_xml()
    given = rules[0]
    rule: dict[str, Any] = {}
    default = given.get("ApplyServerSideEncryptionByDefault")
    if default is not None:
        if not isinstance(default, dict) or default.get("SSEAlgorithm") not in SSE_ALGORITHMS:
            raise malformed_xml()
        if default.get("KMSMasterKeyID") and default["SSEAlgorithm"] not in KMS_ALGORITHMS:
            raise invalid_argument(
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms"
                " or aws:kms:dsse",
                "ApplyServerSideEncryptionByDefault",
            )
        rule["ApplyServerSideEncryptionByDefault"] = dict(default)
    rule["BucketKeyEnabled"] = bool(given.get("BucketKeyEnabled", False))
    blocked = given.get("BlockedEncryptionTypes")
    if blocked is not None:
        types = blocked.get("EncryptionType") if isinstance(blocked, dict) else None
        if not isinstance(types, list) or any(t not in ("NONE", "SSE-C") for t in types):
            raise malformed_xml()
        rule["BlockedEncryptionTypes"] = {"EncryptionType": list(types)}
    if default is None and blocked is None:
        raise malformed_xml()
    return {"Rules": [rule]}


INVALID_PROTOCOL = (
    "Invalid protocol, protocol can be http or https. If not defined the protocol will be"
    " selected automatically."
)
MAX_ROUTING_RULES = 50


def validate_website(config: Any) -> dict[str, Any]:
    """A WebsiteConfiguration, checked in the order and with the answers S3 gives."""
    if not isinstance(config, dict):
        raise malformed_xml()
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all is not None:
        if len([k for k in config if config.get(k) is not None]) > 1:
            raise invalid_argument(
                "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
                "RedirectAllRequestsTo",
                "not null",
            )
        if not isinstance(redirect_all, dict) or not redirect_all.get("HostName"):
            raise malformed_xml()
        if redirect_all.get("Protocol") not in (None, "http", "https"):
            raise invalid_request(INVALID_PROTOCOL)
        return config
    index = config.get("IndexDocument")
    if not isinstance(index, dict) or index.get("Suffix") is None:
        raise invalid_argument(
            "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
            "IndexDocument",
            "null",
        )
    suffix = str(index["Suffix"])
    if not suffix or "/" in suffix:
        raise invalid_argument(
            "The IndexDocument Suffix is not well formed", "IndexDocument", suffix
        )
    error = config.get("ErrorDocument")
    if error is not None and (not isinstance(error, dict) or not error.get("Key")):
        raise malformed_xml()
    rules = config.get("RoutingRules")
    if rules is not None:
        if not isinstance(rules, list) or not rules:
            raise malformed_xml()
        if len(rules) > MAX_ROUTING_RULES:
            raise invalid_request("The number of routing rules must not exceed 50.")
        for rule in rules:
            _check_routing_rule(rule)
    return config


def _check_routing_rule(rule: Any) -> None:
    if not isinstance(rule, dict) or not isinstance(rule.get("Redirect"), dict):
        raise malformed_xml()
    redirect = rule["Redirect"]
    if (
        redirect.get("ReplaceKeyPrefixWith") is not None
        and redirect.get("ReplaceKeyWith") is not None
    ):
        raise invalid_request("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
    if "Condition" in rule and not rule.get("Condition"):
        raise invalid_request(
            "Condition cannot be empty. To redirect all requests without a condition, the"
            " condition element shouldn't be present."
        )
    if redirect.get("Protocol") not in (None, "http", "https"):
        raise invalid_request(INVALID_PROTOCOL)


def invalid_event(event: str) -> AwsError:
    return invalid_argument("The event is not supported for notifications", "Event", event)


_NOTIFICATION_ARN = {
    "TopicArn": re.compile(r"arn:aws[\w-]*:sns:([a-z0-9-]+):(\d{12}):[\w.-]+"),
    "QueueArn": re.compile(r"arn:aws[\w-]*:sqs:([a-z0-9-]+):(\d{12}):[\w.-]+"),
    "LambdaFunctionArn": re.compile(
        r"arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):function:[\w-]+(:[\w$-]+)?"
    ),
}


def _check_destination(arn_member: str, arn: str, region: str) -> None:
    match = _NOTIFICATION_ARN[arn_member].fullmatch(arn)
    if match is None:
        raise invalid_argument("The ARN is not well formed", arn_member, arn)
    if match.group(1) != region:
        raise invalid_argument(
            "The notification destination service region is not valid for the bucket location"
            " constraint",
            arn_member,
            arn,
        )


def validate_notification(config: Any, region: str) -> dict[str, Any]:
    """A NotificationConfiguration, checked; configurations without an Id get one."""
    if not isinstance(config, dict):
        raise malformed_xml()
    stored: dict[str, Any] = {}
    ids: set[str] = set()
    for member, arn_member in NOTIFICATION_TARGETS.items():
        entries = config.get(member)
        if entries is None:
            continue
        out = []
        for entry in entries:
            if not isinstance(entry, dict) or not entry.get(arn_member) or not entry.get("Events"):
                raise malformed_xml()
            for event in entry["Events"]:
                if event not in NOTIFICATION_EVENTS:
                    raise invalid_event(str(event))
            _check_destination(arn_member, str(entry[arn_member]), region)
            _check_filter(entry.get("Filter"))
            item = dict(entry)
            item.setdefault("Id", _generated_id())
            if item["Id"] in ids:
                raise invalid_argument("Configuration id must be unique.", "Id", str(item["Id"]))
            ids.add(item["Id"])
            out.append(item)
        if out:
            stored[member] = out
    if config.get("EventBridgeConfiguration") is not None:
        stored["EventBridgeConfiguration"] = {}
    return stored


def _generated_id() -> str:
    return str(uuid.uuid4())


def _check_filter(notification_filter: Any) -> None:
    if notification_filter is None:
        return
    key = notification_filter.get("Key") if isinstance(notification_filter, dict) else None
    rules = key.get("FilterRules") if isinstance(key, dict) else None
    if rules is None:
        return
    names: list[str] = []
    for rule in rules:
        name = str(rule.get("Name", "")).lower()
        if name not in ("prefix", "suffix"):
            raise invalid_argument(
                "filter rule name must be either prefix or suffix", "FilterRule", name
            )
        if name in names:
            raise invalid_argument(
                "Cannot specify more than one prefix rule in a filter."
                if name == "prefix"
                else "Cannot specify more than one suffix rule in a filter.",
                "FilterRule",
                name,
            )
        names.append(name)


def validate_accelerate(config: Any, bucket: str) -> dict[str, str]:
    if not isinstance(config, dict) or config.get("Status") not in ("Enabled", "Suspended"):
        raise malformed_xml()
    if "." in bucket:
        raise invalid_request(
            "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names"
        )
    return {"Status": str(config["Status"])}


def validate_request_payment(config: Any) -> dict[str, str]:
    if not isinstance(config, dict) or config.get("Payer") not in ("Requester", "BucketOwner"):
        raise malformed_xml()
    return {"Payer": str(config["Payer"])}
