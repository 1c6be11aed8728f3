"""tags on stacks, pipelines, step runs and models (runs, artifact versions and model
versions had them already)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 17:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("stacks", "pipelines", "step_runs", "models")


def upgrade() -> None:
    # A constant default: Postgres adds the column without rewriting the table, so this
    # is quick on a million runs' ten million steps.
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                "tags",
                postgresql.ARRAY(sa.String(length=100)),
                server_default="{}",
                nullable=False,
            ),
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "tags")
