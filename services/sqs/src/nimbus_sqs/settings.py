"""The sqs service's settings: the core ones plus message-store and background-work knobs."""

from __future__ import annotations

from nimbus_core.settings import CoreSettings


class SqsSettings(CoreSettings):
    """NIMBUS_SQS_* variables on top of the core NIMBUS_* ones."""

    service_name: str = "sqs"

    # How often the retention reconciler sweeps expired messages, and the message-move
    # worker looks for tasks to run (seconds).
    sqs_retention_interval_seconds: float = 10.0
    sqs_move_interval_seconds: float = 1.0
    # How long a deleted queue's name stays unavailable (AWS: 60 s) and how long a purge
    # blocks the next one (AWS: 60 s).
    sqs_deleted_name_hold_seconds: float = 60.0
    sqs_purge_hold_seconds: float = 60.0
