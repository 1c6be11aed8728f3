"""The relay's own audit log: one JSON line per request, accepted or refused, in the
customer's hands. Never a value: only who, which path, what, when and the outcome."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from keel_common.contracts.relay import RelayCommand

Outcome = Literal["success", "failure", "refused"]


class AuditLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._file = os.fdopen(descriptor, "a", buffering=1)
        self._lock = threading.Lock()

    def record(
        self,
        outcome: Outcome,
        *,
        command: RelayCommand | None,
        path: str | None,
        reason: str | None = None,
        message_id: str | None = None,
    ) -> None:
        entry = {
            "time": datetime.now(UTC).isoformat(),
            "outcome": outcome,
            "operation": command.operation if command else None,
            "path": path,
            "actor": command.actor if command else None,
            "request_id": command.request_id if command else None,
            "nonce": command.nonce if command else None,
            "message_id": message_id,
            "reason": reason,
        }
        with self._lock:
            self._file.write(json.dumps(entry) + "\n")

    def close(self) -> None:
        self._file.close()
