"""The two servers under test: moto's S3 server and a Nimbus cloud, each on its own ports.

A target knows its endpoint and which processes' memory to watch; both are started before
the first measurement and stopped (and the cloud's databases dropped) at the end.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import asyncpg
from nimbus_core.settings import dsn_for

HOST = "127.0.0.1"
SERVER = "postgresql://nimbus:nimbus@127.0.0.1:5432"


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answered: it is up
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Moto:
    name = "moto"

    def __init__(self, port: int) -> None:
        self.endpoint = f"http://{HOST}:{port}"
        self._log = Path(tempfile.mkdtemp(prefix="moto-")) / "moto.log"
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_http(f"{self.endpoint}/moto-api/", 60)

    def processes(self) -> dict[str, int]:
        return {"moto": self._process.pid}

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.unlink(missing_ok=True)
        self._log.parent.rmdir()


class Nimbus:
    """`nimbus up --no-infra` with its own run directory, ports and database prefix."""

    name = "nimbus"

    def __init__(self, gateway_port: int, base_port: int, s3_replicas: int) -> None:
        self.run_dir = Path(tempfile.mkdtemp(prefix="nimbus-s3-bench-"))
        self.prefix = f"bs3{uuid.uuid4().hex[:6]}_"
        self.endpoint = f"http://{HOST}:{gateway_port}"
        self._nimbus(
            "up",
            "--no-infra",
            "--gateway-port",
            str(gateway_port),
            "--base-port",
            str(base_port),
            "--db-prefix",
            self.prefix,
            "--replicas",
            f"s3={s3_replicas}",
            "--zones",
            "a,b",
        )

    def _nimbus(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "nimbus_cli.main", "--run-dir", str(self.run_dir), *args],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            raise RuntimeError(f"nimbus {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def processes(self) -> dict[str, int]:
        """The gateway and every s3 replica, by name (s3-0, s3-1, ...)."""
        rows = json.loads(self._nimbus("status", "--json"))["processes"]
        return {
            ("gateway" if r["service"] == "gateway" else f"s3-{r['replica']}"): r["pid"]
            for r in rows
            if r["service"] in ("gateway", "s3") and r["pid"]
        }

    def stop(self) -> None:
        try:
            self._nimbus("down")
        finally:
            asyncio.run(_drop_databases(self.prefix))


async def _drop_databases(prefix: str) -> None:
    admin = await asyncpg.connect(dsn_for(SERVER, "postgres"))
    try:
        for row in await admin.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix + "%"
        ):
            await admin.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
    finally:
        await admin.close()
