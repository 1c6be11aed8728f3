"""Everything a request must prove before the relay touches Vault, checked in order: the
control plane's signature, that it is addressed to this relay and workspace, that it is
still valid, that it was never seen before, and that the local policy allows it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from keel_common.contracts.relay import RelayCommand, SignedRelayRequest
from keel_common.crypto import signing
from keel_secrets.relay_agent.identity import Identity
from keel_secrets.relay_agent.policy import Policy

# Bound on remembered nonces; each is kept only until its request expires.
MAX_NONCES = 200_000


class Refused(Exception):
    """A request the relay will not execute; `reason` goes to the audit log and the
    (signed) reply, never anything from the request's values."""

    def __init__(self, reason: str, command: RelayCommand | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.command = command


@dataclass
class NonceCache:
    """Nonces of requests seen, until they expire: a replay inside the validity window is
    refused; after it, the expiry check refuses it."""

    seen: dict[str, float]

    def __init__(self) -> None:
        self.seen = {}

    def first_sighting(self, nonce: str, forget_at: float) -> bool:
        now = time.monotonic()
        if len(self.seen) >= MAX_NONCES or len(self.seen) % 1000 == 0:
            self.seen = {n: t for n, t in self.seen.items() if t > now}
        if nonce in self.seen:
            return False
        self.seen[nonce] = forget_at
        return True


class Guard:
    def __init__(
        self, identity: Identity, policy: Policy, path_prefix: str, clock_skew_s: float
    ) -> None:
        self._identity = identity
        self._policy = policy
        self._prefix = path_prefix.rstrip("/")
        self._skew = timedelta(seconds=clock_skew_s)
        self._nonces = NonceCache()

    def vault_path(self, name: str) -> str:
        return f"{self._prefix}/{name}"

    def admit(self, request: SignedRelayRequest, now: datetime) -> RelayCommand:
        """The command, if every check passes; Refused otherwise."""
        if request.key_id != self._identity.control_plane_key_id:
            raise Refused("signed with a key this relay does not trust")
        try:
            signing.verify(request.body, request.signature, self._identity.control_plane_key)
        except signing.BadSignature:
            raise Refused("bad signature") from None
        try:
            command = RelayCommand.model_validate_json(request.body)
        except ValidationError:
            raise Refused("signed body is not a relay command") from None
        if command.relay_id != self._identity.relay_id:
            raise Refused("addressed to another relay", command)
        if command.workspace != self._identity.workspace_id:
            raise Refused("for another workspace", command)
        if now >= command.expires_at:
            raise Refused("expired", command)
        if command.issued_at > now + self._skew:
            raise Refused("issued in the future", command)
        remaining = (command.expires_at - now + self._skew).total_seconds()
        if not self._nonces.first_sighting(command.nonce, time.monotonic() + remaining):
            raise Refused("replayed", command)
        refusal = self._policy.refusal(command.operation, self.vault_path(command.name))
        if refusal is not None:
            raise Refused(refusal, command)
        return command
