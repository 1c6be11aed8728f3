"""Settings of the secrets service (env prefix `KEEL_SECRETS_`)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from keel_common.contracts.secrets import BackendKind
from keel_common.settings import DatabaseSettings
from keel_secrets.vault.client import VaultConnection


class SecretsSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEL_SECRETS_", extra="ignore")

    database_url: SecretStr = SecretStr("postgresql+asyncpg://keel@127.0.0.1:5432/keel_secrets")
    # Wraps the service's private keys and every workspace's data keys (base64url, 32 bytes).
    key_encryption_key: SecretStr
    # Keys being rotated out, comma-separated: still used to unwrap, never to wrap.
    previous_key_encryption_keys: SecretStr | None = None
    # Wrap with this Vault Transit key instead (`<mount>/<name>`, e.g. `transit/keel-kek`),
    # through the Vault connection below; the configured key then only unwraps (rotation).
    transit_key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]+/[A-Za-z0-9_.-]+$")
    # The backend of a workspace that has not chosen one.
    default_backend: BackendKind = "sql"
    # Upper bound on a secret's values (all keys and values, UTF-8).
    max_value_bytes: int = Field(default=64 * 1024, ge=1024, le=1024 * 1024)
    # The deployment's own Vault/OpenBao, for workspaces on the `vault` backend: token
    # auth, or AppRole (role id + secret id); both are renewed before they expire.
    vault_address: str | None = None
    vault_token: SecretStr | None = None
    vault_role_id: str | None = None
    vault_secret_id: SecretStr | None = None
    vault_namespace: str | None = None
    vault_ca_bundle: str | None = None
    # Relays: how long one attempt waits, and the whole budget, which must stay under the
    # gateway's RPC timeout so the caller gets our 503 naming the relay, not a timeout.
    relay_attempt_timeout_s: float = Field(default=1.5, gt=0)
    relay_timeout_s: float = Field(default=3.5, gt=0)
    # A replica counts as online while its last heartbeat is younger than this.
    relay_offline_after_s: float = Field(default=10.0, gt=0)
    # How long a relay's one-time enrollment token stays valid.
    enrollment_ttl_s: int = Field(default=3600, ge=60)
    # Validity window of a signed relay command.
    relay_command_ttl_s: float = Field(default=10.0, gt=0)

    def vault_connection(self) -> VaultConnection | None:
        if self.vault_address is None:
            return None
        return VaultConnection(
            address=self.vault_address,
            token=self.vault_token,
            role_id=self.vault_role_id,
            secret_id=self.vault_secret_id,
            namespace=self.vault_namespace,
            ca_bundle=self.vault_ca_bundle,
        )
