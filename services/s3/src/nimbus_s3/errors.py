"""S3's errors, with AWS's codes, statuses and messages word for word.

Every module raises these rather than building AwsError itself, so one message is written
once. Extras (BucketName, Key, ...) appear as elements of S3's <Error> document.
"""

from __future__ import annotations

from nimbus_core.errors import AwsError


def no_such_bucket(bucket: str) -> AwsError:
    return AwsError(
        "NoSuchBucket", "The specified bucket does not exist", 404, extra={"BucketName": bucket}
    )


def no_such_key(key: str) -> AwsError:
    return AwsError("NoSuchKey", "The specified key does not exist.", 404, extra={"Key": key})


def no_such_version(key: str, version_id: str) -> AwsError:
    return AwsError(
        "NoSuchVersion",
        "The specified version does not exist.",
        404,
        extra={"Key": key, "VersionId": version_id},
    )


def no_such_upload(upload_id: str) -> AwsError:
    return AwsError(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload "
        "may have been aborted or completed.",
        404,
        extra={"UploadId": upload_id},
    )


def invalid_argument(message: str, name: str = "", value: str = "") -> AwsError:
    extra = {"ArgumentName": name, "ArgumentValue": value} if name else {}
    return AwsError("InvalidArgument", message, 400, extra=extra)


def invalid_request(message: str) -> AwsError:
    return AwsError("InvalidRequest", message, 400)


def malformed_xml() -> AwsError:
    return AwsError(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
        400,
    )


def access_denied() -> AwsError:
    return AwsError("AccessDenied", "Access Denied", 403)


def precondition_failed(condition: str) -> AwsError:
    return AwsError(
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        412,
        extra={"Condition": condition},
    )


def not_modified() -> AwsError:
    """304: the gateway sends it with no body, as S3 does."""
    return AwsError("NotModified", "Not Modified", 304)


def method_not_allowed(method: str, resource_type: str) -> AwsError:
    return AwsError(
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
        extra={"Method": method, "ResourceType": resource_type},
    )
