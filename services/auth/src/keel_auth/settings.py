"""Settings of the auth service (env prefix `KEEL_AUTH_`)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from keel_common.settings import DatabaseSettings


class AuthSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEL_AUTH_", extra="ignore")

    database_url: SecretStr = SecretStr("postgresql+asyncpg://keel@127.0.0.1:5432/keel_auth")
    # Wraps the private signing and sealing keys in the database (32 bytes, base64url).
    # Required: a control plane must not keep its private keys in the clear.
    key_encryption_key: SecretStr
    issuer: str = "http://127.0.0.1:8080"
    audience: str = "keel-api"
    access_token_ttl_s: int = Field(default=900, ge=60, le=86_400)
    refresh_token_ttl_s: int = Field(default=30 * 86_400, ge=3600)
    # Failed password logins before an account is locked, and for how long.
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_s: int = Field(default=900, ge=1)
    # The first administrator; nothing is created unless both are set.
    bootstrap_admin_email: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "KEEL_BOOTSTRAP_ADMIN_EMAIL", "KEEL_AUTH_BOOTSTRAP_ADMIN_EMAIL"
        ),
    )
    bootstrap_admin_password: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "KEEL_BOOTSTRAP_ADMIN_PASSWORD", "KEEL_AUTH_BOOTSTRAP_ADMIN_PASSWORD"
        ),
    )
