"""SQS throughput and memory: Nimbus beside moto's server, in one run.

Starts moto's server (127.0.0.1:4571) and a Nimbus cloud of its own (`nimbus up
--no-infra`, gateway on 4570, services from port 23300, two sqs replicas; needs the
infrastructure: make infra-up), then measures on both, taking turns: SendMessage,
SendMessageBatch of 10, and ReceiveMessage (up to 10) followed by DeleteMessageBatch of
what came back, each by 1 and by 8 concurrent clients (one thread and one boto3 client
each, as bench/s3_bench.py drives S3). Prints messages/s end to end and the Nimbus/moto
ratio per run, and the peak RSS of the gateway, the sqs replicas and moto during the
8-client runs; writes the same tables as the "moto" section of docs/benchmarks-sqs.md.

`uv run python bench/sqs_bench.py` (about 2-3 minutes on 2 cores); --targets moto runs
only moto's half.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench.*` importable
    sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from redis import Redis  # noqa: E402

from bench.s3.memory import PeakRss  # noqa: E402
from bench.s3.report import machine  # noqa: E402
from bench.s3.targets import HOST, Moto, Nimbus  # noqa: E402
from bench.sqs_store_bench import DOC, write_section  # noqa: E402

GATEWAY_PORT, BASE_PORT, MOTO_PORT = 4570, 23300, 4571
REDIS_URL = "redis://127.0.0.1:6379/0"  # the shared infrastructure's, as nimbus up uses it
BODY = "x" * 256  # a typical small message; the same for both
SECTION = "moto"
MIB = 1024 * 1024


class Target(Protocol):
    name: str
    endpoint: str

    def processes(self) -> dict[str, int]: ...

    def stop(self) -> None: ...


class NimbusSqs(Nimbus):
    """bench/s3's Nimbus target with sqs replicas instead of s3 ones (same ports scheme)."""

    def __init__(self, gateway_port: int, base_port: int, sqs_replicas: int) -> None:
        # Nimbus.__init__ asks for s3 replicas; this is the same start with sqs ones.
        self.run_dir = Path(tempfile.mkdtemp(prefix="nimbus-sqs-bench-"))
        self.prefix = f"bsqs{uuid.uuid4().hex[:6]}_"
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
            f"sqs={sqs_replicas}",
            "--zones",
            "a,b",
        )

    def processes(self) -> dict[str, int]:
        """The gateway and every sqs replica, by name (sqs-0, sqs-1, ...)."""
        rows = json.loads(self._nimbus("status", "--json"))["processes"]
        return {
            ("gateway" if r["service"] == "gateway" else f"sqs-{r['replica']}"): r["pid"]
            for r in rows
            if r["service"] in ("gateway", "sqs") and r["pid"]
        }

    def stop(self) -> None:
        """Stop the cloud, drop its databases and its messages in the shared Redis."""
        try:
            super().stop()
        finally:
            redis = Redis.from_url(REDIS_URL)
            try:
                keys = list(redis.scan_iter(match=f"{self.prefix}sqs:*", count=1000))
                for start in range(0, len(keys), 500):
                    redis.delete(*keys[start : start + 500])
            finally:
                redis.close()
                shutil.rmtree(self.run_dir, ignore_errors=True)  # plan, logs: the run's own


def client(endpoint: str) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            retries={"max_attempts": 1},
            max_pool_connections=2,
            connect_timeout=10,
            read_timeout=60,
        ),
    )


@dataclass
class Result:
    calls: int
    messages: int
    seconds: float
    errors: int
    first_error: str = ""
    drained: bool = False  # receive runs: the queue ran dry before the time was up

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


@dataclass
class Row:
    workload: str
    clients: int
    results: dict[str, Result] = field(default_factory=dict)  # by target name
    memory: dict[str, tuple[int, int]] = field(default_factory=dict)  # (baseline, peak)
    depth: dict[str, str] = field(default_factory=dict)  # messages queued when a run began


# One call: (sqs client, queue url, client index, sequence) -> messages handled; 0 = none left.
Operation = Callable[[Any, str, int, int], int]


def send_one(sqs: Any, queue_url: str, index: int, sequence: int) -> int:
    sqs.send_message(QueueUrl=queue_url, MessageBody=BODY)
    return 1


def send_batch(sqs: Any, queue_url: str, index: int, sequence: int) -> int:
    entries = [{"Id": str(n), "MessageBody": BODY} for n in range(10)]
    reply = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
    if reply.get("Failed"):
        raise RuntimeError(f"SendMessageBatch failed entries: {reply['Failed'][:2]}")
    return len(reply["Successful"])


def receive_delete(sqs: Any, queue_url: str, index: int, sequence: int) -> int:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    if not messages:
        return 0
    entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
    reply = sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
    if reply.get("Failed"):
        raise RuntimeError(f"DeleteMessageBatch failed entries: {reply['Failed'][:2]}")
    return len(messages)


WORKLOADS: list[tuple[str, Operation]] = [
    ("SendMessage", send_one),
    ("SendMessageBatch of 10", send_batch),
    ("ReceiveMessage 10 + DeleteMessageBatch", receive_delete),
]


def run(
    endpoint: str, queue_url: str, operation: Operation, clients: int, seconds: float
) -> Result:
    """`clients` threads, each with its own boto3 client, repeat `operation` for `seconds`."""
    sqs = [client(endpoint) for _ in range(clients)]
    lock = threading.Lock()
    totals = {"calls": 0, "messages": 0, "errors": 0}
    errors: list[str] = []
    drained = threading.Event()
    start = threading.Event()
    began = 0.0

    def work(index: int) -> None:
        start.wait()
        sequence = 0
        while time.perf_counter() - began < seconds:
            try:
                handled = operation(sqs[index], queue_url, index, sequence)
            except Exception as failure:  # counted and shown: a benchmark must not hide them
                with lock:
                    totals["errors"] += 1
                    errors.append(f"{type(failure).__name__}: {failure}")
                    if totals["errors"] > 20:
                        return
                continue
            finally:
                sequence += 1
            if handled == 0:
                drained.set()
                return
            with lock:
                totals["calls"] += 1
                totals["messages"] += handled

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(work, index) for index in range(clients)]
        began = time.perf_counter()
        start.set()
        for future in futures:
            future.result()
        elapsed = time.perf_counter() - began
    return Result(
        totals["calls"],
        totals["messages"],
        elapsed,
        totals["errors"],
        errors[0] if errors else "",
        drained.is_set(),
    )


def benchmark(targets: list[Target], seconds: float) -> list[Row]:
    """Per client count a fresh queue on each target: both sends fill it, receive drains it."""
    rows: list[Row] = []
    turn = 0
    for clients in (1, 8):
        queues = {
            t.name: client(t.endpoint).create_queue(QueueName=f"bench-sqs-{clients}")["QueueUrl"]
            for t in targets
        }
        for workload, operation in WORKLOADS:
            row = Row(workload, clients)
            order = targets if turn % 2 == 0 else list(reversed(targets))
            for target in order:
                row.depth[target.name] = depth(target.endpoint, queues[target.name])
                pids = target.processes() if clients > 1 else {}
                with PeakRss(pids) as peaks:
                    result = run(target.endpoint, queues[target.name], operation, clients, seconds)
                row.results[target.name] = result
                for name in pids:
                    row.memory[name] = (peaks.baseline[name], peaks.peak[name])
                notes = (
                    f", {result.errors} errors (first: {result.first_error})"
                    if result.errors
                    else ""
                )
                notes += ", queue ran dry" if result.drained else ""
                print(
                    f"  {target.name:7} {workload:38} x{clients}: {result.per_second:8.1f} msg/s "
                    f"({result.messages} messages, {result.calls} calls){notes}",
                    flush=True,
                )
            rows.append(row)
            turn += 1
    return rows


def depth(endpoint: str, queue_url: str) -> str:
    """ApproximateNumberOfMessages: moto's sends and receives slow down as it grows."""
    try:
        reply = client(endpoint).get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return f"{int(reply['Attributes']['ApproximateNumberOfMessages']):,}"
    except Exception as failure:  # shown, not fatal: the depth only explains a rate
        return f"? ({type(failure).__name__})"


PROBE_DEPTHS = (0, 500)


def depth_probe(target: Target) -> dict[int, tuple[float, float]]:
    """Median ms of a SendMessageBatch and of a ReceiveMessage (messages left in place, made
    visible again at once) into a queue holding each of PROBE_DEPTHS messages."""
    sqs = client(target.endpoint)
    url = sqs.create_queue(QueueName="bench-sqs-depth-probe")["QueueUrl"]
    entries = [{"Id": str(n), "MessageBody": BODY} for n in range(10)]
    probes: dict[int, tuple[float, float]] = {}
    held = 0
    for wanted in PROBE_DEPTHS:
        while held < wanted:
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
            held += 10
        sends, receives = [], []
        for _ in range(5):
            started = time.perf_counter()
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
            sends.append(time.perf_counter() - started)
            started = time.perf_counter()
            sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
            receives.append(time.perf_counter() - started)
        held += 50
        probes[wanted] = (sorted(sends)[2] * 1000, sorted(receives)[2] * 1000)
    return probes


def depth_table(probes: dict[str, dict[int, tuple[float, float]]]) -> str:
    names = [n for n in ("moto", "nimbus") if n in probes]
    lines = [
        "| queue depth | "
        + " | ".join(f"{n} SendMessageBatch ms | {n} ReceiveMessage ms" for n in names)
        + " |",
        "| ---: |" + " ---: | ---: |" * len(names),
    ]
    for depth_ in PROBE_DEPTHS:
        cells = [f"{probes[n][depth_][0]:,.0f} | {probes[n][depth_][1]:,.0f}" for n in names]
        lines.append(f"| {depth_:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def throughput_table(rows: list[Row]) -> str:
    lines = [
        "| workload | clients | queued at start, moto / Nimbus | moto msg/s | Nimbus msg/s "
        "| Nimbus/moto |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        moto, nimbus = row.results.get("moto"), row.results.get("nimbus")
        ratio = (
            f"{nimbus.per_second / moto.per_second:.2f}x"
            if moto and nimbus and moto.per_second
            else "-"
        )
        queued = f"{row.depth.get('moto', '-')} / {row.depth.get('nimbus', '-')}"
        lines.append(
            f"| {row.workload} | {row.clients} | {queued} | {_cell(moto)} | {_cell(nimbus)} "
            f"| {ratio} |"
        )
    return "\n".join(lines)


def _cell(result: Result | None) -> str:
    if result is None:
        return "-"
    text = f"{result.per_second:,.1f}"
    if result.drained:
        text += "*"
    if result.errors:
        text += f" ({result.errors} err)"
    return text


def memory_table(rows: list[Row]) -> str:
    watched = [row for row in rows if row.memory]
    names = sorted(
        {name for row in watched for name in row.memory},
        key=lambda n: (0 if n == "gateway" else 1 if n.startswith("sqs") else 2, n),
    )
    lines = [
        "| run | clients | " + " | ".join(f"{n} peak (growth) MiB" for n in names) + " |",
        "| --- | ---: |" + " ---: |" * len(names),
    ]
    for row in watched:
        cells = []
        for name in names:
            if name in row.memory:
                base, peak = row.memory[name]
                cells.append(f"{peak / MIB:,.0f} (+{(peak - base) / MIB:,.0f})")
            else:
                cells.append("-")
        lines.append(f"| {row.workload} | {row.clients} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section(
    rows: list[Row], probes: dict[str, dict[int, tuple[float, float]]], notes: list[str]
) -> str:
    return "\n".join(
        [
            "## Nimbus beside moto",
            "",
            "Produced by `bench/sqs_bench.py` (`make bench` runs it; about 2-3 minutes). One run",
            "starts moto's server (`python -m moto.server`, in-memory, one process) and a Nimbus",
            "cloud (`nimbus up --no-infra`: gateway, two sqs replicas, queues in PostgreSQL,",
            "messages in Redis) and drives both with the same boto3 clients (JSON protocol), one",
            "thread and one client per concurrent user, taking turns workload by workload so",
            "machine drift hits both alike. Rates are messages per second end to end: a",
            "SendMessageBatch call counts 10, a receive counts what it got and then deleted.",
            "Quote the ratios, not the absolute rates: clients and servers share this machine.",
            "",
            f"Machine: {machine()}.",
            "",
            "### Throughput",
            "",
            throughput_table(rows),
            "",
            "Each client count gets a fresh queue on each target: the two send runs fill it and",
            "the receive run drains it (* marks a run whose queue ran dry before the time was up).",
            "moto slows down as its queue deepens: its ReceiveMessage walks every message of the",
            "queue on each call (`receive_message` in moto/sqs/models.py), and its sends slow",
            "down too. The depth column shows how many messages each queue held when the run",
            "began (Nimbus's were the deeper ones: its sends were faster). One client's",
            "SendMessageBatch and ReceiveMessage latency, median of 5, by queue depth:",
            "",
            depth_table(probes),
            "",
            "### Peak resident memory during the 8-client runs",
            "",
            "Peak RSS of each process while the run lasted (sampled from /proc every 20 ms, plus",
            "the kernel's high-water mark reset at the start); growth over its RSS at the start.",
            "",
            memory_table(rows),
            "",
            *(["### Notes", "", *[f"- {note}" for note in notes], ""] if notes else []),
        ]
    )


def main(options: argparse.Namespace) -> int:
    started = time.perf_counter()
    targets: list[Target] = []
    try:
        if "moto" in options.targets:
            targets.append(Moto(MOTO_PORT))
        if "nimbus" in options.targets:
            targets.append(NimbusSqs(GATEWAY_PORT, BASE_PORT, options.sqs_replicas))
        print(f"servers up after {time.perf_counter() - started:.1f}s", flush=True)
        rows = benchmark(targets, options.seconds)
        probes = {target.name: depth_probe(target) for target in targets}
    finally:
        for target in targets:
            target.stop()
    print()
    print(throughput_table(rows))
    print()
    print(depth_table(probes))
    print()
    print("peak RSS during the 8-client runs, MiB (growth over the run's start):")
    print(memory_table(rows))
    failed = [row for row in rows for r in row.results.values() if r.errors]
    notes = [
        f"Durations: {options.seconds:g} s per run; {options.sqs_replicas} sqs replica(s); "
        f"{len(BODY)}-byte bodies.",
        f"Whole benchmark: {time.perf_counter() - started:.0f} s.",
        "moto keeps every queue and message in its own process; Nimbus keeps queues in "
        "PostgreSQL and messages in Redis (AOF), so a send is acknowledged only once Redis "
        "has it (see the storage section below).",
    ]
    if failed:
        notes.append(f"{len(failed)} run(s) had errors; see the msg/s column.")
    if options.write_doc and {"moto", "nimbus"} <= set(options.targets):
        write_section(SECTION, section(rows, probes, notes))
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    print(f"took {time.perf_counter() - started:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", default="moto,nimbus", type=lambda v: v.split(","))
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--sqs-replicas", type=int, default=2)
    parser.add_argument("--no-doc", dest="write_doc", action="store_false")
    sys.exit(main(parser.parse_args()))
