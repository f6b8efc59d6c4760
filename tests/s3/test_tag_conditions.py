"""Bucket policies conditioned on object tags, end to end: s3:ExistingObjectTag/<key> reads
the object's stored tags, s3:RequestObjectTag/<key> the tags a PutObject sets."""

from __future__ import annotations

from typing import Any

from tests.s3.conftest import S3Cloud, eventually
from tests.s3.test_bucket_policy import access_denied, policy, user_keys


def test_tag_conditions_in_a_bucket_policy(s3_cloud: S3Cloud, s3: Any, bucket: str) -> None:
    arn, alice = user_keys(s3_cloud.endpoint, "test", "test", None)
    s3.put_object(Bucket=bucket, Key="open", Body=b"o", Tagging="security=public")
    s3.put_object(Bucket=bucket, Key="closed", Body=b"c", Tagging="security=secret")
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": arn},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringEquals": {"s3:ExistingObjectTag/security": "public"}},
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": arn},
                # A PutObject that sets tags needs s3:PutObjectTagging too, as on AWS.
                "Action": ["s3:PutObject", "s3:PutObjectTagging"],
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringEquals": {"s3:RequestObjectTag/team": "web"}},
            },
        ),
    )

    def settled() -> None:
        assert alice.get_object(Bucket=bucket, Key="open")["Body"].read() == b"o"

    eventually(settled)
    access_denied(lambda: alice.get_object(Bucket=bucket, Key="closed"))
    alice.put_object(Bucket=bucket, Key="mine", Body=b"m", Tagging="team=web")
    access_denied(lambda: alice.put_object(Bucket=bucket, Key="theirs", Body=b"t"))
    access_denied(
        lambda: alice.put_object(Bucket=bucket, Key="theirs", Body=b"t", Tagging="team=ops")
    )
    # Retagging an object changes what the same policy allows.
    s3.put_object_tagging(
        Bucket=bucket, Key="closed", Tagging={"TagSet": [{"Key": "security", "Value": "public"}]}
    )
    assert alice.get_object(Bucket=bucket, Key="closed")["Body"].read() == b"c"
    s3.delete_bucket_policy(Bucket=bucket)
