"""The MD5 digests SQS returns with every message, computed exactly as AWS computes them.

SDKs that check them (the Java, .NET and Kotlin SDKs; boto3 does not) recompute the same
values from what they sent or received, so a single byte of difference makes their calls
fail. The attribute digest is AWS's documented encoding: for each attribute, sorted by
name, the 4-byte big-endian length and the UTF-8 bytes of the name, then of the data
type, then one transport-type byte (1 for a string value, 2 for a binary one; 3 and 4
for the reserved list forms) and the length and bytes of the value.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Iterable, Mapping
from typing import Any

STRING_TRANSPORT = 1
BINARY_TRANSPORT = 2
STRING_LIST_TRANSPORT = 3
BINARY_LIST_TRANSPORT = 4


def md5_of_body(body: str) -> str:
    """MD5OfMessageBody / MD5OfBody: the hex MD5 of the body's UTF-8 bytes."""
    return hashlib.md5(body.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()


def md5_of_attributes(attributes: Mapping[str, Mapping[str, Any]] | None) -> str | None:
    """MD5OfMessageAttributes (and MD5OfMessageSystemAttributes, which uses the same
    encoding); None when there are no attributes, as AWS then omits the field.

    Values are as the wire carries them: StringValue text, BinaryValue base64 text (or
    bytes). Names sort as Java's String.compareTo sorts them (UTF-16 code units), the
    order AWS and the SDKs use.
    """
    if not attributes:
        return None
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes, key=_utf16_order):
        value = attributes[name]
        _update(digest, _utf8(name))
        _update(digest, _utf8(str(value.get("DataType", ""))))
        string_value = value.get("StringValue")
        binary_value = value.get("BinaryValue")
        if string_value is not None:
            digest.update(bytes([STRING_TRANSPORT]))
            _update(digest, _utf8(str(string_value)))
        elif binary_value is not None:
            digest.update(bytes([BINARY_TRANSPORT]))
            _update(digest, binary_bytes(binary_value))
        elif value.get("StringListValues"):
            digest.update(bytes([STRING_LIST_TRANSPORT]))
            for item in _items(value["StringListValues"]):
                _update(digest, _utf8(str(item)))
        elif value.get("BinaryListValues"):
            digest.update(bytes([BINARY_LIST_TRANSPORT]))
            for item in _items(value["BinaryListValues"]):
                _update(digest, binary_bytes(item))
    return digest.hexdigest()


def binary_bytes(value: Any) -> bytes:
    """A BinaryValue's bytes: the services see base64 text, tests may pass raw bytes."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return base64.b64decode(str(value), validate=True)


def _update(digest: Any, data: bytes) -> None:
    digest.update(struct.pack(">I", len(data)))
    digest.update(data)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _utf16_order(name: str) -> bytes:
    return name.encode("utf-16-be", "surrogatepass")


def _items(values: Any) -> Iterable[Any]:
    return values if isinstance(values, list | tuple) else [values]
