"""An SSO sign-in may approve a device login: the user code, the signed-in user, and the
confirmation that approves it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sso_logins", sa.Column("device_user_code", sa.String(20), nullable=True))
    op.add_column("sso_logins", sa.Column("device_user_id", sa.Uuid(), nullable=True))
    op.add_column(
        "sso_logins", sa.Column("confirmation_hash", sa.String(64), nullable=True, unique=True)
    )
    op.add_column(
        "sso_logins", sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    for column in ("confirmed_at", "confirmation_hash", "device_user_id", "device_user_code"):
        op.drop_column("sso_logins", column)
