"""One request's journey through the chain: what each handler adds for the next."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from botocore.model import OperationModel

from nimbus_gateway.protocol.engine import ProtocolEngine
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse


@dataclass
class Caller:
    """Who signed the request (or anonymous), as authentication established it."""

    account_id: str
    principal_arn: str
    user_id: str
    access_key_id: str = ""
    anonymous: bool = False
    # Assumed-role sessions only.
    role_arn: str = ""
    session_policies: tuple[str, ...] = ()
    session_tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Exchange:
    request: HttpRequest
    source_ip: str = ""
    request_id: str = ""
    api: str | None = None
    # The protocol engine that parses the request and writes its answer or error; chosen
    # per request once the API is known (SQS speaks JSON or query), see engines.engine_of.
    engine: ProtocolEngine | None = None
    region: str = "us-east-1"
    caller: Caller | None = None
    operation: OperationModel | None = None
    params: dict[str, Any] = field(default_factory=dict)
    # The request body still to stream to the service (S3 uploads), already decoded.
    body_stream: AsyncIterator[bytes] | None = None
    output: dict[str, Any] | None = None
    response: HttpResponse | None = None
