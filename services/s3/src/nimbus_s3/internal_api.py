"""The S3Internal gRPC service for the gateway (placeholder: filled in by its owner)."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from nimbus.s3.v1 import s3_pb2, s3_pb2_grpc
from nimbus_core.runtime import Resources

SERVICE_NAME = s3_pb2.DESCRIPTOR.services_by_name["S3Internal"].full_name


def registrar(resources: Resources) -> Callable[[grpc.aio.Server], None]:
    def add(server: grpc.aio.Server) -> None:
        s3_pb2_grpc.add_S3InternalServicer_to_server(s3_pb2_grpc.S3InternalServicer(), server)

    return add
