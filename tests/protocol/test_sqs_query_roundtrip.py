"""Every SQS operation in the query protocol, both ways, with botocore as the oracle.

The query model is the one older SDKs speak (botocore 1.31.70's, vendored); the engine is
the gateway's own SQS query engine (engines.engine_for("sqs", "query")).
Request: botocore's QuerySerializer puts generated input on the wire; the engine must find
the operation and parse back the same input (after the normaliser of tests/protocol).
Response: the engine serializes a generated output; botocore's QueryParser must read back
the same output. Errors: every error SQS can raise, under its shape name or its wire code,
must reach botocore with its query code (AWS.SimpleQueueService.NonExistentQueue...), its
HTTP status and its message.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.model import OperationModel, Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nimbus_core.errors import AwsError
from nimbus_gateway.engines import engine_for
from nimbus_gateway.protocol import sqs_query
from nimbus_gateway.protocol.errorshapes import AWS_QUERY_ERRORS

from tests.protocol.normalize import (
    expected_error_members,
    expected_input,
    expected_output,
    lost_required,
)
from tests.protocol.results import record
from tests.protocol.strategies import ShapeStrategies
from tests.protocol.wire import botocore_parse, botocore_request, service_model

LABEL = "sqs-query"  # the row of the round-trip summary
REQUEST_EXAMPLES = 25
RESPONSE_EXAMPLES = 15
REQUEST_ID = "4a1c2b3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
MESSAGE = 'Nimbus says <no> & "never" to ünïcode'
ENGINE = engine_for("sqs", "query")
MODEL = sqs_query.service_model()
QUERY_CODES = AWS_QUERY_ERRORS["sqs"]
OPERATIONS = list(MODEL.operation_names)
INPUTS = ShapeStrategies("query", output=False)
OUTPUTS = ShapeStrategies("query", output=True)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _run(operation: str, side: str, check: Any) -> None:
    try:
        check()
    except BaseException:
        record(LABEL, operation, side, "failed")
        raise
    record(LABEL, operation, side, "passed")


def test_the_query_model_has_every_operation() -> None:
    assert len(OPERATIONS) == 23
    assert set(OPERATIONS) == set(service_model("sqs").operation_names)
    assert MODEL.protocol == "query"
    assert ENGINE.dialect.xml_namespace == "http://queue.amazonaws.com/doc/2012-11-05/"


@pytest.mark.parametrize("name", OPERATIONS)
def test_request_round_trip(name: str) -> None:
    operation = MODEL.operation_model(name)

    @_settings(REQUEST_EXAMPLES)
    @given(params=INPUTS.top_level(operation.input_shape))
    def check(params: dict[str, Any]) -> None:
        request = botocore_request(operation, params)
        assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
        assert ENGINE.find_operation(request).name == name
        expected = expected_input(operation, params, request)
        if lost_required(operation.input_shape, expected):
            with pytest.raises(AwsError) as raised:
                ENGINE.parse(request, operation)
            assert (raised.value.code, raised.value.http_status) == ("MissingParameter", 400)
            return
        assert ENGINE.parse(request, operation) == expected

    _run(name, "request", check)


@pytest.mark.parametrize("name", OPERATIONS)
def test_response_round_trip(name: str) -> None:
    operation = MODEL.operation_model(name)

    @_settings(RESPONSE_EXAMPLES)
    @given(output=OUTPUTS.top_level(operation.output_shape))
    def check(output: dict[str, Any]) -> None:
        response = ENGINE.serialize(operation, output, REQUEST_ID)
        assert response.status == 200
        assert response.body.startswith(
            f'<{name}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'.encode()
        )
        parsed = botocore_parse(operation, response)
        assert parsed.pop("ResponseMetadata")["RequestId"] == REQUEST_ID
        assert parsed == expected_output(operation, output, response.status)

    _run(name, "response", check)


def _error_names(name: str) -> list[str]:
    """Every error the operation may answer: the query model's and the current JSON model's
    (which added InvalidAddress, RequestThrottled, the KMS errors...)."""
    names = {shape.name for shape in MODEL.operation_model(name).error_shapes}
    names |= {shape.name for shape in service_model("sqs").operation_model(name).error_shapes}
    return sorted(names)


def _wire(shape_name: str) -> tuple[str, int]:
    """The query code and HTTP status AWS answers for a modeled error."""
    if shape_name in QUERY_CODES:
        return QUERY_CODES[shape_name]
    shape = service_model("sqs").shape_for(shape_name)
    return shape_name, int(shape.metadata.get("error", {}).get("httpStatusCode") or 400)


def _query_shape(name: str) -> Shape | None:
    return MODEL.shape_for(name) if name in MODEL.shape_names else None


@pytest.mark.parametrize("name", OPERATIONS)
def test_errors_round_trip(name: str) -> None:
    operation = MODEL.operation_model(name)
    cases = _error_names(name)
    assert cases, f"{name} models no error"

    @_settings(5)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        for shape_name in cases:
            code, status = _wire(shape_name)
            shape = _query_shape(shape_name)
            extra: dict[str, Any] = {}
            if shape is not None:
                drawn = data.draw(OUTPUTS.top_level(shape), label=shape_name)
                extra = {key: value for key, value in drawn.items() if key.lower() != "message"}
            # Raised under the shape name (as services do) or the wire code.
            for raised_as in {shape_name, code}:
                _check_error(operation, AwsError(raised_as, MESSAGE, status, extra=extra), code)
            if shape is not None and extra:
                response = ENGINE.serialize_error(
                    AwsError(shape_name, MESSAGE, status, extra=extra), operation, REQUEST_ID
                )
                modeled = botocore_parse(operation, response, shape=shape)
                modeled.pop("ResponseMetadata", None)
                modeled = {k: v for k, v in modeled.items() if k.lower() != "message"}
                assert modeled == expected_error_members(shape, extra, "query")
        # An error no model knows keeps its code.
        _check_error(operation, AwsError("InvalidParameterValue", MESSAGE, 400), "")

    _run(name, "errors", check)


def _check_error(operation: OperationModel, error: AwsError, code: str) -> None:
    response = ENGINE.serialize_error(error, operation, REQUEST_ID)
    parsed = botocore_parse(operation, response)
    assert response.status == error.http_status
    assert response.header("Content-Type") == "text/xml"
    assert response.header("x-amzn-RequestId") == REQUEST_ID
    assert parsed["Error"]["Code"] == (code or error.code)
    assert parsed["Error"]["Message"] == MESSAGE
    assert parsed["Error"]["Type"] == "Sender"
    assert parsed["ResponseMetadata"]["RequestId"] == REQUEST_ID
