"""Logged models keep the metrics logged against them

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 23:10:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "mlflow_logged_models",
        sa.Column("metrics", postgresql.JSONB(), server_default="[]", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("mlflow_logged_models", "metrics")
