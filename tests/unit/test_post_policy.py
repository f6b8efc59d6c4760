"""PostObject's pure part: the form, the policy's conditions and its signatures (botocore's
generate_presigned_post is the oracle for the signatures)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from nimbus_core.errors import AwsError
from nimbus_gateway import post_policy
from nimbus_gateway.post_policy import Form, PostPolicy

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _policy(conditions: list[Any], expiration: datetime | None = None) -> PostPolicy:
    document = {
        "expiration": (expiration or NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "conditions": conditions,
    }
    return post_policy.decode_policy(base64.b64encode(json.dumps(document).encode()).decode())


def _form(**fields: str) -> Form:
    form = Form()
    for name, value in fields.items():
        wire = name.replace("_", "-") if name.startswith("x_") else name
        form.fields[wire.lower()] = value
        form.names[wire.lower()] = wire
    form.file = b"data"
    return form


def _client(signature_version: str | None) -> Any:
    config = Config(signature_version=signature_version) if signature_version else None
    return boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret/key",
        config=config,
    )


def _multipart(fields: list[tuple[str, str]], file: bytes, boundary: str = "XyZ") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{n}"\r\n\r\n{v}\r\n'.encode()
        for n, v in fields
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode()
        + file
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def test_v4_signature_matches_botocore() -> None:
    post = _client("s3v4").generate_presigned_post("bkt", "k/${filename}")
    fields = post["fields"]
    access_key, scope = post_policy.parse_credential(fields["x-amz-credential"])
    assert access_key == "AKIDEXAMPLE" and scope.region == "us-east-1" and scope.service == "s3"
    computed = post_policy.v4_signature("secret/key", scope, fields["policy"])
    assert computed == fields["x-amz-signature"]
    assert post_policy.v4_signature("other", scope, fields["policy"]) != computed


def test_v2_signature_matches_botocore() -> None:
    post = _client("s3").generate_presigned_post("bkt", "k")
    fields = post["fields"]
    assert fields["AWSAccessKeyId"] == "AKIDEXAMPLE"
    assert post_policy.v2_signature("secret/key", fields["policy"]) == fields["signature"]


def test_botocore_form_satisfies_its_policy() -> None:
    post = _client("s3v4").generate_presigned_post(
        "bkt",
        "up/${filename}",
        Fields={"acl": "public-read", "x-amz-meta-color": "red"},
        Conditions=[
            {"acl": "public-read"},
            ["starts-with", "$x-amz-meta-color", ""],
            ["content-length-range", 1, 10],
        ],
    )
    body = _multipart(list(post["fields"].items()), b"data")
    form = post_policy.parse_form(body, "XyZ")
    assert form.file == b"data" and form.filename == "a.txt"
    assert form.file_content_type == "text/plain"
    policy = post_policy.decode_policy(form.get("policy") or "")
    post_policy.check_policy(policy, form, "bkt", datetime.now(UTC))
    post_policy.check_size(policy, 4)
    with pytest.raises(AwsError) as large:
        post_policy.check_size(policy, 11)
    assert large.value.code == "EntityTooLarge" and large.value.extra["MaxSizeAllowed"] == "10"
    with pytest.raises(AwsError) as small:
        post_policy.check_size(policy, 0)
    assert small.value.code == "EntityTooSmall"
    # The bucket condition botocore adds is checked against the URL's bucket.
    with pytest.raises(AwsError) as other:
        post_policy.check_policy(policy, form, "other", datetime.now(UTC))
    assert other.value.message == (
        'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "bkt"]'
    )


def test_fields_after_the_file_are_ignored() -> None:
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="policy"\r\n\r\np\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n'
        b"--XyZ--\r\n"
    )
    form = post_policy.parse_form(body, "XyZ")
    assert form.get("policy") == "p" and form.file == b"x"
    assert form.get("key") is None


def test_expired_policy() -> None:
    policy = _policy([{"key": "k"}], expiration=NOW - timedelta(seconds=1))
    with pytest.raises(AwsError) as failure:
        post_policy.check_policy(policy, _form(key="k"), "b", NOW)
    assert failure.value.code == "AccessDenied" and failure.value.http_status == 403
    assert failure.value.message == "Invalid according to Policy: Policy expired."


def test_conditions() -> None:
    policy = _policy(
        [
            {"bucket": "b"},
            ["starts-with", "$key", "up/"],
            ["eq", "$Content-Type", "text/plain"],
        ]
    )
    post_policy.check_policy(policy, _form(key="up/x", **{"content-type": "text/plain"}), "b", NOW)
    with pytest.raises(AwsError) as prefix:
        post_policy.check_policy(
            policy, _form(key="down/x", **{"content-type": "text/plain"}), "b", NOW
        )
    assert prefix.value.message == (
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "up/"]'
    )
    with pytest.raises(AwsError) as exact:
        post_policy.check_policy(
            policy, _form(key="up/x", **{"content-type": "image/png"}), "b", NOW
        )
    assert "Policy Condition failed" in exact.value.message


def test_extra_field_must_be_covered() -> None:
    policy = _policy([{"key": "k"}])
    form = _form(key="k", **{"x-amz-meta-foo": "bar", "x-ignore-me": "1"})
    form.names["x-amz-meta-foo"] = "x-amz-meta-foo"
    with pytest.raises(AwsError) as failure:
        post_policy.check_policy(policy, form, "b", NOW)
    assert (
        failure.value.message == "Invalid according to Policy: Extra input fields: x-amz-meta-foo"
    )
    # Signature fields, the policy and x-ignore-* need no condition.
    signed = _form(key="k", policy="p", signature="s", AWSAccessKeyId="a")
    signed.fields["x-ignore-me"] = "1"
    signed.names["x-ignore-me"] = "x-ignore-me"
    post_policy.check_policy(policy, signed, "b", NOW)


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (base64.b64encode(b"not json").decode(), "Invalid JSON."),
        (base64.b64encode(b'{"conditions": []}').decode(), "Policy missing expiration."),
        (
            base64.b64encode(b'{"expiration": "2030-01-01T00:00:00Z"}').decode(),
            "Policy missing conditions.",
        ),
    ],
)
def test_malformed_policy(raw: str, detail: str) -> None:
    with pytest.raises(AwsError) as failure:
        post_policy.decode_policy(raw)
    assert failure.value.code == "InvalidPolicyDocument" and failure.value.http_status == 400
    assert failure.value.message == f"Invalid Policy: {detail}"


def test_missing_key_message() -> None:
    error = post_policy.missing_field("key")
    assert error.message == (
        "Bucket POST must contain a field named 'key'.  "
        "If it is specified, please check the order of the fields."
    )


def test_tagging_and_filename() -> None:
    xml = (
        "<Tagging><TagSet><Tag><Key>a</Key><Value>1 2</Value></Tag>"
        "<Tag><Key>b</Key><Value>x&amp;y</Value></Tag></TagSet></Tagging>"
    )
    assert post_policy.tagging_query(xml) == "a=1%202&b=x%26y"
    assert post_policy.substitute_filename("up/${filename}", "f.txt") == "up/f.txt"
    assert post_policy.boundary_of('multipart/form-data; boundary="ab c"') == "ab c"
    assert post_policy.boundary_of("application/xml") is None
