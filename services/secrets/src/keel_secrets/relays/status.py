"""Online/offline, from heartbeats. Pure logic."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from keel_common.contracts.secrets import RelayInstanceView, RelayStatus, VaultHealth
from keel_secrets.relays.models import Relay, RelayInstance


def instance_views(
    instances: Sequence[RelayInstance], now: datetime, offline_after: timedelta
) -> list[RelayInstanceView]:
    return [
        RelayInstanceView(
            instance=i.instance,
            last_heartbeat_at=i.last_heartbeat_at,
            online=now - i.last_heartbeat_at < offline_after,
            partitions=i.partitions,
            vault=_vault(i.vault),
            version=i.version,
        )
        for i in instances
    ]


def _vault(value: str) -> VaultHealth:
    known: dict[str, VaultHealth] = {
        "ok": "ok",
        "sealed": "sealed",
        "unreachable": "unreachable",
        "denied": "denied",
    }
    return known.get(value, "unreachable")


def relay_status(relay: Relay, views: Sequence[RelayInstanceView]) -> RelayStatus:
    if relay.enrolled_at is None:
        return "pending"
    return "online" if any(v.online for v in views) else "offline"


def last_heartbeat(instances: Sequence[RelayInstance]) -> datetime | None:
    return max((i.last_heartbeat_at for i in instances), default=None)


class Heartbeating(Protocol):
    """What steering needs of a replica: a stored instance, or a snapshot of one."""

    @property
    def last_heartbeat_at(self) -> datetime: ...
    @property
    def partitions(self) -> list[int]: ...


def pick_partition(
    instances: Sequence[Heartbeating], now: datetime, fresh: timedelta, tried: set[int]
) -> int | None:
    """A partition a live replica consumes and this request has not tried yet; None lets
    the producer choose (no replica has reported its partitions recently)."""
    live = {p for i in instances if now - i.last_heartbeat_at < fresh for p in i.partitions} - tried
    return random.choice(sorted(live)) if live else None  # noqa: S311 (load spreading)
