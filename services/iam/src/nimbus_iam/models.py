"""What iam stores, as plain values: accounts and access keys of any kind of principal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class PrincipalType(StrEnum):
    """Who an access key belongs to (the database's principal_type column)."""

    ROOT = "root"
    USER = "user"
    ASSUMED_ROLE = "assumed_role"
    FEDERATED_USER = "federated_user"


class KeyStatus(StrEnum):
    """AWS's access key status: an inactive key exists but authenticates nothing."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    created: datetime


@dataclass(frozen=True)
class SessionDetails:
    """What an STS session carries besides its key: the assumed role (None for
    GetSessionToken sessions), session policy documents, session tags and source identity."""

    role_arn: str | None = None
    policies: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None


@dataclass(frozen=True)
class AccessKey:
    """A long-term (AKIA) or temporary (ASIA, with session token and expiry) access key."""

    access_key_id: str
    secret_access_key: str
    account_id: str
    principal_type: PrincipalType
    principal_arn: str
    # GetCallerIdentity's UserId: the account id for root, AIDA... for users, AROA...:session.
    user_id: str
    status: KeyStatus
    created: datetime
    session_token: str | None = None
    expiration: datetime | None = None
    last_used_at: datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None
    # STS sessions only (see SessionDetails).
    session: SessionDetails | None = None

    @property
    def temporary(self) -> bool:
        return self.session_token is not None
