"""S3 browser-based POST uploads, the pure part: the multipart form, the POST policy and its
signature (pure functions; post_object.py does the I/O).

A POST policy is base64 JSON {"expiration": ISO-8601, "conditions": [...]}; each condition
is {"field": "value"} (exact), ["eq", "$field", "value"], ["starts-with", "$field", "prefix"]
or ["content-length-range", min, max]. Every form field except the signature fields, the
file, the policy itself and x-ignore-* must be named by some condition. Field names are
case-insensitive. The policy is signed as a string: SigV4 signs it with the usual signing key
(hex HMAC-SHA256), SigV2 with the secret (base64 HMAC-SHA1).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

from nimbus_core.errors import AwsError

from nimbus_gateway.auth.sigv4 import Scope, signing_key

POLICY_PREFIX = "Invalid according to Policy: "
# Fields a policy need not (and cannot) name.
UNCOVERED = frozenset({"awsaccesskeyid", "signature", "x-amz-signature", "file", "policy"})
_NAME = re.compile(rb'\bname="([^"]*)"', re.IGNORECASE)
_FILENAME = re.compile(rb'\bfilename="([^"]*)"', re.IGNORECASE)
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


@dataclass
class Form:
    """The form's fields (lower-cased names, in order, up to the file) and its file."""

    fields: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # lower-cased -> as sent
    file: bytes | None = None
    filename: str = ""
    file_content_type: str = ""

    def get(self, name: str) -> str | None:
        return self.fields.get(name.lower())


@dataclass(frozen=True)
class PostPolicy:
    expiration: datetime
    conditions: list[Any]
    raw: str  # the base64 text as sent: what was signed


def invalid_argument(message: str, name: str, value: str = "") -> AwsError:
    return AwsError(
        "InvalidArgument", message, 400, extra={"ArgumentName": name, "ArgumentValue": value}
    )


def missing_field(name: str) -> AwsError:
    return invalid_argument(
        f"Bucket POST must contain a field named '{name}'.  "
        "If it is specified, please check the order of the fields.",
        name,
    )


def policy_denied(detail: str) -> AwsError:
    return AwsError("AccessDenied", POLICY_PREFIX + detail, 403)


def invalid_policy(detail: str) -> AwsError:
    return AwsError("InvalidPolicyDocument", f"Invalid Policy: {detail}", 400)


def boundary_of(content_type: str) -> str | None:
    main = content_type.split(";", 1)[0].strip().lower()
    if main != "multipart/form-data":
        return None
    found = _BOUNDARY.search(content_type)
    return found[1].strip() if found else None


def parse_form(body: bytes, boundary: str) -> Form:
    """The fields before the file, and the file; what follows the file is ignored (as in S3)."""
    delimiter = b"--" + boundary.encode("latin-1")
    form = Form()
    start = body.find(delimiter)
    if start < 0:
        raise AwsError("MalformedPOSTRequest", _MALFORMED, 400)
    position = start + len(delimiter)
    while True:
        if body[position : position + 2] == b"--":
            return form  # the closing delimiter
        if body[position : position + 2] == b"\r\n":
            position += 2
        header_end = body.find(b"\r\n\r\n", position)
        if header_end < 0:
            raise AwsError("MalformedPOSTRequest", _MALFORMED, 400)
        headers = body[position:header_end]
        content_start = header_end + 4
        end = body.find(b"\r\n" + delimiter, content_start)
        if end < 0:
            raise AwsError("MalformedPOSTRequest", _MALFORMED, 400)
        content = body[content_start:end]
        position = end + 2 + len(delimiter)
        name_match = _NAME.search(headers)
        if name_match is None:
            continue
        name = name_match[1].decode("utf-8", "replace")
        lowered = name.lower()
        if lowered == "file":
            form.file = content
            filename = _FILENAME.search(headers)
            form.filename = filename[1].decode("utf-8", "replace") if filename else ""
            form.file_content_type = _part_content_type(headers)
            return form
        if lowered not in form.fields:
            form.fields[lowered] = content.decode("utf-8", "replace")
            form.names[lowered] = name


_MALFORMED = "The body of your POST request is not well-formed multipart/form-data."


def _part_content_type(headers: bytes) -> str:
    for line in headers.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-type":
            return value.strip().decode("latin-1")
    return ""


def decode_policy(raw: str) -> PostPolicy:
    """The policy document; InvalidPolicyDocument when it is not one."""
    try:
        document = json.loads(base64.b64decode(raw.strip(), validate=False))
    except (binascii.Error, ValueError):
        raise invalid_policy("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise invalid_policy("Invalid JSON.")
    expiration = document.get("expiration")
    if expiration is None:
        raise invalid_policy("Policy missing expiration.")
    conditions = document.get("conditions")
    if conditions is None:
        raise invalid_policy("Policy missing conditions.")
    if not isinstance(conditions, list):
        raise invalid_policy("Invalid conditions.")
    try:
        moment = datetime.fromisoformat(str(expiration).replace("Z", "+00:00"))
    except ValueError:
        raise invalid_policy(f"Invalid 'expiration' value: \"{expiration}\"") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return PostPolicy(moment, conditions, raw.strip())


def _condition_text(condition: Any) -> str:
    return json.dumps(condition, separators=(", ", ": "))


def _field_value(name: str, form: Form, bucket: str) -> str:
    if name == "bucket":
        return bucket
    return form.fields.get(name, "")


def check_policy(policy: PostPolicy, form: Form, bucket: str, now: datetime) -> None:
    """Raise the error S3 gives when the form breaks the policy (size checks excepted)."""
    if policy.expiration < now:
        raise policy_denied("Policy expired.")
    covered: set[str] = set()
    for condition in policy.conditions:
        if isinstance(condition, dict):
            if len(condition) != 1:
                raise invalid_policy(
                    "Invalid Simple-Condition: Simple-Conditions must have "
                    "exactly one property specified."
                )
            ((name, expected),) = condition.items()
            lowered = str(name).lower()
            covered.add(lowered)
            if _field_value(lowered, form, bucket) != str(expected):
                raise policy_denied(
                    f'Policy Condition failed: ["eq", "${name}", {json.dumps(expected)}]'
                )
            continue
        if not isinstance(condition, list) or not condition:
            raise invalid_policy("Invalid Condition.")
        operator = str(condition[0]).lower()
        if operator == "content-length-range":
            continue
        if operator not in ("eq", "starts-with") or len(condition) != 3:
            raise invalid_policy(f"Invalid Condition: {_condition_text(condition)}")
        target, expected = str(condition[1]), condition[2]
        if not target.startswith("$"):
            raise invalid_policy(f"Invalid Condition: {_condition_text(condition)}")
        lowered = target[1:].lower()
        covered.add(lowered)
        value = _field_value(lowered, form, bucket)
        ok = value == str(expected) if operator == "eq" else value.startswith(str(expected))
        if not ok:
            raise policy_denied(f"Policy Condition failed: {_condition_text(condition)}")
    for lowered in form.fields:
        if lowered in UNCOVERED or lowered.startswith("x-ignore-") or lowered in covered:
            continue
        raise policy_denied(f"Extra input fields: {form.names[lowered]}")


def length_range(policy: PostPolicy) -> tuple[int, int] | None:
    """The content-length-range condition's (min, max), if the policy has one."""
    for condition in policy.conditions:
        if (
            isinstance(condition, list)
            and condition
            and str(condition[0]).lower() == "content-length-range"
        ):
            if len(condition) != 3:
                raise invalid_policy(f"Invalid Condition: {_condition_text(condition)}")
            try:
                return int(condition[1]), int(condition[2])
            except (TypeError, ValueError):
                raise invalid_policy(f"Invalid Condition: {_condition_text(condition)}") from None
    return None


def check_size(policy: PostPolicy, size: int) -> None:
    bounds = length_range(policy)
    if bounds is None:
        return
    low, high = bounds
    if size < low:
        raise AwsError(
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed size",
            400,
            extra={"ProposedSize": str(size), "MinSizeAllowed": str(low)},
        )
    if size > high:
        raise AwsError(
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            400,
            extra={"ProposedSize": str(size), "MaxSizeAllowed": str(high)},
        )


def v4_signature(secret_access_key: str, scope: Scope, policy_b64: str) -> str:
    """x-amz-signature: hex HMAC-SHA256 of the base64 policy with the SigV4 signing key."""
    key = signing_key(secret_access_key, scope)
    return hmac.new(key, policy_b64.encode(), hashlib.sha256).hexdigest()


def v2_signature(secret_access_key: str, policy_b64: str) -> str:
    """signature: base64 HMAC-SHA1 of the base64 policy with the secret key."""
    digest = hmac.new(secret_access_key.encode(), policy_b64.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def parse_credential(value: str) -> tuple[str, Scope]:
    """x-amz-credential "AKID/date/region/service/aws4_request" -> (access key id, scope)."""
    parts = value.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not parts[0]:
        raise invalid_argument(
            f"Invalid argument: x-amz-credential {value}", "x-amz-credential", value
        )
    return parts[0], Scope(parts[1], parts[2], parts[3])


def substitute_filename(key: str, filename: str) -> str:
    """${filename} in the key becomes the uploaded file's name."""
    return key.replace("${filename}", filename)


def tagging_query(document: str) -> str:
    """The tagging field's <Tagging> XML as PutObject's x-amz-tagging query-string form."""
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        raise AwsError(
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our "
            "published schema",
            400,
        ) from None
    pairs: list[tuple[str, str]] = []
    for tag in root.iter():
        if _local(tag.tag) != "Tag":
            continue
        key = value = ""
        for child in tag:
            if _local(child.tag) == "Key":
                key = child.text or ""
            elif _local(child.tag) == "Value":
                value = child.text or ""
        pairs.append((key, value))
    return urlencode(pairs, quote_via=quote)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
