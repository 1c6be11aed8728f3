"""Settings of the gateway (env prefix `KEEL_GATEWAY_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEEL_GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # The services `/api/v1/health` asks; each answers `ping` over Kafka.
    services: list[str] = ["auth", "secrets", "metadata"]
    health_timeout_s: float = Field(default=2.0, gt=0)
    # Must match the auth service's: tokens are verified against them.
    issuer: str = "http://127.0.0.1:8080"
    audience: str = "keel-api"
    # How long effective permissions are cached per (principal, scope).
    permission_cache_ttl_s: float = Field(default=5.0, ge=0)
    # How long a verified API key is trusted without asking again (revocations evict at once).
    api_key_cache_ttl_s: float = Field(default=30.0, ge=0)
    # Sign-in requests (password, refresh, SSO, device flow) per client address per minute.
    sign_in_per_minute: int = Field(default=30, ge=1)
    # Requests per second one principal may make through this instance, and its burst.
    principal_requests_per_s: float = Field(default=200.0, gt=0)
    principal_burst: int = Field(default=400, ge=1)
    # Upper bound on any request body; routes may set lower ones (secrets below).
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # Browser origins allowed to call the API (CORS); empty: none, the API is for programs.
    cors_origins: list[str] = []
    # Upper bound on one secret's keys and values (UTF-8 bytes); larger is a 413.
    secret_max_bytes: int = Field(default=64 * 1024, ge=1024, le=1024 * 1024)
    # Where MLflow clients' artifacts are kept, a directory per workspace (the embedded
    # stack's; a deployment mounts a volume). The gateway streams bytes in and out.
    artifact_root: Path = Path("keel-artifacts")
    # Or an S3-compatible bucket instead, `s3://bucket[/prefix]` (a prefix per workspace
    # below it). Credentials come from the AWS SDK's own chain (AWS_ACCESS_KEY_ID... ).
    artifact_s3_uri: str | None = Field(
        default=None, pattern=r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?$"
    )
    # The S3 API's address where it is not AWS (MinIO, Ceph...), e.g. https://minio:9000.
    artifact_s3_endpoint_url: str | None = None
    artifact_s3_region: str = "us-east-1"
    # `path` for most self-hosted S3 servers; `virtual` or `auto` for AWS.
    artifact_s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    # Upper bound on one uploaded artifact file.
    artifact_max_bytes: int = Field(default=5 * 1024**3, ge=1024)

    @field_validator("artifact_s3_uri", "artifact_s3_endpoint_url", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        """`KEEL_GATEWAY_ARTIFACT_S3_URI=` (as Compose passes an unset variable) is unset."""
        return None if value == "" else value
