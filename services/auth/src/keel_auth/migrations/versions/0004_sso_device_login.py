"""An SSO sign-in may approve a device login: the user code it approves

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


def downgrade() -> None:
    op.drop_column("sso_logins", "device_user_code")
