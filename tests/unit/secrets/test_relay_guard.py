"""The relay's admission checks and local policy, as pure logic."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from keel_common.contracts.relay import RelayCommand, SignedRelayRequest
from keel_common.crypto import signing
from keel_secrets.relay_agent.guard import Guard, Refused
from keel_secrets.relay_agent.identity import Identity
from keel_secrets.relay_agent.policy import Policy

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CONTROL_PLANE = Ed25519PrivateKey.generate()


def identity() -> Identity:
    return Identity(
        relay_id=uuid.uuid4(),
        workspace_id=uuid.uuid4(),
        control_plane_key=CONTROL_PLANE.public_key(),
        signing_key=Ed25519PrivateKey.generate(),
        sealing_key=X25519PrivateKey.generate(),
        pending_token=None,
    )


def request(
    me: Identity, key: Ed25519PrivateKey = CONTROL_PLANE, **changes: object
) -> SignedRelayRequest:
    fields: dict[str, object] = {
        "relay_id": me.relay_id,
        "workspace": me.workspace_id,
        "operation": "read",
        "name": "app/db",
        "reply_key": "k",
        "issued_at": NOW,
        "expires_at": NOW + timedelta(seconds=10),
        "nonce": secrets.token_hex(16),
    }
    fields.update(changes)
    body = RelayCommand.model_validate(fields).model_dump_json()
    return SignedRelayRequest(
        key_id=signing.key_id(CONTROL_PLANE.public_key()),
        body=body,
        signature=signing.sign(body, key),
    )


def guard(me: Identity, policy: Policy | None = None) -> Guard:
    return Guard(me, policy or Policy(path_prefixes=["keel/"]), "keel", clock_skew_s=5)


def refusal(check: Guard, signed: SignedRelayRequest, now: datetime = NOW) -> str:
    with pytest.raises(Refused) as refused:
        check.admit(signed, now)
    return refused.value.reason


def test_a_good_request_is_admitted_once() -> None:
    me = identity()
    check = guard(me)
    signed = request(me)
    assert check.admit(signed, NOW).name == "app/db"
    assert refusal(check, signed) == "replayed"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"key": Ed25519PrivateKey.generate()}, "bad signature"),
        ({"relay_id": uuid.uuid4()}, "addressed to another relay"),
        ({"workspace": uuid.uuid4()}, "for another workspace"),
        ({"expires_at": NOW}, "expired"),
        ({"issued_at": NOW + timedelta(seconds=6)}, "issued in the future"),
    ],
)
def test_untrustworthy_requests_are_refused(change: dict[str, object], reason: str) -> None:
    me = identity()
    assert refusal(guard(me), request(me, **change)) == reason  # type: ignore[arg-type]


def test_a_tampered_body_fails_the_signature() -> None:
    me = identity()
    signed = request(me)
    tampered = signed.model_copy(update={"body": signed.body.replace("app/db", "app/xx")})
    assert refusal(guard(me), tampered) == "bad signature"


def test_a_key_the_relay_did_not_pin_is_refused() -> None:
    me = identity()
    signed = request(me).model_copy(update={"key_id": "someone-else"})
    assert refusal(guard(me), signed) == "signed with a key this relay does not trust"


@pytest.mark.parametrize(
    ("policy", "operation", "name", "reason"),
    [
        (Policy(path_prefixes=["keel/app/"]), "read", "db/x", "does not allow the path keel/db/x"),
        (Policy(path_prefixes=["keel/"], read_only=True), "write", "a", "read-only"),
        (Policy(path_prefixes=["keel/"], read_only=True), "delete", "a", "read-only"),
        (
            Policy(path_prefixes=["keel/"], operations=frozenset({"read"})),
            "delete",
            "a",
            "does not allow delete",
        ),
    ],
)
def test_the_local_policy_has_the_last_word(
    policy: Policy, operation: str, name: str, reason: str
) -> None:
    me = identity()
    assert reason in refusal(guard(me, policy), request(me, operation=operation, name=name))


def test_the_policy_allows_what_it_lists() -> None:
    policy = Policy(path_prefixes=["keel/app/"], operations=frozenset({"read"}), read_only=True)
    assert policy.refusal("read", "keel/app/db") is None


def test_the_policy_file_is_toml_and_strict(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('read_only = true\npath_prefixes = ["keel/prod/"]\n')
    loaded = Policy.load(path, "ignored")
    assert loaded.read_only and loaded.path_prefixes == ["keel/prod/"]
    path.write_text('path_prefixes = ["keel/"]\nallow_everything = true\n')
    with pytest.raises(ValueError, match="allow_everything"):
        Policy.load(path, "keel")
    assert Policy.load(None, "keel/ml").path_prefixes == ["keel/ml/"]
