"""Access keys as the gateway sees them: resolve one to its secret, note that it was used."""

from __future__ import annotations

import time

import asyncpg
from nimbus_core.errors import AwsError

from nimbus_iam import store
from nimbus_iam.models import AccessKey

# Bounds the memory of recent uses; forgetting early only costs one more (no-op) UPDATE.
_MAX_REMEMBERED_USES = 10_000
# Service and region names are short; longer ones are junk and are cut.
_MAX_NAME_LENGTH = 64


def invalid_client_token_id() -> AwsError:
    """What STS answers for an access key it does not know (the gateway may map it per
    service, e.g. to S3's InvalidAccessKeyId)."""
    return AwsError(
        "InvalidClientTokenId", "The security token included in the request is invalid.", 403
    )


class Credentials:
    """Reads keys for signature verification and records their last use, cheaply."""

    def __init__(self, pool: asyncpg.Pool, last_used_interval_seconds: float = 60.0) -> None:
        self._pool = pool
        self._interval = last_used_interval_seconds
        # access key id -> monotonic time this replica last wrote (or skipped) its last use.
        self._recent_uses: dict[str, float] = {}

    async def find_access_key(self, access_key_id: str) -> AccessKey | None:
        """The key whatever its status or expiry (the caller decides what those mean), or None."""
        if not access_key_id:
            return None
        return await store.get_access_key(self._pool, access_key_id)

    async def record_access_key_use(self, access_key_id: str, service: str, region: str) -> bool:
        """Stamp the key's last use; True if this call wrote it.

        Called for every request, so uses within the interval are coalesced twice over:
        in this replica's memory (no database round trip) and in the UPDATE's condition
        (no write when another replica stamped it recently).
        """
        now = time.monotonic()
        last = self._recent_uses.get(access_key_id)
        if not access_key_id or (last is not None and now - last < self._interval):
            return False
        if len(self._recent_uses) >= _MAX_REMEMBERED_USES:
            self._recent_uses.clear()
        self._recent_uses[access_key_id] = now
        return await store.record_use(
            self._pool,
            access_key_id,
            service[:_MAX_NAME_LENGTH],
            region[:_MAX_NAME_LENGTH],
            self._interval,
        )
