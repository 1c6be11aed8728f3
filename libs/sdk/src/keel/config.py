"""Where the CLI keeps who you are: one JSON file, readable by you alone (0600)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


def config_dir() -> Path:
    explicit = os.environ.get("KEEL_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "keel"


@dataclass
class Credentials:
    url: str
    access_token: str | None = None
    refresh_token: str | None = None
    api_key: str | None = None

    @staticmethod
    def path() -> Path:
        return config_dir() / "credentials.json"

    def save(self) -> Path:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created 0600 before any secret is written, so it is never readable by others.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(asdict(self), file, indent=2)
        path.chmod(0o600)
        return path

    @classmethod
    def load(cls) -> Credentials | None:
        try:
            return cls(**json.loads(cls.path().read_text()))
        except (OSError, ValueError, TypeError):
            return None
