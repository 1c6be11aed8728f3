"""The idempotency table: replies kept for requests retried with the same Idempotency-Key

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:40:00
"""

from alembic import op

from keel_common.db.fabric import create_idempotency_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table()


def downgrade() -> None:
    op.drop_table("keel_idempotency")
