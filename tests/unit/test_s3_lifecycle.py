"""Lifecycle rule matching and the (scaled) lifecycle clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nimbus_s3.lifecycle_rules import (
    abort_date,
    cutoff,
    due,
    enabled_rules,
    expiration_header,
    noncurrent_expired,
    parse_rule,
)

T0 = datetime(2014, 1, 15, 10, 30, tzinfo=UTC)


def test_aws_clock_rounds_up_to_the_next_midnight() -> None:
    assert due(T0, 3, 1.0) == datetime(2014, 1, 19, tzinfo=UTC)
    midnight = datetime(2014, 1, 15, tzinfo=UTC)
    assert due(midnight, 1, 1.0) == datetime(2014, 1, 16, tzinfo=UTC)
    # cutoff is due's inverse: t is due at now exactly when t <= cutoff(now).
    for now in [datetime(2014, 1, 19, tzinfo=UTC), datetime(2014, 1, 18, 23, 59, tzinfo=UTC)]:
        assert (due(T0, 3, 1.0) <= now) == (cutoff(now, 3, 1.0) >= T0)


def test_scaled_clock_counts_plain_elapsed_days() -> None:
    assert due(T0, 2, 86400.0) == T0 + timedelta(seconds=2)
    assert cutoff(T0 + timedelta(seconds=5), 2, 86400.0) == T0 + timedelta(seconds=3)


def test_filters() -> None:
    rule = parse_rule(
        {
            "ID": "r",
            "Status": "Enabled",
            "Filter": {
                "And": {
                    "Prefix": "logs/",
                    "Tags": [{"Key": "a", "Value": "1"}],
                    "ObjectSizeGreaterThan": 10,
                    "ObjectSizeLessThan": 100,
                }
            },
            "Expiration": {"Days": 1},
        }
    )
    assert rule.matches("logs/x", {"a": "1", "b": "2"}, 50)
    assert not rule.matches("other/x", {"a": "1"}, 50)
    assert not rule.matches("logs/x", {"a": "2"}, 50)
    assert not rule.matches("logs/x", {"a": "1"}, 10)
    assert not rule.matches("logs/x", {"a": "1"}, 100)
    assert not rule.matches_marker("logs/x")
    tag_only = parse_rule({"Status": "Enabled", "Filter": {"Tag": {"Key": "k", "Value": "v"}}})
    assert tag_only.matches("any", {"k": "v"}, 0) and not tag_only.matches("any", {}, 0)
    legacy = parse_rule({"Status": "Enabled", "Prefix": "old/"})
    assert legacy.prefix == "old/" and legacy.matches_marker("old/1")
    everything = parse_rule({"Status": "Enabled", "Filter": {}})
    assert everything.matches("x", {}, 0)


def test_disabled_rules_do_nothing() -> None:
    config = {
        "Rules": [
            {"ID": "off", "Status": "Disabled", "Filter": {}, "Expiration": {"Days": 1}},
            {"ID": "on", "Status": "Enabled", "Filter": {"Prefix": "a"}, "Expiration": {"Days": 2}},
        ]
    }
    assert [r.id for r in enabled_rules(config)] == ["on"]


def test_expiration_header_names_the_earliest_rule() -> None:
    config = {
        "Rules": [
            {"ID": "late", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 10}},
            {
                "ID": "soon",
                "Status": "Enabled",
                "Filter": {"Prefix": "p"},
                "Expiration": {"Days": 3},
            },
        ]
    }
    header = expiration_header(config, "p1", {}, 5, T0, 1.0)
    assert header == 'expiry-date="Sun, 19 Jan 2014 00:00:00 GMT", rule-id="soon"'
    assert expiration_header(config, "q", {}, 5, T0, 1.0) is not None
    assert expiration_header({"Rules": []}, "q", {}, 5, T0, 1.0) is None


def test_abort_date_uses_prefix_rules_only() -> None:
    config = {
        "Rules": [
            {
                "ID": "abort",
                "Status": "Enabled",
                "Filter": {"Prefix": "up/"},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
            }
        ]
    }
    assert abort_date(config, "up/x", T0, 1.0) == (datetime(2014, 1, 18, tzinfo=UTC), "abort")
    assert abort_date(config, "down/x", T0, 1.0) is None


def test_noncurrent_keeps_newer_versions() -> None:
    rule = parse_rule(
        {
            "Status": "Enabled",
            "Filter": {},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 2},
        }
    )
    now = T0 + timedelta(seconds=10)
    old = T0
    assert not noncurrent_expired(rule, 1, old, now, 86400.0)
    assert not noncurrent_expired(rule, 2, old, now, 86400.0)
    assert noncurrent_expired(rule, 3, old, now, 86400.0)
    assert not noncurrent_expired(rule, 3, now, now, 86400.0)  # not a day old yet
