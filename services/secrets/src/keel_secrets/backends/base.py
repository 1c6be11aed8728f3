"""What every secret-value backend does. Values arrive sealed and leave sealed: a backend
opens them only if it stores plaintext itself (sql, vault); the relay backend forwards
them, still sealed, to the customer's side."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.secrets import BackendKind, ValueKeyView
from keel_common.crypto.sealed import Sealed


@dataclass(frozen=True)
class Target:
    """One secret, as a backend sees it."""

    workspace_id: uuid.UUID
    secret_id: uuid.UUID
    name: str
    actor: str | None
    request_id: str | None


class Backend(Protocol):
    kind: BackendKind

    def value_key(self) -> ValueKeyView:
        """The key the gateway seals values to before writing them here."""
        ...

    async def write(
        self, session: AsyncSession, target: Target, values: Sealed, expected_version: int
    ) -> int:
        """Store a new version after `expected_version` (0: the first); return its number."""
        ...

    async def read(
        self, session: AsyncSession, target: Target, version: int | None, reply_key: str
    ) -> tuple[int, Sealed]:
        """One version (latest if None), sealed to `reply_key`."""
        ...

    async def destroy(self, session: AsyncSession, target: Target) -> None:
        """Every version."""
        ...
