"""Whether a resource policy is "public", as S3's Block Public Access uses the word.

A policy is public when an Allow statement names every principal ("*", or NotPrincipal)
without pinning the caller down by a condition with a fixed value on a key such as the
source IP (a network narrower than /8), VPC, account, ARN or organization (S3 User Guide,
"The meaning of public"). One definition serves both sides: the s3 service refuses public
policies under BlockPublicPolicy and reports policy status; the gateway sets public grants
aside under RestrictPublicBuckets.
"""

from __future__ import annotations

import ipaddress

from nimbus_policy.model import Policy, PrincipalElement, Statement

# Condition keys that pin a statement to known callers, so a "*" principal is not public.
_RESTRICTING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "aws:sourceip",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    }
)


def _everyone(element: PrincipalElement | None) -> bool:
    if element is None:
        return False
    if element.wildcard:
        return True
    return any("*" in ids for ids in element.entries.values())


def _restricted(statement: Statement) -> bool:
    for clause in statement.conditions:
        key = clause.key.lower()
        if key not in _RESTRICTING_KEYS or clause.base.startswith("StringNot"):
            continue
        if any("${" in value for value in clause.values):
            continue  # a policy variable is not a fixed value
        if any("*" in value for value in clause.values) and key != "aws:sourceip":
            continue
        if key == "aws:sourceip" and not _narrow_networks(clause.values):
            continue
        return True
    return False


def _narrow_networks(values: tuple[str, ...]) -> bool:
    try:
        networks = [ipaddress.ip_network(v, strict=False) for v in values]
    except ValueError:
        return False
    return all(n.prefixlen >= (8 if n.version == 4 else 32) for n in networks)


def is_public_policy(policy: Policy) -> bool:
    """S3's "public" test: an Allow to everyone (or NotPrincipal) not pinned by a condition."""
    for statement in policy.statements:
        if statement.effect != "Allow":
            continue
        everyone = statement.not_principal is not None or _everyone(statement.principal)
        if everyone and not _restricted(statement):
            return True
    return False
