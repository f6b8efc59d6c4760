"""AWS's formats for account ids, access key ids, secrets and ARNs, with secure randomness."""

from __future__ import annotations

import base64
import re
import secrets

# Base32's alphabet: what AWS access key ids are made of after their four-letter prefix.
_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LONG_TERM_KEY_PREFIX = "AKIA"
TEMPORARY_KEY_PREFIX = "ASIA"

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
ACCESS_KEY_ID = re.compile(r"^(AKIA|ASIA)[A-Z2-7]{16}$")


def new_account_id() -> str:
    """Twelve random digits; a leading zero is allowed, as in AWS."""
    return f"{secrets.randbelow(10**12):012d}"


def new_access_key_id(*, temporary: bool = False) -> str:
    """AKIA (long-term) or ASIA (temporary) followed by 16 base32 characters."""
    prefix = TEMPORARY_KEY_PREFIX if temporary else LONG_TERM_KEY_PREFIX
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    """40 characters of base64 (30 random bytes), like AWS's secrets."""
    return base64.b64encode(secrets.token_bytes(30)).decode()


def new_session_token() -> str:
    """An opaque session token: 300 random bytes of base64 (400 characters), about the size
    of AWS's; nothing in it derives from the key or its secret."""
    return base64.b64encode(secrets.token_bytes(300)).decode()


def assumed_role_arn(account_id: str, role_name: str, session_name: str) -> str:
    """arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION (AWS leaves the role's path out)."""
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


# Unique ids of IAM entities: a four-letter prefix naming the kind, then 17 characters
# (21 in all), e.g. AIDAJQABLZS4A3QDU576Q.
USER_ID_PREFIX = "AIDA"
GROUP_ID_PREFIX = "AGPA"
ROLE_ID_PREFIX = "AROA"
POLICY_ID_PREFIX = "ANPA"


def new_unique_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(17))


def entity_arn(account_id: str, kind: str, path: str, name: str) -> str:
    """arn:aws:iam::ACCOUNT:user/PATH/NAME (kind user, group, role or policy)."""
    return f"arn:aws:iam::{account_id}:{kind}{path}{name}"
