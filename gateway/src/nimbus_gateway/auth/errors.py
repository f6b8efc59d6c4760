"""The exact errors AWS answers to authentication failures, per service family.

S3 speaks its own dialect (XML error with extra elements); the query and JSON services share
one (IncompleteSignature, InvalidClientTokenId, ...); EC2 differs again for unknown keys,
clock skew and expired tokens (AuthFailure, RequestExpired).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from nimbus_core.errors import AwsError

Dialect = Literal["s3", "query", "ec2"]

MAX_SKEW = timedelta(minutes=15)

S3_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
INVALID_CLIENT_TOKEN = "The security token included in the request is invalid."
EC2_AUTH_FAILURE = "AWS was not able to validate the provided access credentials"
CREDENTIAL_FORMAT = '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"'
VALID_CONTENT_SHA256 = (
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
    "or a valid sha256 value."
)


def iso_time(moment: datetime) -> str:
    """S3's ServerTime format, e.g. 2015-08-30T12:36:00Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def basic_time(moment: datetime) -> str:
    """SigV4's ISO-8601 basic format, e.g. 20150830T123600Z."""
    return moment.strftime("%Y%m%dT%H%M%SZ")


# --- every dialect -------------------------------------------------------------------------


def missing_authentication() -> AwsError:
    """For the caller when a non-S3 service gets a request with no authentication at all."""
    return AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)


def unknown_access_key(dialect: Dialect, access_key_id: str) -> AwsError:
    if dialect == "s3":
        return AwsError(
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            403,
            extra={"AWSAccessKeyId": access_key_id},
        )
    if dialect == "ec2":
        return AwsError("AuthFailure", EC2_AUTH_FAILURE, 401)
    return AwsError("InvalidClientTokenId", INVALID_CLIENT_TOKEN, 403)


def invalid_token(dialect: Dialect) -> AwsError:
    """A session token that is not the credential's (or one where none belongs)."""
    if dialect == "s3":
        return AwsError(
            "InvalidToken", "The provided token is malformed or otherwise invalid.", 400
        )
    if dialect == "ec2":
        return AwsError("AuthFailure", EC2_AUTH_FAILURE, 401)
    return AwsError("InvalidClientTokenId", INVALID_CLIENT_TOKEN, 403)


def expired_token(dialect: Dialect, token: str) -> AwsError:
    if dialect == "s3":
        return AwsError(
            "ExpiredToken", "The provided token has expired.", 400, extra={"Token-0": token}
        )
    if dialect == "ec2":
        return AwsError("RequestExpired", "Request has expired.", 400)
    return AwsError("ExpiredToken", "The security token included in the request is expired", 403)


def signature_mismatch(
    dialect: Dialect,
    *,
    access_key_id: str = "",
    string_to_sign: str = "",
    signature_provided: str = "",
    canonical_request: str = "",
) -> AwsError:
    """SignatureDoesNotMatch; S3 also returns what it signed so a client can debug."""
    if dialect != "s3":
        return AwsError("SignatureDoesNotMatch", SIGNATURE_MISMATCH, 403)
    extra: dict[str, str] = {}
    if access_key_id:
        extra = {
            "AWSAccessKeyId": access_key_id,
            "StringToSign": string_to_sign,
            "SignatureProvided": signature_provided,
            "StringToSignBytes": _hex_bytes(string_to_sign),
            "CanonicalRequest": canonical_request,
            "CanonicalRequestBytes": _hex_bytes(canonical_request),
        }
    return AwsError("SignatureDoesNotMatch", S3_SIGNATURE_MISMATCH, 403, extra=extra)


def _hex_bytes(text: str) -> str:
    return " ".join(f"{byte:02x}" for byte in text.encode("utf-8", "surrogatepass"))


def clock_skew(dialect: Dialect, request_time: str, moment: datetime, now: datetime) -> AwsError:
    """The request's date is more than 15 minutes away from the server's clock."""
    if dialect == "s3":
        return AwsError(
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            403,
            extra={
                "RequestTime": request_time,
                "ServerTime": iso_time(now),
                "MaxAllowedSkewMilliseconds": "900000",
            },
        )
    if dialect == "ec2":
        return AwsError("RequestExpired", "Request has expired.", 400)
    if moment < now:
        message = (
            f"Signature expired: {basic_time(moment)} is now earlier than "
            f"{basic_time(now - MAX_SKEW)} ({basic_time(now)} - 15 min.)"
        )
    else:
        message = (
            f"Signature not yet current: {basic_time(moment)} is still later than "
            f"{basic_time(now + MAX_SKEW)} ({basic_time(now)} + 15 min.)"
        )
    return AwsError("SignatureDoesNotMatch", message, 403)


# --- the query/JSON services and EC2 ---------------------------------------------------------


def incomplete_signature(message: str) -> AwsError:
    return AwsError("IncompleteSignature", message, 400)


def scope_mismatch(message: str) -> AwsError:
    """Credential scope errors of the non-S3 services travel as SignatureDoesNotMatch."""
    return AwsError("SignatureDoesNotMatch", message, 403)


# --- S3 ----------------------------------------------------------------------------------------


def header_malformed(detail: str) -> AwsError:
    return AwsError(
        "AuthorizationHeaderMalformed", f"The authorization header is malformed; {detail}"
    )


def query_parameters_error(message: str) -> AwsError:
    return AwsError("AuthorizationQueryParametersError", message)


# --- S3's SigV2 ------------------------------------------------------------------------------


def v2_header_invalid(value: str) -> AwsError:
    """An "AWS ..." Authorization header that is not "AWS AKID:signature"."""
    return AwsError(
        "InvalidArgument",
        "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
        extra={"ArgumentName": "Authorization", "ArgumentValue": value},
    )


def v2_query_incomplete() -> AwsError:
    return AwsError(
        "AccessDenied",
        "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
        403,
    )


def v2_invalid_expires(value: str) -> AwsError:
    return AwsError("AccessDenied", f"Invalid date (should be seconds since epoch): {value}", 403)


def v2_expired(expires_at: datetime, now: datetime) -> AwsError:
    return AwsError(
        "AccessDenied",
        "Request has expired",
        403,
        extra={"Expires": iso_time(expires_at), "ServerTime": iso_time(now)},
    )


def v2_signature_mismatch(
    access_key_id: str, string_to_sign: str, signature_provided: str
) -> AwsError:
    """S3's SigV2 mismatch carries what it signed (no canonical request: V2 has none)."""
    return AwsError(
        "SignatureDoesNotMatch",
        S3_SIGNATURE_MISMATCH,
        403,
        extra={
            "AWSAccessKeyId": access_key_id,
            "StringToSign": string_to_sign,
            "SignatureProvided": signature_provided,
            "StringToSignBytes": _hex_bytes(string_to_sign),
        },
    )


def invalid_authorization(message: str, value: str) -> AwsError:
    return AwsError(
        "InvalidArgument",
        message,
        extra={"ArgumentName": "Authorization", "ArgumentValue": value},
    )


def missing_date() -> AwsError:
    return AwsError(
        "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403
    )


def missing_content_sha256() -> AwsError:
    return AwsError(
        "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"
    )


def invalid_content_sha256(value: str) -> AwsError:
    return AwsError(
        "InvalidArgument",
        VALID_CONTENT_SHA256,
        extra={"ArgumentName": "x-amz-content-sha256", "ArgumentValue": value},
    )


def content_sha256_mismatch(provided: str, computed: str) -> AwsError:
    return AwsError(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        extra={"ClientComputedContentSHA256": provided, "S3ComputedContentSHA256": computed},
    )


def headers_not_signed(names: list[str]) -> AwsError:
    return AwsError(
        "AccessDenied",
        "There were headers present in the request which were not signed",
        403,
        extra={"HeadersNotSigned": ", ".join(names)},
    )


def presigned_expired(expires: int, expires_at: datetime, now: datetime) -> AwsError:
    return AwsError(
        "AccessDenied",
        "Request has expired",
        403,
        extra={
            "X-Amz-Expires": str(expires),
            "Expires": iso_time(expires_at),
            "ServerTime": iso_time(now),
        },
    )


def presigned_not_yet_valid(moment: datetime, expires_at: datetime, now: datetime) -> AwsError:
    return AwsError(
        "AccessDenied",
        "Request is not yet valid",
        403,
        extra={
            # S3 really does answer this one in epoch milliseconds.
            "X-Amz-Date": str(int(moment.timestamp() * 1000)),
            "Expires": iso_time(expires_at),
            "ServerTime": iso_time(now),
        },
    )


def missing_decoded_length() -> AwsError:
    return AwsError("MissingContentLength", "You must provide the Content-Length HTTP header.", 411)


# --- aws-chunked bodies ------------------------------------------------------------------------


def incomplete_body() -> AwsError:
    return AwsError("IncompleteBody", "The request body terminated unexpectedly")


def decoded_length_mismatch() -> AwsError:
    return AwsError(
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header",
    )


def malformed_chunk() -> AwsError:
    return AwsError(
        "InvalidRequest", "Invalid chunked encoding: the aws-chunked body is malformed."
    )


def invalid_chunk_size(chunk: int, size: int) -> AwsError:
    return AwsError(
        "InvalidChunkSizeError",
        "Only the last chunk is allowed to have a size less than 8192 bytes",
        403,
        extra={"Chunk": str(chunk), "BadChunkSize": str(size)},
    )


def malformed_trailer() -> AwsError:
    return AwsError(
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed or did not conform to "
        "our published schema.",
    )
