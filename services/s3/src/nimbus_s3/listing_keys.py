"""Pure pieces of S3 listings: key ranges, delimiter roll-ups, url encoding, tokens, limits.

Keys compare as UTF-8 bytes, which for valid UTF-8 is code point order, which is how Python
compares str and how PostgreSQL's "C" collation compares the key columns.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import quote

from nimbus_core.errors import AwsError

from nimbus_s3.errors import invalid_argument

MAX_KEYS = 1000
_MAX_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)


def prefix_end(prefix: str) -> str | None:
    """The least string greater than every string starting with prefix (None: unbounded).

    Drops trailing U+10FFFF (nothing sorts after it) and bumps the last code point,
    skipping the surrogates that no UTF-8 text contains.
    """
    chars = list(prefix)
    while chars:
        last = ord(chars.pop())
        if last < _MAX_CODE_POINT:
            bumped = last + 1
            if bumped in _SURROGATES:
                bumped = _SURROGATES.stop
            return "".join(chars) + chr(bumped)
    return None


def common_prefix(key: str, prefix: str, delimiter: str) -> str | None:
    """The CommonPrefixes entry key rolls up into, or None when it is listed itself."""
    if not delimiter:
        return None
    at = key.find(delimiter, len(prefix))
    return None if at < 0 else key[: at + len(delimiter)]


def max_keys(value: Any, name: str = "max-keys") -> int:
    """MaxKeys as S3 applies it: default and ceiling 1000, negative values refused."""
    if value is None:
        return MAX_KEYS
    number = int(value)
    if number < 0:
        raise invalid_argument(
            "Argument maxKeys must be an integer between 0 and 2147483647", name, str(value)
        )
    return min(number, MAX_KEYS)


def encoding(value: Any) -> bool:
    """Whether EncodingType asks for url encoding; anything but "url" is refused."""
    if value is None:
        return False
    if value != "url":
        raise invalid_argument(
            "Invalid Encoding Method specified in Request", "encoding-type", value
        )
    return True


def url_encode(value: str) -> str:
    """S3's encoding-type=url form: UTF-8 percent-encoding that leaves '/' readable."""
    return quote(value, safe="/")


class Encoder:
    """Applies encoding-type=url to the members S3 encodes, or nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, value: str) -> str:
        return url_encode(value) if self.enabled else value


def make_token(position: str) -> str:
    """An opaque continuation token naming the last key or common prefix returned."""
    raw = json.dumps({"v": 1, "after": position}, separators=(",", ":")).encode()
    return base64.b64encode(raw).decode("ascii")


def read_token(token: str) -> str:
    """The position a continuation token names, or S3's InvalidArgument."""
    try:
        document = json.loads(base64.b64decode(token.encode("ascii"), validate=True))
        position = document["after"]
        if document.get("v") != 1 or not isinstance(position, str):
            raise ValueError(token)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeEncodeError):
        raise bad_token(token) from None
    return position


def bad_token(token: str) -> AwsError:
    return invalid_argument(
        "The continuation token provided is incorrect", "continuation-token", token
    )
