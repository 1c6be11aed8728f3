"""The relying-party side of OpenID Connect: discovery, code exchange, ID-token checks.

Written against the standards (OIDC Core, RFC 7636 PKCE), not a vendor: Auth0, Keycloak,
Okta and Google all publish the same discovery document and JWKS. ID tokens are accepted
only if signed (RS256 or ES256, never `none` or HMAC) by a key in the IdP's JWKS, issued by
the configured issuer, for our client id, unexpired, and carrying the nonce we sent.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from jose import jwt
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError

from keel_common.errors import ServiceUnavailable, Unauthenticated

ID_TOKEN_ALGORITHMS = ("RS256", "ES256")
_CACHE_S = 300.0


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class _Cached:
    value: dict[str, Any]
    until: float


@dataclass
class OidcClient:
    """Talks to IdPs; caches discovery documents and JWKS per issuer for a few minutes."""

    http: httpx.AsyncClient
    _discovery: dict[str, _Cached] = field(default_factory=dict)
    _jwks: dict[str, _Cached] = field(default_factory=dict)

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self.http.get(url)
            response.raise_for_status()
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ServiceUnavailable(
                f"the identity provider did not answer ({type(exc).__name__})"
            ) from None
        return body

    async def discovery(self, issuer: str) -> dict[str, Any]:
        cached = self._discovery.get(issuer)
        if cached is None or cached.until < time.monotonic():
            document = await self._get_json(
                issuer.rstrip("/") + "/.well-known/openid-configuration"
            )
            cached = _Cached(document, time.monotonic() + _CACHE_S)
            self._discovery[issuer] = cached
        return cached.value

    async def _jwks_for(self, issuer: str, *, refresh: bool) -> dict[str, Any]:
        cached = self._jwks.get(issuer)
        if refresh or cached is None or cached.until < time.monotonic():
            document = await self.discovery(issuer)
            cached = _Cached(
                await self._get_json(document["jwks_uri"]), time.monotonic() + _CACHE_S
            )
            self._jwks[issuer] = cached
        return cached.value

    async def exchange_code(
        self,
        issuer: str,
        *,
        code: str,
        callback_url: str,
        client_id: str,
        client_secret: str | None,
        code_verifier: str,
    ) -> dict[str, Any]:
        document = await self.discovery(issuer)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback_url,
            "client_id": client_id,
            "code_verifier": code_verifier,
        }
        # Confidential clients authenticate with HTTP Basic; public ones rely on PKCE alone.
        auth = httpx.BasicAuth(client_id, client_secret) if client_secret else None
        try:
            response = await self.http.post(
                document["token_endpoint"], data=form, auth=auth or httpx.USE_CLIENT_DEFAULT
            )
        except httpx.HTTPError:
            raise ServiceUnavailable("the identity provider did not answer") from None
        if response.status_code != 200:
            raise Unauthenticated("the identity provider refused the authorization code")
        tokens: dict[str, Any] = response.json()
        return tokens

    async def validate_id_token(
        self, id_token: str, *, issuer: str, client_id: str, nonce: str
    ) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(id_token)
        except JOSEError:
            raise Unauthenticated("the ID token is not a JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ID_TOKEN_ALGORITHMS:
            raise Unauthenticated("the ID token is not signed with an accepted algorithm")
        key = await self._key(issuer, header.get("kid"), refresh=False) or await self._key(
            issuer, header.get("kid"), refresh=True
        )
        if key is None:
            raise Unauthenticated("the ID token is signed by a key the provider does not publish")
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=[algorithm],
                audience=client_id,
                issuer=issuer,
                options={"verify_at_hash": False, "require_exp": True, "require_iat": True},
            )
        except ExpiredSignatureError:
            raise Unauthenticated("the ID token has expired") from None
        except JWTClaimsError:
            raise Unauthenticated("the ID token is for another issuer or audience") from None
        except JOSEError:
            raise Unauthenticated("the ID token signature is not valid") from None
        if claims.get("nonce") != nonce:
            raise Unauthenticated("the ID token does not carry this login's nonce")
        return claims

    async def _key(self, issuer: str, kid: object, *, refresh: bool) -> dict[str, Any] | None:
        jwks = await self._jwks_for(issuer, refresh=refresh)
        keys: list[dict[str, Any]] = [
            k for k in jwks.get("keys", []) if k.get("use", "sig") == "sig"
        ]
        if kid is None and len(keys) == 1:
            return keys[0]
        return next((k for k in keys if k.get("kid") == kid), None)
