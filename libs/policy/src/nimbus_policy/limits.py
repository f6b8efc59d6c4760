"""AWS's size quotas for policy documents.

Enforcing them is the caller's job (the quota and error differ per API), so they live here as
constants only. Sizes count characters excluding whitespace, as AWS does.
"""

MANAGED_POLICY_MAX_CHARS = 6144
INLINE_USER_POLICY_MAX_CHARS = 2048
INLINE_ROLE_POLICY_MAX_CHARS = 10240
INLINE_GROUP_POLICY_MAX_CHARS = 5120
TRUST_POLICY_DEFAULT_MAX_CHARS = 2048
SESSION_POLICY_MAX_CHARS = 2048


def policy_size(text: str) -> int:
    """Characters AWS counts against the quotas: everything except whitespace."""
    return sum(1 for ch in text if not ch.isspace())
