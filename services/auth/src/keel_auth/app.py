"""Builds the auth service: its runtime and handlers. Nothing else."""

from __future__ import annotations

from pathlib import Path

from keel_auth.settings import AuthSettings
from keel_common.service import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: AuthSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime("auth", settings or AuthSettings(), MIGRATIONS)
