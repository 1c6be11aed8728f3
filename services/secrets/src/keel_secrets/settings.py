"""Settings of the secrets service (env prefix `KEEL_SECRETS_`)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from keel_common.settings import DatabaseSettings


class SecretsSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEL_SECRETS_", extra="ignore")

    database_url: SecretStr = SecretStr("postgresql+asyncpg://keel@127.0.0.1:5432/keel_secrets")
