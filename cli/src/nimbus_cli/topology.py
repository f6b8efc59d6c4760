"""The plan of a local cloud: which processes run, in which zone, on which port."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

SERVICES = ("iam", "s3", "sqs", "ec2", "route53")
PORTS_PER_SERVICE = 20


@dataclass(frozen=True)
class ProcessSpec:
    """One supervised OS process: a replica of a service, or the gateway."""

    service: str
    replica: int
    zone: str
    port: int
    # "grpc" processes are checked with grpc.health.v1; "http" ones with GET /_nimbus/live.
    probe: str
    module: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.service}-{self.replica}"


@dataclass(frozen=True)
class Plan:
    processes: list[ProcessSpec]
    gateway_port: int
    host: str = "127.0.0.1"

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, path: Path) -> Plan:
        raw = json.loads(path.read_text())
        processes = [ProcessSpec(**p) for p in raw.pop("processes")]
        return cls(processes=processes, **raw)


def zone_names(zones: list[str], region: str) -> list[str]:
    """AWS-style zone names: a single letter "a" becomes "<region>a"."""
    return [f"{region}{z}" if len(z) == 1 and z.isalpha() else z for z in zones]


def build_plan(
    *,
    replicas: dict[str, int],
    zones: list[str],
    region: str,
    gateway_port: int,
    base_port: int,
    shared_env: dict[str, str],
    gateway_replicas: int = 1,
) -> Plan:
    """Spread each service's replicas over the zones round-robin, with a port each."""
    unknown = set(replicas) - set(SERVICES) - {"gateway"}
    if unknown:
        raise ValueError(f"unknown service(s): {', '.join(sorted(unknown))}")
    names = zone_names(zones, region)
    processes: list[ProcessSpec] = []
    targets: dict[str, list[str]] = {}
    for index, service in enumerate(SERVICES):
        count = replicas.get(service, 1)
        if not 1 <= count <= PORTS_PER_SERVICE:
            raise ValueError(f"{service}: replicas must be between 1 and {PORTS_PER_SERVICE}")
        for replica in range(count):
            port = base_port + index * PORTS_PER_SERVICE + replica
            zone = names[replica % len(names)]
            env = {
                **shared_env,
                "NIMBUS_SERVICE_NAME": service,
                "NIMBUS_REPLICA": str(replica),
                "NIMBUS_ZONE": zone,
                "NIMBUS_GRPC_PORT": str(port),
                "NIMBUS_REGION": region,
            }
            processes.append(
                ProcessSpec(service, replica, zone, port, "grpc", f"nimbus_{service}", env)
            )
            targets.setdefault(service, []).append(f"127.0.0.1:{port}")
    if replicas.get("gateway", gateway_replicas) != 1:
        raise ValueError("the local gateway runs as one process on one port")
    gateway_env = {
        **shared_env,
        "NIMBUS_SERVICE_NAME": "gateway",
        "NIMBUS_ZONE": names[0],
        "NIMBUS_HTTP_PORT": str(gateway_port),
        "NIMBUS_REGION": region,
        "NIMBUS_TARGETS": json.dumps(targets),
    }
    processes.append(
        ProcessSpec("gateway", 0, names[0], gateway_port, "http", "nimbus_gateway", gateway_env)
    )
    return Plan(processes=processes, gateway_port=gateway_port)
