"""Validating what a write (PutObject, CopyObject, CreateMultipartUpload) asks for: key,
storage class, metadata, tags, encryption, Object Lock, with S3's errors word for word.

Pure functions of the input (plus the bucket's settings), so every writer validates alike.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from nimbus_core.errors import AwsError

from nimbus_s3 import acl
from nimbus_s3.buckets import Bucket, Executor
from nimbus_s3.configs import get_config
from nimbus_s3.errors import access_denied, invalid_argument, invalid_request

MAX_KEY_BYTES = 1024
MAX_METADATA_BYTES = 2048
MAX_PUT_BYTES = 5 * 1024**3
STORAGE_CLASSES = frozenset(
    {
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "GLACIER_IR",
    }
)
# Input members that are stored as the object's system headers, returned on GET/HEAD.
SYSTEM_HEADERS = (
    "ContentType",
    "ContentEncoding",
    "ContentDisposition",
    "ContentLanguage",
    "CacheControl",
    "Expires",
    "WebsiteRedirectLocation",
)
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
SSE_ALGORITHMS = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})

_SSE_C_ALG = "x-amz-server-side-encryption-customer-algorithm"
_SSE_C_KEY = "x-amz-server-side-encryption-customer-key"
_SSE_C_MD5 = "x-amz-server-side-encryption-customer-key-MD5"


def check_key(key: str) -> None:
    size = len(key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise AwsError(
            "KeyTooLongError",
            "Your key is too long",
            400,
            extra={"MaxSizeAllowed": MAX_KEY_BYTES, "Size": size},
        )


def check_size(size: int) -> None:
    if size > MAX_PUT_BYTES:
        raise AwsError(
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            400,
            extra={"ProposedSize": size, "MaxSizeAllowed": MAX_PUT_BYTES},
        )


def storage_class(params: dict[str, Any]) -> str:
    value = params.get("StorageClass") or "STANDARD"
    if value not in STORAGE_CLASSES:
        raise AwsError(
            "InvalidStorageClass",
            "The storage class you specified is not valid",
            400,
            extra={"StorageClassRequested": value},
        )
    return str(value)


def metadata(params: dict[str, Any]) -> dict[str, str]:
    """x-amz-meta-* with lower-cased names (as S3 returns them), within the 2 KB limit."""
    values = {str(k).lower(): str(v) for k, v in (params.get("Metadata") or {}).items()}
    size = sum(len(k.encode()) + len(v.encode()) for k, v in values.items())
    if size > MAX_METADATA_BYTES:
        raise AwsError(
            "MetadataTooLarge",
            "Your metadata headers exceed the maximum allowed metadata size",
            400,
            extra={"Size": size, "MaxSizeAllowed": MAX_METADATA_BYTES},
        )
    return values


def system_headers(params: dict[str, Any]) -> dict[str, Any]:
    headers = {name: params[name] for name in SYSTEM_HEADERS if params.get(name) is not None}
    headers.setdefault("ContentType", DEFAULT_CONTENT_TYPE)
    return headers


def invalid_tag(message: str) -> AwsError:
    return AwsError("InvalidTag", message, 400)


def validate_tags(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """S3's object tag limits: 10 tags, keys up to 128 and values up to 256 characters."""
    tags: dict[str, str] = {}
    for key, value in pairs:
        if key in tags:
            raise invalid_tag("Cannot provide multiple Tags with the same key")
        if not key or len(key) > 128:
            raise invalid_tag(
                "The TagKey you have provided is too long, max 128"
                if key
                else "The TagKey you have provided is invalid"
            )
        if len(value) > 256:
            raise invalid_tag("The TagValue you have provided is too long, max 256")
        if key.lower().startswith("aws:"):
            raise invalid_tag("Your TagKey cannot be prefixed with aws:")
        tags[key] = value
    if len(tags) > 10:
        raise invalid_tag("Object tags cannot be greater than 10")
    return tags


def tagging_header(value: str | None) -> dict[str, str]:
    """The x-amz-tagging header: URL query form, k1=v1&k2=v2."""
    if not value:
        return {}
    try:
        pairs = parse_qsl(value, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise invalid_argument(
            "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
            "parameters without tag name duplicates.",
            "x-amz-tagging",
            value,
        ) from None
    return validate_tags(pairs)


def _b64(value: str) -> bytes | None:
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def sse_c(
    params: dict[str, Any], prefix: str = "", *, md5_required: bool = True
) -> dict[str, str] | None:
    """Validated SSE-C parameters ({SSECustomerAlgorithm, SSECustomerKeyMD5}) or None.

    prefix "CopySource" reads the CopySourceSSECustomer* members of CopyObject."""
    algorithm = params.get(prefix + "SSECustomerAlgorithm")
    key = params.get(prefix + "SSECustomerKey")
    key_md5 = params.get(prefix + "SSECustomerKeyMD5")
    names = (_SSE_C_ALG, _SSE_C_KEY, _SSE_C_MD5)
    if prefix:
        names = tuple(n.replace("x-amz-", "x-amz-copy-source-") for n in names)  # type: ignore[assignment]
    if algorithm is None and key is None and key_md5 is None:
        return None
    if not algorithm:
        raise invalid_argument(
            "Requests specifying Server Side Encryption with Customer provided keys must "
            "provide a valid encryption algorithm.",
            names[0],
            "null",
        )
    if algorithm != "AES256":
        raise AwsError(
            "InvalidEncryptionAlgorithmError",
            "The Encryption request you specified is not valid. Supported value: AES256.",
            400,
            extra={"ArgumentName": names[0], "ArgumentValue": algorithm},
        )
    if not key:
        raise invalid_argument(
            "Requests specifying Server Side Encryption with Customer provided keys must "
            "provide an appropriate secret key.",
            names[1],
            "null",
        )
    raw = _b64(str(key))
    if raw is None or len(raw) != 32:
        raise invalid_argument(
            "The secret key was invalid for the specified algorithm.", names[1], "null"
        )
    calculated = base64.b64encode(hashlib.md5(raw).digest()).decode()
    if not key_md5:
        if md5_required:
            raise invalid_argument(
                "Requests specifying Server Side Encryption with Customer provided keys must "
                "provide the client calculated MD5 of the secret key.",
                names[2],
                "null",
            )
    elif key_md5 != calculated:
        raise invalid_argument(
            "The calculated MD5 hash of the key did not match the hash that was provided.",
            names[2],
            str(key_md5),
        )
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKeyMD5": calculated}


def encryption(
    params: dict[str, Any], bucket: Bucket, default: dict[str, Any] | None
) -> dict[str, Any]:
    """The encryption a new object gets: SSE-C, the requested SSE, the bucket's default
    encryption, or SSE-S3 (every new S3 object is encrypted since 2023)."""
    customer = sse_c(params)
    sse = params.get("ServerSideEncryption")
    kms_key = params.get("SSEKMSKeyId")
    if customer is not None:
        if sse:
            raise invalid_argument(
                "Server Side Encryption with Customer provided key is incompatible with the "
                "encryption method specified",
                "x-amz-server-side-encryption",
                str(sse),
            )
        return customer
    if sse is not None and sse not in SSE_ALGORITHMS:
        raise invalid_argument(
            "The encryption method specified is not supported",
            "x-amz-server-side-encryption",
            str(sse),
        )
    if kms_key and not str(sse or "").startswith("aws:kms"):
        raise invalid_argument(
            "Server Side Encryption with AWS Key Management Service managed key requires "
            "HTTP header x-amz-server-side-encryption : aws:kms",
            "x-amz-server-side-encryption-aws-kms-key-id",
            str(kms_key),
        )
    bucket_key = params.get("BucketKeyEnabled")
    if not sse:
        rules = (default or {}).get("Rules") or []
        rule = rules[0] if rules else {}
        by_default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        sse = by_default.get("SSEAlgorithm") or "AES256"
        kms_key = by_default.get("KMSMasterKeyID")
        if bucket_key is None and rule.get("BucketKeyEnabled") is not None:
            bucket_key = rule.get("BucketKeyEnabled")
    result: dict[str, Any] = {"ServerSideEncryption": sse}
    if str(sse).startswith("aws:kms"):
        result["SSEKMSKeyId"] = kms_key or (
            f"arn:aws:kms:{bucket.region}:{bucket.account_id}:alias/aws/s3"
        )
        if bucket_key:
            result["BucketKeyEnabled"] = True
    return result


def require_sse_c_match(stored: dict[str, Any], params: dict[str, Any], prefix: str = "") -> None:
    """Reading an SSE-C object needs the same key; other objects must not be given one."""
    given = sse_c(params, prefix, md5_required=False)
    if stored.get("SSECustomerAlgorithm"):
        if given is None:
            raise invalid_request(
                "The object was stored using a form of Server Side Encryption. The correct "
                "parameters must be provided to retrieve the object."
            )
        if given["SSECustomerKeyMD5"] != stored.get("SSECustomerKeyMD5"):
            raise AwsError("AccessDenied", "Access Denied", 403)
    elif given is not None:
        raise invalid_request("The encryption parameters are not applicable to this object.")


def parse_time(value: Any) -> datetime | None:
    """An input timestamp (ISO 8601 from the gateway) as an aware datetime, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def object_lock(
    params: dict[str, Any], bucket: Bucket
) -> tuple[str | None, datetime | None, bool, bool]:
    """(mode, retain until, legal hold, anything given) from ObjectLock* members."""
    mode = params.get("ObjectLockMode")
    until_raw = params.get("ObjectLockRetainUntilDate")
    hold = params.get("ObjectLockLegalHoldStatus")
    given = mode is not None or until_raw is not None or hold is not None
    if not given:
        return None, None, False, False
    if not bucket.object_lock_enabled:
        raise invalid_request("Bucket is missing Object Lock Configuration")
    until = parse_time(until_raw)
    if (mode is None) != (until_raw is None):
        raise invalid_argument(
            "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
            "x-amz-object-lock-retain-until-date" if mode else "x-amz-object-lock-mode",
            str(until_raw or mode),
        )
    if mode is not None and mode not in ("GOVERNANCE", "COMPLIANCE"):
        raise invalid_argument("Unknown wormMode directive.", "x-amz-object-lock-mode", mode)
    if until_raw is not None and (until is None or until <= datetime.now(UTC)):
        raise invalid_argument(
            "The retain until date must be in the future!",
            "x-amz-object-lock-retain-until-date",
            str(until_raw),
        )
    if hold is not None and hold not in ("ON", "OFF"):
        raise invalid_argument(
            "Legal Hold must be either of 'ON' or 'OFF'",
            "x-amz-object-lock-legal-hold",
            str(hold),
        )
    return mode, until, hold == "ON", True


async def object_acl(
    db: Executor, params: dict[str, Any], bucket: Bucket, owner_account: str
) -> dict[str, Any] | None:
    """The object's ACL document (None: the default, owner full control).

    With ACLs disabled (BucketOwnerEnforced) only bucket-owner-full-control is accepted;
    a public ACL under BlockPublicAcls is refused."""
    if not acl.has_acl_input(params):
        return None
    if bucket.object_ownership == "BucketOwnerEnforced":
        if params.get("ACL") in (None, "bucket-owner-full-control") and not acl.from_grant_headers(
            params
        ):
            return None
        raise AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
    document = acl.from_request(params, owner_account, bucket.account_id)
    if document is not None and acl.is_public(document):
        block = await get_config(db, bucket.name, "public_access_block") or {}
        if block.get("BlockPublicAcls"):
            raise access_denied()
    return document


SSE_MEMBERS = (
    "ServerSideEncryption",
    "SSECustomerAlgorithm",
    "SSECustomerKeyMD5",
    "SSEKMSKeyId",
    "BucketKeyEnabled",
)


def encryption_output(stored: Mapping[str, Any]) -> dict[str, Any]:
    """The SSE response members for an object's stored encryption."""
    return {name: stored[name] for name in SSE_MEMBERS if stored.get(name) is not None}
