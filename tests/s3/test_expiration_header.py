"""x-amz-expiration: Put/Get/HeadObject say when a lifecycle rule will expire the object."""

from __future__ import annotations

from typing import Any


def test_objects_under_an_expiration_rule_carry_its_date_and_id(s3: Any, bucket: str) -> None:
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "old-logs",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "logs/"},
                    "Expiration": {"Days": 3000},
                }
            ]
        },
    )
    put = s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    assert put["Expiration"].startswith('expiry-date="')
    assert put["Expiration"].endswith('rule-id="old-logs"')
    assert s3.head_object(Bucket=bucket, Key="logs/a")["Expiration"] == put["Expiration"]
    assert s3.get_object(Bucket=bucket, Key="logs/a")["Expiration"] == put["Expiration"]

    other = s3.put_object(Bucket=bucket, Key="data/b", Body=b"x")
    assert "Expiration" not in other
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="data/b")
