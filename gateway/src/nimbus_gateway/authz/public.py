"""Whether a bucket policy is "public", in the sense S3's Block Public Access gives the word.

A policy is public when an Allow statement names every principal ("*") without pinning the
caller down by a condition on a key with a fixed value (source IP, VPC, account, ARN,
organization...). RestrictPublicBuckets then admits only the bucket owner's own principals.
"""

from __future__ import annotations

from dataclasses import replace

from nimbus_policy import Policy, Statement

# Condition keys whose fixed values make a statement non-public (S3 User Guide, "The meaning
# of public").
_PINNING_KEYS = frozenset(
    {
        "aws:sourceip",
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:userid",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    }
)
_EVERYONE_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


def _names_everyone(statement: Statement) -> bool:
    if statement.not_principal is not None:
        return True
    element = statement.principal
    if element is None:
        return False
    if element.wildcard:
        return True
    return any("*" in ident for idents in element.entries.values() for ident in idents)


def _pinned(statement: Statement) -> bool:
    for clause in statement.conditions:
        if clause.key.lower() not in _PINNING_KEYS or clause.base.startswith("Not"):
            continue
        if clause.qualifier == "ForAllValues" or clause.if_exists:
            continue
        values = clause.values
        if values and not any("*" in v or v in _EVERYONE_CIDRS for v in values):
            return True
    return False


def is_public(policy: Policy | None) -> bool:
    """Whether any Allow statement grants to everyone without a pinning condition."""
    if policy is None:
        return False
    return any(
        s.effect == "Allow" and _names_everyone(s) and not _pinned(s) for s in policy.statements
    )


def denies_only(policy: Policy) -> Policy:
    """The policy's Deny statements: what still applies when its grants are set aside."""
    return replace(policy, statements=tuple(s for s in policy.statements if s.effect == "Deny"))
