"""Reading a request's SigV4 claims (Authorization header or presigned query) into one shape,
raising the error the service family sends for each way a claim can be malformed.

Nothing here knows a secret: it only checks that the claims are well formed and agree with
each other (credential date vs request date, terminator, service).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from nimbus_core.errors import AwsError

from nimbus_gateway.auth import errors
from nimbus_gateway.auth.errors import Dialect
from nimbus_gateway.auth.sigv4 import ALGORITHM, TERMINATOR, Scope, query_pairs
from nimbus_gateway.protocol.http import HttpRequest

PRESIGN_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)
MAX_EXPIRES = 604800
_BASIC_TIME = re.compile(r"\d{8}T\d{6}Z")
_DATE = re.compile(r"\d{8}")
_HEADER_PARTS = ("Credential", "Signature", "SignedHeaders")
# AWS splits the header's components on commas and on whitespace alike.
_COMPONENT_SEPARATOR = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class Claims:
    """What a request says about who signed it, when, and over what."""

    form: Literal["header", "query"]
    access_key_id: str
    scope: Scope
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str  # the request time exactly as it goes into the string to sign
    moment: datetime
    expires: int | None  # presigned only
    security_token: str | None
    query: dict[str, str]  # the decoded query parameters (first value of each)


def parse_claims(request: HttpRequest, dialect: Dialect, service: str | None) -> Claims | None:
    """The request's claims; None when it carries no authentication at all."""
    params: dict[str, str] = {}
    for name, value in query_pairs(request.query):
        params.setdefault(name, value)
    authorization = request.headers.get("authorization")
    presigned = any(
        name in params for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature")
    )
    if dialect == "s3" and authorization is not None and (presigned or "Signature" in params):
        raise errors.invalid_authorization(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be "
            "specified",
            authorization,
        )
    if authorization is not None:
        if dialect == "s3":
            return _s3_header(request, authorization, params)
        return _service_header(request, authorization, params, dialect, service)
    if presigned:
        if dialect == "s3":
            return _s3_query(request, params)
        return _service_query(request, params, service)
    return None


# --- S3 ---------------------------------------------------------------------------------------


def _s3_header(request: HttpRequest, authorization: str, params: dict[str, str]) -> Claims:
    algorithm, space, rest = authorization.partition(" ")
    if not space:
        raise errors.invalid_authorization(
            "Authorization header is invalid -- one and only one ' ' (space) required.",
            authorization,
        )
    if algorithm != ALGORITHM:
        raise errors.invalid_authorization("Unsupported Authorization Type", authorization)
    parts: dict[str, str] = {}
    for piece in _COMPONENT_SEPARATOR.split(rest):
        piece = piece.strip()
        if not piece:
            continue
        name, equals, value = piece.partition("=")
        if not equals:
            raise errors.header_malformed(f'the authorization component "{piece}" is malformed.')
        parts.setdefault(name.strip(), value.strip())
    if any(not parts.get(name) for name in _HEADER_PARTS):
        raise errors.header_malformed(
            "the authorization header requires three components: Credential, SignedHeaders, "
            "and Signature."
        )
    access_key_id, scope = _s3_credential(parts["Credential"], errors.header_malformed)
    timestamp, moment = _s3_request_time(request)
    if scope.date != timestamp[:8]:
        raise errors.header_malformed(
            f'Invalid credential date "{scope.date}". This date is not the same as '
            f'X-Amz-Date: "{timestamp[:8]}".'
        )
    return Claims(
        form="header",
        access_key_id=access_key_id,
        scope=scope,
        signed_headers=_signed_headers(parts["SignedHeaders"]),
        signature=parts["Signature"],
        timestamp=timestamp,
        moment=moment,
        expires=None,
        security_token=request.headers.get("x-amz-security-token"),
        query=params,
    )


def _s3_credential(credential: str, make: Callable[[str], AwsError]) -> tuple[str, Scope]:
    """Split and check `AKID/date/region/service/aws4_request` with S3's messages."""
    pieces = credential.split("/")
    if len(pieces) != 5:
        raise make(f"the Credential is mal-formed; expecting {errors.CREDENTIAL_FORMAT}.")
    access_key_id, date, region, service, terminator = pieces
    if not access_key_id:
        raise make("a non-empty Access Key (AKID) must be provided in the credential.")
    if not _DATE.fullmatch(date) or _parse_basic(date + "T000000Z") is None:
        raise make(
            f'incorrect date format "{date}". This date in the credential must be in the '
            'format "yyyyMMdd".'
        )
    if service != "s3":
        raise make(f'incorrect service "{service}". This endpoint belongs to "s3".')
    if terminator != TERMINATOR:
        raise make(f'incorrect terminal "{terminator}". This endpoint uses "aws4_request".')
    return access_key_id, Scope(date, region, service)


def _s3_request_time(request: HttpRequest) -> tuple[str, datetime]:
    amz_date = request.headers.get("x-amz-date")
    if amz_date is not None:
        moment = _parse_basic(amz_date)
        if moment is None:
            raise errors.missing_date()
        return amz_date, moment
    http_date = request.headers.get("date")
    moment = _parse_http_date(http_date) if http_date is not None else None
    if moment is None:
        raise errors.missing_date()
    return errors.basic_time(moment), moment


def _s3_query(request: HttpRequest, params: dict[str, str]) -> Claims:
    if any(name not in params for name in PRESIGN_PARAMS):
        raise errors.query_parameters_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
            "X-Amz-Expires parameters."
        )
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise errors.query_parameters_error(
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"'
        )

    def credential_error(detail: str) -> AwsError:
        return errors.query_parameters_error(
            f"Error parsing the X-Amz-Credential parameter; {detail}"
        )

    access_key_id, scope = _s3_credential(params["X-Amz-Credential"], credential_error)
    timestamp = params["X-Amz-Date"]
    moment = _parse_basic(timestamp)
    if moment is None:
        raise errors.query_parameters_error(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        )
    expires = _parse_expires(params["X-Amz-Expires"])
    if scope.date != timestamp[:8]:
        raise errors.query_parameters_error(
            f'Invalid credential date "{scope.date}". This date is not the same as '
            f'X-Amz-Date: "{timestamp[:8]}".'
        )
    return Claims(
        form="query",
        access_key_id=access_key_id,
        scope=scope,
        signed_headers=_signed_headers(params["X-Amz-SignedHeaders"]),
        signature=params["X-Amz-Signature"],
        timestamp=timestamp,
        moment=moment,
        expires=expires,
        security_token=params.get("X-Amz-Security-Token"),
        query=params,
    )


def _parse_expires(text: str) -> int:
    if not re.fullmatch(r"-?\d{1,18}", text.strip()):
        raise errors.query_parameters_error("X-Amz-Expires should be a number")
    expires = int(text)
    if expires < 0:
        raise errors.query_parameters_error("X-Amz-Expires must be non-negative")
    if expires > MAX_EXPIRES:
        raise errors.query_parameters_error(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given "
            "X-Amz-Expires must be less than 604800 seconds"
        )
    return expires


# --- the other services -----------------------------------------------------------------------


def _service_header(
    request: HttpRequest,
    authorization: str,
    params: dict[str, str],
    dialect: Dialect,
    service: str | None,
) -> Claims:
    algorithm, _, rest = authorization.strip().partition(" ")
    parts: dict[str, str] = {}
    if algorithm == ALGORITHM:
        for piece in _COMPONENT_SEPARATOR.split(rest):
            piece = piece.strip()
            if not piece:
                continue
            name, equals, value = piece.partition("=")
            if not equals:
                raise errors.incomplete_signature(
                    f"'{piece}' not a valid key=value pair (missing equal-sign) in "
                    f"Authorization header: '{authorization}'."
                )
            parts.setdefault(name.strip(), value.strip())
    elif algorithm.startswith("AWS4-"):
        raise errors.incomplete_signature(f"Unsupported AWS 'algorithm': '{algorithm}'.")
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in _HEADER_PARTS
        if not parts.get(name)
    ]
    time_header = request.headers.get("x-amz-date", request.headers.get("date"))
    if time_header is None:
        missing.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if missing:
        raise errors.incomplete_signature(" ".join([*missing, f"Authorization={authorization}"]))
    assert time_header is not None
    if "x-amz-date" in request.headers:
        moment = _parse_basic(time_header)
        timestamp = time_header
    else:
        moment = _parse_http_date(time_header)
        timestamp = errors.basic_time(moment) if moment else time_header
    return _service_claims(
        "header",
        shown_time=time_header,
        timestamp=timestamp,
        moment=moment,
        signed_headers=parts["SignedHeaders"],
        credential=parts["Credential"],
        signature=parts["Signature"],
        security_token=request.headers.get("x-amz-security-token"),
        query=params,
        service=service,
    )


def _service_query(request: HttpRequest, params: dict[str, str], service: str | None) -> Claims:
    required = (
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
    )
    missing = [
        f"AWS query-string parameters must include '{name}'."
        for name in required
        if not params.get(name)
    ]
    if missing:
        raise errors.incomplete_signature(
            " ".join([*missing, "Re-examine the query-string parameters."])
        )
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise errors.incomplete_signature(
            f"Unsupported AWS 'algorithm': '{params['X-Amz-Algorithm']}'."
        )
    timestamp = params["X-Amz-Date"]
    moment = _parse_basic(timestamp)
    # The query services hold presigned requests to the 15-minute window (no expiry).
    return _service_claims(
        "query",
        shown_time=timestamp,
        timestamp=timestamp,
        moment=moment,
        signed_headers=params["X-Amz-SignedHeaders"],
        credential=params["X-Amz-Credential"],
        signature=params["X-Amz-Signature"],
        security_token=params.get("X-Amz-Security-Token"),
        query=params,
        service=service,
    )


def _service_claims(
    form: Literal["header", "query"],
    *,
    shown_time: str,
    timestamp: str,
    moment: datetime | None,
    signed_headers: str,
    credential: str,
    signature: str,
    security_token: str | None,
    query: dict[str, str],
    service: str | None,
) -> Claims:
    """The checks the query/JSON services make on either form, in AWS's order."""
    if moment is None:
        raise errors.incomplete_signature(
            f"Date must be in ISO-8601 'basic format'. Got '{shown_time}'. "
            "See http://en.wikipedia.org/wiki/ISO_8601"
        )
    headers = _signed_headers(signed_headers)
    if "host" not in headers:
        raise errors.incomplete_signature(
            "'Host' must be a 'SignedHeader' in the AWS Authorization."
        )
    access_key_id, scope = _service_credential(credential, timestamp, service)
    return Claims(
        form=form,
        access_key_id=access_key_id,
        scope=scope,
        signed_headers=headers,
        signature=signature,
        timestamp=timestamp,
        moment=moment,
        expires=None,
        security_token=security_token,
        query=query,
    )


def _service_credential(credential: str, timestamp: str, service: str | None) -> tuple[str, Scope]:
    pieces = credential.split("/")
    if len(pieces) != 5:
        raise errors.incomplete_signature(
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            f"keyid/date/region/service/term, got '{credential}'"
        )
    access_key_id, date, region, signed_service, terminator = pieces
    if date != timestamp[:8]:
        raise errors.scope_mismatch(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{date}' != '{timestamp[:8]}', from '{timestamp}'."
        )
    if terminator != TERMINATOR:
        raise errors.scope_mismatch(
            f"Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{terminator}'. "
        )
    if service is not None and signed_service != service:
        raise errors.scope_mismatch(
            f"Credential should be scoped to correct service: '{service}'. "
        )
    return access_key_id, Scope(date, region, signed_service)


# --- shared -----------------------------------------------------------------------------------


def _signed_headers(text: str) -> tuple[str, ...]:
    return tuple(name.strip().lower() for name in text.split(";") if name.strip())


def _parse_basic(text: str) -> datetime | None:
    if not _BASIC_TIME.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _parse_http_date(text: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
