"""Access-token verification: the gateway's side of Keel's JWTs.

Strict by construction:
- the algorithm is pinned (RS256): `none`, HS256 signed with the public key, or any other
  algorithm named in the header is refused before a key is even looked up;
- the key is chosen by `kid` from the issuer's JWKS only; an unknown `kid` triggers one
  JWKS refetch, at most once per `min_refetch_s` so forged kids cannot hammer the issuer;
- `iss`, `aud`, `exp`, `iat` are required and checked, `nbf` when present, with a small leeway.
Every refusal is `Unauthenticated` with a reason that never echoes the token.

A token that verified is remembered (up to `MAX_REMEMBERED`) until its own expiry, so a
client's every request does not pay an RSA verification again (a tenth of the gateway's CPU
on a cached read); a changed key set forgets them all. Revocation checks (deactivated users)
stay the caller's, on every request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError
from pydantic import BaseModel, ConfigDict, ValidationError

from keel_common.errors import Unauthenticated

ALGORITHM = "RS256"
MAX_REMEMBERED = 10_000

JwksFetcher = Callable[[], Awaitable[dict[str, Any]]]


class AccessClaims(BaseModel):
    """What a verified access token says about its bearer."""

    model_config = ConfigDict(extra="allow", frozen=True)

    iss: str
    sub: str
    aud: str | list[str]
    exp: int
    iat: int
    nbf: int | None = None
    jti: str | None = None


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        fetch_jwks: JwksFetcher,
        leeway_s: int = 30,
        min_refetch_s: float = 5.0,
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._fetch_jwks = fetch_jwks
        self._leeway_s = leeway_s
        self._min_refetch_s = min_refetch_s
        self._keys: dict[str, Key] = {}
        self._last_fetch = float("-inf")
        self._fetch_lock = asyncio.Lock()
        self._verified: dict[str, AccessClaims] = {}

    async def verify(self, token: str) -> AccessClaims:
        known = self._verified.get(token)
        if known is not None and self._in_time(known):
            return known
        self._verified.pop(token, None)
        claims = await self._verify(token)
        if len(self._verified) >= MAX_REMEMBERED:
            del self._verified[next(iter(self._verified))]  # the longest remembered
        self._verified[token] = claims
        return claims

    def _in_time(self, claims: AccessClaims) -> bool:
        """The time checks `jwt.decode` made, made again now."""
        now = time.time()
        if now > claims.exp + self._leeway_s:
            return False
        return claims.nbf is None or now >= claims.nbf - self._leeway_s

    async def _verify(self, token: str) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError:
            raise Unauthenticated("the token is not a well-formed JWT") from None
        if header.get("alg") != ALGORITHM:
            raise Unauthenticated("the token is not signed with an accepted algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token names no signing key")
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require_exp": True,
                    "require_iat": True,
                    "require_iss": True,
                    "require_aud": True,
                    "require_sub": True,
                    "leeway": self._leeway_s,
                },
            )
        except ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except JWTClaimsError:
            raise Unauthenticated("the token is not for this issuer, audience or time") from None
        except JOSEError:
            raise Unauthenticated("the token signature is not valid") from None
        try:
            return AccessClaims.model_validate(claims)
        except ValidationError:
            raise Unauthenticated("the token lacks required claims") from None

    async def _key(self, kid: str) -> Key:
        key = self._keys.get(kid)
        if key is not None:
            return key
        async with self._fetch_lock:
            if kid not in self._keys and time.monotonic() - self._last_fetch >= self._min_refetch_s:
                await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated("the token is signed by an unknown key")
        return key

    async def _refresh(self) -> None:
        self._last_fetch = time.monotonic()
        jwks = await self._fetch_jwks()
        keys: dict[str, Key] = {}
        for entry in jwks.get("keys", []):
            # Only RSA signing keys for our pinned algorithm; anything else in the set is
            # ignored rather than trusted for some other algorithm.
            if entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
                continue
            if entry.get("alg", ALGORITHM) != ALGORITHM or not entry.get("kid"):
                continue
            keys[entry["kid"]] = jwk.construct(entry, algorithm=ALGORITHM)
        if keys.keys() != self._keys.keys():
            self._verified.clear()
        self._keys = keys
