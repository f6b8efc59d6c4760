"""S3's errors for bucket and object sub-resources, word for word."""

from __future__ import annotations

from nimbus_core.errors import AwsError

# Get* of a sub-resource that is not set: kind -> (code, message).
NOT_SET = {
    "policy": ("NoSuchBucketPolicy", "The bucket policy does not exist"),
    "cors": ("NoSuchCORSConfiguration", "The CORS configuration does not exist"),
    "lifecycle": ("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
    "tagging": ("NoSuchTagSet", "The TagSet does not exist"),
    "encryption": (
        "ServerSideEncryptionConfigurationNotFoundError",
        "The server side encryption configuration was not found",
    ),
    "website": (
        "NoSuchWebsiteConfiguration",
        "The specified bucket does not have a website configuration",
    ),
    "object_lock": (
        "ObjectLockConfigurationNotFoundError",
        "Object Lock configuration does not exist for this bucket",
    ),
    "public_access_block": (
        "NoSuchPublicAccessBlockConfiguration",
        "The public access block configuration was not found",
    ),
    "ownership": (
        "OwnershipControlsNotFoundError",
        "The bucket ownership controls were not found",
    ),
}


def not_set(kind: str, bucket: str) -> AwsError:
    code, message = NOT_SET[kind]
    return AwsError(code, message, 404, extra={"BucketName": bucket})


def malformed_policy(message: str) -> AwsError:
    return AwsError("MalformedPolicy", message, 400)


def invalid_tag(message: str) -> AwsError:
    return AwsError("InvalidTag", message, 400)


def invalid_bucket_state(message: str) -> AwsError:
    return AwsError("InvalidBucketState", message, 409)


def acls_not_supported() -> AwsError:
    return AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)


def missing_object_lock() -> AwsError:
    return AwsError("InvalidRequest", "Bucket is missing Object Lock Configuration", 400)


def no_object_lock_configuration() -> AwsError:
    return AwsError(
        "NoSuchObjectLockConfiguration",
        "The specified object does not have a ObjectLock configuration",
        404,
    )


def missing_security_header(header: str) -> AwsError:
    return AwsError(
        "MissingSecurityHeader",
        "Your request was missing a required header",
        400,
        extra={"MissingHeaderName": header},
    )
