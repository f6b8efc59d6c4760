"""The contracts between the sqs modules: queues as the metadata store knows them, and
messages as the message store takes and returns them. Plain data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Redrive:
    """A queue's RedrivePolicy, resolved: where messages go after max_receive_count receives."""

    dlq_queue_id: str
    dlq_arn: str
    dlq_fifo: bool
    max_receive_count: int


@dataclass(frozen=True)
class QueueRecord:
    """One queue as PostgreSQL holds it (queues.py). attributes holds every settable
    attribute with its effective value (defaults filled in), as AWS names them and as
    strings, e.g. {"VisibilityTimeout": "30", "FifoQueue": "true", ...}.
    """

    queue_id: str  # uuid: new for every CreateQueue, so a re-created queue starts empty
    account: str
    region: str
    name: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str]
    created_at: float  # epoch seconds
    modified_at: float
    # The DLQ this queue redrives to, resolved when RedrivePolicy is set (None: no DLQ).
    redrive: Redrive | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{self.name}"

    def url(self, endpoint_host: str) -> str:
        """The queue URL as this client reaches the gateway: http://<endpoint>/<acct>/<name>."""
        return f"http://{endpoint_host}/{self.account}/{self.name}"

    def int_attribute(self, name: str) -> int:
        return int(self.attributes[name])

    @property
    def visibility_timeout(self) -> int:
        return self.int_attribute("VisibilityTimeout")

    @property
    def delay_seconds(self) -> int:
        return self.int_attribute("DelaySeconds")

    @property
    def retention_seconds(self) -> int:
        return self.int_attribute("MessageRetentionPeriod")

    @property
    def max_message_size(self) -> int:
        return self.int_attribute("MaximumMessageSize")

    @property
    def receive_wait_seconds(self) -> int:
        return self.int_attribute("ReceiveMessageWaitTimeSeconds")

    @property
    def content_based_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"

    @property
    def dedup_per_group(self) -> bool:
        return self.attributes.get("DeduplicationScope") == "messageGroup"


@dataclass(frozen=True)
class NewMessage:
    """A message ready to store: validated, its MD5s computed (api/messages.py)."""

    body: str
    # MessageAttributes as the wire carries them:
    # {"name": {"DataType": "String", "StringValue": "..."}} (BinaryValue base64 text).
    message_attributes: dict[str, dict[str, Any]]
    # MessageSystemAttributes (only AWSTraceHeader today), same shape.
    system_attributes: dict[str, dict[str, Any]]
    md5_of_body: str
    md5_of_message_attributes: str | None
    md5_of_system_attributes: str | None
    delay_seconds: int
    sender_id: str
    message_group_id: str | None = None
    # FIFO: the explicit id, or the body's SHA-256 when content-based deduplication applies.
    deduplication_id: str | None = None


@dataclass(frozen=True)
class SendResult:
    message_id: str
    sequence_number: str | None = None  # FIFO only


@dataclass(frozen=True)
class StoredMessage:
    """A received message: what ReceiveMessage reports, before attribute filtering."""

    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    message_attributes: dict[str, dict[str, Any]]
    md5_of_message_attributes: str | None
    system_attributes: dict[str, dict[str, Any]]
    md5_of_system_attributes: str | None
    sent_timestamp_ms: int
    sender_id: str
    receive_count: int
    first_receive_timestamp_ms: int
    message_group_id: str | None = None
    deduplication_id: str | None = None
    sequence_number: str | None = None
    # Set once a redrive moved it: the source queue's ARN (AWS's DeadLetterQueueSourceArn).
    dead_letter_source_arn: str | None = None


@dataclass(frozen=True)
class ReceiveResult:
    messages: list[StoredMessage] = field(default_factory=list)
    # Epoch ms when the next invisible (delayed or in-flight) message becomes visible, if
    # any: a long poll sleeps at most until then.
    next_visible_ms: int | None = None


@dataclass(frozen=True)
class QueueCounts:
    visible: int
    not_visible: int
    delayed: int
