"""MLflow-compatible tracking (experiments, runs, metric history, logged models) and what
MLflow's registry adds to models and model versions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 19:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _json_map(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, postgresql.JSONB(), server_default="{}", nullable=False)


def upgrade() -> None:
    op.create_table(
        "mlflow_experiments",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_location", sa.String(1000), nullable=False),
        sa.Column("lifecycle_stage", sa.String(16), nullable=False),
        _json_map("tags"),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.Column("last_update_time", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("workspace_id", "number"),
        sa.UniqueConstraint("workspace_id", "name"),
    )
    op.create_table(
        "mlflow_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column(
            "experiment_id",
            sa.Uuid(),
            sa.ForeignKey("mlflow_experiments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_time", sa.BigInteger(), nullable=False),
        sa.Column("end_time", sa.BigInteger(), nullable=True),
        sa.Column("lifecycle_stage", sa.String(16), nullable=False),
        sa.Column("deleted_time", sa.BigInteger(), nullable=True),
        sa.Column("artifact_uri", sa.String(1000), nullable=False),
        _json_map("params"),
        _json_map("tags"),
        _json_map("metrics"),
        _json_map("inputs"),
        _json_map("outputs"),
        sa.Column("data_json", sa.Text(), server_default="", nullable=False),
    )
    op.create_index(
        "ix_mlflow_runs_experiment_start", "mlflow_runs", ["experiment_id", "start_time", "id"]
    )
    op.create_table(
        "mlflow_metric_points",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "run_id",
            sa.String(32),
            sa.ForeignKey("mlflow_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Float(precision=53), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_mlflow_metric_points_run_key", "mlflow_metric_points", ["run_id", "key", "step"]
    )
    op.create_table(
        "mlflow_logged_models",
        sa.Column("id", sa.String(34), primary_key=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column(
            "experiment_id",
            sa.Uuid(),
            sa.ForeignKey("mlflow_experiments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_uri", sa.String(1000), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("model_type", sa.String(500), nullable=True),
        sa.Column("source_run_id", sa.String(32), nullable=True),
        sa.Column("lifecycle_stage", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        _json_map("params"),
        _json_map("tags"),
    )
    op.create_index(
        "ix_mlflow_logged_models_experiment",
        "mlflow_logged_models",
        ["experiment_id", "created_ms"],
    )
    op.create_index(
        "ix_mlflow_logged_models_source_run_id", "mlflow_logged_models", ["source_run_id"]
    )
    op.add_column("models", sa.Column("description", sa.Text(), server_default="", nullable=False))
    for table in ("models", "model_versions"):
        op.add_column(table, _json_map("properties"))
        op.add_column(
            table,
            sa.Column(
                "updated_at",
                sa.DateTime(timezone=True),
                server_default=sa.text("now()"),
                nullable=False,
            ),
        )
    op.add_column("model_versions", sa.Column("source", sa.String(1000), nullable=True))
    op.add_column("model_versions", sa.Column("mlflow_run_id", sa.String(32), nullable=True))
    op.add_column("model_versions", sa.Column("logged_model_id", sa.String(34), nullable=True))


def downgrade() -> None:
    for column in ("source", "mlflow_run_id", "logged_model_id"):
        op.drop_column("model_versions", column)
    for table in ("models", "model_versions"):
        op.drop_column(table, "properties")
        op.drop_column(table, "updated_at")
    op.drop_column("models", "description")
    op.drop_table("mlflow_logged_models")
    op.drop_table("mlflow_metric_points")
    op.drop_table("mlflow_runs")
    op.drop_table("mlflow_experiments")
