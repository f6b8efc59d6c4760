"""Tag condition keys in S3 policies: existing object tags (fetched only when a policy names
one) and the tags a request sets."""

from __future__ import annotations

from nimbus_gateway.authz.object_tags import request_tag_keys

from tests.authz.test_s3_access import (
    GET,
    OBJECT_ARN,
    OWNER,
    READ_ALL,
    Buckets,
    bucket,
    decide,
    denied,
    document,
    statement,
    user,
)

ALICE = {"AWS": f"arn:aws:iam::{OWNER}:user/alice"}


def public_only_if_tagged() -> str:
    allow = statement("Allow", "s3:GetObject", OBJECT_ARN, ALICE)
    allow["Condition"] = {"StringEquals": {"s3:ExistingObjectTag/security": "public"}}
    return document(allow)


def test_an_existing_tag_condition_reads_the_objects_tags() -> None:
    buckets = Buckets(bucket(public_only_if_tagged()))
    buckets.object_tags_by_key["k"] = {"security": "public"}
    assert decide(*GET, user(OWNER), buckets) == []
    buckets.object_tags_by_key["k"] = {"security": "secret"}
    denied(*GET, user(OWNER), buckets)
    assert buckets.object_tags_calls == 2


def test_tags_are_not_fetched_when_no_policy_names_them() -> None:
    buckets = Buckets(bucket(READ_ALL.replace('"Allow"', '"Allow", "Principal": "*"')))
    assert decide(*GET, user(OWNER), buckets) == []
    assert buckets.object_tags_calls == 0


def test_request_tags_come_from_the_tagging_header_and_body() -> None:
    put = request_tag_keys("PutObject", {"Tagging": "team=web&env=prod%20eu"})
    assert put == {
        "s3:RequestObjectTag/team": "web",
        "s3:RequestObjectTag/env": "prod eu",
        "s3:RequestObjectTagKeys": ["team", "env"],
    }
    body = request_tag_keys(
        "PutObjectTagging", {"Tagging": {"TagSet": [{"Key": "a", "Value": "1"}]}}
    )
    assert body == {"s3:RequestObjectTag/a": "1", "s3:RequestObjectTagKeys": ["a"]}
    assert request_tag_keys("GetObject", {"Tagging": "x=y"}) == {}
    assert request_tag_keys("PutObject", {}) == {}
