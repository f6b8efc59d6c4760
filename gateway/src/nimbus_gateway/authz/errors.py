"""Errors of the authorization map; all are gateway bugs or malformed requests, never denials."""


class AuthzMapError(Exception):
    """The map cannot say what an operation needs (bad data, or an unusable request)."""


class UnknownOperation(AuthzMapError):
    """No entry for the operation: the gateway must refuse rather than guess."""


class UnresolvedPlaceholder(AuthzMapError):
    """A resource template names input the request does not carry."""
