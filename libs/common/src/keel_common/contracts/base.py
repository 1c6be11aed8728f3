"""The envelope every Kafka record carries, and the base of every payload contract."""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# Kafka header names. The envelope is the source of truth; headers repeat what a broker-side
# tool (or a DLQ reader) needs without parsing the body.
HEADER_TYPE = "keel-type"
HEADER_VERSION = "keel-version"
HEADER_MESSAGE_ID = "keel-message-id"

# Versions, numbers and revisions are Postgres `integer` columns: a larger value from a
# client would fail in the database (a 500), so input contracts refuse it up front.
MAX_DB_INT = 2**31 - 1


class Contract(BaseModel):
    """A payload. Subclasses name their message type and schema version.

    Adding an optional field keeps the version; removing or retyping one bumps it, and
    consumers keep accepting the older version until every producer has moved.
    """

    # Non-finite floats are written "NaN", "Infinity", "-Infinity" (what float fields
    # accept back) rather than null, which would lose them on the way through an envelope.
    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_inf_nan="strings")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1


C = TypeVar("C", bound=Contract)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """What goes on the wire: metadata plus a payload whose shape `type`/`version` names."""

    # Non-finite floats travel as strings, like contracts write them (MLflow metrics).
    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_inf_nan="strings")

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = Field(min_length=1, max_length=200)
    version: int = Field(ge=1)
    occurred_at: AwareDatetime = Field(default_factory=utcnow)
    workspace: uuid.UUID | None = None
    # `user:<id>`, `service_account:<id>`, `service:<name>`; never a token.
    actor: str | None = Field(default=None, max_length=200)
    correlation_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    causation_id: uuid.UUID | None = None
    # RPC requests only: a handler that sees the deadline passed drops the request.
    expires_at: AwareDatetime | None = None
    # The id of the HTTP request that started this, so logs and audit records of every
    # hop can be joined with the gateway's access log.
    request_id: str | None = Field(default=None, max_length=200)
    # RPC requests only: the client's Idempotency-Key (keel_common.bus.idempotency). Left
    # out of the record when absent, so consumers of the release before it still read
    # every other envelope (they refuse unknown fields).
    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=200, exclude_if=lambda key: key is None
    )
    payload: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        payload: Contract,
        *,
        workspace: uuid.UUID | None = None,
        actor: str | None = None,
        correlation_id: uuid.UUID | None = None,
        causation_id: uuid.UUID | None = None,
        expires_at: datetime | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Self:
        return cls(
            type=payload.TYPE,
            version=payload.VERSION,
            workspace=workspace,
            actor=actor,
            correlation_id=correlation_id or uuid.uuid4(),
            causation_id=causation_id,
            expires_at=expires_at,
            request_id=request_id,
            idempotency_key=idempotency_key,
            payload=payload.model_dump(mode="json"),
        )

    def caused(self, payload: Contract, **overrides: Any) -> Envelope:
        """A follow-up message: same workspace, actor and correlation, caused by this one."""
        fields: dict[str, Any] = {
            "workspace": self.workspace,
            "actor": self.actor,
            "correlation_id": self.correlation_id,
            "causation_id": self.id,
            "request_id": self.request_id,
        }
        fields.update(overrides)
        return Envelope.wrap(payload, **fields)

    def open(self, contract: builtins.type[C]) -> C:
        """Validate the payload as `contract`; raises pydantic.ValidationError if it is not."""
        return contract.model_validate(self.payload)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    def headers(self) -> dict[str, str]:
        return {
            HEADER_TYPE: self.type,
            HEADER_VERSION: str(self.version),
            HEADER_MESSAGE_ID: str(self.id),
        }

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and (now or utcnow()) >= self.expires_at
