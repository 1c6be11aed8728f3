"""The JWT attack suite against the gateway's verifier: every forgery is a 401."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt

from keel_common.auth.tokens import TokenVerifier
from keel_common.errors import Unauthenticated
from tests.support.keys import AUDIENCE, ISSUER, SigningKey

KEY = SigningKey.generate("k1")


class Jwks:
    """The issuer's JWKS endpoint, counting how often it is asked."""

    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.fetches = 0

    async def __call__(self) -> dict[str, Any]:
        self.fetches += 1
        return {"keys": [k.jwk for k in self.keys]}


def verifier(jwks: Jwks, **kwargs: Any) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, fetch_jwks=jwks, **kwargs)


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_a_valid_token_is_accepted() -> None:
    claims = await verifier(Jwks(KEY)).verify(KEY.mint(sub="user:42", workspace="w1"))
    assert claims.sub == "user:42"
    assert claims.model_extra == {"workspace": "w1"}


def _alg_none() -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user:1", "iat": now, "exp": now + 60}
    return f"{_segment({'alg': 'none', 'kid': 'k1'})}.{_segment(body)}."


def _hs256_with_public_key() -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user:1", "iat": now, "exp": now + 60}
    # The classic confusion: an HMAC "signed" with the RSA public key the verifier holds.
    # Built by hand, because python-jose itself refuses to make one.
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': 'k1'})}.{_segment(body)}"
    mac = hmac.new(KEY.public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _es256() -> str:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user:1", "iat": now, "exp": now + 60}
    return jwt.encode(body, pem, algorithm="ES256", headers={"kid": "k1"})


def _tampered() -> str:
    header, body, signature = KEY.mint().split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["sub"] = "user:admin"
    return f"{header}.{_segment(claims)}.{signature}"


OTHER_DEPLOYMENT = SigningKey.generate("k1")  # same kid, different key

ATTACKS: dict[str, Callable[[], str]] = {
    "alg none": _alg_none,
    "HS256 signed with the RSA public key": _hs256_with_public_key,
    "ES256 instead of the pinned RS256": _es256,
    "expired": lambda: KEY.mint(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
    "not yet valid": lambda: KEY.mint(nbf=int(time.time()) + 3600),
    "unknown kid": lambda: SigningKey.generate("k-unknown").mint(),
    "tampered payload": _tampered,
    "another deployment's key": OTHER_DEPLOYMENT.mint,
    "wrong issuer": lambda: KEY.mint(iss="https://evil.example"),
    "wrong audience": lambda: KEY.mint(aud="someone-else"),
    "no expiry": lambda: KEY.mint(exp=None),
    "no subject": lambda: KEY.mint(sub=None),
    "not a JWT": lambda: "definitely-not-a-token",
    "empty signature": lambda: KEY.mint().rsplit(".", 1)[0] + ".",
}


@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_forged_or_invalid_tokens_are_refused(attack: str) -> None:
    token = ATTACKS[attack]()
    with pytest.raises(Unauthenticated) as refused:
        await verifier(Jwks(KEY)).verify(token)
    assert refused.value.status == 401
    assert token not in str(refused.value)


async def test_unknown_kids_refetch_the_jwks_at_most_once_per_interval() -> None:
    jwks = Jwks(KEY)
    check = verifier(jwks, min_refetch_s=60)
    await check.verify(KEY.mint())
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await check.verify(SigningKey.generate("k-forged").mint())
    # The first load happened moments ago, so forged kids cannot make it ask again.
    assert jwks.fetches == 1


async def test_a_rotated_key_is_picked_up_and_the_old_one_still_verifies() -> None:
    new = SigningKey.generate("k2")
    jwks = Jwks(KEY)
    check = verifier(jwks, min_refetch_s=0)
    await check.verify(KEY.mint())
    jwks.keys.append(new)  # the issuer publishes the new key beside the old one
    assert (await check.verify(new.mint(sub="user:new"))).sub == "user:new"
    assert (await check.verify(KEY.mint(sub="user:old"))).sub == "user:old"


async def test_a_verified_token_is_remembered_not_verified_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoded = 0
    real_decode = jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        nonlocal decoded
        decoded += 1
        return real_decode(*args, **kwargs)

    monkeypatch.setattr("keel_common.auth.tokens.jwt.decode", counting_decode)
    check = verifier(Jwks(KEY))
    token = KEY.mint(sub="user:7")
    for _ in range(3):
        assert (await check.verify(token)).sub == "user:7"
    assert decoded == 1
    await check.verify(KEY.mint(sub="user:8"))  # another token is verified on its own
    assert decoded == 2


async def test_a_remembered_token_still_expires() -> None:
    check = verifier(Jwks(KEY), leeway_s=0)
    token = KEY.mint(exp=int(time.time()) + 1)
    await check.verify(token)
    await asyncio.sleep(2.1)
    with pytest.raises(Unauthenticated, match="expired"):
        await check.verify(token)


async def test_a_key_withdrawn_from_the_jwks_takes_its_remembered_tokens_with_it() -> None:
    new = SigningKey.generate("k2")
    jwks = Jwks(KEY)
    check = verifier(jwks, min_refetch_s=0)
    old_token = KEY.mint(sub="user:old")
    await check.verify(old_token)
    jwks.keys = [new]  # the issuer withdraws k1 (compromised) and signs with k2
    await check.verify(new.mint())  # an unknown kid: the JWKS is read again
    with pytest.raises(Unauthenticated, match="unknown key"):
        await check.verify(old_token)
