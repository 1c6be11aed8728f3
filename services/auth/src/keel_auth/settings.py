"""Settings of the auth service (env prefix `KEEL_AUTH_`)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from keel_common.settings import DatabaseSettings


class AuthSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEL_AUTH_", extra="ignore")

    database_url: SecretStr = SecretStr("postgresql+asyncpg://keel@127.0.0.1:5432/keel_auth")
