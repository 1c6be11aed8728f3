"""What the control plane and a Scenario 2 relay agent say to each other.

Requests go to the relay's own topic, signed by the control plane; replies come back
signed by the relay. Enrollment and heartbeats go to `keel.relays`, the only topic a relay
may write besides replies. Signed messages carry their body as text (`body`) and the
Ed25519 signature over its bytes, so the bytes are checked before anything is parsed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from keel_common.bus.topics import rpc_topic
from keel_common.contracts.base import Contract
from keel_common.contracts.secrets import VaultHealth
from keel_common.crypto.sealed import Sealed
from keel_common.errors import Problem

RELAY_INBOUND = "keel.relays"
Operation = Literal["read", "write", "delete"]
# A value sealed to the relay for one write: bound to the relay's workspace.
RELAY_SERVICE_PREFIX = "relay."


def relay_service(relay_id: uuid.UUID) -> str:
    """The RPC service name a relay answers to; its topic is `keel.rpc.relay.<id>`."""
    return f"{RELAY_SERVICE_PREFIX}{relay_id}"


def relay_request_topic(relay_id: uuid.UUID) -> str:
    return rpc_topic(relay_service(relay_id))


class RelayCommand(Contract):
    """One operation on the customer's Vault, bound to one workspace and relay."""

    TYPE: ClassVar[str] = "keel.relay.command"
    relay_id: uuid.UUID
    workspace: uuid.UUID
    operation: Operation
    name: str = Field(max_length=200)
    version: int | None = None
    # Values to write, sealed to the relay's enrolled key for this workspace.
    values: Sealed | None = None
    # Check-and-set: 0 creates only if absent; N updates only version N.
    expected_version: int | None = None
    # The requester's one-use key for values in the reply.
    reply_key: str | None = Field(default=None, max_length=100)
    actor: str | None = Field(default=None, max_length=200)
    request_id: str | None = Field(default=None, max_length=200)
    issued_at: AwareDatetime
    expires_at: AwareDatetime
    nonce: str = Field(min_length=16, max_length=64)


class SignedRelayRequest(Contract):
    TYPE: ClassVar[str] = "keel.relay.request"
    key_id: str = Field(max_length=64)
    body: str = Field(max_length=2_000_000)
    signature: str = Field(max_length=200)


class RelayOutcome(Contract):
    TYPE: ClassVar[str] = "keel.relay.outcome"
    relay_id: uuid.UUID
    instance: str
    nonce: str
    problem: Problem | None = None
    version: int | None = None
    values: Sealed | None = None


class SignedRelayReply(Contract):
    TYPE: ClassVar[str] = "keel.relay.reply"
    body: str = Field(max_length=2_000_000)
    signature: str = Field(max_length=200)


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def enrollment_proof(digest: bytes, relay_id: uuid.UUID, verify_key: str, sealing_key: str) -> str:
    """What a relay sends instead of its token: an HMAC keyed with the token's digest over
    exactly the keys it enrolls, so an eavesdropper can neither reuse the token nor enroll
    other keys with the proof."""
    message = f"{relay_id}|{verify_key}|{sealing_key}".encode()
    return hmac.new(digest, message, hashlib.sha256).hexdigest()


class RelayEnroll(Contract):
    """A relay's public keys, proven by its one-time enrollment token without sending it:
    `proof` is HMAC-SHA256 keyed with SHA-256(token) over the relay id and both keys."""

    TYPE: ClassVar[str] = "keel.relay.enroll"
    relay_id: uuid.UUID
    verify_key: str = Field(max_length=100)
    sealing_key: str = Field(max_length=100)
    proof: str = Field(max_length=100)


class HeartbeatBody(Contract):
    TYPE: ClassVar[str] = "keel.relay.heartbeat_body"
    relay_id: uuid.UUID
    instance: str = Field(max_length=100)
    sent_at: AwareDatetime
    # The partitions of the request topic this replica consumes right now.
    partitions: list[int] = Field(max_length=1000)
    vault: VaultHealth
    version: str = Field(max_length=50)


class RelayHeartbeat(Contract):
    TYPE: ClassVar[str] = "keel.relay.heartbeat"
    relay_id: uuid.UUID
    body: str = Field(max_length=10_000)
    signature: str = Field(max_length=200)


class EnrollmentBundle(BaseModel):
    """What the registering admin hands to the relay, as one string."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    relay_id: uuid.UUID
    workspace_id: uuid.UUID
    token: str
    # The control plane's Ed25519 key; the relay pins it.
    control_plane_key: str
    expires_at: datetime

    def to_text(self) -> str:
        return "keel_enr_" + base64.urlsafe_b64encode(self.model_dump_json().encode()).decode()

    @classmethod
    def from_text(cls, text: str) -> EnrollmentBundle:
        if not text.startswith("keel_enr_"):
            raise ValueError("an enrollment bundle starts with keel_enr_")
        return cls.model_validate_json(base64.urlsafe_b64decode(text[len("keel_enr_") :]))
