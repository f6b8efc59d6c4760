"""Every operation of the Nimbus services, both ways, with botocore as the oracle.

Request: botocore's serializer puts hypothesis-generated input on the wire; the engine must
find the operation and parse back the same input (after the documented normaliser).
Response: the engine serializes a generated output and each modeled error (plus one
unmodeled); botocore's parser must read back the same output, error code and message.
"""

from __future__ import annotations

import http.client
from functools import cache
from typing import Any

import pytest
from botocore.model import OperationModel, Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nimbus_core.errors import AwsError
from nimbus_gateway.protocol.errorshapes import AWS_QUERY_ERRORS
from nimbus_gateway.protocol.rest import RestCodec

from tests.protocol.exclusions import EXCLUSIONS, EXTRA_SERVICES, SERVICES
from tests.protocol.normalize import (
    expected_error_members,
    expected_input,
    expected_output,
    lost_required,
)
from tests.protocol.results import record
from tests.protocol.strategies import ShapeStrategies
from tests.protocol.wire import botocore_parse, botocore_request, engine, service_model

REQUEST_EXAMPLES = 10
RESPONSE_EXAMPLES = 8
EXTRA_EXAMPLES = 5  # the protocol-coverage services: fewer, to keep the suite quick
REQUEST_ID = "b7f3c1d2-5e6a-4f70-8a9b-0c1d2e3f4a5b"
MESSAGE = 'Nimbus says <no> & "never" to ünïcode'
UNMODELED_CODE = "InvalidParameterValue"


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


OPERATIONS = [
    (service, operation)
    for service in (*SERVICES, *EXTRA_SERVICES)
    for operation in service_model(service).operation_names
]


def _ids(case: tuple[str, str]) -> str:
    return f"{case[0]}-{case[1]}"


@cache
def _strategies(service: str, output: bool) -> ShapeStrategies:
    """One builder per service and side: shape names are only unique within a service."""
    return ShapeStrategies(service_model(service).protocol, output=output)


def _greedy_labels(operation: OperationModel) -> frozenset[str]:
    uri = operation.http.get("requestUri", "")
    return frozenset(part[1:-2] for part in uri.split("/") if part.endswith("+}"))


def _run(service: str, operation: str, side: str, check: Any) -> None:
    reason = EXCLUSIONS.get((service, operation, side))
    if reason is not None:
        record(service, operation, side, "excluded")
        pytest.skip(reason)
    try:
        check()
    except BaseException:
        record(service, operation, side, "failed")
        raise
    record(service, operation, side, "passed")


def _assert_found(service: str, request: Any, expected: OperationModel) -> None:
    found = engine(service).find_operation(request)
    if found.name == expected.name:
        return
    codec = engine(service).codec
    assert isinstance(codec, RestCodec), f"found {found.name}, not {expected.name}"
    matches = codec.router.candidates(request.method, request.path, request.query, request.headers)
    scores = {match.route.operation.name: match.score for match in matches}
    # Only a wire-identical twin may win (e.g. GetBucketLifecycle vs ...Configuration).
    assert scores.get(expected.name) == scores[found.name], f"found {found.name}"


@pytest.mark.parametrize("case", OPERATIONS, ids=_ids)
def test_request_round_trip(case: tuple[str, str]) -> None:
    service, name = case
    operation = service_model(service).operation_model(name)
    strategies = _strategies(service, False)
    inputs = strategies.top_level(operation.input_shape, greedy=_greedy_labels(operation))
    streamed = st.booleans() if operation.has_streaming_input else st.just(False)

    @_settings(EXTRA_EXAMPLES if service in EXTRA_SERVICES else REQUEST_EXAMPLES)
    @given(params=inputs, streamed=streamed)
    def check(params: dict[str, Any], streamed: bool) -> None:
        request = botocore_request(operation, params, streamed=streamed)
        _assert_found(service, request, operation)
        expected = expected_input(operation, params, request)
        streamed_payload = operation.input_shape.serialization["payload"] if streamed else ""
        if lost_required(operation.input_shape, expected, exempt=streamed_payload):
            with pytest.raises(AwsError) as raised:
                engine(service).parse(request, operation)
            assert raised.value.http_status == 400
            return
        assert engine(service).parse(request, operation) == expected

    _run(service, name, "request", check)


def _content_length_member(shape: Shape | None) -> str | None:
    for name, member in shape.members.items() if shape is not None else ():
        if member.serialization.get("name", "").lower() == "content-length":
            return str(name)
    return None


@pytest.mark.parametrize("case", OPERATIONS, ids=_ids)
def test_response_round_trip(case: tuple[str, str]) -> None:
    service, name = case
    operation = service_model(service).operation_model(name)
    outputs = _strategies(service, True).top_level(operation.output_shape)
    errors: list[Shape | None] = [*operation.error_shapes, None]

    @_settings(EXTRA_EXAMPLES if service in EXTRA_SERVICES else RESPONSE_EXAMPLES)
    @given(output=outputs, data=st.data())
    def check(output: dict[str, Any], data: st.DataObject) -> None:
        shape = operation.output_shape
        length_member = _content_length_member(shape)
        payload = str(shape.serialization.get("payload", "")) if shape is not None else ""
        if operation.has_streaming_output and length_member:
            # HTTP: a streamed body's Content-Length is its length.
            output[length_member] = len(output.get(payload) or b"")
        response = engine(service).serialize(operation, output, REQUEST_ID)
        parsed = botocore_parse(operation, response)
        metadata = parsed.pop("ResponseMetadata")
        assert metadata.get("RequestId") == REQUEST_ID
        if operation.has_streaming_output and payload in parsed:
            parsed[payload] = parsed[payload].read()
        assert parsed == expected_output(operation, output, response.status)
        for error_shape in errors:
            _check_error(service, operation, error_shape, data)

    _run(service, name, "response", check)


def _error_extras(service: str, shape: Shape) -> st.SearchStrategy[dict[str, Any]]:
    return (
        _strategies(service, True)
        .top_level(shape)
        .map(lambda extra: {key: value for key, value in extra.items() if key.lower() != "message"})
    )


def _check_error(
    service: str, operation: OperationModel, shape: Shape | None, data: st.DataObject
) -> None:
    protocol = operation.service_model.protocol
    query_codes = AWS_QUERY_ERRORS.get(service, {})
    if shape is None:
        code, status, extra = UNMODELED_CODE, 400, {}
        wire_code = code
        if service == "s3":
            extra = {"BucketName": "example-bucket", "Key": "a/b"}
    else:
        code = shape.name
        status = shape.metadata.get("error", {}).get("httpStatusCode") or 400
        if shape.name in query_codes:
            status = query_codes[shape.name][1]
        extra = data.draw(_error_extras(service, shape), label=f"{shape.name} members")
        wire_code = query_codes.get(shape.name, (shape.error_code, 0))[0]
    error = AwsError(code, MESSAGE, status, extra=extra)
    response = engine(service).serialize_error(error, operation, REQUEST_ID)
    parsed = botocore_parse(operation, response)
    assert response.status == status
    head = operation.http.get("method") == "HEAD"
    if head:
        assert parsed["Error"]["Code"] == str(status)
        assert parsed["Error"]["Message"] == http.client.responses[status]
    else:
        assert parsed["Error"]["Code"] == wire_code
        assert parsed["Error"]["Message"] == MESSAGE
        if service in AWS_QUERY_ERRORS:
            assert parsed["Error"]["QueryErrorCode"] == (shape.name if shape else code)
    assert parsed["ResponseMetadata"].get("RequestId") == REQUEST_ID
    if shape is not None and extra and not head:
        modeled = botocore_parse(operation, response, shape=shape)
        modeled.pop("ResponseMetadata", None)
        modeled = {key: value for key, value in modeled.items() if key.lower() != "message"}
        assert modeled == expected_error_members(shape, extra, protocol)
