"""The customer's last word: what this relay will do, whatever the control plane asks.

A TOML file:

    read_only = false
    operations = ["read", "write", "delete"]
    path_prefixes = ["keel/ml-prod/"]

Without a file the relay allows all operations under its own `vault_path_prefix` only.
Pure logic, no I/O beyond reading the file once.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from keel_common.contracts.relay import Operation

WRITES: frozenset[str] = frozenset({"write", "delete"})


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    read_only: bool = False
    operations: frozenset[Operation] = frozenset({"read", "write", "delete"})
    path_prefixes: list[str] = Field(min_length=1)

    @classmethod
    def load(cls, path: Path | None, default_prefix: str) -> Policy:
        if path is None:
            return cls(path_prefixes=[default_prefix.rstrip("/") + "/"])
        with path.open("rb") as handle:
            return cls.model_validate(tomllib.load(handle))

    def refusal(self, operation: Operation, path: str) -> str | None:
        """Why the policy forbids `operation` on `path`, or None if it allows it."""
        if operation not in self.operations:
            return f"the relay policy does not allow {operation}"
        if self.read_only and operation in WRITES:
            return "the relay policy is read-only"
        if not any(path.startswith(prefix) for prefix in self.path_prefixes):
            return f"the relay policy does not allow the path {path}"
        return None
