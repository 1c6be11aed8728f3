"""Builds the auth service: its runtime and handlers. Nothing else."""

from __future__ import annotations

from pathlib import Path

from keel_common.service import ServiceRuntime
from keel_auth.settings import AuthSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: AuthSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime("auth", settings or AuthSettings(), MIGRATIONS)

