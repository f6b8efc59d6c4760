"""S3's PostObject: an HTML form upload to a bucket, signed by a POST policy.

The form (read whole, within the gateway's body limit) is checked against its policy and the
policy's signature (post_policy.py); the upload then is a PutObject by the policy's signer:
the form's fields become PutObject's headers, the protocol engine turns them into its input,
the Authorizer decides it as any PutObject of that caller, and the Dispatcher sends it to the
s3 service, which stores it exactly like a PutObject. The answer is S3's: 204 (default), 200,
201 with a PostResponse document, or 303 to success_action_redirect.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

from multidict import CIMultiDict
from nimbus_core.errors import AwsError

from nimbus_gateway import catalog, post_policy
from nimbus_gateway.auth import errors as auth_errors
from nimbus_gateway.auth.sigv4 import ALGORITHM, same_signature
from nimbus_gateway.auth.verify import SigningCredential, check_token
from nimbus_gateway.chain.authentication import (
    Authenticator,
    anonymous_caller,
    caller_of,
    root_caller,
)
from nimbus_gateway.chain.authorization import Authorizer
from nimbus_gateway.chain.dispatching import Dispatcher
from nimbus_gateway.chain.exchange import Caller, Exchange
from nimbus_gateway.engines import engine_for
from nimbus_gateway.post_policy import Form, PostPolicy, missing_field
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse

# Form fields that are not PutObject headers.
_NOT_HEADERS = frozenset(
    {
        "key",
        "file",
        "policy",
        "awsaccesskeyid",
        "signature",
        "x-amz-signature",
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-security-token",
        "success_action_status",
        "success_action_redirect",
        "redirect",
        "acl",
        "tagging",
        "bucket",
        "content-length",
        "host",
        "authorization",
    }
)
# Request headers the authorization context reads (aws:Referer, aws:UserAgent, ...).
_CONTEXT_HEADERS = ("host", "referer", "user-agent", "origin", "x-forwarded-proto")


def bucket_of(exchange: Exchange) -> str | None:
    """The bucket of a POST form upload (path /bucket, after virtual-host rewriting)."""
    request = exchange.request
    if exchange.api != "s3" or request.method != "POST":
        return None
    if post_policy.boundary_of(request.headers.get("content-type", "")) is None:
        return None
    path = request.path.strip("/")
    if not path or "/" in path:
        return None
    return path


class PostObject:
    def __init__(
        self, authenticator: Authenticator, authorizer: Authorizer, dispatcher: Dispatcher
    ) -> None:
        self._authenticator = authenticator
        self._authorizer = authorizer
        self._dispatcher = dispatcher

    async def handle(self, exchange: Exchange, bucket: str) -> None:
        """Check, store and answer the form upload; AwsError for S3's errors."""
        request = exchange.request
        boundary = post_policy.boundary_of(request.headers.get("content-type", ""))
        assert boundary is not None
        form = post_policy.parse_form(request.body, boundary)
        policy = None
        if form.get("policy") is not None:
            policy = post_policy.decode_policy(form.get("policy") or "")
        caller = await self._authenticate(exchange, form, policy)
        if form.get("key") is None:
            raise missing_field("key")
        if form.file is None:
            raise post_policy.invalid_argument(
                "POST requires exactly one file upload per request.", "file", "0"
            )
        if policy is not None:
            post_policy.check_policy(policy, form, bucket, datetime.now(UTC))
            post_policy.check_size(policy, len(form.file))
        key = post_policy.substitute_filename(form.get("key") or "", form.filename)
        if not key:
            raise post_policy.invalid_argument("User key must have a length greater than 0.", "key")
        put = self._put_exchange(exchange, caller, bucket, key, form)
        await self._authorizer.handle(put)
        await self._dispatcher.handle(put)
        assert put.output is not None and put.operation is not None
        exchange.operation = put.operation
        exchange.response = _answer(exchange, put, bucket, key, form)

    async def _authenticate(
        self, exchange: Exchange, form: Form, policy: PostPolicy | None
    ) -> Caller:
        """The policy's signer (SigV4 or SigV2 form fields); anonymous without a policy."""
        open_mode = self._authenticator.open_mode
        if policy is None:
            if open_mode:
                return root_caller(self._authenticator.default_account)
            return anonymous_caller()
        if form.get("x-amz-signature") is not None or form.get("x-amz-credential") is not None:
            return await self._v4(exchange, form, policy, open_mode)
        if form.get("awsaccesskeyid") is not None or form.get("signature") is not None:
            return await self._v2(form, policy, open_mode)
        if open_mode:
            return root_caller(self._authenticator.default_account)
        raise missing_field("AWSAccessKeyId")

    async def _v4(
        self, exchange: Exchange, form: Form, policy: PostPolicy, open_mode: bool
    ) -> Caller:
        for name in ("x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"):
            if form.get(name) is None:
                raise missing_field(name)
        algorithm = form.get("x-amz-algorithm") or ""
        if algorithm != ALGORITHM:
            raise post_policy.invalid_argument(
                "Unsupported algorithm: only AWS4-HMAC-SHA256 is supported.",
                "x-amz-algorithm",
                algorithm,
            )
        access_key_id, scope = post_policy.parse_credential(form.get("x-amz-credential") or "")
        exchange.region = scope.region or exchange.region
        credential = await self._lookup(access_key_id, form, open_mode)
        if isinstance(credential, Caller):
            return credential
        provided = form.get("x-amz-signature") or ""
        expected = post_policy.v4_signature(credential.secret_access_key, scope, policy.raw)
        if not same_signature(provided.lower(), expected):
            raise _mismatch(access_key_id, policy.raw, provided)
        return _signer(credential)

    async def _v2(self, form: Form, policy: PostPolicy, open_mode: bool) -> Caller:
        for name in ("AWSAccessKeyId", "signature"):
            if form.get(name) is None:
                raise missing_field(name)
        access_key_id = form.get("awsaccesskeyid") or ""
        credential = await self._lookup(access_key_id, form, open_mode)
        if isinstance(credential, Caller):
            return credential
        provided = form.get("signature") or ""
        expected = post_policy.v2_signature(credential.secret_access_key, policy.raw)
        if not same_signature(provided, expected):
            raise _mismatch(access_key_id, policy.raw, provided)
        return _signer(credential)

    async def _lookup(
        self, access_key_id: str, form: Form, open_mode: bool
    ) -> SigningCredential | Caller:
        """The key's secret (enforce), or the caller open mode trusts without checking."""
        credential = await self._authenticator.lookup(access_key_id)
        if open_mode:
            if credential is not None:
                return _signer(credential)
            return root_caller(self._authenticator.default_account)
        if credential is None:
            raise auth_errors.unknown_access_key("s3", access_key_id)
        check_token(form.get("x-amz-security-token"), access_key_id, credential, "s3")
        return credential

    def _put_exchange(
        self, exchange: Exchange, caller: Caller, bucket: str, key: str, form: Form
    ) -> Exchange:
        """The PutObject the form stands for, parsed by the protocol engine from headers."""
        request = exchange.request
        headers: CIMultiDict[str] = CIMultiDict()
        for name in _CONTEXT_HEADERS:
            if name in request.headers:
                headers[name] = request.headers[name]
        for lowered, value in form.fields.items():
            if lowered in _NOT_HEADERS or lowered.startswith("x-ignore-"):
                continue
            headers[lowered] = value
        if "content-type" not in headers and form.file_content_type:
            headers["content-type"] = form.file_content_type
        if (acl := form.get("acl")) is not None:
            headers["x-amz-acl"] = acl
        if (tagging := form.get("tagging")) is not None:
            headers["x-amz-tagging"] = post_policy.tagging_query(tagging)
        assert form.file is not None
        headers["content-length"] = str(len(form.file))
        put_request = HttpRequest(
            method="PUT",
            path=f"/{quote(bucket, safe='')}/{quote(key, safe='/~')}",
            headers=headers,
            body_streamed=True,
        )
        operation = catalog.service_model("s3").operation_model("PutObject")
        return Exchange(
            request=put_request,
            source_ip=exchange.source_ip,
            request_id=exchange.request_id,
            api="s3",
            region=exchange.region,
            caller=caller,
            operation=operation,
            params=engine_for("s3").parse(put_request, operation),
            body_stream=_once(form.file),
        )


def _signer(credential: SigningCredential) -> Caller:
    identity = getattr(credential, "identity", None)
    if identity is None:
        raise auth_errors.unknown_access_key("s3", credential.access_key_id)
    return caller_of(identity)


def _mismatch(access_key_id: str, policy_b64: str, provided: str) -> AwsError:
    """SignatureDoesNotMatch; what S3 signs for a POST is the base64 policy itself."""
    return AwsError(
        "SignatureDoesNotMatch",
        auth_errors.S3_SIGNATURE_MISMATCH,
        403,
        extra={
            "AWSAccessKeyId": access_key_id,
            "StringToSign": policy_b64,
            "SignatureProvided": provided,
        },
    )


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _location(exchange: Exchange, bucket: str, key: str) -> str:
    request = exchange.request
    scheme = request.headers.get("x-forwarded-proto", "http").lower() or "http"
    host = request.host
    path = quote(key, safe="/~")
    if host.lower().startswith(bucket.lower() + "."):
        return f"{scheme}://{host}/{path}"
    return f"{scheme}://{host}/{quote(bucket, safe='')}/{path}"


def _answer(exchange: Exchange, put: Exchange, bucket: str, key: str, form: Form) -> HttpResponse:
    """PutObject's headers (ETag, version id, encryption), with the status the form asked."""
    assert put.output is not None and put.operation is not None
    output: dict[str, Any] = put.output
    response = engine_for("s3").serialize(put.operation, output, exchange.request_id)
    etag = str(output.get("ETag", ""))
    location = _location(exchange, bucket, key)
    redirect = form.get("success_action_redirect") or form.get("redirect")
    if redirect and urlsplit(redirect).scheme in ("http", "https"):
        query = f"bucket={quote(bucket, safe='')}&key={quote(key, safe='')}&etag={quote(etag)}"
        separator = "&" if "?" in redirect else "?"
        response.status = 303
        response.headers.append(("Location", f"{redirect}{separator}{query}"))
        response.body = b""
        return response
    response.headers.append(("Location", location))
    status = form.get("success_action_status")
    if status == "201":
        root = ElementTree.Element("PostResponse")
        for name, value in (
            ("Location", location),
            ("Bucket", bucket),
            ("Key", key),
            ("ETag", etag),
        ):
            ElementTree.SubElement(root, name).text = value
        response.status = 201
        response.body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root)
        response.headers = [(n, v) for n, v in response.headers if n.lower() != "content-type"]
        response.headers.append(("Content-Type", "application/xml"))
        return response
    response.status = 200 if status == "200" else 204
    response.body = b""
    return response
