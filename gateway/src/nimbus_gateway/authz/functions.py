"""Named parsers usable in templates as ``${Member->name}``.

They extract what AWS derives from an input value rather than using it verbatim: the queue
name and account inside an SQS queue URL, the bucket and key inside an S3 copy source, an IAM
entity's stored path.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit


class PathLookup(Protocol):
    """Returns the stored path of an IAM entity (kind: user, group, role, ...), or None."""

    def __call__(self, kind: str, name: str) -> str | None: ...


@dataclass(frozen=True)
class Context:
    """Request facts templates may use besides the input."""

    partition: str
    region: str
    account: str
    caller_arn: str | None
    paths: PathLookup | None


Function = Callable[[Any, Context], str | None]


def _queue_parts(url: Any) -> tuple[str | None, str | None, str | None]:
    """(region, account, name) of a queue URL.

    Forms: ``https://sqs.<region>.amazonaws.com/<acct>/<name>``, ``https://<region>.queue.
    amazonaws.com/...``, legacy ``https://queue.amazonaws.com/...`` and any
    ``http(s)://sqs.<region>.<host>/...`` or plain ``<host>/...`` a Nimbus endpoint serves.
    """
    if not isinstance(url, str):
        return None, None, None
    split = urlsplit(url if "://" in url else "https://" + url)
    segments = [s for s in split.path.split("/") if s]
    if len(segments) != 2:
        return None, None, None
    labels = (split.hostname or "").split(".")
    region = None
    if len(labels) > 2 and labels[0] == "sqs":
        region = labels[1]
    elif len(labels) > 2 and labels[1] == "queue":
        region = labels[0]
    return region, unquote(segments[0]), unquote(segments[1])


def queue_name(url: Any, ctx: Context) -> str | None:
    return _queue_parts(url)[2]


def queue_account(url: Any, ctx: Context) -> str | None:
    return _queue_parts(url)[1]


def queue_region(url: Any, ctx: Context) -> str | None:
    """The URL's region, else the request's: legacy and local hosts carry none."""
    return _queue_parts(url)[0] or ctx.region


def _copy_parts(source: Any) -> tuple[str | None, str | None, str | None]:
    """(bucket, key, versionId) of ``x-amz-copy-source``: ``[/]bucket/key[?versionId=v]``.

    The path part is URL-encoded on the wire; ARNs use the decoded key.
    """
    if not isinstance(source, str) or not source:
        return None, None, None
    path, _, query = source.partition("?")
    version = None
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if name == "versionId":
            version = unquote(value)
    decoded = unquote(path).lstrip("/")
    if decoded.startswith("arn:"):
        # access point form: arn:...:accesspoint/<name>/object/<key>
        head, sep, key = decoded.partition("/object/")
        return (head, key, version) if sep else (None, None, None)
    bucket, sep, key = decoded.partition("/")
    return (bucket, key, version) if sep and bucket and key else (None, None, None)


def copy_bucket(source: Any, ctx: Context) -> str | None:
    return _copy_parts(source)[0]


def copy_key(source: Any, ctx: Context) -> str | None:
    return _copy_parts(source)[1]


def copy_version(source: Any, ctx: Context) -> str | None:
    return _copy_parts(source)[2]


def copy_object_arn(source: Any, ctx: Context) -> str | None:
    """The source object's ARN (an access point's object ARN when the source is one)."""
    bucket, key, _ = _copy_parts(source)
    if bucket is None or key is None:
        return None
    if bucket.startswith("arn:"):
        return f"{bucket}/object/{key}"
    return f"arn:{ctx.partition}:s3:::{bucket}/{key}"


def _path_of(kind: str) -> Function:
    def stored_path(name: Any, ctx: Context) -> str | None:
        """IAM builds the ARN with the entity's stored path; "/" when unknown or unset."""
        if not isinstance(name, str):
            return None
        found = ctx.paths(kind, name) if ctx.paths is not None else None
        return found or "/"

    stored_path.__name__ = f"{kind}_path"
    return stored_path


def principal_account(principal: Any, ctx: Context) -> str | None:
    """AssumeRoot's TargetPrincipal: an account ID or a principal ARN."""
    if not isinstance(principal, str):
        return None
    return principal.split(":")[4] if principal.startswith("arn:") else principal


def task_source_arn(handle: Any, ctx: Context) -> str | None:
    """The source queue ARN inside an SQS message-move TaskHandle (base64 JSON)."""
    if not isinstance(handle, str):
        return None
    try:
        decoded = json.loads(base64.b64decode(handle + "=" * (-len(handle) % 4)))
    except (binascii.Error, ValueError):
        return None
    arn = decoded.get("sourceArn") if isinstance(decoded, dict) else None
    return arn if isinstance(arn, str) else None


def slr_role_path(task_id: Any, ctx: Context) -> str | None:
    """``/aws-service-role/<svc>/<Role>`` from ``task/aws-service-role/<svc>/<Role>/<uuid>``."""
    if not isinstance(task_id, str):
        return None
    parts = task_id.split("/")
    if len(parts) != 5 or parts[0] != "task":
        return None
    return "/" + "/".join(parts[1:4])


def name_from_arn(arn: Any, ctx: Context) -> str | None:
    """The last path segment of an ARN (a role's name inside its ARN)."""
    if not isinstance(arn, str):
        return None
    return arn.rsplit("/", 1)[-1]


def oidc_provider_name(url: Any, ctx: Context) -> str | None:
    """An OIDC provider's ARN names its issuer URL without the scheme (or trailing slash)."""
    if not isinstance(url, str):
        return None
    return url.split("://", 1)[-1].rstrip("/")


FUNCTIONS: dict[str, Function] = {
    "queue_name": queue_name,
    "queue_account": queue_account,
    "queue_region": queue_region,
    "copy_bucket": copy_bucket,
    "copy_key": copy_key,
    "copy_version": copy_version,
    "copy_object_arn": copy_object_arn,
    "user_path": _path_of("user"),
    "group_path": _path_of("group"),
    "role_path": _path_of("role"),
    "instance_profile_path": _path_of("instance-profile"),
    "server_certificate_path": _path_of("server-certificate"),
    "principal_account": principal_account,
    "task_source_arn": task_source_arn,
    "slr_role_path": slr_role_path,
    "name_from_arn": name_from_arn,
    "oidc_provider_name": oidc_provider_name,
}
