"""the audit log: every service's audit events, kept by the auth service

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 17:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=400), nullable=True),
        sa.Column("reason", sa.String(length=400), nullable=True),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_workspace", "audit_log", ["workspace_id", "at", "id"])
    op.create_index("ix_audit_log_organization", "audit_log", ["organization_id", "at", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_organization", table_name="audit_log")
    op.drop_index("ix_audit_log_workspace", table_name="audit_log")
    op.drop_table("audit_log")
