"""Batch entries fail alone: AwsErrors become Failed[] items, order is kept, anything
else fails the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from nimbus_core.errors import AwsError
from nimbus_sqs.batch import BatchResult, failure, prepare, run_each
from nimbus_sqs.errors import receipt_handle_invalid


def test_failure_item_shape() -> None:
    assert failure("e1", receipt_handle_invalid("xyz")) == {
        "Id": "e1",
        "SenderFault": True,
        "Code": "ReceiptHandleIsInvalid",
        "Message": 'The input receipt handle "xyz" is not a valid receipt handle.',
    }
    server = AwsError("InternalError", "boom", 500)
    assert failure("e2", server)["SenderFault"] is False


def test_prepare_fails_bad_entries_alone() -> None:
    entries = [{"Id": "a", "n": 1}, {"Id": "b", "n": -1}, {"Id": "c", "n": 3}]
    result = BatchResult()

    def build(position: int, entry: Mapping[str, Any]) -> int:
        if entry["n"] < 0:
            raise AwsError("InvalidParameterValue", f"entry {position} is negative", 400)
        return int(entry["n"]) * 10

    ready = prepare(entries, build, result)
    assert ready == [(0, 10), (2, 30)]
    for index, value in ready:
        result.succeed(index, {"Id": entries[index]["Id"], "Value": value})
    assert result.output() == {
        "Successful": [{"Id": "a", "Value": 10}, {"Id": "c", "Value": 30}],
        "Failed": [
            {
                "Id": "b",
                "SenderFault": True,
                "Code": "InvalidParameterValue",
                "Message": "entry 2 is negative",
            }
        ],
    }


def test_empty_lists_are_left_out() -> None:
    # AWS's JSON replies omit an empty Successful or Failed (aws/aws-sdk#657).
    assert BatchResult().output() == {}
    only_ok = BatchResult()
    only_ok.succeed(0, {"Id": "a"})
    assert only_ok.output() == {"Successful": [{"Id": "a"}]}


async def test_run_each_keeps_request_order_and_isolates_failures() -> None:
    entries = [{"Id": str(i), "delay": (5 - i) / 1000} for i in range(5)]
    seen: list[int] = []

    async def action(position: int, entry: Mapping[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(entry["delay"])  # finish in reverse order
        seen.append(position)
        if position % 2 == 0:
            raise AwsError("ReceiptHandleIsInvalid", f"bad {entry['Id']}", 404)
        return {"Id": entry["Id"]}

    output = await run_each(entries, action)
    assert sorted(seen) == [1, 2, 3, 4, 5]
    assert output["Successful"] == [{"Id": "0"}, {"Id": "2"}, {"Id": "4"}]
    assert [item["Id"] for item in output["Failed"]] == ["1", "3"]
    assert all(item["Code"] == "ReceiptHandleIsInvalid" for item in output["Failed"])


async def test_run_each_lets_internal_errors_fail_the_request() -> None:
    async def action(position: int, entry: Mapping[str, Any]) -> dict[str, Any]:
        raise ConnectionError("redis went away")

    with pytest.raises(ConnectionError):
        await run_each([{"Id": "a"}], action)
