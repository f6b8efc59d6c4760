"""The benchmark's markdown: a throughput table with Nimbus/moto ratios and a memory table."""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass, field

from bench.s3.workloads import Result

MIB = 1024 * 1024


@dataclass
class Row:
    workload: str
    clients: int
    results: dict[str, Result] = field(default_factory=dict)  # by target name
    # process name -> (baseline, peak) resident bytes, for runs whose memory was watched
    memory: dict[str, tuple[int, int]] = field(default_factory=dict)


def _rate(result: Result | None, moves_bytes: bool) -> tuple[str, str]:
    if result is None:
        return "-", "-"
    ops = f"{result.ops_per_second:,.1f}"
    if result.errors:
        ops += f" ({result.errors} err)"
    return ops, (f"{result.mib_per_second:,.1f}" if moves_bytes else "-")


def throughput_table(rows: list[Row]) -> str:
    lines = [
        "| workload | clients | moto ops/s | moto MiB/s | Nimbus ops/s | Nimbus MiB/s "
        "| Nimbus/moto |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        moto, nimbus = row.results.get("moto"), row.results.get("nimbus")
        moves_bytes = not row.workload.startswith("ListObjectsV2")
        ratio = (
            f"{nimbus.ops_per_second / moto.ops_per_second:.2f}x"
            if moto and nimbus and moto.ops_per_second
            else "-"
        )
        lines.append(
            f"| {row.workload} | {row.clients} | {' | '.join(_rate(moto, moves_bytes))} | "
            f"{' | '.join(_rate(nimbus, moves_bytes))} | {ratio} |"
        )
    return "\n".join(lines)


def memory_table(rows: list[Row]) -> str:
    watched = [row for row in rows if row.memory]
    names = sorted({name for row in watched for name in row.memory}, key=_process_order)
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


def _process_order(name: str) -> tuple[int, str]:
    return (0 if name == "gateway" else 1 if name.startswith("s3") else 2, name)


def machine() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores (load average {load} at the end), "
        f"Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


def document(rows: list[Row], notes: list[str]) -> str:
    return "\n".join(
        [
            "# S3 benchmark: Nimbus beside moto",
            "",
            "Produced by `bench/s3_bench.py` (`make bench` runs it; about 5-10 minutes). One run",
            "starts moto's server (`python -m moto.server`, in-memory, one process) and a Nimbus",
            "cloud (`nimbus up --no-infra`: gateway, two s3 replicas, blobs in PostgreSQL) and",
            "drives both with the same boto3 clients, one thread and one client per concurrent",
            "user, taking turns workload by workload so machine drift hits both alike.",
            "Quote the ratios, not the absolute rates: clients and servers share this machine.",
            "",
            f"Machine: {machine()}.",
            "",
            "## Throughput",
            "",
            throughput_table(rows),
            "",
            "A ListObjectsV2 operation is one page of 1,000 keys; each client walks the whole",
            "10,000-key listing again and again (and checks each full pass saw every key).",
            "",
            "## Peak resident memory during the 8 MiB runs",
            "",
            "Peak RSS of each process while the run lasted (sampled from /proc every 20 ms, plus",
            "the kernel's high-water mark reset at the start); growth over its RSS at the start.",
            "",
            memory_table(rows),
            "",
            *(["## Notes", "", *[f"- {note}" for note in notes], ""] if notes else []),
        ]
    )
