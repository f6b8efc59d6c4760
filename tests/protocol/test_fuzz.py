"""Whatever the bytes, find_operation() and parse() answer a valid input or an AwsError with
a 4xx status: never another exception, never a server error.

Each example starts from a request botocore would send for a random operation, then
breaks it: junk or truncated bodies, values of the wrong type in the query string, form,
JSON document or headers, invalid percent-encoding and UTF-8, absurd nesting.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict
from nimbus_core.errors import AwsError
from nimbus_gateway.protocol import HttpRequest

from tests.protocol.exclusions import EXTRA_SERVICES, SERVICES
from tests.protocol.strategies import ShapeStrategies
from tests.protocol.test_roundtrip import _greedy_labels
from tests.protocol.wire import botocore_request, engine, service_model

EXAMPLES = 100

JUNK_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "abc",
            "-1",
            "1e400",
            "99999999999999999999999",
            "NaN",
            "true",
            "%ZZ",
            "%C3%28",
            "\x00",
            "2024-13-45T99:99:99Z",
            "not base64!",
            "[]",
            "{}",
            "null",
            "é",
        ]
    ),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _mutate_pairs(text: str, data: st.DataObject) -> str:
    pairs = parse_qsl(text, keep_blank_values=True)
    replace_one: bool = bool(pairs) and data.draw(st.booleans())
    if replace_one:
        index = data.draw(st.integers(0, len(pairs) - 1))
        pairs[index] = (pairs[index][0], data.draw(JUNK_TEXT))
    else:
        pairs.append((data.draw(st.text(max_size=8)), data.draw(JUNK_TEXT)))
    encoded = urlencode(pairs)
    if data.draw(st.booleans()):
        encoded += data.draw(
            st.sampled_from(["&%ZZ=1", "&a=%C3%28", "&=&&", "&x.1.2.3=", "&a.member.99999999999=1"])
        )
    return encoded


def _mutate_body(request: HttpRequest, protocol: str, data: st.DataObject) -> bytes:
    body = request.body
    choice = data.draw(st.integers(0, 5))
    if choice == 0:
        return data.draw(st.binary(max_size=64))
    if choice == 1 and body:
        return body[: data.draw(st.integers(0, len(body) - 1))]
    if choice == 2 and protocol in ("json", "rest-json"):
        return json.dumps(data.draw(JSON_VALUES)).encode()
    if choice == 3 and protocol in ("json", "rest-json") and body.strip().startswith(b"{"):
        document = json.loads(body)
        if document:
            key = data.draw(st.sampled_from(sorted(document)))
            document[key] = data.draw(JSON_VALUES)
        return json.dumps(document).encode()
    if choice == 3 and protocol in ("query", "ec2"):
        return _mutate_pairs(body.decode(), data).encode()
    if choice == 4:
        depth = data.draw(st.integers(1, 3000))
        if protocol in ("json", "rest-json"):
            return b'{"a":' * depth
        return b"<a>" * depth
    if choice == 5 and protocol == "rest-xml":
        tag = data.draw(
            st.sampled_from(
                [
                    b"<!DOCTYPE x [<!ENTITY e 'e'>]><x>&e;</x>",
                    b"<x>",
                    b"<a><b>t</b></a>",
                    b"<a>&bogus;</a>",
                ]
            )
        )
        return tag
    return body


def _mutate(
    request: HttpRequest, protocol: str, operation: Any, data: st.DataObject
) -> HttpRequest:
    part = data.draw(st.sampled_from(["body", "query", "headers", "path", "several"]))
    parts = {"body", "query", "headers", "path"} if part == "several" else {part}
    body, query, path = request.body, request.query, request.path
    headers = request.headers.copy()
    if "body" in parts:
        body = _mutate_body(request, protocol, data)
    if "query" in parts:
        query = _mutate_pairs(query, data)
    if "headers" in parts:
        names = [
            member.serialization.get("name", name)
            for name, member in (
                operation.input_shape.members.items() if operation.input_shape else ()
            )
            if member.serialization.get("location") in ("header", "headers")
        ] + ["X-Amz-Target", "Content-Type", "x-amz-meta-k"]
        headers[data.draw(st.sampled_from(names))] = data.draw(
            st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)
        )
    if "path" in parts:
        path += data.draw(st.sampled_from(["%ZZ", "%C3", "/%FF%FE", "//", "/.."]))
    return HttpRequest(request.method, path, query, headers, body, request.body_streamed)


@pytest.mark.parametrize("service", (*SERVICES, *EXTRA_SERVICES))
def test_parse_raises_nothing_but_client_errors(service: str) -> None:
    model = service_model(service)
    names = model.operation_names
    strategies = ShapeStrategies(model.protocol, output=False)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        operation = model.operation_model(data.draw(st.sampled_from(names)))
        params = data.draw(
            strategies.top_level(operation.input_shape, greedy=_greedy_labels(operation))
        )
        request = _mutate(botocore_request(operation, params), model.protocol, operation, data)
        for step in (
            lambda: engine(service).find_operation(request),
            lambda: engine(service).parse(request, operation),
        ):
            try:
                step()
            except AwsError as error:
                assert 400 <= error.http_status < 500, error
                # The engine's last-resort net must not be what caught it.
                assert error.message != "The request could not be parsed", error.__cause__

    check()


RAW_PATHS = st.lists(
    st.one_of(
        st.text(max_size=6),
        st.sampled_from(["%", "%2", "%ZZ", "%FF", "%C3%28", "%2F", "..", "", "{Bucket}"]),
    ),
    max_size=4,
).map(lambda parts: "/" + "/".join(parts))


def _targets(model: Any) -> list[str]:
    prefix = model.metadata.get("targetPrefix", "")
    return [f"{prefix}.{name}" for name in model.operation_names[:5]]


@pytest.mark.parametrize("service", (*SERVICES, *EXTRA_SERVICES))
def test_arbitrary_requests_raise_nothing_but_client_errors(service: str) -> None:
    model = service_model(service)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"]),
        path=RAW_PATHS,
        query=st.text(max_size=20),
        target=st.sampled_from(
            [
                "",
                *(f"{model.metadata.get('targetPrefix')}.{n}" for n in model.operation_names[:5]),
                "x.y",
            ]
        ),
        body=st.binary(max_size=40),
        name=st.sampled_from(model.operation_names),
    )
    def check(method: str, path: str, query: str, target: str, body: bytes, name: str) -> None:
        headers = CIMultiDict({"Host": "nimbus.test", "X-Amz-Target": target})
        request = HttpRequest(method, path, query, headers, body)
        for step in (
            lambda: engine(service).find_operation(request),
            lambda: engine(service).parse(request, model.operation_model(name)),
        ):
            try:
                step()
            except AwsError as error:
                assert 400 <= error.http_status < 500, error
                assert error.message != "The request could not be parsed", error.__cause__

    check()
