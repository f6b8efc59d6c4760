"""What differs between services that share a protocol, read once from the service model.

The protocol says how values are laid out; the dialect says which flavour of errors a
service speaks (S3's bare <Error>, the awsQueryCompatible header of SQS, coral's
"1 validation error detected" of IAM/STS/Route53) and which XML namespace it writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from nimbus_gateway.protocol.models import ServiceModel


@dataclass(frozen=True)
class Dialect:
    protocol: str  # query | ec2 | json | rest-json | rest-xml
    service: str  # the endpoint prefix: s3, sqs, iam, ...
    xml_namespace: str  # default namespace of XML documents ("" when none)
    query_compatible: bool  # json service that kept its query error codes (SQS)
    s3: bool  # S3's error document and error codes
    coral_validation: bool  # length/range checks and coral's validation message

    @property
    def xml(self) -> bool:
        return self.protocol in ("query", "ec2", "rest-xml")


def dialect_of(model: ServiceModel) -> Dialect:
    protocol = model.protocol
    service = str(model.metadata.get("endpointPrefix", model.service_name))
    query_compatible = "awsQueryCompatible" in model.metadata
    s3 = protocol == "rest-xml" and service == "s3"
    return Dialect(
        protocol=protocol,
        service=service,
        xml_namespace=_xml_namespace(model),
        query_compatible=query_compatible,
        s3=s3,
        # EC2, S3 and SQS check required members only; the coral-based services also
        # enforce the model's length and range constraints before the operation runs.
        coral_validation=protocol in ("query", "rest-json", "rest-xml", "json")
        and not (s3 or query_compatible),
    )


def _xml_namespace(model: ServiceModel) -> str:
    """The service's namespace: from the metadata, else from the first input that names one."""
    namespace = model.metadata.get("xmlNamespace")
    if isinstance(namespace, str):
        return namespace
    if model.protocol != "rest-xml":
        return ""
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        if shape is None:
            continue
        candidates = [shape, *shape.members.values()]
        for candidate in candidates:
            found = candidate.serialization.get("xmlNamespace")
            if isinstance(found, dict) and found.get("uri") and not found.get("prefix"):
                return str(found["uri"])
            if isinstance(found, str):
                return found
    return ""
