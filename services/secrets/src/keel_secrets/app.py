"""Builds the secrets service: its runtime and handlers. Nothing else."""

from __future__ import annotations

from pathlib import Path

from keel_common.service import ServiceRuntime
from keel_secrets.settings import SecretsSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: SecretsSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime("secrets", settings or SecretsSettings(), MIGRATIONS)
