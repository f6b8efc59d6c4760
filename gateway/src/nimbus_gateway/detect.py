"""Service detection: which AWS API a request is for, from what the client sent.

In order of trust: the SigV4 credential scope (header or presigned query), X-Amz-Target,
the host name (sqs.<region>.<host>, <bucket>.s3.<host>), the query protocol's Version and
Action, the Route53 path prefix; anything else is S3 (anonymous GETs of public objects).
Virtual-host S3 requests are rewritten to path style here, once, for everything after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from nimbus_core.errors import AwsError

from nimbus_gateway import catalog
from nimbus_gateway.protocol.http import HttpRequest

_SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/([^/,\s]*)/([^/,\s]*)/aws4_request")
_QUERY_SCOPE = re.compile(
    r"(?:^|&)X-Amz-Credential=[^&/]*(?:/|%2F)\d{8}(?:/|%2F)([^&/%]*)"
    r"(?:/|%2F)([^&/%]*)(?:/|%2F)aws4_request",
    re.IGNORECASE,
)
_FORM = "application/x-www-form-urlencoded"
_ROUTE53_PATH = "/2013-04-01/"


@dataclass(frozen=True)
class Detection:
    api: str
    # Region named by the credential scope or host, if any.
    region: str | None
    # The request as the rest of the chain must see it (virtual-host S3 made path-style).
    request: HttpRequest
    virtual_bucket: str | None = None


def detect(request: HttpRequest, base_hosts: tuple[str, ...]) -> Detection:
    """Find the API of request; base_hosts are the names the gateway is reached by."""
    region, scope_api = _from_credential_scope(request)
    bucket, host_api, host_region = _from_host(request.host, base_hosts)
    api = (
        scope_api
        or _from_target(request)
        or host_api
        or _from_query_protocol(request)
        or ("route53" if request.path.startswith(_ROUTE53_PATH) else None)
        or "s3"
    )
    if api == "s3" and bucket:
        request = HttpRequest(
            method=request.method,
            path=f"/{bucket}{request.path if request.path.startswith('/') else '/' + request.path}",
            query=request.query,
            headers=request.headers,
            body=request.body,
            body_streamed=request.body_streamed,
        )
    return Detection(api, region or host_region, request, bucket if api == "s3" else None)


def _from_credential_scope(request: HttpRequest) -> tuple[str | None, str | None]:
    match = _SCOPE.search(request.headers.get("authorization", "")) or _QUERY_SCOPE.search(
        request.query
    )
    if not match:
        return None, None
    region, signing_name = match[1], match[2]
    api = catalog.BY_SIGNING_NAME.get(signing_name)
    if api is None:
        raise AwsError(
            "InvalidAction",
            f"Nimbus does not serve the AWS service '{signing_name}'.",
            400,
        )
    return region, api.name


def _from_target(request: HttpRequest) -> str | None:
    target = request.headers.get("x-amz-target", "")
    prefix = target.split(".", 1)[0]
    api = catalog.BY_TARGET_PREFIX.get(prefix)
    return api.name if api else None


def _from_host(host: str, base_hosts: tuple[str, ...]) -> tuple[str | None, str | None, str | None]:
    """(bucket, api, region) the host names: <bucket>.s3[.<region>].<base>, sqs.<region>.<base>."""
    name = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host.lower()
    for base in base_hosts:
        if name == base or not name.endswith("." + base):
            continue
        labels = name[: -len(base) - 1].split(".")
        # <svc>[.<region>]
        if labels[0] in catalog.BY_HOST_LABEL and len(labels) <= 2:
            region = labels[1] if len(labels) == 2 else None
            return None, catalog.BY_HOST_LABEL[labels[0]].name, region
        # <bucket>.s3[.<region>] or <bucket> (bucket names may contain dots)
        if "s3" in labels[1:]:
            at = labels.index("s3", 1)
            region = labels[at + 1] if at + 1 < len(labels) else None
            return ".".join(labels[:at]), "s3", region
        return ".".join(labels), "s3", None
    return None, None, None


def _from_query_protocol(request: HttpRequest) -> str | None:
    params = parse_qs(request.query)
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and content_type.split(";")[0].strip().lower() == _FORM:
        params.update(parse_qs(request.body.decode("utf-8", "replace")))
    version = (params.get("Version") or [""])[0]
    if api := catalog.query_api_by_version().get(version):
        return api
    action = (params.get("Action") or [""])[0]
    return catalog.query_api_by_action().get(action)
