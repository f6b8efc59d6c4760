"""Which AWS APIs the gateway serves, how clients name them, and which service serves each.

One table: botocore's service name (the "api") -> signing name, the Nimbus service process
that serves it, and how requests for it can be recognised without a signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import botocore.session
from botocore.model import ServiceModel


@dataclass(frozen=True)
class Api:
    name: str  # botocore's service name, e.g. "sts"
    signing_name: str  # the service in a SigV4 credential scope
    served_by: str  # the Nimbus service process, e.g. "iam" serves "sts"
    target_prefix: str | None = None  # X-Amz-Target prefix of json-protocol APIs
    host_label: str | None = None  # first DNS label of its endpoint, e.g. "sqs"


APIS: tuple[Api, ...] = (
    Api("s3", "s3", "s3", host_label="s3"),
    Api("sqs", "sqs", "sqs", target_prefix="AmazonSQS", host_label="sqs"),
    Api("iam", "iam", "iam", host_label="iam"),
    Api("sts", "sts", "iam", host_label="sts"),
    Api("ec2", "ec2", "ec2", host_label="ec2"),
    Api("route53", "route53", "route53", host_label="route53"),
)

BY_NAME = {api.name: api for api in APIS}
BY_SIGNING_NAME = {api.signing_name: api for api in APIS}
BY_HOST_LABEL = {api.host_label: api for api in APIS if api.host_label}
BY_TARGET_PREFIX = {api.target_prefix: api for api in APIS if api.target_prefix}


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(api: str) -> ServiceModel:
    """botocore's model of an API (loaded once per process)."""
    model: ServiceModel = _session().get_service_model(api)
    return model


@cache
def query_api_by_version() -> dict[str, str]:
    """API version -> API name, for query-protocol requests (which all carry Version).

    awsQueryCompatible APIs (SQS) count too: older SDKs still speak query to them.
    """
    return {
        service_model(api.name).api_version: api.name
        for api in APIS
        if service_model(api.name).protocol in ("query", "ec2")
        or "awsQueryCompatible" in service_model(api.name).metadata
    }


@cache
def query_api_by_action() -> dict[str, str]:
    """Action -> API name over the query-protocol APIs, for requests without a Version."""
    found: dict[str, str] = {}
    for name in sorted(set(query_api_by_version().values())):
        for operation in service_model(name).operation_names:
            found.setdefault(operation, name)
    return found
