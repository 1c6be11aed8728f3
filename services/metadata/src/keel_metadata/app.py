"""Builds the metadata service: its runtime and handlers. Nothing else."""

from __future__ import annotations

from pathlib import Path

from keel_common.service import ServiceRuntime
from keel_metadata.settings import MetadataSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: MetadataSettings | None = None) -> ServiceRuntime:
    return ServiceRuntime("metadata", settings or MetadataSettings(), MIGRATIONS)
