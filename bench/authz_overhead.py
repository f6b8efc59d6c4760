"""Authorization overhead: the same IAM call through an enforcing and an open gateway.

Starts a small cloud of its own (needs the infrastructure: make infra-up), adds a second
gateway in open mode in front of the same services, and times iam:GetUser by a user whose
inline policy allows it, alternating between the two gateways so both see the same machine
load. Prints the per-call latency of each and the ratio enforce/open.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import boto3
from botocore.config import Config
from nimbus_core.settings import dsn_for

GATEWAY, OPEN_GATEWAY, BASE_PORT = 4580, 4581, 22100
SERVER = "postgresql://nimbus:nimbus@127.0.0.1:5432"


def nimbus(run_dir: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "nimbus_cli.main", "--run-dir", str(run_dir), *args],
        check=True,
        capture_output=True,
        timeout=180,
    )


def client(port: int, key: str, secret: str) -> Any:
    return boto3.client(
        "iam",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def timed_calls(iam: Any, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        iam.get_user()
        samples.append(time.perf_counter() - started)
    return samples


def drop_databases(prefix: str) -> None:
    import asyncio

    async def drop() -> None:
        admin = await asyncpg.connect(dsn_for(SERVER, "postgres"))
        for row in await admin.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix + "%"
        ):
            await admin.execute(f'DROP DATABASE "{row["datname"]}" WITH (FORCE)')
        await admin.close()

    asyncio.run(drop())


def main(rounds: int, calls: int) -> None:
    prefix = f"bench{uuid.uuid4().hex[:6]}_"
    run_dir = Path(tempfile.mkdtemp(prefix="nimbus-bench-"))
    nimbus(
        run_dir,
        "up",
        "--no-infra",
        "--gateway-port",
        str(GATEWAY),
        "--base-port",
        str(BASE_PORT),
        "--db-prefix",
        prefix,
    )
    plan = json.loads((run_dir / "plan.json").read_text())
    env = next(p for p in plan["processes"] if p["service"] == "gateway")["env"]
    open_gateway = subprocess.Popen(
        [sys.executable, "-m", "nimbus_gateway"],
        env={
            **os.environ,
            **env,
            "NIMBUS_HTTP_PORT": str(OPEN_GATEWAY),
            "NIMBUS_AUTH_MODE": "open",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{OPEN_GATEWAY}/_nimbus/live").close()
                break
            except OSError:
                time.sleep(0.1)
        root = client(GATEWAY, "test", "test")
        name = "bench-user"
        root.create_user(UserName=name)
        root.put_user_policy(
            UserName=name,
            PolicyName="read",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}],
                }
            ),
        )
        key = root.create_access_key(UserName=name)["AccessKey"]
        enforce = client(GATEWAY, key["AccessKeyId"], key["SecretAccessKey"])
        opened = client(OPEN_GATEWAY, key["AccessKeyId"], key["SecretAccessKey"])
        timed_calls(enforce, 50), timed_calls(opened, 50)  # warm caches and connections
        samples: dict[str, list[float]] = {"enforce": [], "open": []}
        for _ in range(rounds):
            samples["enforce"] += timed_calls(enforce, calls)
            samples["open"] += timed_calls(opened, calls)
    finally:
        open_gateway.terminate()
        open_gateway.wait(timeout=15)
        nimbus(run_dir, "down")
        drop_databases(prefix)
    medians = {mode: statistics.median(values) * 1000 for mode, values in samples.items()}
    print(f"iam GetUser by a user, {rounds} rounds x {calls} calls per mode, interleaved")
    for mode, median in medians.items():
        p90 = statistics.quantiles(samples[mode], n=10)[-1] * 1000
        print(f"  {mode:8} median {median:6.2f} ms   p90 {p90:6.2f} ms")
    print(f"  enforce/open median ratio: {medians['enforce'] / medians['open']:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=100)
    options = parser.parse_args()
    main(options.rounds, options.calls)
