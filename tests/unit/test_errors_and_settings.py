"""Pure logic: error translation, settings, event envelopes."""

from __future__ import annotations

import grpc
import pytest
from nimbus_core.errors import ERROR_METADATA_KEY, AwsError, error_from_rpc
from nimbus_core.events import decode, encode, new_event, to_eventbridge_json
from nimbus_core.settings import CoreSettings, dsn_for


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, grpc.StatusCode.INVALID_ARGUMENT),
        (403, grpc.StatusCode.PERMISSION_DENIED),
        (404, grpc.StatusCode.NOT_FOUND),
        (409, grpc.StatusCode.ALREADY_EXISTS),
        (500, grpc.StatusCode.INTERNAL),
        (503, grpc.StatusCode.RESOURCE_EXHAUSTED),
        (418, grpc.StatusCode.UNKNOWN),
    ],
)
def test_http_status_maps_to_a_grpc_code_that_is_never_unavailable(
    status: int, code: grpc.StatusCode
) -> None:
    assert AwsError("X", "m", status).grpc_code == code


def test_error_round_trips_through_trailing_metadata() -> None:
    original = AwsError("SlowDown", "Reduce your request rate.", 503, extra={"Retry": 1})
    rebuilt = error_from_rpc(grpc.StatusCode.RESOURCE_EXHAUSTED, original.trailing_metadata())
    assert (
        rebuilt.code,
        rebuilt.message,
        rebuilt.http_status,
        rebuilt.sender_fault,
        rebuilt.extra,
    ) == ("SlowDown", "Reduce your request rate.", 503, False, {"Retry": 1})


def test_sender_fault_follows_the_status_unless_given() -> None:
    assert AwsError("A", "m", 400).sender_fault is True
    assert AwsError("A", "m", 500).sender_fault is False
    assert AwsError("A", "m", 503, sender_fault=True).sender_fault is True


@pytest.mark.parametrize(
    ("code", "aws_code", "status"),
    [
        (grpc.StatusCode.UNAVAILABLE, "ServiceUnavailable", 503),
        (grpc.StatusCode.DEADLINE_EXCEEDED, "RequestTimeout", 503),
        (grpc.StatusCode.INTERNAL, "InternalError", 500),
        (grpc.StatusCode.UNIMPLEMENTED, "NotImplemented", 501),
    ],
)
def test_transport_failures_become_aws_server_errors(
    code: grpc.StatusCode, aws_code: str, status: int
) -> None:
    error = error_from_rpc(code, ((ERROR_METADATA_KEY + "-other", b""),))
    assert (error.code, error.http_status, error.sender_fault) == (aws_code, status, False)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIMBUS_SERVICE_NAME", "s3")
    monkeypatch.setenv("NIMBUS_REPLICA", "2")
    monkeypatch.setenv("NIMBUS_DB_PREFIX", "t1_")
    monkeypatch.setenv("NIMBUS_PG_DSN", "postgresql://u:p@127.0.0.1:5433?sslmode=disable")
    settings = CoreSettings()
    assert settings.replica == 2
    assert settings.database == "t1_s3"
    assert settings.database_dsn == "postgresql://u:p@127.0.0.1:5433/t1_s3?sslmode=disable"
    assert settings.instance == "s3-2@local-a"


def test_dsn_for_replaces_any_database_in_the_server_dsn() -> None:
    assert dsn_for("postgresql://u:p@h:1/old", "new") == "postgresql://u:p@h:1/new"


def test_event_envelope_round_trips_and_renders_as_eventbridge() -> None:
    event = new_event(
        source="aws.s3",
        detail_type="Object Created",
        account="000000000000",
        region="eu-west-1",
        detail={"bucket": {"name": "b"}},
        resources=["arn:aws:s3:::b"],
    )
    again = decode(encode(event))
    assert again == event
    shown = to_eventbridge_json(again)
    assert shown["detail-type"] == "Object Created"
    assert shown["detail"] == {"bucket": {"name": "b"}}
    assert shown["time"].endswith("Z") and shown["version"] == "0"
