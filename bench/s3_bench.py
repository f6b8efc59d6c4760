"""S3 throughput and memory: Nimbus beside moto's server, in one run.

Starts moto's S3 server (127.0.0.1:4563) and a Nimbus cloud of its own (`nimbus up
--no-infra`, gateway on 4560, services from port 23100, two s3 replicas; needs the
infrastructure: make infra-up), then measures on both, taking turns:
PutObject and GetObject of 4 KiB and 8 MiB objects, and whole ListObjectsV2 listings of a
bucket holding 10,000 keys, each by 1 and by 8 concurrent clients. Prints ops/s, MiB/s and
the Nimbus/moto ratio per run, and the peak RSS of the gateway, the s3 replicas and moto
during the 8 MiB runs; writes the same tables to docs/benchmarks-s3.md.

`uv run python bench/s3_bench.py` (about 5-10 minutes on 2 cores); --targets moto runs
only moto's half.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench.s3` importable
    sys.path.insert(0, str(ROOT))

from bench.s3 import workloads  # noqa: E402
from bench.s3.memory import PeakRss  # noqa: E402
from bench.s3.report import Row, document, memory_table, throughput_table  # noqa: E402
from bench.s3.targets import Moto, Nimbus  # noqa: E402

GATEWAY_PORT, BASE_PORT, MOTO_PORT = 4560, 23100, 4563
BUCKET = "bench-s3"
KIB, MIB = 1024, 1024 * 1024
SIZES = {"4 KiB": 4 * KIB, "8 MiB": 8 * MIB}
LIST_KEYS = 10_000
GET_KEYS = 8  # distinct objects the GET runs read, per size
DOC = ROOT / "docs" / "benchmarks-s3.md"


class Target(Protocol):
    name: str
    endpoint: str

    def processes(self) -> dict[str, int]: ...

    def stop(self) -> None: ...


def measure(
    targets: list[Target],
    row: Row,
    operation: dict[str, workloads.Operation],
    seconds: float,
    watch_memory: bool,
    turn: int,
) -> None:
    """Run the same workload on every target in turn (the order alternates by `turn`)."""
    order = targets if turn % 2 == 0 else list(reversed(targets))
    for target in order:
        pids = target.processes() if watch_memory else {}
        with PeakRss(pids) as peaks:
            result = workloads.run(target.endpoint, operation[target.name], row.clients, seconds)
        row.results[target.name] = result
        for name in pids:
            row.memory[name] = (peaks.baseline[name], peaks.peak[name])
        errors = f", {result.errors} errors (first: {result.first_error})" if result.errors else ""
        print(
            f"  {target.name:7} {row.workload:22} x{row.clients}: {result.ops_per_second:8.1f} "
            f"ops/s {result.mib_per_second:8.1f} MiB/s ({result.ops} ops){errors}",
            flush=True,
        )


def seed(target: Target, size: int, prefix: str) -> list[str]:
    s3 = workloads.client(target.endpoint)
    body = os.urandom(size)
    keys = [f"{prefix}/{n}" for n in range(GET_KEYS)]
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return keys


def benchmark(targets: list[Target], options: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    turn = 0
    for target in targets:
        workloads.client(target.endpoint).create_bucket(Bucket=BUCKET)
    for label, size in SIZES.items():
        big = size >= MIB
        seconds = options.big_seconds if big else options.small_seconds
        body = os.urandom(size)
        tag = label.replace(" ", "").lower()
        for clients in (1, 8):
            row = Row(f"PutObject {label}", clients)
            puts = {t.name: workloads.putter(BUCKET, f"put-{tag}-{clients}", body) for t in targets}
            measure(targets, row, puts, seconds, big, turn)
            rows.append(row)
            turn += 1
        keys = {t.name: seed(t, size, f"get-{tag}") for t in targets}
        for clients in (1, 8):
            row = Row(f"GetObject {label}", clients)
            gets = {t.name: workloads.getter(BUCKET, keys[t.name]) for t in targets}
            measure(targets, row, gets, seconds, big, turn)
            rows.append(row)
            turn += 1
    with ThreadPoolExecutor(len(targets)) as pool:  # side by side: the fill is slow on both
        fills = {
            t.name: pool.submit(workloads.fill, t.endpoint, BUCKET, "list/", LIST_KEYS)
            for t in targets
        }
        for name, took in fills.items():
            print(f"  {name:7} filled {LIST_KEYS} keys in {took.result():.1f}s", flush=True)
    for clients in (1, 8):
        row = Row(f"ListObjectsV2 {LIST_KEYS:,} keys", clients)
        lists = {t.name: workloads.lister(BUCKET, "list/", LIST_KEYS) for t in targets}
        measure(targets, row, lists, options.list_seconds, False, turn)
        rows.append(row)
        turn += 1
    return rows


def main(options: argparse.Namespace) -> int:
    started = time.perf_counter()
    targets: list[Target] = []
    try:
        if "moto" in options.targets:
            targets.append(Moto(MOTO_PORT))
        if "nimbus" in options.targets:
            targets.append(Nimbus(GATEWAY_PORT, BASE_PORT, options.s3_replicas))
        print(f"servers up after {time.perf_counter() - started:.1f}s", flush=True)
        rows = benchmark(targets, options)
    finally:
        for target in targets:
            target.stop()
    print()
    print(throughput_table(rows))
    print()
    print("peak RSS during the 8 MiB runs, MiB (growth over the run's start):")
    print(memory_table(rows))
    failed = [row for row in rows for r in row.results.values() if r.errors]
    notes = [
        f"Durations: {options.small_seconds:g} s per 4 KiB run, {options.big_seconds:g} s per "
        f"8 MiB run, {options.list_seconds:g} s per listing run; {options.s3_replicas} s3 "
        "replica(s).",
        f"Whole benchmark: {time.perf_counter() - started:.0f} s.",
        "moto keeps every object in its own process (its RSS grows with what was stored);"
        " Nimbus streams bodies through the gateway to PostgreSQL in chunks, so its processes"
        " grow by buffers, not by objects.",
        "Each PUT of 8 MiB is SigV4-signed with a SHA-256 of the payload and a CRC32 by boto3"
        " (plain HTTP), on the same 2 cores: the client's share of the CPU is the same for both.",
    ]
    if failed:
        notes.append(f"{len(failed)} run(s) had errors; see the ops/s column.")
    if options.write_doc and {"moto", "nimbus"} <= set(options.targets):
        DOC.write_text(document(rows, notes))
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    print(f"took {time.perf_counter() - started:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", default="moto,nimbus", type=lambda v: v.split(","))
    parser.add_argument("--small-seconds", type=float, default=5.0)
    parser.add_argument("--big-seconds", type=float, default=8.0)
    parser.add_argument("--list-seconds", type=float, default=6.0)
    parser.add_argument("--s3-replicas", type=int, default=2)
    parser.add_argument("--no-doc", dest="write_doc", action="store_false")
    sys.exit(main(parser.parse_args()))
