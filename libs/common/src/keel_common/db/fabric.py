"""The outbox, inbox and idempotency tables every service database carries.

Defined once here; each service's Alembic migrations create them with
`create_fabric_tables()` and `create_idempotency_table()` so the schema is still built by
migrations, not `create_all`.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

fabric_metadata = MetaData()

outbox = Table(
    "keel_outbox",
    fabric_metadata,
    # The sequence gives the relay a stable publication order.
    Column("seq", BigInteger, Identity(always=True), primary_key=True),
    Column("message_id", Uuid, nullable=False, unique=True),
    Column("topic", String(249), nullable=False),
    Column("key", LargeBinary, nullable=True),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

inbox = Table(
    "keel_inbox",
    fabric_metadata,
    Column("consumer", String(200), nullable=False),
    Column("message_id", Uuid, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "message_id"),
    Index("ix_keel_inbox_processed_at", "processed_at"),
)

# RPC requests sent with an Idempotency-Key (keel_common.bus.idempotency): the first
# request's reply, kept for a retry to get again.
idempotency = Table(
    "keel_idempotency",
    fabric_metadata,
    # Caller, workspace, request type and the key: one caller's keys never meet another's.
    Column("scope", String(700), primary_key=True),
    # SHA-256 of the request's payload: the same key with another request is refused.
    Column("fingerprint", String(64), nullable=False),
    # NULL while the first request runs, and for a reply that must not be shown twice.
    Column("reply", JSONB, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_keel_idempotency_created_at", "created_at"),
)


def create_idempotency_table() -> None:
    """Call from a service migration; spelled out like `create_fabric_tables`."""
    op.create_table(
        "keel_idempotency",
        Column("scope", String(700), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("reply", JSONB, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    op.create_index("ix_keel_idempotency_created_at", "keel_idempotency", ["created_at"])


def create_fabric_tables() -> None:
    """Call from a service's first migration. Spelled out (not derived from the tables
    above) so that a later change to those definitions needs a migration of its own."""
    op.create_table(
        "keel_outbox",
        Column("seq", BigInteger, Identity(always=True), primary_key=True),
        Column("message_id", Uuid, nullable=False, unique=True),
        Column("topic", String(249), nullable=False),
        Column("key", LargeBinary, nullable=True),
        Column("value", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    op.create_table(
        "keel_inbox",
        Column("consumer", String(200), nullable=False),
        Column("message_id", Uuid, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("consumer", "message_id"),
    )
    op.create_index("ix_keel_inbox_processed_at", "keel_inbox", ["processed_at"])


def drop_fabric_tables() -> None:
    op.drop_table("keel_inbox")
    op.drop_table("keel_outbox")
