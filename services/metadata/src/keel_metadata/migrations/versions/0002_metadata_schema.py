"""metadata schema

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:19:33.133575
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
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
        "models",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
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
        "run_metadata",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "logged_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("entity", "entity_id", "key"),
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
        sa.Column("project", sa.String(length=200), nullable=True),
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
        "ix_runs_project",
        "pipeline_runs",
        ["workspace_id", "project", "created_at", "id"],
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
        "model_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["pipeline_runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("model_id", "number"),
    )
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
    op.create_table(
        "artifact_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("artifact_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("uri", sa.String(length=2000), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("data_type", sa.String(length=200), nullable=True),
        sa.Column("materializer", sa.String(length=200), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("content_hash", sa.String(length=200), nullable=True),
        sa.Column("visualizations", postgresql.ARRAY(sa.String(length=2000)), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("output", sa.String(length=200), nullable=False),
        sa.Column("producer_step_id", sa.Uuid(), nullable=True),
        sa.Column("producer_run_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["artifact_id"], ["artifacts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["producer_step_id"], ["step_runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("artifact_id", "version"),
    )
    op.create_index(
        "ix_artifact_versions_producer", "artifact_versions", ["producer_step_id"], unique=False
    )
    op.create_index(
        "ix_artifact_versions_tags",
        "artifact_versions",
        ["tags"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "model_aliases",
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("alias", sa.String(length=63), nullable=False),
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["model_version_id"], ["model_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("model_id", "alias"),
    )
    op.create_table(
        "model_stage_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.Column("from_stage", sa.String(length=16), nullable=False),
        sa.Column("to_stage", sa.String(length=16), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["model_version_id"], ["model_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_model_stage_changes_model_version_id"),
        "model_stage_changes",
        ["model_version_id"],
        unique=False,
    )
    op.create_table(
        "model_version_artifacts",
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.Column("artifact_version_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_version_id"],
            ["artifact_versions.id"],
        ),
        sa.ForeignKeyConstraint(["model_version_id"], ["model_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("model_version_id", "artifact_version_id"),
    )
    op.create_table(
        "step_inputs",
        sa.Column("step_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("artifact_version_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_version_id"],
            ["artifact_versions.id"],
        ),
        sa.ForeignKeyConstraint(["step_id"], ["step_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("step_id", "name"),
    )
    op.create_index(
        op.f("ix_step_inputs_artifact_version_id"),
        "step_inputs",
        ["artifact_version_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_step_inputs_artifact_version_id"), table_name="step_inputs")
    op.drop_table("step_inputs")
    op.drop_table("model_version_artifacts")
    op.drop_index(op.f("ix_model_stage_changes_model_version_id"), table_name="model_stage_changes")
    op.drop_table("model_stage_changes")
    op.drop_table("model_aliases")
    op.drop_index(
        "ix_artifact_versions_tags", table_name="artifact_versions", postgresql_using="gin"
    )
    op.drop_index("ix_artifact_versions_producer", table_name="artifact_versions")
    op.drop_table("artifact_versions")
    op.drop_index(op.f("ix_step_runs_cache_key"), table_name="step_runs")
    op.drop_table("step_runs")
    op.drop_table("model_versions")
    op.drop_index("ix_runs_tags", table_name="pipeline_runs", postgresql_using="gin")
    op.drop_index("ix_runs_status", table_name="pipeline_runs")
    op.drop_index("ix_runs_stack", table_name="pipeline_runs")
    op.drop_index("ix_runs_recent", table_name="pipeline_runs")
    op.drop_index("ix_runs_project", table_name="pipeline_runs")
    op.drop_index("ix_runs_pipeline", table_name="pipeline_runs")
    op.drop_index("ix_runs_name", table_name="pipeline_runs")
    op.drop_index("ix_runs_creator", table_name="pipeline_runs")
    op.drop_table("pipeline_runs")
    op.drop_table("pipeline_versions")
    op.drop_table("stacks")
    op.drop_table("run_metadata")
    op.drop_table("pipelines")
    op.drop_table("models")
    op.drop_table("artifacts")
