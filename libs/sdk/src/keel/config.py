"""Where the CLI keeps who you are (credentials.json, readable by you alone: 0600) and
what you chose (config.json: the current workspace)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8080"


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
        return _write_private(self.path(), asdict(self))

    @classmethod
    def forget(cls) -> bool:
        """Remove the saved credentials; False if there were none."""
        try:
            cls.path().unlink()
        except FileNotFoundError:
            return False
        return True

    @classmethod
    def load(cls) -> Credentials | None:
        try:
            return cls(**json.loads(cls.path().read_text()))
        except (OSError, ValueError, TypeError):
            return None


@dataclass
class Preferences:
    """Choices that are not secret: the workspace commands act in by default."""

    workspace_id: str | None = None
    workspace_slug: str | None = None

    @staticmethod
    def path() -> Path:
        return config_dir() / "config.json"

    def save(self) -> Path:
        return _write_private(self.path(), asdict(self))

    @classmethod
    def load(cls) -> Preferences:
        try:
            return cls(**json.loads(cls.path().read_text()))
        except (OSError, ValueError, TypeError):
            return cls()


def _write_private(path: Path, content: dict[str, object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written to a 0600 file beside the target, then renamed over it: the file is never
    # readable by others, and a crash mid-write never leaves half a file (refresh tokens
    # work once, so a lost write would sign the user out).
    partial = path.with_suffix(".tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(content, file, indent=2)
    partial.chmod(0o600)
    partial.replace(path)
    return path
