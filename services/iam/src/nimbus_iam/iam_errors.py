"""IAM's own errors, with AWS's codes, HTTP statuses and message wording."""

from __future__ import annotations

from nimbus_core.errors import AwsError


def no_such_entity(message: str) -> AwsError:
    return AwsError("NoSuchEntity", message, 404)


def already_exists(message: str) -> AwsError:
    return AwsError("EntityAlreadyExists", message, 409)


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message, 409)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceeded", message, 409)


def malformed_policy(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocument", message, 400)


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInput", message, 400)


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationError", message, 400)


def access_denied(message: str) -> AwsError:
    return AwsError("AccessDenied", message, 403)


def packed_policy_too_large(percent: int) -> AwsError:
    return AwsError(
        "PackedPolicyTooLarge",
        f"Packed policy consumes {percent}% of allotted space, please use smaller policy.",
        400,
    )


def invalid_parameter_value(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, 400)
