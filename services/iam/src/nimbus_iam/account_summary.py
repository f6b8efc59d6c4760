"""GetAccountSummary: the account's entity counts next to AWS's default quotas."""

from __future__ import annotations

import asyncpg

from nimbus_iam import account_store
from nimbus_iam.access_keys import MAX_KEYS_PER_USER
from nimbus_iam.attachments import MAX_ATTACHED
from nimbus_iam.entity_models import Kind
from nimbus_iam.groups import MAX_GROUPS_PER_USER
from nimbus_iam.inline_policies import MAX_INLINE_SIZE
from nimbus_iam.managed_policies import MAX_POLICY_SIZE, MAX_VERSIONS
from nimbus_iam.roles import MAX_TRUST_POLICY_SIZE
from nimbus_iam.scope import Scope

# AWS's current default quotas, as GetAccountSummary reports them.
QUOTAS = {
    "UsersQuota": 5000,
    "GroupsQuota": 300,
    "RolesQuota": 1000,
    "PoliciesQuota": 1500,
    "InstanceProfilesQuota": 1000,
    "ServerCertificatesQuota": 20,
    "PolicyVersionsInUseQuota": 10000,
    "VersionsPerPolicyQuota": MAX_VERSIONS,
    "PolicySizeQuota": MAX_POLICY_SIZE,
    "AccessKeysPerUserQuota": MAX_KEYS_PER_USER,
    "SigningCertificatesPerUserQuota": 2,
    "GroupsPerUserQuota": MAX_GROUPS_PER_USER,
    "AttachedPoliciesPerUserQuota": MAX_ATTACHED,
    "AttachedPoliciesPerGroupQuota": MAX_ATTACHED,
    "AttachedPoliciesPerRoleQuota": MAX_ATTACHED,
    "UserPolicySizeQuota": MAX_INLINE_SIZE[Kind.USER],
    "GroupPolicySizeQuota": MAX_INLINE_SIZE[Kind.GROUP],
    "RolePolicySizeQuota": MAX_INLINE_SIZE[Kind.ROLE],
    "AssumeRolePolicySizeQuota": MAX_TRUST_POLICY_SIZE,
    "GlobalEndpointTokenVersion": 1,
}
# What Nimbus does not have yet, always zero.
_NONE_YET = [
    "ServerCertificates",
    "MFADevices",
    "MFADevicesInUse",
    "AccountMFAEnabled",
    "AccountPasswordPresent",
    "AccountSigningCertificatesPresent",
    "Providers",
]


class AccountSummary:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get_account_summary(self, scope: Scope) -> dict[str, int]:
        counts = await account_store.entity_counts(self._pool, scope.account_id)
        return {**dict.fromkeys(_NONE_YET, 0), **counts, **QUOTAS}
