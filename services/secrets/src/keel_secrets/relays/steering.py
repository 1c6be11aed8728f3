"""Which partition of a relay's request topic to send a command to.

Every replica of a relay consumes some partitions of the relay's topic and reports them in
its heartbeats. A command sent to a partition whose replica has died waits for the whole
attempt timeout, so steering sends commands to partitions that a replica heard from
recently holds. Two memories keep that cheap and quick to learn:

- the replicas' reports are read from the database at most every `ttl_s`: they change at
  heartbeat pace, far slower than commands arrive, and a stale hint costs one retry;
- a replica that held a partition on which an attempt went unanswered is presumed silent
  until it heartbeats again, for every request, not only the one that waited. Without
  this, each request after a replica dies would try its partitions first for as long as
  its last heartbeat still looks fresh.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.base import utcnow
from keel_secrets.relays import repository
from keel_secrets.relays.status import pick_partition


@dataclass(frozen=True)
class Replica:
    instance: str
    last_heartbeat_at: datetime
    partitions: list[int]


class Steering:
    def __init__(self, fresh: timedelta, ttl_s: float) -> None:
        self._fresh = fresh
        self._ttl_s = ttl_s
        self._reports: dict[uuid.UUID, tuple[float, list[Replica]]] = {}
        # (relay, instance) -> when a partition it held went unanswered
        self._silent: dict[tuple[uuid.UUID, str], datetime] = {}

    async def choose(
        self, session: AsyncSession, relay_id: uuid.UUID, tried: set[int]
    ) -> int | None:
        """A partition a live replica holds and this request has not tried; None lets the
        producer choose. A retry (`tried` not empty) reads the reports again."""
        replicas = await self._replicas(session, relay_id, reread=bool(tried))
        return self.pick(relay_id, replicas, tried)

    def pick(self, relay_id: uuid.UUID, replicas: list[Replica], tried: set[int]) -> int | None:
        answering = [r for r in replicas if not self._presumed_silent(relay_id, r)]
        return pick_partition(answering, utcnow(), self._fresh, tried)

    def note_reports(self, relay_id: uuid.UUID, replicas: list[Replica]) -> None:
        self._reports[relay_id] = (time.monotonic(), replicas)

    def unanswered(self, relay_id: uuid.UUID, partition: int) -> None:
        cached = self._reports.get(relay_id)
        for replica in cached[1] if cached else []:
            if partition in replica.partitions:
                self._silent[(relay_id, replica.instance)] = utcnow()

    def _presumed_silent(self, relay_id: uuid.UUID, replica: Replica) -> bool:
        since = self._silent.get((relay_id, replica.instance))
        if since is None:
            return False
        if replica.last_heartbeat_at > since:
            del self._silent[(relay_id, replica.instance)]  # it spoke again
            return False
        return True

    async def _replicas(
        self, session: AsyncSession, relay_id: uuid.UUID, *, reread: bool
    ) -> list[Replica]:
        cached = self._reports.get(relay_id)
        if not reread and cached is not None and time.monotonic() - cached[0] < self._ttl_s:
            return cached[1]
        replicas = [
            Replica(i.instance, i.last_heartbeat_at, list(i.partitions))
            for i in await repository.instances(session, [relay_id])
        ]
        self.note_reports(relay_id, replicas)
        return replicas
