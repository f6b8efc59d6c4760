"""S3 website endpoints: <bucket>.s3-website-<region>.<host>, <bucket>.s3-website.<region>.<host>.

They serve GET and HEAD to anyone, as S3's do: index documents for "/" and "dir/", the error
document for 403/404 (with the error's status), RedirectAllRequestsTo, routing rules and
objects' x-amz-website-redirect-location. Objects are read through the ordinary GetObject path
as an anonymous caller, so the bucket policy (or ACL) must let the public read them. Errors are
the HTML pages S3's website endpoint writes, not XML.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import quote, unquote

from nimbus_core.errors import AwsError

from nimbus_gateway.bucket_access import BucketAccess
from nimbus_gateway.protocol.codec import host_id
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

_LABEL = "s3-website"


@dataclass(frozen=True)
class WebsiteHost:
    bucket: str
    region: str


def website_host(host: str, base_hosts: Sequence[str]) -> WebsiteHost | None:
    """The bucket and region a website endpoint host names, or None for any other host."""
    name = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host.lower()
    for base in base_hosts:
        if not name.endswith("." + base):
            continue
        labels = name[: -len(base) - 1].split(".")
        # <bucket>.s3-website-<region> or <bucket>.s3-website.<region>: the last labels
        if len(labels) >= 2 and labels[-1].startswith(_LABEL + "-"):
            return WebsiteHost(".".join(labels[:-1]), labels[-1][len(_LABEL) + 1 :])
        if len(labels) >= 3 and labels[-2] == _LABEL:
            return WebsiteHost(".".join(labels[:-2]), labels[-1])
    return None


class ObjectReader(Protocol):
    """Reads objects as an anonymous caller, authorized like any other request."""

    async def read(self, bucket: str, key: str, *, head: bool) -> dict[str, Any]:
        """GetObject (HeadObject when head) output; raises AwsError."""
        ...

    def response(self, output: dict[str, Any], *, head: bool) -> HttpResponse: ...


@dataclass(frozen=True)
class Redirect:
    location: str
    status: int = 301


def _html_items(error: AwsError, extra_keys: Sequence[str] = ()) -> list[str]:
    items = [f"<li>Code: {escape(error.code)}</li>", f"<li>Message: {escape(error.message)}</li>"]
    for name in ("BucketName", "Key", *extra_keys):
        value = error.extra.get(name)
        if value:
            items.append(f"<li>{name}: {escape(str(value))}</li>")
    return items


def error_page(
    error: AwsError,
    request_id: str,
    *,
    head: bool,
    document_error: AwsError | None = None,
) -> HttpResponse:
    """S3's website error page; document_error: why the custom error document failed."""
    status = error.http_status
    try:
        title = f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        title = str(status)
    lines = [
        "<html>",
        f"<head><title>{title}</title></head>",
        "<body>",
        f"<h1>{title}</h1>",
        "<ul>",
        *_html_items(error),
        f"<li>RequestId: {request_id}</li>",
        f"<li>HostId: {host_id(request_id)}</li>",
        "</ul>",
    ]
    if document_error is not None:
        lines += [
            "<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>",
            "<ul>",
            *_html_items(document_error),
            "</ul>",
        ]
    lines += ["<hr/>", "</body>", "</html>", ""]
    body = "\n".join(lines).encode()
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("x-amz-request-id", request_id),
        ("x-amz-id-2", host_id(request_id)),
        ("Content-Length", str(len(body))),
    ]
    if error.code == "MethodNotAllowed":
        headers.append(("Allow", "GET, HEAD"))
    return HttpResponse(status, headers, b"" if head else body)


def redirect_response(redirect: Redirect, request_id: str) -> HttpResponse:
    return HttpResponse(
        redirect.status,
        [
            ("Location", redirect.location),
            ("x-amz-request-id", request_id),
            ("x-amz-id-2", host_id(request_id)),
            ("Content-Length", "0"),
        ],
        b"",
    )


def _redirect_to(
    redirect: Mapping[str, Any], key: str, prefix: str, request: HttpRequest
) -> Redirect:
    """A routing rule's Redirect applied to the requested key."""
    if redirect.get("ReplaceKeyWith") is not None:
        new_key = str(redirect["ReplaceKeyWith"])
    elif redirect.get("ReplaceKeyPrefixWith") is not None:
        new_key = str(redirect["ReplaceKeyPrefixWith"]) + key[len(prefix) :]
    else:
        new_key = key
    host = redirect.get("HostName") or request.host
    protocol = redirect.get("Protocol") or "http"
    code = str(redirect.get("HttpRedirectCode") or "301")
    return Redirect(
        f"{protocol}://{host}/{quote(new_key, safe='/~')}", int(code) if code.isdigit() else 301
    )


def routing_redirect(
    rules: Sequence[Mapping[str, Any]], key: str, request: HttpRequest, error_code: int | None
) -> Redirect | None:
    """The first routing rule matching the key (and, after an error, its HTTP status)."""
    for rule in rules:
        condition = rule.get("Condition") or {}
        expected = condition.get("HttpErrorCodeReturnedEquals")
        if expected is not None and (error_code is None or str(expected) != str(error_code)):
            continue
        if expected is None and error_code is not None and not condition:
            continue  # an unconditional rule already applied before the object was read
        prefix = str(condition.get("KeyPrefixEquals") or "")
        if not key.startswith(prefix):
            continue
        redirect = rule.get("Redirect")
        if isinstance(redirect, Mapping):
            return _redirect_to(redirect, key, prefix, request)
    return None


async def _discard(output: dict[str, Any]) -> None:
    body = output.get("Body")
    closer = getattr(body, "aclose", None)
    if closer is not None:
        with contextlib.suppress(Exception):
            await closer()


class Website:
    def __init__(self, reader: ObjectReader) -> None:
        self._reader = reader

    async def serve(
        self, request: HttpRequest, access: BucketAccess | None, bucket: str, request_id: str
    ) -> HttpResponse:
        head = request.method == "HEAD"
        if request.method not in ("GET", "HEAD"):
            error = AwsError(
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                405,
                extra={"Method": request.method, "ResourceType": "OBJECT"},
            )
            return error_page(error, request_id, head=head)
        if access is None or not access.exists:
            error = AwsError(
                "NoSuchBucket",
                "The specified bucket does not exist",
                404,
                extra={"BucketName": bucket},
            )
            return error_page(error, request_id, head=head)
        config = access.website
        if config is None:
            error = AwsError(
                "NoSuchWebsiteConfiguration",
                "The specified bucket does not have a website configuration",
                404,
                extra={"BucketName": bucket},
            )
            return error_page(error, request_id, head=head)
        everything = config.get("RedirectAllRequestsTo")
        if isinstance(everything, Mapping) and everything.get("HostName"):
            protocol = everything.get("Protocol") or "http"
            query = f"?{request.query}" if request.query else ""
            location = f"{protocol}://{everything['HostName']}{request.path}{query}"
            return redirect_response(Redirect(location), request_id)
        rules = [r for r in config.get("RoutingRules") or [] if isinstance(r, Mapping)]
        asked = unquote(request.path.lstrip("/"))
        found = routing_redirect(rules, asked, request, None)
        if found is not None:
            return redirect_response(found, request_id)
        suffix = str((config.get("IndexDocument") or {}).get("Suffix") or "")
        key = asked + suffix if (asked == "" or asked.endswith("/")) and suffix else asked
        try:
            output = await self._reader.read(bucket, key, head=head)
        except AwsError as error:
            return await self._failed(
                request, request_id, bucket, (asked, suffix, key), config, error
            )
        target = output.get("WebsiteRedirectLocation")
        if target:
            await _discard(output)
            return redirect_response(Redirect(str(target)), request_id)
        return self._reader.response(output, head=head)

    async def _failed(
        self,
        request: HttpRequest,
        request_id: str,
        bucket: str,
        keys: tuple[str, str, str],
        config: Mapping[str, Any],
        error: AwsError,
    ) -> HttpResponse:
        """The answer when the object could not be read: a redirect, or an error page."""
        head = request.method == "HEAD"
        asked, suffix, key = keys  # as asked, the index suffix, the key actually read
        rules = [r for r in config.get("RoutingRules") or [] if isinstance(r, Mapping)]
        if error.code == "NoSuchKey" and asked and not asked.endswith("/") and suffix:
            # "dir" with a "dir/index.html": S3 sends the browser to "dir/".
            with contextlib.suppress(AwsError):
                await self._reader.read(bucket, f"{asked}/{suffix}", head=True)
                return redirect_response(Redirect(f"/{quote(asked, safe='/~')}/", 302), request_id)
        found = routing_redirect(rules, asked, request, error.http_status)
        if found is not None:
            return redirect_response(found, request_id)
        if error.code == "NoSuchKey" and "Key" not in error.extra:
            error = AwsError(error.code, error.message, error.http_status, extra={"Key": key})
        document = str((config.get("ErrorDocument") or {}).get("Key") or "")
        if not document or error.http_status not in (403, 404):
            return error_page(error, request_id, head=head)
        try:
            output = await self._reader.read(bucket, document, head=head)
        except AwsError as document_error:
            if document_error.code == "NoSuchKey" and "Key" not in document_error.extra:
                document_error = AwsError(
                    document_error.code,
                    document_error.message,
                    document_error.http_status,
                    extra={"Key": document},
                )
            return error_page(error, request_id, head=head, document_error=document_error)
        response = self._reader.response(output, head=head)
        response.status = error.http_status
        return response
