"""Matching the caller against Principal / NotPrincipal in resource and trust policies.

The kind of match matters to evaluation: naming the caller itself (user ARN, session ARN, `*`,
a service) grants directly; naming a role grants its sessions but within the session's
boundary and session policies; naming an account only delegates to that account's IAM policies.
"""

from __future__ import annotations

from enum import Enum

from nimbus_policy.model import PrincipalElement
from nimbus_policy.request import Principal


class PrincipalMatch(Enum):
    """How a Principal element matched the caller (NONE when it did not)."""

    NONE = 0
    ACCOUNT = 1
    ROLE = 2
    DIRECT = 3


def _account_of(ident: str) -> str | None:
    """The account an AWS principal value names as a whole, or None."""
    if ident.isdigit() and len(ident) == 12:
        return ident
    parts = ident.split(":")
    if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root":
        return parts[4]
    return None


def match_principal(element: PrincipalElement, caller: Principal) -> PrincipalMatch:
    """The strongest way `element` names `caller`."""
    if element.wildcard:
        return PrincipalMatch.DIRECT
    best = PrincipalMatch.NONE
    for ptype, idents in element.entries.items():
        for ident in idents:
            found = _match_one(ptype, ident, caller)
            if found.value > best.value:
                best = found
    return best


def _match_one(ptype: str, ident: str, caller: Principal) -> PrincipalMatch:
    if ptype == "AWS":
        if ident == "*":
            return PrincipalMatch.DIRECT
        if caller.type in ("anonymous", "service"):
            return PrincipalMatch.NONE
        if caller.type != "root" and ident in (caller.arn, caller.user_id):
            return PrincipalMatch.DIRECT
        role_id = caller.user_id.split(":", 1)[0] if caller.role_arn else None
        if caller.role_arn is not None and ident in (caller.role_arn, role_id):
            return PrincipalMatch.ROLE
        if _account_of(ident) == caller.account:
            return PrincipalMatch.ACCOUNT
        return PrincipalMatch.NONE
    if ptype == "Service":
        hit = caller.type == "service" and (ident == "*" or ident == caller.arn)
        return PrincipalMatch.DIRECT if hit else PrincipalMatch.NONE
    if ptype == "Federated":
        hit = caller.identity_provider is not None and ident in ("*", caller.identity_provider)
        return PrincipalMatch.DIRECT if hit else PrincipalMatch.NONE
    if ptype == "CanonicalUser":
        hit = caller.canonical_user_id is not None and ident in ("*", caller.canonical_user_id)
        return PrincipalMatch.DIRECT if hit else PrincipalMatch.NONE
    return PrincipalMatch.NONE


def excluded_by_not_principal(element: PrincipalElement, caller: Principal) -> bool:
    """Whether NotPrincipal exempts the caller from the statement.

    AWS checks every identity a request carries (session, role, account), so a caller is only
    exempt when all of them are listed: naming a user without its account does not exempt it.
    """
    if element.wildcard:
        return True
    listed: set[str] = set()
    for ptype, idents in element.entries.items():
        for ident in idents:
            if ident == "*":
                return True
            account = _account_of(ident) if ptype == "AWS" else None
            listed.add(f"account:{account}" if account else f"{ptype}:{ident}")
    if caller.type == "anonymous":
        return False
    if caller.type == "service":
        return f"Service:{caller.arn}" in listed
    if caller.identity_provider is not None and f"Federated:{caller.identity_provider}" in listed:
        return True
    needed = {f"account:{caller.account}"}
    if caller.type != "root":
        needed.add(f"AWS:{caller.arn}")
    if caller.role_arn is not None:
        needed.add(f"AWS:{caller.role_arn}")
    return needed <= listed
