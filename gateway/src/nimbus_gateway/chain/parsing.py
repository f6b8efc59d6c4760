"""Turn the HTTP request into the operation and its input, with the exchange's protocol engine.

SQS clients may send a request to the queue URL itself (POST http://host/<account>/<name>,
Action=SendMessage, no QueueUrl parameter), as the query API always allowed. The URL is then
the queue's: QueueUrl is filled in from Host and path before the input is parsed (so its
validation sees it) and before authorization (which reads QueueUrl). A QueueUrl the client
did send wins over the path.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import quote

from nimbus_gateway.chain.exchange import Exchange
from nimbus_gateway.engines import QUERY, engine_of, variant_of
from nimbus_gateway.protocol.http import HttpRequest
from nimbus_gateway.protocol.models import OperationModel

QUEUE_URL = "QueueUrl"
# /<12-digit account>/<queue name>: the path of a queue URL.
_QUEUE_PATH = re.compile(r"/[0-9]{12}/[^/]+")
_JSON_SPACE = b" \t\r\n"


def find_operation(exchange: Exchange) -> None:
    """Which operation; needs no body for rest protocols, so streaming can be decided first."""
    exchange.operation = engine_of(exchange).find_operation(exchange.request)


def parse(exchange: Exchange) -> None:
    assert exchange.api is not None and exchange.operation is not None
    request = exchange.request
    url = path_queue_url(exchange.api, request, exchange.operation)
    if url is not None:
        request = with_queue_url(request, url, variant_of(exchange.api, request) == QUERY)
    exchange.params = engine_of(exchange).parse(request, exchange.operation)


def path_queue_url(api: str, request: HttpRequest, operation: OperationModel) -> str | None:
    """The queue URL the request was sent to, when the operation takes one."""
    if api != "sqs" or not _QUEUE_PATH.fullmatch(request.path):
        return None
    shape = operation.input_shape
    if shape is None or QUEUE_URL not in shape.members:
        return None
    return f"http://{request.host}{request.path}"


def with_queue_url(request: HttpRequest, url: str, form: bool) -> HttpRequest:
    """The request with QueueUrl=url added ahead of the client's own parameters.

    Both protocols let a later value of a parameter win (query: the last of a repeated
    parameter, query string before body; JSON: the last of a repeated key), so a QueueUrl
    the client sent still wins. A JSON body that is not an object is left for the parser
    to refuse.
    """
    if form:
        first = f"{QUEUE_URL}={quote(url, safe='')}"
        return replace(request, query=f"{first}&{request.query}" if request.query else first)
    body = request.body.lstrip(_JSON_SPACE)
    member = json.dumps(QUEUE_URL).encode() + b":" + json.dumps(url).encode()
    if not body:
        return replace(request, body=b"{" + member + b"}")
    if not body.startswith(b"{"):
        return request
    rest = body[1:].lstrip(_JSON_SPACE)
    separator = b"" if rest.startswith(b"}") else b","
    return replace(request, body=b"{" + member + separator + rest)
