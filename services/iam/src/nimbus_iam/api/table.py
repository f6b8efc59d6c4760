"""The IAM operation table: every API module's handlers over one connection pool."""

from __future__ import annotations

import asyncpg
from nimbus_core.operations import UnaryHandler

from nimbus_iam.access_keys import AccessKeys
from nimbus_iam.account_aliases import AccountAliases
from nimbus_iam.account_summary import AccountSummary
from nimbus_iam.api.account import AccountApi
from nimbus_iam.api.groups import GroupApi
from nimbus_iam.api.instance_profiles import InstanceProfileApi
from nimbus_iam.api.policies import PolicyApi
from nimbus_iam.api.policy_tags import PolicyTagApi
from nimbus_iam.api.roles import RoleApi
from nimbus_iam.api.simulation import SimulationApi
from nimbus_iam.api.sts import StsApi
from nimbus_iam.api.summary import SummaryApi
from nimbus_iam.api.users import UserApi
from nimbus_iam.attachments import Attachments
from nimbus_iam.authorization_details import AuthorizationDetails
from nimbus_iam.groups import Groups
from nimbus_iam.inline_policies import InlinePolicies
from nimbus_iam.instance_profiles import InstanceProfiles
from nimbus_iam.login_profiles import LoginProfiles
from nimbus_iam.managed_policies import ManagedPolicies
from nimbus_iam.policy_entities import PolicyEntities
from nimbus_iam.policy_tags import PolicyTags
from nimbus_iam.roles import Roles
from nimbus_iam.sessions import Sessions
from nimbus_iam.simulation import Simulator
from nimbus_iam.users import Users


def iam_handlers(pool: asyncpg.Pool) -> dict[str, UnaryHandler]:
    return {
        **UserApi(Users(pool), AccessKeys(pool)).handlers(),
        **GroupApi(Groups(pool)).handlers(),
        **RoleApi(Roles(pool)).handlers(),
        **StsApi(Sessions(pool)).handlers(),
        **AccountApi(LoginProfiles(pool), AccountAliases(pool)).handlers(),
        **InstanceProfileApi(InstanceProfiles(pool)).handlers(),
        **SummaryApi(
            AccountSummary(pool), PolicyEntities(pool), AuthorizationDetails(pool)
        ).handlers(),
        **PolicyTagApi(PolicyTags(pool)).handlers(),
        **SimulationApi(Simulator(pool)).handlers(),
        **PolicyApi(ManagedPolicies(pool), Attachments(pool), InlinePolicies(pool)).handlers(),
    }
