"""The local supervisor: keeps every planned process running, like a ReplicaSet.

A process that exits is started again after a backoff that doubles with each quick crash
(reset once it has stayed up a while). Health is probed every second and written with
pids and restart counts to status.json. SIGTERM stops the children, gracefully first.
Run detached by `nimbus up`: `python -m nimbus_cli.supervisor RUN_DIR`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nimbus_core.logs import configure_logging
from nimbus_core.signals import install_stop_signals

from nimbus_cli import status as status_file
from nimbus_cli.topology import Plan, ProcessSpec

log = logging.getLogger("nimbus.supervisor")

INITIAL_BACKOFF = 0.1
MAX_BACKOFF = 10.0
STABLE_AFTER = 30.0
STOP_GRACE = 15.0


@dataclass
class Replica:
    spec: ProcessSpec
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0
    health: str = "STARTING"
    channel: grpc.aio.Channel | None = None


class Supervisor:
    def __init__(self, plan: Plan, run_dir: Path) -> None:
        self.plan = plan
        self.run_dir = run_dir
        self.replicas = [Replica(spec) for spec in plan.processes]
        self.stopping = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None

    async def run(self) -> None:
        install_stop_signals(self.stopping)
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1.0))
        keepers = [asyncio.create_task(self._keep_running(r)) for r in self.replicas]
        prober = asyncio.create_task(self._probe_forever())
        await self.stopping.wait()
        log.info("stopping all processes")
        prober.cancel()
        await self._stop_children()
        await asyncio.gather(*keepers, return_exceptions=True)
        await self._http.close()
        (self.run_dir / "status.json").unlink(missing_ok=True)

    async def _keep_running(self, replica: Replica) -> None:
        backoff = INITIAL_BACKOFF
        log_path = self.run_dir / "logs" / f"{replica.spec.name}.log"
        while not self.stopping.is_set():
            stable = await self._run_once(replica, log_path, backoff)
            backoff = INITIAL_BACKOFF if stable else min(backoff * 2, MAX_BACKOFF)

    async def _run_once(self, replica: Replica, log_path: Path, backoff: float) -> bool:
        """Start the process, wait for it to exit, then wait out the backoff.

        Returns whether it had stayed up long enough to count as stable.
        """
        started = time.monotonic()
        try:
            with log_path.open("ab") as log_file:
                replica.process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    replica.spec.module,
                    env={**os.environ, **replica.spec.env},
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=log_file,
                )
            replica.health = "STARTING"
            await self._new_probe_channel(replica)
            code = await replica.process.wait()
        except Exception:  # the keeper of a replica must outlive any one failure
            log.exception("could not run %s", replica.spec.name)
            code = None
        if self.stopping.is_set():
            return False
        replica.restarts += 1
        replica.health = "RESTARTING"
        log.warning(
            "process exited; restarting",
            extra={
                "replica_name": replica.spec.name,
                "exit_code": code,
                "restarts": replica.restarts,
            },
        )
        stable = time.monotonic() - started > STABLE_AFTER
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), INITIAL_BACKOFF if stable else backoff)
        return stable

    async def _stop_children(self) -> None:
        running = [r.process for r in self.replicas if r.process and r.process.returncode is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        waits = [asyncio.create_task(p.wait()) for p in running]
        if waits:
            _, pending = await asyncio.wait(waits, timeout=STOP_GRACE)
            for process in running:
                if process.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _probe_forever(self) -> None:
        while True:
            try:
                await asyncio.gather(*(self._probe(r) for r in self.replicas))
                self._write_status()
            except Exception:  # a failed round must not end probing
                log.exception("health probe round failed")
            await asyncio.sleep(0.5)

    async def _probe(self, replica: Replica) -> None:
        process = replica.process
        if process is None or process.returncode is not None:
            return
        if replica.spec.probe == "http":
            replica.health = await self._probe_http(replica.spec.port)
        else:
            replica.health = await self._probe_grpc(replica)

    async def _probe_http(self, port: int) -> str:
        assert self._http is not None
        try:
            async with self._http.get(f"http://127.0.0.1:{port}/_nimbus/live") as reply:
                return "SERVING" if reply.status == 200 else "NOT_SERVING"
        except (aiohttp.ClientError, TimeoutError):
            return "STARTING"

    async def _new_probe_channel(self, replica: Replica) -> None:
        """A fresh channel per incarnation: an old one would sit in reconnect backoff."""
        if replica.channel is not None:
            await replica.channel.close()
        replica.channel = None
        if replica.spec.probe == "grpc":
            replica.channel = grpc.aio.insecure_channel(
                f"127.0.0.1:{replica.spec.port}",
                options=[
                    ("grpc.initial_reconnect_backoff_ms", 100),
                    ("grpc.min_reconnect_backoff_ms", 100),
                    ("grpc.max_reconnect_backoff_ms", 500),
                ],
            )

    async def _probe_grpc(self, replica: Replica) -> str:
        if replica.channel is None:
            return "STARTING"
        try:
            reply = await health_pb2_grpc.HealthStub(replica.channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=1.0
            )
        except grpc.aio.AioRpcError:
            return "STARTING"
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

    def _write_status(self) -> None:
        status_file.write(
            self.run_dir / "status.json",
            status_file.CloudStatus(
                supervisor_pid=os.getpid(),
                endpoint=self.plan.endpoint,
                processes=[
                    status_file.ProcessStatus(
                        service=r.spec.service,
                        replica=r.spec.replica,
                        zone=r.spec.zone,
                        pid=r.process.pid if r.process and r.process.returncode is None else None,
                        port=r.spec.port,
                        health=r.health,
                        restarts=r.restarts,
                    )
                    for r in self.replicas
                ],
            ),
        )


def main() -> None:
    run_dir = Path(sys.argv[1])
    configure_logging("INFO", component="supervisor")
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    (run_dir / "supervisor.pid").write_text(str(os.getpid()))
    try:
        asyncio.run(Supervisor(Plan.load(run_dir / "plan.json"), run_dir).run())
    finally:
        (run_dir / "supervisor.pid").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
