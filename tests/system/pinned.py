"""Gateways pinned to one replica of a service, beside a test cloud's own gateway.

A pinned gateway runs with the cloud's gateway environment except that NIMBUS_TARGETS names
one replica of the service alone, so a test knows which replica serves each request (reads
across replicas, long polls woken from another replica).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence

from tests.system.conftest import Cloud


def spare_ports(base_port: int) -> list[int]:
    """Free ports at the top of a test cloud's port block (route53, the last service, starts
    at base + 80). One may be some client's ephemeral port for a while, so a gateway that
    cannot bind moves on to the next."""
    return list(range(base_port + 99, base_port + 84, -1))


def wait_live(endpoint: str, process: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    """Whether the gateway came up (False if it exited first, e.g. its port was taken)."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        try:
            urllib.request.urlopen(f"{endpoint}/_nimbus/live", timeout=1).close()
            return True
        except OSError:
            assert time.monotonic() < deadline, f"{endpoint} never came up"
            time.sleep(0.1)
    return False


def start_pinned(
    cloud: Cloud, service: str, replica: int, ports: list[int]
) -> tuple[subprocess.Popen[bytes], str]:
    """A gateway like the cloud's, but whose target for service is that one replica."""
    plan = json.loads((cloud.run_dir / "plan.json").read_text())
    gateway_env = next(p for p in plan["processes"] if p["service"] == "gateway")["env"]
    address = next(
        f"127.0.0.1:{p['port']}"
        for p in plan["processes"]
        if p["service"] == service and p["replica"] == replica
    )
    targets = {**json.loads(gateway_env["NIMBUS_TARGETS"]), service: [address]}
    log_path = cloud.run_dir / "logs" / f"gateway-pinned-{service}-{replica}.log"
    while ports:
        port = ports.pop(0)
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "nimbus_gateway"],
                env={
                    **os.environ,
                    **gateway_env,
                    "NIMBUS_HTTP_PORT": str(port),
                    "NIMBUS_TARGETS": json.dumps(targets),
                },
                stdout=log,
                stderr=log,
            )
        endpoint = f"http://127.0.0.1:{port}"
        if wait_live(endpoint, process):
            return process, endpoint
    raise AssertionError("no spare port for a pinned gateway")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def pinned_gateways(
    cloud: Cloud, service: str, replicas: Sequence[int], ports: list[int]
) -> Iterator[dict[int, str]]:
    """replica -> the endpoint of a gateway pinned to it; all stopped on exit."""
    gateways: list[subprocess.Popen[bytes]] = []
    endpoints: dict[int, str] = {}
    try:
        for replica in replicas:
            process, endpoint = start_pinned(cloud, service, replica, ports)
            gateways.append(process)
            endpoints[replica] = endpoint
        yield endpoints
    finally:
        for gateway in gateways:
            stop(gateway)
