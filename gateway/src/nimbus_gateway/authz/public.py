"""What is left of a bucket policy for callers RestrictPublicBuckets keeps out.

Whether a policy is public at all is nimbus_policy.is_public_policy, the one definition the
s3 service also uses (BlockPublicPolicy, GetBucketPolicyStatus).
"""

from __future__ import annotations

from dataclasses import replace

from nimbus_policy import Policy


def denies_only(policy: Policy) -> Policy:
    """The policy's Deny statements: what still applies when its grants are set aside."""
    return replace(policy, statements=tuple(s for s in policy.statements if s.effect == "Deny"))
