"""Which modeled error an AwsError is, and the names it goes by on the wire.

A service may raise an error under its shape name (QueueDoesNotExist, NoSuchEntityException)
or its wire code (AWS.SimpleQueueService.NonExistentQueue, NoSuchEntity); both resolve to the
same shape, the wire code the SDKs match on, and the JSON __type.

botocore's JSON model of SQS drops the awsQueryError trait of its Smithy model, so the
awsQueryCompatible codes are kept here, as data, copied from the Smithy model
(shape name -> (query error code, HTTP status)).
"""

from __future__ import annotations

from dataclasses import dataclass

from nimbus_gateway.protocol.models import NoShapeFoundError, ServiceModel, Shape

AWS_QUERY_ERRORS: dict[str, dict[str, tuple[str, int]]] = {
    "sqs": {
        "BatchEntryIdsNotDistinct": ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
        "BatchRequestTooLong": ("AWS.SimpleQueueService.BatchRequestTooLong", 400),
        "EmptyBatchRequest": ("AWS.SimpleQueueService.EmptyBatchRequest", 400),
        "InvalidAddress": ("InvalidAddress", 404),
        "InvalidBatchEntryId": ("AWS.SimpleQueueService.InvalidBatchEntryId", 400),
        "InvalidSecurity": ("InvalidSecurity", 403),
        "KmsAccessDenied": ("KMS.AccessDeniedException", 400),
        "KmsDisabled": ("KMS.DisabledException", 400),
        "KmsInvalidKeyUsage": ("KMS.InvalidKeyUsageException", 400),
        "KmsInvalidState": ("KMS.InvalidStateException", 400),
        "KmsNotFound": ("KMS.NotFoundException", 400),
        "KmsOptInRequired": ("KMS.OptInRequired", 403),
        "KmsThrottled": ("KMS.ThrottlingException", 400),
        "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", 400),
        "OverLimit": ("OverLimit", 403),
        "PurgeQueueInProgress": ("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
        "QueueDeletedRecently": ("AWS.SimpleQueueService.QueueDeletedRecently", 400),
        "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", 400),
        "QueueNameExists": ("QueueAlreadyExists", 400),
        "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", 404),
        "RequestThrottled": ("RequestThrottled", 403),
        "ResourceNotFoundException": ("ResourceNotFoundException", 404),
        "TooManyEntriesInBatchRequest": (
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            400,
        ),
        "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", 400),
    },
}


@dataclass(frozen=True)
class ErrorIdentity:
    shape: Shape | None  # the modeled error, if the code names one
    code: str  # the code clients see (query/xml Code, x-amzn-query-error, rest-json type)
    type_name: str  # the modeled shape name (JSON __type), else the code


def identify(model: ServiceModel, service: str, code: str) -> ErrorIdentity:
    query_codes = AWS_QUERY_ERRORS.get(service, {})
    if code in query_codes:
        return ErrorIdentity(_shape(model, code), query_codes[code][0], code)
    for shape_name, (query_code, _) in query_codes.items():
        if query_code == code:
            return ErrorIdentity(_shape(model, shape_name), code, shape_name)
    shape = model.shape_for_error_code(code) or _shape(model, code)
    if shape is None:
        return ErrorIdentity(None, code, code)
    return ErrorIdentity(shape, str(shape.error_code), shape.name)


def query_error_status(service: str, shape_name: str) -> int | None:
    """The HTTP status the Smithy model gives a query-compatible error, if any."""
    entry = AWS_QUERY_ERRORS.get(service, {}).get(shape_name)
    return entry[1] if entry else None


def _shape(model: ServiceModel, name: str) -> Shape | None:
    try:
        shape = model.shape_for(name)
    except NoShapeFoundError:
        return None
    return shape if shape.metadata.get("exception") else None
