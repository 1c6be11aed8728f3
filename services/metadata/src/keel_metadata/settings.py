"""Settings of the metadata service (env prefix `KEEL_METADATA_`)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from keel_common.settings import DatabaseSettings


class MetadataSettings(DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEL_METADATA_", extra="ignore")

    database_url: SecretStr = SecretStr("postgresql+asyncpg://keel@127.0.0.1:5432/keel_metadata")
