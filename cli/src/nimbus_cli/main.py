"""`nimbus up | status | down | logs`: the local cloud, one OS process per replica."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from nimbus_cli import accounts
from nimbus_cli import status as status_file
from nimbus_cli.paths import default_run_dir, repo_root
from nimbus_cli.topology import build_plan

UP_TIMEOUT = 120.0


def _supervisor_pid(run_dir: Path) -> int | None:
    """The pid of a live supervisor for run_dir, if there is one."""
    try:
        pid = int((run_dir / "supervisor.pid").read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid


def _parse_replicas(values: list[str]) -> dict[str, int]:
    replicas: dict[str, int] = {}
    for value in values:
        service, _, count = value.partition("=")
        if not count.isdigit():
            raise SystemExit(f"--replicas takes SERVICE=N, not {value!r}")
        replicas[service] = int(count)
    return replicas


def _print_how_to_use(endpoint: str) -> None:
    print(f"\nNimbus is up. Endpoint: {endpoint}")
    print("Point the AWS CLI at it:")
    print("  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1")
    print(f"  aws --endpoint-url {endpoint} sts get-caller-identity")


def cmd_up(options: argparse.Namespace) -> int:
    run_dir: Path = options.run_dir
    if _supervisor_pid(run_dir):
        print("Nimbus is already running (nimbus down to stop it).")
        return cmd_status(options)
    if not options.no_infra:
        subprocess.run(["bash", str(repo_root() / "deploy/local/infra.sh"), "up"], check=True)
    shared_env = {"NIMBUS_DB_PREFIX": options.db_prefix} if options.db_prefix else {}
    if options.allow_reset:
        shared_env["NIMBUS_ALLOW_RESET"] = "true"
    if options.auth_mode:
        shared_env["NIMBUS_AUTH_MODE"] = options.auth_mode
    plan = build_plan(
        replicas=_parse_replicas(options.replicas),
        zones=options.zones.split(","),
        region=options.region,
        gateway_port=options.gateway_port,
        base_port=options.base_port,
        shared_env=shared_env,
    )
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    (run_dir / "status.json").unlink(missing_ok=True)
    plan.save(run_dir / "plan.json")
    with (run_dir / "logs" / "supervisor.log").open("ab") as log_file:
        subprocess.Popen(
            [sys.executable, "-m", "nimbus_cli.supervisor", str(run_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            start_new_session=True,
        )
    print(f"starting {len(plan.processes)} processes", end="", flush=True)
    deadline = time.monotonic() + UP_TIMEOUT
    while time.monotonic() < deadline:
        current = status_file.read(run_dir / "status.json")
        if current and current.all_healthy:
            print()
            print(status_file.render(current))
            _print_how_to_use(plan.endpoint)
            return 0
        print(".", end="", flush=True)
        time.sleep(0.5)
    print(f"\nnot healthy after {UP_TIMEOUT:.0f}s; see {run_dir / 'logs'}", file=sys.stderr)
    current = status_file.read(run_dir / "status.json")
    if current:
        print(status_file.render(current), file=sys.stderr)
    return 1


def cmd_status(options: argparse.Namespace) -> int:
    current = status_file.read(options.run_dir / "status.json")
    if not _supervisor_pid(options.run_dir) or current is None:
        print("Nimbus is not running.")
        return 3
    if options.json:
        print((options.run_dir / "status.json").read_text())
    else:
        print(status_file.render(current))
        print(f"\nendpoint: {current.endpoint}")
    return 0 if current.all_healthy else 1


def cmd_down(options: argparse.Namespace) -> int:
    pid = _supervisor_pid(options.run_dir)
    if pid is None:
        print("Nimbus is not running.")
    else:
        os.kill(pid, signal.SIGTERM)
        print("stopping", end="", flush=True)
        while _supervisor_pid(options.run_dir):
            print(".", end="", flush=True)
            time.sleep(0.3)
        print(" stopped.")
    if options.infra:
        subprocess.run(["bash", str(repo_root() / "deploy/local/infra.sh"), "down"], check=True)
    return 0


def cmd_logs(options: argparse.Namespace) -> int:
    logs = sorted((options.run_dir / "logs").glob(f"{options.service}-*.log"))
    if not logs:
        print(f"no logs for {options.service!r} in {options.run_dir / 'logs'}", file=sys.stderr)
        return 1
    command = ["tail", "-n", str(options.lines)] + (["-F"] if options.follow else [])
    return subprocess.call([*command, *map(str, logs)])


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="nimbus", description=__doc__)
    top.add_argument(
        "--run-dir",
        type=Path,
        default=None,
        help="plan, status and logs of the cloud (default: .state/cloud)",
    )
    commands = top.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start infrastructure, services and gateway")
    up.add_argument("--replicas", action="append", default=[], metavar="SERVICE=N")
    up.add_argument("--zones", default="a,b,c", help="zones to spread replicas over")
    up.add_argument("--region", default="us-east-1")
    up.add_argument("--gateway-port", type=int, default=4566)
    up.add_argument("--base-port", type=int, default=50100, help="first service gRPC port")
    up.add_argument("--db-prefix", default="", help="prefix of every service database name")
    up.add_argument(
        "--allow-reset",
        action="store_true",
        help="let POST /_nimbus/reset wipe every service (test runs)",
    )
    up.add_argument(
        "--auth-mode",
        choices=["enforce", "open"],
        default=None,
        help="enforce: SigV4 verified (default); open: any well-formed request",
    )
    up.add_argument(
        "--no-infra",
        action="store_true",
        help="assume PostgreSQL, Redis and Kafka are already running",
    )
    up.set_defaults(handler=cmd_up)

    status = commands.add_parser("status", help="one row per process")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)

    down = commands.add_parser("down", help="stop the cloud")
    down.add_argument("--infra", action="store_true", help="stop PostgreSQL, Redis and Kafka too")
    down.set_defaults(handler=cmd_down)

    logs = commands.add_parser("logs", help="show a service's logs (every replica)")
    logs.add_argument("service")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("-n", "--lines", type=int, default=100)
    logs.set_defaults(handler=cmd_logs)

    accounts.add_parser(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    options.run_dir = (options.run_dir or default_run_dir()).resolve()
    result: int = options.handler(options)
    return result


if __name__ == "__main__":
    sys.exit(main())
