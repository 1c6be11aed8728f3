"""metadata schema

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:03:04.248648
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipelines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "name"),
    )
    op.create_table(
        "stacks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("components", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "name"),
    )
    op.create_table(
        "pipeline_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("spec", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("spec_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["pipeline_id"], ["pipelines.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pipeline_id", "spec_hash"),
        sa.UniqueConstraint("pipeline_id", "version"),
    )
    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200, collation="C"), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("pipeline_version_id", sa.Uuid(), nullable=True),
        sa.Column("stack_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parameters", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("trigger", sa.String(length=100), nullable=False),
        sa.Column("code_ref", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipelines.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_version_id"],
            ["pipeline_versions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["stack_id"],
            ["stacks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_runs_creator",
        "pipeline_runs",
        ["workspace_id", "created_by", "created_at", "id"],
        unique=False,
    )
    op.create_index("ix_runs_name", "pipeline_runs", ["workspace_id", "name", "id"], unique=False)
    op.create_index(
        "ix_runs_pipeline",
        "pipeline_runs",
        ["workspace_id", "pipeline_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_runs_recent", "pipeline_runs", ["workspace_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_runs_stack",
        "pipeline_runs",
        ["workspace_id", "stack_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_runs_status",
        "pipeline_runs",
        ["workspace_id", "status", "created_at", "id"],
        unique=False,
    )
    op.create_index("ix_runs_tags", "pipeline_runs", ["tags"], unique=False, postgresql_using="gin")
    op.create_table(
        "step_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("upstream", postgresql.ARRAY(sa.String(length=200)), nullable=False),
        sa.Column("cache_key", sa.String(length=200), nullable=True),
        sa.Column("cached_from", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["pipeline_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "name"),
    )
    op.create_index(op.f("ix_step_runs_cache_key"), "step_runs", ["cache_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_step_runs_cache_key"), table_name="step_runs")
    op.drop_table("step_runs")
    op.drop_index("ix_runs_tags", table_name="pipeline_runs", postgresql_using="gin")
    op.drop_index("ix_runs_status", table_name="pipeline_runs")
    op.drop_index("ix_runs_stack", table_name="pipeline_runs")
    op.drop_index("ix_runs_recent", table_name="pipeline_runs")
    op.drop_index("ix_runs_pipeline", table_name="pipeline_runs")
    op.drop_index("ix_runs_name", table_name="pipeline_runs")
    op.drop_index("ix_runs_creator", table_name="pipeline_runs")
    op.drop_table("pipeline_runs")
    op.drop_table("pipeline_versions")
    op.drop_table("stacks")
    op.drop_table("pipelines")
