"""Reading values out of a parsed operation input (botocore member names, nested dicts)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

ITEM = "@"  # path prefix naming the current item of a rule's ``each`` list


def lookup(params: dict[str, Any], path: str, item: Any = None) -> Any:
    """The value at a dotted member path; ``@`` / ``@.X`` start from the current list item."""
    if path == ITEM:
        return item
    node: Any = params
    if path.startswith(ITEM + "."):
        node, path = item, path[2:]
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def present(value: Any) -> bool:
    """Whether a member counts as supplied (SDKs omit unset members; False means not asked)."""
    return value is not None and value is not False and value != "" and value != [] and value != {}


def tag_pairs(value: Any) -> list[tuple[str, str]]:
    """Tags in any wire form the four APIs use, as (key, value) pairs.

    IAM/STS/S3-TagSet: ``[{"Key": k, "Value": v}]``; S3 ``Tagging`` body: ``{"TagSet": [...]}``;
    SQS: ``{k: v}``; S3 ``x-amz-tagging`` header: ``"k1=v1&k2=v2"`` (URL-encoded).
    """
    if value is None:
        return []
    if isinstance(value, str):
        return parse_qsl(value, keep_blank_values=True)
    if isinstance(value, dict):
        if "TagSet" in value:
            return tag_pairs(value["TagSet"])
        return [(str(k), str(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [(str(t.get("Key", "")), str(t.get("Value", ""))) for t in value]
    return []
