"""The AWS protocol engine: HTTP requests to (operation, input) and outputs/errors to HTTP,
for the query, ec2, json, rest-xml and rest-json protocols, driven by botocore's models."""

from nimbus_gateway.protocol.engine import ProtocolEngine
from nimbus_gateway.protocol.http import HttpRequest, HttpResponse

__all__ = ["HttpRequest", "HttpResponse", "ProtocolEngine"]
