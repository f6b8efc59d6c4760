"""SQS's two protocols in the gateway: the engine chosen per request, queue URLs in the path,
SQS's own error codes, and bodies as large as SQS's 1 MiB messages make them.

Pure: the chain's parsing and serializing steps and the pipeline run on in-memory requests.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any, cast
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from botocore.model import Shape
from botocore.parsers import create_parser
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.chain import parsing, serializing
from nimbus_gateway.chain.exchange import Exchange
from nimbus_gateway.detect import detect
from nimbus_gateway.engines import QUERY, engine_for, engine_of, variant_of
from nimbus_gateway.pipeline import BodyTooLarge, Pipeline
from nimbus_gateway.protocol import HttpRequest, HttpResponse, sqs_query
from nimbus_gateway.settings import GatewaySettings

from tests.protocol.wire import botocore_request, service_model

HOST = "localhost:4566"
ACCOUNT = "000000000000"
QUEUE_PATH = f"/{ACCOUNT}/orders"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
JSON = "application/x-amz-json-1.0"
NAMESPACE = {"q": "http://queue.amazonaws.com/doc/2012-11-05/"}
MIB = 1024 * 1024
RID = "example-request-id"


def _request(
    method: str, path: str, query: str = "", body: bytes = b"", host: str = HOST, **headers: str
) -> HttpRequest:
    all_headers: CIMultiDict[str] = CIMultiDict(Host=host)
    for key, value in headers.items():
        all_headers[key.replace("_", "-")] = value
    return HttpRequest(method, path, query, all_headers, body)


def _form(path: str = "/", host: str = HOST, **params: str) -> HttpRequest:
    body = urlencode({"Version": "2012-11-05", **params}).encode()
    return _request("POST", path, body=body, host=host, content_type=FORM)


def _json(operation: str, document: dict[str, Any] | None, path: str = "/") -> HttpRequest:
    body = b"" if document is None else json.dumps(document).encode()
    return _request(
        "POST", path, body=body, x_amz_target=f"AmazonSQS.{operation}", content_type=JSON
    )


def _exchange(request: HttpRequest, api: str = "sqs") -> Exchange:
    return Exchange(request=request, request_id=RID, api=api)


def _parsed(request: HttpRequest) -> tuple[str, dict[str, Any]]:
    """What the chain's parsing step makes of the request: operation and input."""
    exchange = _exchange(request)
    parsing.find_operation(exchange)
    parsing.parse(exchange)
    assert exchange.operation is not None
    return exchange.operation.name, exchange.params


def _raises(step: Any) -> AwsError:
    with pytest.raises(AwsError) as raised:
        step()
    return raised.value


def _failed(request: HttpRequest) -> HttpResponse:
    """The response the chain sends when parsing the request fails."""
    exchange = _exchange(request)

    def both_steps() -> None:
        parsing.find_operation(exchange)
        parsing.parse(exchange)

    failure = _raises(both_steps)
    serializing.error(exchange, failure)
    assert exchange.response is not None
    return exchange.response


def _xml_error(response: HttpResponse) -> dict[str, str | None]:
    root = ElementTree.fromstring(response.body)
    assert root.tag == "{http://queue.amazonaws.com/doc/2012-11-05/}ErrorResponse"
    error = {
        child.tag.split("}")[1]: child.text
        for child in root.findall("q:Error/*", namespaces=NAMESPACE)
    }
    error["RequestId"] = root.findtext("q:RequestId", namespaces=NAMESPACE)
    return error


# -- which engine -------------------------------------------------------------------------


def test_sqs_json_and_query_requests_get_their_own_engine() -> None:
    json_request = _json("ListQueues", {})
    form_request = _form(Action="ListQueues")
    get_request = _request("GET", QUEUE_PATH, "Action=GetQueueAttributes&AttributeName.1=All")
    assert variant_of("sqs", json_request) == ""
    assert variant_of("sqs", form_request) == QUERY
    assert variant_of("sqs", get_request) == QUERY
    # JSON content without X-Amz-Target is still JSON: it is refused as JSON would be.
    assert variant_of("sqs", _request("POST", "/", body=b"{}", content_type=JSON)) == ""
    assert variant_of("iam", form_request) == ""
    assert engine_for("sqs", QUERY) is engine_for("sqs", QUERY)
    assert engine_for("sqs", QUERY).service_model.protocol == "query"
    assert engine_for("sqs").service_model.protocol == "json"
    with pytest.raises(ValueError):
        engine_for("iam", QUERY)

    exchange = _exchange(form_request)
    assert engine_of(exchange) is engine_for("sqs", QUERY)
    assert exchange.engine is engine_for("sqs", QUERY)
    assert engine_of(_exchange(json_request)) is engine_for("sqs")
    assert engine_of(_exchange(form_request, api="iam")) is engine_for("iam")


def test_detection_finds_sqs_query_requests() -> None:
    hosts = ("localhost",)
    by_version = _form(Action="SendMessage", QueueUrl="http://q", MessageBody="m")
    assert detect(by_version, hosts).api == "sqs"
    by_action = _request(
        "POST", QUEUE_PATH, body=b"Action=ReceiveMessage&MaxNumberOfMessages=2", content_type=FORM
    )
    assert detect(by_action, hosts).api == "sqs"
    by_query_string = _request("GET", QUEUE_PATH, "Action=PurgeQueue&Version=2012-11-05")
    assert detect(by_query_string, hosts).api == "sqs"
    by_host = _request("POST", "/", body=b"Action=ListQueues", host="sqs.eu-west-1.localhost")
    found = detect(by_host, hosts)
    assert (found.api, found.region) == ("sqs", "eu-west-1")


def test_query_request_from_an_old_sdk_is_parsed_by_the_query_engine() -> None:
    operation = sqs_query.service_model().operation_model("SendMessageBatch")
    entries = [
        {
            "Id": "a",
            "MessageBody": "first",
            "MessageAttributes": {"k": {"DataType": "Number", "StringValue": "1"}},
        },
        {"Id": "b", "MessageBody": "second", "DelaySeconds": 5},
    ]
    request = botocore_request(operation, {"QueueUrl": "http://h/1/q", "Entries": entries})
    assert b"SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k" in request.body
    assert _parsed(request) == (
        "SendMessageBatch",
        {"QueueUrl": "http://h/1/q", "Entries": entries},
    )


def test_receive_message_takes_every_attribute_name_list() -> None:
    request = _request(
        "GET",
        QUEUE_PATH,
        "Action=ReceiveMessage&AttributeName.1=All&MessageSystemAttributeName.1=AWSTraceHeader"
        "&MessageSystemAttributeName.2=SentTimestamp&MessageAttributeName.1=.*"
        "&MaxNumberOfMessages=10&WaitTimeSeconds=20",
    )
    assert _parsed(request) == (
        "ReceiveMessage",
        {
            "QueueUrl": f"http://{HOST}{QUEUE_PATH}",
            "AttributeNames": ["All"],
            "MessageSystemAttributeNames": ["AWSTraceHeader", "SentTimestamp"],
            "MessageAttributeNames": [".*"],
            "MaxNumberOfMessages": 10,
            "WaitTimeSeconds": 20,
        },
    )


# -- the queue URL in the path ------------------------------------------------------------


def test_query_request_to_the_queue_url_gets_it_as_queue_url() -> None:
    name, params = _parsed(_form(QUEUE_PATH, Action="SendMessage", MessageBody="hello"))
    assert name == "SendMessage"
    assert params == {"QueueUrl": f"http://{HOST}{QUEUE_PATH}", "MessageBody": "hello"}
    _, params = _parsed(_form(QUEUE_PATH, host="sqs.us-east-1.localhost:4566", Action="PurgeQueue"))
    assert params == {"QueueUrl": f"http://sqs.us-east-1.localhost:4566{QUEUE_PATH}"}


def test_a_queue_url_the_client_sends_wins_over_the_path() -> None:
    sent = "http://localhost:4566/111111111111/other"
    _, params = _parsed(_form(QUEUE_PATH, Action="DeleteQueue", QueueUrl=sent))
    assert params == {"QueueUrl": sent}
    in_query_string = _request("GET", QUEUE_PATH, "Action=DeleteQueue&QueueUrl=" + sent)
    assert _parsed(in_query_string)[1] == {"QueueUrl": sent}
    assert _parsed(_json("DeleteQueue", {"QueueUrl": sent}, QUEUE_PATH))[1] == {"QueueUrl": sent}


def test_json_request_to_the_queue_url_gets_it_too() -> None:
    url = f"http://{HOST}{QUEUE_PATH}"
    _, params = _parsed(_json("SendMessage", {"MessageBody": "hi"}, QUEUE_PATH))
    assert params == {"QueueUrl": url, "MessageBody": "hi"}
    assert _parsed(_json("PurgeQueue", None, QUEUE_PATH))[1] == {"QueueUrl": url}
    assert _parsed(_json("PurgeQueue", {}, QUEUE_PATH))[1] == {"QueueUrl": url}
    spaced = _request(
        "POST",
        QUEUE_PATH,
        body=b" \n{ \n}",
        x_amz_target="AmazonSQS.PurgeQueue",
        content_type=JSON,
    )
    assert _parsed(spaced)[1] == {"QueueUrl": url}
    not_an_object = _request(
        "POST", QUEUE_PATH, body=b"[1]", x_amz_target="AmazonSQS.PurgeQueue", content_type=JSON
    )
    assert _raises(lambda: _parsed(not_an_object)).code == "InvalidParameterValue"


def test_no_queue_url_without_a_queue_path_or_member() -> None:
    missing = _raises(lambda: _parsed(_form(Action="SendMessage", MessageBody="m")))
    assert (missing.code, missing.http_status) == ("MissingParameter", 400)
    assert missing.message == "The request must contain the parameter QueueUrl."
    deeper = _form(f"{QUEUE_PATH}/extra", Action="PurgeQueue")
    assert _raises(lambda: _parsed(deeper)).code == "MissingParameter"
    not_an_account = _form("/orders/q", Action="PurgeQueue")
    assert _raises(lambda: _parsed(not_an_account)).code == "MissingParameter"
    # ListQueues has no QueueUrl member: a queue path adds nothing.
    assert _parsed(_form(QUEUE_PATH, Action="ListQueues")) == ("ListQueues", {})


# -- errors ------------------------------------------------------------------------------


def test_unknown_and_missing_action_in_sqs_words() -> None:
    response = _failed(_form(Action="Explode"))
    assert response.status == 400
    assert _xml_error(response) == {
        "Type": "Sender",
        "Code": "InvalidAction",
        "Message": "The action Explode is not valid for this endpoint.",
        "Detail": None,
        "RequestId": RID,
    }
    response = _failed(_request("POST", QUEUE_PATH, body=b"Version=2012-11-05", content_type=FORM))
    assert _xml_error(response)["Code"] == "MissingAction"
    # IAM keeps its own wording.
    iam = _exchange(_request("POST", "/", body=b"Action=Explode", content_type=FORM), "iam")
    failure = _raises(lambda: parsing.find_operation(iam))
    assert failure.message == "The action Explode is not valid for this web service."


def test_bad_values_are_sqs_errors_not_coral_ones() -> None:
    wrong = _raises(
        lambda: _parsed(_form(QUEUE_PATH, Action="SendMessage", MessageBody="m", DelaySeconds="x"))
    )
    assert (wrong.code, wrong.http_status) == ("InvalidParameterValue", 400)
    assert wrong.message == "Value (x) for parameter DelaySeconds is invalid. Expected: integer."
    missing = _raises(lambda: _parsed(_form(QUEUE_PATH, Action="SendMessage")))
    assert (missing.code, missing.message) == (
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
    )
    malformed = _request("POST", "/", body=b"Action=ListQueues&\xff", content_type=FORM)
    assert _xml_error(_failed(malformed))["Code"] == "MalformedQueryString"


def test_service_errors_go_out_as_the_protocol_of_the_request() -> None:
    failure = AwsError("QueueDoesNotExist", "The specified queue does not exist.", 400)

    query = _exchange(_form(Action="GetQueueUrl", QueueName="nope"))
    parsing.find_operation(query)
    serializing.error(query, failure)
    assert query.response is not None
    assert query.response.status == 400
    assert query.response.header("Content-Type") == "text/xml"
    assert _xml_error(query.response)["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    parsed = create_parser("query").parse(
        {"status_code": 400, "headers": {}, "body": query.response.body}, None
    )
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"

    boto3 = _exchange(_json("GetQueueUrl", {"QueueName": "nope"}))
    parsing.find_operation(boto3)
    serializing.error(boto3, failure)
    assert boto3.response is not None
    assert boto3.response.header("x-amzn-query-error") == (
        "AWS.SimpleQueueService.NonExistentQueue;Sender"
    )
    assert json.loads(boto3.response.body)["__type"] == "com.amazonaws.sqs#QueueDoesNotExist"


@pytest.mark.parametrize(
    ("raised", "status", "code", "wire_status"),
    [
        ("ReceiptHandleIsInvalid", 400, "ReceiptHandleIsInvalid", 404),
        ("PurgeQueueInProgress", 400, "AWS.SimpleQueueService.PurgeQueueInProgress", 403),
        ("QueueNameExists", 409, "QueueAlreadyExists", 400),
        (
            "AWS.SimpleQueueService.NonExistentQueue",
            404,
            "AWS.SimpleQueueService.NonExistentQueue",
            400,
        ),
        ("InvalidAttributeName", 400, "InvalidAttributeName", 400),
        ("InternalError", 500, "InternalError", 500),
    ],
)
def test_query_errors_have_sqs_codes_and_statuses(
    raised: str, status: int, code: str, wire_status: int
) -> None:
    engine = engine_for("sqs", QUERY)
    operation = engine.service_model.operation_model("DeleteMessage")
    response = engine.serialize_error(AwsError(raised, "m", status), operation, RID)
    assert response.status == wire_status
    assert _xml_error(response)["Code"] == code


# -- the model --------------------------------------------------------------------------


def _shape_outline(shape: Shape, seen: set[str]) -> Any:
    """Member names, types and required members, recursively (no wire names)."""
    if shape.type_name == "structure":
        if shape.name in seen:
            return shape.name
        seen = seen | {shape.name}
        return {
            "required": sorted(shape.required_members),
            "members": {
                name: _shape_outline(member, seen) for name, member in shape.members.items()
            },
        }
    if shape.type_name == "list":
        return ["list", _shape_outline(shape.member, seen)]
    if shape.type_name == "map":
        return ["map", _shape_outline(shape.key, seen), _shape_outline(shape.value, seen)]
    return shape.type_name


def test_query_model_takes_and_gives_what_the_json_model_does() -> None:
    query_model = sqs_query.service_model()
    json_model = service_model("sqs")
    assert sorted(query_model.operation_names) == sorted(json_model.operation_names)
    for name in json_model.operation_names:
        ours, theirs = query_model.operation_model(name), json_model.operation_model(name)
        for side in ("input_shape", "output_shape"):
            mine, reference = getattr(ours, side), getattr(theirs, side)
            assert (mine is None) == (reference is None), (name, side)
            if mine is not None:
                assert _shape_outline(mine, set()) == _shape_outline(reference, set()), name


def test_the_vendored_file_is_botocores_unpatched() -> None:
    raw = sqs_query.raw_model()
    assert raw["metadata"]["protocol"] == "query"
    assert raw["metadata"]["uid"] == "sqs-2012-11-05"
    assert "awsQueryCompatible" not in raw["metadata"]
    assert "MessageSystemAttributeNames" not in raw["shapes"]["ReceiveMessageRequest"]["members"]
    assert len(raw["operations"]) == 23


# -- body sizes ---------------------------------------------------------------------------


def test_a_1_mib_message_of_the_worst_characters_fits_and_parses_back() -> None:
    """Form encoding triples characters like '&' and every byte of a non-ASCII one."""
    limit = GatewaySettings().max_body_bytes
    operation = sqs_query.service_model().operation_model("SendMessage")
    body = "&" * (MIB // 2) + "é" * (MIB // 4)  # 1 MiB of UTF-8, every byte escaped
    assert len(body.encode()) == MIB
    attributes = {"a": {"DataType": "Binary", "BinaryValue": b"\xfb\xff" * 1000}}
    params = {"QueueUrl": "http://h/1/q", "MessageBody": body, "MessageAttributes": attributes}
    request = botocore_request(operation, params)
    assert 3 * MIB < len(request.body) < limit
    assert _parsed(request) == ("SendMessage", params)


def test_a_1_mib_batch_fits_in_either_protocol() -> None:
    limit = GatewaySettings().max_body_bytes
    entries = [{"Id": str(i), "MessageBody": "\u00e9" * (MIB // 20)} for i in range(10)]
    params = {"QueueUrl": "http://h/1/q", "Entries": entries}
    for model in (sqs_query.service_model(), service_model("sqs")):
        request = botocore_request(model.operation_model("SendMessageBatch"), params)
        assert 2 * MIB < len(request.body) < limit
        assert _parsed(request) == ("SendMessageBatch", params)


class _Body:
    """A body source that must not be read: the declared length alone refuses it."""

    async def read(self, limit: int) -> bytes:
        raise BodyTooLarge

    async def stream(self) -> AsyncIterator[bytes]:
        if self:  # always: the body must not be streamed
            raise AssertionError("the body must not be streamed")
        yield b""


def test_an_absurd_body_is_refused_with_an_aws_error() -> None:
    limit = GatewaySettings().max_body_bytes
    pipeline = Pipeline(
        authenticator=cast(Any, None),
        authorizer=cast(Any, None),
        dispatcher=cast(Any, None),
        base_hosts=("localhost",),
        default_region="us-east-1",
        max_body_bytes=limit,
    )
    request = _request("POST", QUEUE_PATH, content_type=FORM, content_length=str(limit + 1))
    response = asyncio.run(pipeline.handle(request, _Body(), "127.0.0.1"))
    assert response.status == 413
    root = ElementTree.fromstring(response.body)
    assert root.findtext("Error/Code") == "RequestEntityTooLarge"
