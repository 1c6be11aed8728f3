"""Settings: one pydantic-settings class per concern, one env prefix per service.

Shared infrastructure (Kafka, logging) is read from `KEEL_KAFKA_*` / `KEEL_LOG_*` by every
process; each service adds its own class with its own prefix (e.g. `KEEL_AUTH_`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BrokerProfile = Literal["tansu", "kafka"]


class BusSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEL_KAFKA_", extra="ignore")

    bootstrap: str = "127.0.0.1:9092"
    # `tansu` refuses InitProducerId, so idempotence must be off there; Apache Kafka gets it.
    profile: BrokerProfile = "tansu"
    # How long a fetch waits when there is no data. Apache Kafka answers a waiting fetch as
    # soon as a record arrives, so a long wait costs no latency there and saves the CPU of
    # idle polling (default 500 ms, Kafka's own; at 100 ms the idle broker of the embedded
    # stack spent about 0.2 of a core answering empty fetches). Tansu holds every fetch for
    # the whole wait, so there the wait is the floor of each hop (default 5 ms). Measured
    # in bench/README.md.
    fetch_max_wait_ms: int | None = Field(default=None, ge=1, le=500)
    # The same for event consumers (audit, ingestion, relay heartbeats, revocations), which
    # no caller waits on: 50 ms on Tansu, where it cut the idle stack's CPU from 0.77 to
    # 0.54 cores (bench/README.md, "Gateway"); 500 ms on Apache Kafka, at no latency cost.
    event_fetch_max_wait_ms: int | None = Field(default=None, ge=1, le=1000)
    rpc_timeout_s: float = Field(default=5.0, gt=0)
    rpc_concurrency: int = Field(default=16, ge=1, le=256)
    # How long after an event is handled its offset is committed (with the others handled
    # meanwhile): a crash redelivers at most this much (keel_common.bus.commits).
    event_commit_interval_s: float = Field(default=0.5, ge=0, le=10)
    # Bounded in-process retries for an event handler before the record goes to the DLQ.
    max_attempts: int = Field(default=3, ge=1, le=20)
    retry_backoff_s: float = Field(default=0.2, ge=0)
    topic_partitions: int = Field(default=3, ge=1)
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    # TLS to the brokers, verified against this CA bundle (a relay in a customer network
    # usually reaches the control plane's Kafka over TLS with a private CA).
    ssl_cafile: str | None = None

    def fetch_wait_ms(self) -> int:
        if self.fetch_max_wait_ms is not None:
            return self.fetch_max_wait_ms
        return 5 if self.profile == "tansu" else 500

    def event_fetch_wait_ms(self) -> int:
        if self.event_fetch_max_wait_ms is not None:
            return self.event_fetch_max_wait_ms
        return 50 if self.profile == "tansu" else 500


class LogSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEL_LOG_", extra="ignore")

    level: str = "INFO"
    # `json` for machines (default), `console` for a human at a terminal.
    format: Literal["json", "console"] = "json"


class DatabaseSettings(BaseSettings):
    """Base for a service's own database; subclasses set the env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: SecretStr = SecretStr("postgresql+asyncpg://keel@127.0.0.1:5432/keel")
    db_pool_size: int = Field(default=10, ge=1)
    migrate_on_start: bool = True
