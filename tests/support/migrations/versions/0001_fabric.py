"""Outbox and inbox tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from keel_common.db.fabric import create_fabric_tables, drop_fabric_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_fabric_tables()


def downgrade() -> None:
    drop_fabric_tables()
