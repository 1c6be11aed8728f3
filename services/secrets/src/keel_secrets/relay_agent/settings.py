"""Relay settings: environment (`KEEL_RELAY_*`, Kafka from `KEEL_KAFKA_*`) or one TOML file
(`keel-relay --config relay.toml`) whose keys are the same names in lower case."""

from __future__ import annotations

import socket
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from keel_common.settings import BusSettings
from keel_secrets.vault.client import VaultConnection


def _default_instance() -> str:
    return socket.gethostname()[:60]


class RelaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEL_RELAY_", extra="forbid")

    # Keys, enrollment state and (by default) the audit log live here, mode 0700.
    state_dir: Path = Path(".keel-relay")
    # The bundle from `keel relay register` (keel_enr_...). Needed once, at first start.
    enrollment: SecretStr | None = None
    # The customer's Vault/OpenBao, with the relay's own least-privilege credentials.
    vault_address: str = "http://127.0.0.1:8200"
    vault_token: SecretStr | None = None
    vault_role_id: str | None = None
    vault_secret_id: SecretStr | None = None
    vault_namespace: str | None = None
    vault_mount: str = "secret"
    # Secret `name` lives at `<vault_path_prefix>/<name>` in the KV v2 mount.
    vault_path_prefix: str = "keel"
    vault_ca_bundle: str | None = None
    # For the Vault connection; Kafka is reached directly (its protocol is not HTTP).
    https_proxy: str | None = None
    policy_file: Path | None = None
    audit_log: Path | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8090, ge=0, le=65535)
    heartbeat_interval_s: float = Field(default=1.0, gt=0)
    # How far the control plane's clock may run ahead of ours.
    clock_skew_s: float = Field(default=5.0, ge=0)
    max_value_bytes: int = Field(default=64 * 1024, ge=1024)
    instance: str = Field(default_factory=_default_instance, max_length=100)
    # Kafka, when given in the file (`[kafka]` table); otherwise KEEL_KAFKA_* as usual.
    kafka: dict[str, Any] | None = None

    @classmethod
    def load(cls, config: Path | None) -> RelaySettings:
        if config is None:
            return cls()
        with config.open("rb") as handle:
            return cls(**tomllib.load(handle))

    def bus(self) -> BusSettings:
        return BusSettings(**self.kafka) if self.kafka else BusSettings()

    def vault_connection(self) -> VaultConnection:
        return VaultConnection(
            address=self.vault_address,
            token=self.vault_token,
            role_id=self.vault_role_id,
            secret_id=self.vault_secret_id,
            namespace=self.vault_namespace,
            ca_bundle=self.vault_ca_bundle,
            proxy=self.https_proxy,
        )

    def audit_path(self) -> Path:
        return self.audit_log or self.state_dir / "audit.log"
