"""Scalar values on the wire, both ways: timestamps, blobs, numbers and booleans.

Parsers raise ValueError on bad text; the protocol codecs turn that into the AWS error of
their protocol. Formatters accept what a service may hand back after the JSON hop (a
datetime, epoch seconds or an ISO-8601 string for a timestamp; bytes or text for a blob).
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import math
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

ISO8601 = "iso8601"
RFC822 = "rfc822"
UNIX = "unixtimestamp"

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d{1,20}")
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?"
)
_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(f"{text!r} is not a boolean")


def parse_int(text: str, bounds: tuple[int, int] = INT64) -> int:
    stripped = text.strip()
    if not _INTEGER.fullmatch(stripped):
        raise ValueError(f"{text!r} is not an integer")
    return check_int(int(stripped), bounds)


def check_int(value: int, bounds: tuple[int, int]) -> int:
    if not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{value} is out of range")
    return value


def parse_float(text: str) -> float:
    stripped = text.strip()
    if stripped in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[stripped]
    if not _NUMBER.fullmatch(stripped):
        raise ValueError(f"{text!r} is not a number")
    return float(stripped)


def parse_blob(text: str) -> bytes:
    compact = "".join(text.split())
    try:
        return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("invalid base64") from exc


def format_blob(value: Any) -> str:
    return base64.b64encode(to_bytes(value)).decode("ascii")


def to_bytes(value: Any) -> bytes:
    """A blob as bytes: text is UTF-8 encoded (botocore does the same)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"a blob must be bytes or str, not {type(value).__name__}")


def format_float(value: Any) -> str:
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def json_float(value: Any) -> float | str:
    """A float for a JSON body: NaN and the infinities travel as strings."""
    number = float(value)
    return number if math.isfinite(number) else format_float(number)


def epoch_to_datetime(value: Decimal | int | float | str) -> datetime:
    """Epoch seconds (exact for decimal text) as an aware UTC datetime, to the microsecond."""
    try:
        seconds = value if isinstance(value, Decimal) else Decimal(str(value))
        if not seconds.is_finite():
            raise ValueError("not a finite number")
        micros = int((seconds * 1_000_000).to_integral_value(rounding=ROUND_HALF_EVEN))
        return EPOCH + timedelta(microseconds=micros)
    except (InvalidOperation, OverflowError, ArithmeticError) as exc:
        raise ValueError(f"{value!r} is not a valid epoch timestamp") from exc


def parse_timestamp(text: str) -> datetime:
    """Any of the three AWS formats (the model's format is a hint, not a promise)."""
    stripped = text.strip()
    if _NUMBER.fullmatch(stripped):
        return epoch_to_datetime(Decimal(stripped))
    match = _ISO.fullmatch(stripped)
    if match:
        return _iso_to_datetime(match)
    try:
        parsed = email.utils.parsedate_to_datetime(stripped)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise ValueError(f"{text!r} is not a timestamp") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _iso_to_datetime(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    offset = timedelta(0)
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        offset = -offset if zone[0] == "-" else offset
    try:
        local = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micros,
            tzinfo=timezone(offset),
        )
        return local.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{match.string!r} is not a valid date") from exc


def to_datetime(value: Any) -> datetime:
    """What a service may return for a timestamp, as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, bool):
        raise TypeError("a boolean is not a timestamp")
    if isinstance(value, int | float | Decimal):
        return epoch_to_datetime(value)
    if isinstance(value, str):
        return parse_timestamp(value)
    raise TypeError(f"{type(value).__name__} is not a timestamp")


def format_timestamp(value: Any, fmt: str) -> str | int | float:
    """A timestamp in fmt, at AWS's millisecond precision (rfc822: seconds).

    unixtimestamp gives a number (for JSON bodies); callers needing text use str().
    """
    moment = to_datetime(value)
    millis = moment.microsecond // 1000
    if fmt == UNIX:
        total_millis = (moment - EPOCH) // timedelta(milliseconds=1)
        if total_millis % 1000 == 0:
            return total_millis // 1000
        return float(Decimal(total_millis) / 1000)
    if fmt == RFC822:
        return email.utils.format_datetime(moment.replace(microsecond=0), usegmt=True)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{millis:03d}Z"
    )


def timestamp_text(value: Any, fmt: str) -> str:
    """format_timestamp as text (headers, query strings, XML)."""
    return str(format_timestamp(value, fmt))


def from_text(kind: str, text: str) -> Any:
    """A scalar of the model type kind from its text form (query strings, XML, headers)."""
    if kind in ("string", "character"):
        return text
    if kind == "integer":
        return parse_int(text, INT32)
    if kind == "long":
        return parse_int(text, INT64)
    if kind in ("float", "double"):
        return parse_float(text)
    if kind == "boolean":
        return parse_bool(text)
    if kind == "blob":
        return parse_blob(text)
    if kind == "timestamp":
        return parse_timestamp(text)
    return text
