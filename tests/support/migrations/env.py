"""Alembic environment of the fabric tests' database."""

from keel_common.db.fabric import fabric_metadata
from keel_common.db.migrate import run_env

run_env(fabric_metadata)
