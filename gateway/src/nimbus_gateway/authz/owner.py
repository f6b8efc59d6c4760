"""Owner hints from ARNs: cross-account requests need the resource's account, not the caller's."""

from __future__ import annotations

from nimbus_gateway.authz.model import ResourceOwner


def resource_owner(arn: str) -> ResourceOwner:
    """The account an ARN names, or for S3 (whose ARNs omit it) the bucket to ask about."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return ResourceOwner()
    service, account, resource = parts[2], parts[4], parts[5]
    if service == "s3" and not account:
        bucket = resource.split("/", 1)[0]
        return ResourceOwner(bucket=bucket or None)
    return ResourceOwner(account=account or None)
