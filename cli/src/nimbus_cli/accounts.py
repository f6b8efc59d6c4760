"""`nimbus accounts create NAME | list`: accounts of the running cloud, through iam's RPCs.

The iam replicas' addresses come from the cloud's plan, so this works against whatever
`nimbus up` started with the same --run-dir.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC
from pathlib import Path
from typing import Any

import grpc
from nimbus.iam.v1 import iam_pb2, iam_pb2_grpc
from nimbus_core.errors import error_from_aio_rpc
from nimbus_core.grpc_client import call_with_retry, make_channel

from nimbus_cli.topology import Plan

_TIMEOUT = 15.0


def iam_addresses(run_dir: Path) -> list[str]:
    """host:port of every iam replica in the cloud's plan."""
    try:
        plan = Plan.load(run_dir / "plan.json")
    except FileNotFoundError:
        message = f"Nimbus is not running (no plan in {run_dir}); start it with `nimbus up`"
        raise SystemExit(message) from None
    addresses = [f"{plan.host}:{p.port}" for p in plan.processes if p.service == "iam"]
    if not addresses:
        raise SystemExit(f"the plan in {run_dir} has no iam replica")
    return addresses


async def create_account(addresses: list[str], name: str) -> iam_pb2.CreateAccountResponse:
    """One CreateAccount call: never retried, since a retry could make a second account."""
    async with make_channel(addresses, default_timeout=_TIMEOUT) as channel:
        stub = iam_pb2_grpc.IamInternalStub(channel)
        reply: iam_pb2.CreateAccountResponse = await stub.CreateAccount(
            iam_pb2.CreateAccountRequest(name=name)
        )
        return reply


async def list_accounts(addresses: list[str]) -> list[iam_pb2.Account]:
    async with make_channel(addresses, default_timeout=_TIMEOUT) as channel:
        stub = iam_pb2_grpc.IamInternalStub(channel)
        reply: iam_pb2.ListAccountsResponse = await call_with_retry(
            lambda: stub.ListAccounts(iam_pb2.ListAccountsRequest()), idempotent=True
        )
        return list(reply.accounts)


def _fail(error: grpc.aio.AioRpcError) -> int:
    aws = error_from_aio_rpc(error)
    print(f"{aws.code}: {aws.message}", file=sys.stderr)
    if error.code() == grpc.StatusCode.UNAVAILABLE:
        print("Is the cloud up? See `nimbus status`.", file=sys.stderr)
    return 1


def cmd_create(options: argparse.Namespace) -> int:
    try:
        created = asyncio.run(create_account(iam_addresses(options.run_dir), options.name))
    except grpc.aio.AioRpcError as error:
        return _fail(error)
    fields = {
        "AccountId": created.account_id,
        "Name": created.name,
        "AccessKeyId": created.access_key_id,
        "SecretAccessKey": created.secret_access_key,
    }
    if options.json:
        print(json.dumps(fields, indent=2))
        return 0
    print(f"Created account {created.account_id} ({created.name}). Its root access key:")
    print(f"  export AWS_ACCESS_KEY_ID={created.access_key_id}")
    print(f"  export AWS_SECRET_ACCESS_KEY={created.secret_access_key}")
    return 0


def _row(account: iam_pb2.Account) -> dict[str, Any]:
    created = account.created.ToDatetime(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"AccountId": account.account_id, "Name": account.name, "Created": created}


def cmd_list(options: argparse.Namespace) -> int:
    try:
        accounts = asyncio.run(list_accounts(iam_addresses(options.run_dir)))
    except grpc.aio.AioRpcError as error:
        return _fail(error)
    rows = [_row(a) for a in accounts]
    if options.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = [("ACCOUNT ID", "NAME", "CREATED")] + [
        (r["AccountId"], r["Name"], r["Created"]) for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `accounts create` and `accounts list` to the nimbus command's subcommands."""
    accounts = commands.add_parser("accounts", help="create and list accounts of the running cloud")
    actions = accounts.add_subparsers(dest="accounts_command", required=True)

    create = actions.add_parser("create", help="a new account and its root access key")
    create.add_argument("name", help="1 to 50 printable ASCII characters")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_create)

    listing = actions.add_parser("list", help="every account")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)
