"""The iam service's settings: the core ones plus the default account it bootstraps."""

from __future__ import annotations

from nimbus_core.settings import CoreSettings


class IamSettings(CoreSettings):
    """NIMBUS_IAM_* variables on top of the core NIMBUS_* ones."""

    service_name: str = "iam"

    # Create the default account and its root key at start (local clouds, tests). A
    # production install turns it off and creates accounts with `nimbus accounts create`.
    iam_bootstrap: bool = True
    iam_default_account: str = "000000000000"
    iam_default_account_name: str = "default"
    # The root key of the default account: the AWS SDKs' well-known local credentials.
    iam_bootstrap_root_key: str = "test"
    iam_bootstrap_root_secret: str = "test"

    # Uses of one access key within this many seconds are recorded once.
    iam_last_used_interval_seconds: float = 60.0
