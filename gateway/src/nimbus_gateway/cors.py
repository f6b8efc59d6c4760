"""S3's CORS: preflight OPTIONS answered from the bucket's rules, and headers on real requests.

Browsers send the preflight unsigned, so the gateway answers it itself from the bucket's
CORSRules (first matching rule wins, as in S3): the Origin must match an AllowedOrigin (which
may hold one "*" wildcard), the requested method an AllowedMethod, and every requested header
an AllowedHeader (case-insensitively, "*" wildcards too). Real requests carrying Origin get the
matching rule's headers added to whatever they answer, errors included.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from nimbus_core.errors import AwsError

from nimbus_gateway.protocol.codec import host_id
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse

VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
NOT_ENABLED = "CORSResponse: CORS is not enabled for this bucket."
# "evalution" is S3's own spelling.
NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
    "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
    "are not whitelisted by the resource's CORS spec."
)
NO_BUCKET = "CORSResponse: Bucket not found"
NO_ORIGIN = "Insufficient information. Origin request header needed."
NO_METHOD = "Insufficient information. Access-Control-Request-Method request header needed."
# Headers a CORS answer may carry; a real request's own are replaced, never doubled.
CORS_HEADERS = frozenset(
    {
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-allow-credentials",
        "access-control-expose-headers",
        "access-control-max-age",
        "vary",
    }
)

Rule = Mapping[str, Any]


@functools.lru_cache(maxsize=1024)
def _pattern(wildcard: str, ignore_case: bool) -> re.Pattern[str]:
    body = ".*".join(re.escape(part) for part in wildcard.split("*"))
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(wildcard: str, value: str, *, ignore_case: bool = False) -> bool:
    """Whether value matches wildcard, in which "*" stands for any characters (or none)."""
    return _pattern(wildcard, ignore_case).fullmatch(value) is not None


def _strings(rule: Rule, member: str) -> list[str]:
    values = rule.get(member) or []
    return [str(v) for v in values] if isinstance(values, list) else []


def requested_headers(value: str | None) -> list[str]:
    """Access-Control-Request-Headers as a list of names."""
    return [h.strip() for h in (value or "").split(",") if h.strip()]


def matched_origin(rule: Rule, origin: str) -> str | None:
    """The AllowedOrigin of rule that admits origin, if any."""
    return next((o for o in _strings(rule, "AllowedOrigins") if wildcard_match(o, origin)), None)


def find_rule(
    rules: Sequence[Rule], origin: str, method: str, headers: Sequence[str] = ()
) -> Rule | None:
    """The first rule allowing origin, method and every one of headers."""
    for rule in rules:
        if matched_origin(rule, origin) is None or method not in _strings(rule, "AllowedMethods"):
            continue
        allowed = _strings(rule, "AllowedHeaders")
        if all(any(wildcard_match(a, h, ignore_case=True) for a in allowed) for h in headers):
            return rule
    return None


def rule_headers(
    rule: Rule, origin: str, *, allow_headers: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """The CORS response headers of a matched rule."""
    any_origin = matched_origin(rule, origin) == "*"
    headers = [("Access-Control-Allow-Origin", "*" if any_origin else origin)]
    headers.append(("Access-Control-Allow-Methods", ", ".join(_strings(rule, "AllowedMethods"))))
    if allow_headers:
        headers.append(("Access-Control-Allow-Headers", ", ".join(allow_headers)))
    expose = _strings(rule, "ExposeHeaders")
    if expose:
        headers.append(("Access-Control-Expose-Headers", ", ".join(expose)))
    if rule.get("MaxAgeSeconds") is not None:
        headers.append(("Access-Control-Max-Age", str(rule["MaxAgeSeconds"])))
    if not any_origin:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    headers.append(("Vary", VARY))
    return headers


def target_of(request: HttpRequest) -> tuple[str, str]:
    """(bucket, key) of a path-style request ("" when absent)."""
    path = request.path.lstrip("/")
    bucket, _, key = path.partition("/")
    return unquote(bucket), unquote(key)


def _forbidden(message: str, method: str, resource_type: str) -> AwsError:
    extra = {"Method": method, "ResourceType": resource_type} if method else {}
    return AwsError("AccessForbidden", message, 403, extra=extra)


def preflight(request: HttpRequest, rules: Sequence[Rule] | None, request_id: str) -> HttpResponse:
    """The answer to an OPTIONS preflight; rules None means the bucket does not exist.

    Raises AwsError (BadRequest, AccessForbidden) as S3 does when it refuses.
    """
    origin = request.headers.get("origin")
    if not origin:
        raise AwsError("BadRequest", NO_ORIGIN, 400)
    method = request.headers.get("access-control-request-method")
    if not method:
        raise AwsError("BadRequest", NO_METHOD, 400)
    _, key = target_of(request)
    resource_type = "OBJECT" if key else "BUCKET"
    if rules is None:
        raise _forbidden(NO_BUCKET, method, resource_type)
    if not rules:
        raise _forbidden(NOT_ENABLED, method, resource_type)
    asked = requested_headers(request.headers.get("access-control-request-headers"))
    rule = find_rule(rules, origin, method, asked)
    if rule is None:
        raise _forbidden(NOT_ALLOWED, method, resource_type)
    headers = rule_headers(rule, origin, allow_headers=[h.lower() for h in asked])
    headers += [("x-amz-request-id", request_id), ("x-amz-id-2", host_id(request_id))]
    headers.append(("Content-Length", "0"))
    return HttpResponse(200, headers, b"")


def decorate(request: HttpRequest, response: HttpResponse, rules: Sequence[Rule]) -> None:
    """Add the matching rule's headers to the response of a real request carrying Origin.

    The method matched is Access-Control-Request-Method when the client sent one, else the
    request's own.
    """
    origin = request.headers.get("origin")
    if not origin or not rules:
        return
    method = request.headers.get("access-control-request-method") or request.method
    rule = find_rule(rules, origin, method)
    if rule is None:
        return
    response.headers = [(k, v) for k, v in response.headers if k.lower() not in CORS_HEADERS]
    response.headers.extend(rule_headers(rule, origin))
