"""Who a change is made for: the caller's account and the region its events are stamped with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    account_id: str
    region: str
    # The caller as the gateway authenticated it (ARN and unique id); empty when unknown.
    caller_arn: str = ""
    caller_id: str = ""
