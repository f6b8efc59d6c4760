"""ProtocolEngine: one per botocore service model, the gateway's only view of protocols.

parse() never lets anything but AwsError escape, whatever the bytes; serialize() turns a
malformed service output into InternalError rather than a half-written response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from nimbus_core.errors import AwsError, internal_error

from nimbus_gateway.protocol.codec import Codec
from nimbus_gateway.protocol.dialect import Dialect, dialect_of
from nimbus_gateway.protocol.faults import malformed_body
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse
from nimbus_gateway.protocol.jsonrpc import JsonCodec
from nimbus_gateway.protocol.models import OperationModel, ServiceModel
from nimbus_gateway.protocol.query import QueryCodec
from nimbus_gateway.protocol.restjson import RestJsonCodec
from nimbus_gateway.protocol.restxml import RestXmlCodec

LOG = logging.getLogger(__name__)
T = TypeVar("T")

_CODECS: dict[str, type[Codec]] = {
    "query": QueryCodec,
    "ec2": QueryCodec,
    "json": JsonCodec,
    "rest-json": RestJsonCodec,
    "rest-xml": RestXmlCodec,
}


class ProtocolEngine:
    """HTTP <-> (operation, input) and (output | error) -> HTTP for one AWS service."""

    def __init__(self, service_model: ServiceModel) -> None:
        codec = _CODECS.get(service_model.protocol)
        if codec is None:
            raise ValueError(f"protocol {service_model.protocol!r} is not supported")
        self._model = service_model
        self._dialect = dialect_of(service_model)
        self._codec = codec(service_model, self._dialect)

    @property
    def service_model(self) -> ServiceModel:
        return self._model

    @property
    def dialect(self) -> Dialect:
        return self._dialect

    @property
    def codec(self) -> Codec:
        return self._codec

    def find_operation(self, request: HttpRequest) -> OperationModel:
        """The operation the request calls, or the protocol's unknown-operation error."""
        return self._guarded(lambda: self._codec.find_operation(request))

    def parse(self, request: HttpRequest, operation: OperationModel) -> dict[str, Any]:
        """The input as a boto3 user passed it: bytes for blobs, aware UTC datetimes."""
        return self._guarded(lambda: self._codec.parse(request, operation))

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> HttpResponse:
        """The HTTP response of a successful call."""
        try:
            return self._codec.serialize(operation, output, request_id)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            LOG.exception("%s returned an output that does not fit its model", operation.name)
            return self.serialize_error(internal_error(), operation, request_id)

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        """The HTTP response of an AWS error, in the service's own error format."""
        try:
            return self._codec.serialize_error(error, operation, request_id)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            LOG.exception("error %s has extras that do not fit its model", error.code)
            bare = AwsError(
                error.code, error.message, error.http_status, sender_fault=error.sender_fault
            )
            return self._codec.serialize_error(bare, operation, request_id)

    def _guarded(self, step: Callable[[], T]) -> T:
        try:
            return step()
        except AwsError:
            raise
        except RecursionError:
            raise malformed_body(self._dialect, "The request is nested too deeply") from None
        except Exception as exc:  # whatever the bytes, the client gets a 4xx, not a crash
            LOG.warning("request could not be parsed: %r", exc, exc_info=True)
            raise malformed_body(self._dialect, "The request could not be parsed") from None
