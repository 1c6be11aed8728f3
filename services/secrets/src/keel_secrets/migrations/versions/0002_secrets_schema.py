"""secrets schema

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 17:36:26.809832
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
        "data_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("kek_id", sa.String(length=32), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id"),
    )
    op.create_index(op.f("ix_data_keys_kek_id"), "data_keys", ["kek_id"], unique=False)
    op.create_table(
        "relays",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_digest", sa.LargeBinary(), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verify_key", sa.Text(), nullable=True),
        sa.Column("sealing_key", sa.Text(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True),
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
        "secrets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200, collation="C"), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("keys", postgresql.ARRAY(sa.String(length=128)), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("shared_with_users", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("shared_with_teams", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "name"),
    )
    op.create_index(
        "ix_secrets_shared_teams",
        "secrets",
        ["shared_with_teams"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_secrets_shared_users",
        "secrets",
        ["shared_with_users"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "service_keys",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("kek_id", sa.String(length=32), nullable=False),
        sa.Column("private_key_wrapped", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("kind"),
        sa.UniqueConstraint("kid"),
    )
    op.create_table(
        "workspace_backends",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("vault_mount", sa.String(length=100), nullable=True),
        sa.Column("vault_path_prefix", sa.String(length=200), nullable=True),
        sa.Column("vault_namespace", sa.String(length=200), nullable=True),
        sa.Column("relay_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("workspace_id"),
    )
    op.create_table(
        "relay_instances",
        sa.Column("relay_id", sa.Uuid(), nullable=False),
        sa.Column("instance", sa.String(length=100), nullable=False),
        sa.Column("last_heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("partitions", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("vault", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["relay_id"], ["relays.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("relay_id", "instance"),
    )
    op.create_table(
        "secret_values",
        sa.Column("secret_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data_key_id", sa.Uuid(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_key_id"],
            ["data_keys.id"],
        ),
        sa.ForeignKeyConstraint(["secret_id"], ["secrets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("secret_id", "version"),
    )
    op.create_table(
        "secret_versions",
        sa.Column("secret_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("keys", postgresql.ARRAY(sa.String(length=128)), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["secret_id"], ["secrets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("secret_id", "version"),
    )


def downgrade() -> None:
    op.drop_table("secret_versions")
    op.drop_table("secret_values")
    op.drop_table("relay_instances")
    op.drop_table("workspace_backends")
    op.drop_table("service_keys")
    op.drop_index("ix_secrets_shared_users", table_name="secrets", postgresql_using="gin")
    op.drop_index("ix_secrets_shared_teams", table_name="secrets", postgresql_using="gin")
    op.drop_table("secrets")
    op.drop_table("relays")
    op.drop_index(op.f("ix_data_keys_kek_id"), table_name="data_keys")
    op.drop_table("data_keys")
