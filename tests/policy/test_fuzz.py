"""parse_policy on arbitrary JSON-ish input raises MalformedPolicyDocument and nothing else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from nimbus_policy import MalformedPolicyDocument, parse_policy

KINDS = st.sampled_from(["identity", "resource", "trust", "boundary", "session"])
NAMES = st.sampled_from(
    [
        "Version",
        "Statement",
        "Id",
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
        "AWS",
        "Service",
        "StringEquals",
        "ForAnyValue:StringLike",
        "DateLessThan",
        "Null",
        "IpAddressIfExists",
        "aws:SourceIp",
        "x",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "2012-10-17",
            "2008-10-17",
            "Allow",
            "Deny",
            "*",
            "s3:*",
            "arn:aws:s3:::b",
            "123456789012",
            "${aws:username}",
            "2024-01-01",
            "10.0.0.0/8",
            "a:b:c",
        ]
    ),
    st.text(max_size=12),
)
JSONISH: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(NAMES, st.text(max_size=6)), inner, max_size=5),
    ),
    max_leaves=25,
)


def _attempt(text: str, kind: str) -> None:
    try:
        parse_policy(text, kind)  # type: ignore[arg-type]
    except MalformedPolicyDocument as exc:
        assert exc.message


@settings(max_examples=400, deadline=None)
@given(JSONISH, KINDS)
def test_structured_input(value: Any, kind: str) -> None:
    _attempt(json.dumps(value), kind)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "Version": st.sampled_from(["2012-10-17", "2008-10-17"]),
            "Statement": st.lists(st.dictionaries(NAMES, JSONISH, max_size=6), max_size=3),
        }
    ),
    KINDS,
)
def test_policy_shaped_input(value: Any, kind: str) -> None:
    _attempt(json.dumps(value), kind)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), KINDS)
def test_raw_text(text: str, kind: str) -> None:
    _attempt(text, kind)


def test_deep_nesting_is_a_syntax_error() -> None:
    text = "[" * 100_000 + "]" * 100_000
    _attempt(text, "identity")
