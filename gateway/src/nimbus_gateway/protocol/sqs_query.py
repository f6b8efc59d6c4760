"""The SQS model in the query protocol, which older SDKs and raw HTTP clients still speak.

botocore models SQS as JSON (awsQueryCompatible) since 1.31.71; the query protocol SQS still
answers is described by the model botocore 1.31.70 shipped, vendored unchanged as
data/sqs-query-2012-11-05.json (from botocore, Copyright Amazon.com, Inc. or its affiliates,
Apache License 2.0; see data/README.md). Two patches are applied here, in memory, so the
file stays byte for byte botocore's:

- metadata.awsQueryCompatible: SQS answers the same errors in both protocols (MissingParameter,
  InvalidParameterValue, the AWS.SimpleQueueService.* codes), never coral's ValidationError;
  the dialect reads that from this flag.
- ReceiveMessage's MessageSystemAttributeNames (MessageSystemAttributeName.N) and the "All"
  system attribute name, which AWS added after the switch to JSON: both protocols then take
  the same input, member for member.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from nimbus_gateway.protocol.models import ServiceModel

MODEL_FILE = "sqs-query-2012-11-05.json"


def raw_model() -> dict[str, Any]:
    """The vendored model as botocore 1.31.70 shipped it."""
    text = (resources.files("nimbus_gateway.protocol") / "data" / MODEL_FILE).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def service_model() -> ServiceModel:
    """The patched query model (loaded once per process)."""
    document = raw_model()
    document["metadata"]["awsQueryCompatible"] = {}
    shapes = document["shapes"]
    names = shapes["MessageSystemAttributeName"]["enum"]
    if "All" not in names:
        names.insert(0, "All")
    shapes.setdefault(
        "MessageSystemAttributeList",
        {
            "type": "list",
            "member": {
                "shape": "MessageSystemAttributeName",
                "locationName": "MessageSystemAttributeName",
            },
            "flattened": True,
        },
    )
    receive = shapes["ReceiveMessageRequest"]["members"]
    if "MessageSystemAttributeNames" not in receive:
        # In the JSON model's member order: right after AttributeNames.
        members = list(receive.items())
        at = [name for name, _ in members].index("AttributeNames") + 1
        members.insert(at, ("MessageSystemAttributeNames", {"shape": "MessageSystemAttributeList"}))
        shapes["ReceiveMessageRequest"]["members"] = dict(members)
    return ServiceModel(document, service_name="sqs")
