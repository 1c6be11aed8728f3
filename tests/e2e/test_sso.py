"""Single sign-on end to end against a real OpenID Connect provider process."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from jose import jwt

from keel_auth.sso.oidc import OidcClient
from keel_common.errors import Unauthenticated
from tests.e2e.auth_support import admin_tokens, bearer
from tests.e2e.conftest import RunningServices
from tests.support.idp import (
    browser_sign_in,
    confirm_device_login,
    real_id_token,
    sign_in_at_idp,
)
from tests.support.keys import SigningKey

pytestmark = pytest.mark.broker


def admin_headers(services: RunningServices) -> tuple[dict[str, str], str]:
    tokens = admin_tokens(services)
    organization: str = jwt.get_unverified_claims(tokens["access_token"])["org"]
    return bearer(tokens), organization


def configure(services: RunningServices, issuer: str, domains: list[str]) -> str:
    headers, organization = admin_headers(services)
    response = httpx.put(
        f"{services.gateway_url}/api/v1/sso",
        json={"issuer": issuer, "client_id": "keel", "client_secret": "idp-client-secret",
              "allowed_domains": domains},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["has_client_secret"] is True
    assert "idp-client-secret" not in response.text
    return organization


def sso_sign_in(services: RunningServices, organization: str, subject: str) -> httpx.Response:
    return browser_sign_in(f"{services.gateway_url}/api/v1/auth/sso/{organization}/start", subject)


def test_sso_login_provisions_the_user_just_in_time(
    services: RunningServices, oidc_provider: str
) -> None:
    organization = configure(services, oidc_provider, ["example.com"])
    email = f"alice-{uuid.uuid4().hex[:6]}@example.com"
    signed_in = sso_sign_in(services, organization, email)
    assert signed_in.status_code == 200, signed_in.text
    tokens = signed_in.json()
    claims = jwt.get_unverified_claims(tokens["access_token"])
    assert claims["org"] == organization
    # A new member: signed in, but sees no workspace until given a role in one.
    listed = httpx.get(f"{services.gateway_url}/api/v1/workspaces", headers=bearer(tokens))
    assert listed.status_code == 200
    assert listed.json()["items"] == []
    # The same person signing in again is the same user.
    again = sso_sign_in(services, organization, email).json()
    assert jwt.get_unverified_claims(again["access_token"])["sub"] == claims["sub"]


def test_a_callback_cannot_be_replayed(services: RunningServices, oidc_provider: str) -> None:
    organization = configure(services, oidc_provider, ["example.com"])
    start = httpx.get(f"{services.gateway_url}/api/v1/auth/sso/{organization}/start")
    callback = sign_in_at_idp(start.headers["location"], "bob@example.com")
    assert httpx.get(callback).status_code == 200
    replayed = httpx.get(callback)
    assert replayed.status_code == 401
    assert "start again" in replayed.json()["detail"]


def test_accounts_outside_the_allowed_domains_are_refused(
    services: RunningServices, oidc_provider: str
) -> None:
    organization = configure(services, oidc_provider, ["example.com"])
    refused = sso_sign_in(services, organization, "mallory@evil.example")
    assert refused.status_code == 403
    assert "evil.example" in refused.json()["detail"]


def test_unknown_state_and_idp_errors_are_401(services: RunningServices) -> None:
    base = f"{services.gateway_url}/api/v1/auth/sso/callback"
    forged = httpx.get(base, params={"state": "x" * 32, "code": "whatever"})
    assert forged.status_code == 401
    denied = httpx.get(base, params={"state": "x" * 32, "error": "access_denied"})
    assert denied.status_code == 401


def test_organization_without_sso_is_404(services: RunningServices) -> None:
    response = httpx.get(f"{services.gateway_url}/api/v1/auth/sso/{uuid.uuid4()}/start")
    assert response.status_code == 404


class TestIdTokenValidation:
    """ID tokens the real provider signed, checked by Keel's relying-party code."""

    async def _check(self, issuer: str, token: str, *, client_id: str, nonce: str) -> None:
        async with httpx.AsyncClient() as http:
            await OidcClient(http).validate_id_token(
                token, issuer=issuer, client_id=client_id, nonce=nonce
            )

    async def test_a_genuine_token_is_accepted(self, oidc_provider: str) -> None:
        token = real_id_token(oidc_provider, client_id="keel", nonce="n" * 20, subject="a@x.io")
        await self._check(oidc_provider, token, client_id="keel", nonce="n" * 20)

    @pytest.mark.parametrize(
        ("issuer_suffix", "client_id", "nonce", "reason"),
        [
            ("/other", "keel", "n" * 20, "issuer"),
            ("", "someone-else", "n" * 20, "audience"),
            ("", "keel", "m" * 20, "nonce"),
        ],
    )
    async def test_wrong_issuer_audience_or_nonce_is_refused(
        self, oidc_provider: str, issuer_suffix: str, client_id: str, nonce: str, reason: str
    ) -> None:
        token = real_id_token(oidc_provider, client_id="keel", nonce="n" * 20, subject="a@x.io")
        with pytest.raises(Unauthenticated) as refused:
            if issuer_suffix:
                # An issuer-confusion attempt: a configured issuer whose discovery points
                # at this provider's keys, but whose name the token does not carry.
                async with httpx.AsyncClient() as http:
                    client = OidcClient(http)
                    await client.discovery(oidc_provider)
                    configured = oidc_provider + issuer_suffix
                    client._discovery[configured] = client._discovery[oidc_provider]
                    await client.validate_id_token(
                        token, issuer=configured, client_id=client_id, nonce=nonce
                    )
            else:
                await self._check(oidc_provider, token, client_id=client_id, nonce=nonce)
        assert reason in str(refused.value)

    async def test_an_expired_token_is_refused(self, short_lived_oidc_provider: str) -> None:
        issuer = short_lived_oidc_provider
        token = real_id_token(issuer, client_id="keel", nonce="n" * 20, subject="a@x.io")
        await asyncio.sleep(2.2)
        with pytest.raises(Unauthenticated, match="expired"):
            await self._check(issuer, token, client_id="keel", nonce="n" * 20)

    async def test_a_token_signed_by_another_key_is_refused(self, oidc_provider: str) -> None:
        genuine = real_id_token(oidc_provider, client_id="keel", nonce="n" * 20, subject="a@x.io")
        # Same claims, same key id (or none, as the provider sends), another private key.
        kid = jwt.get_unverified_header(genuine).get("kid")
        forged = jwt.encode(
            jwt.get_unverified_claims(genuine),
            SigningKey.generate("forger").private_pem.decode(),
            algorithm="RS256",
            headers={"kid": kid} if kid else None,
        )
        with pytest.raises(Unauthenticated, match="signature"):
            await self._check(oidc_provider, forged, client_id="keel", nonce="n" * 20)


def test_idp_groups_map_to_teams_and_their_workspace_roles(
    services: RunningServices, oidc_provider: str
) -> None:
    headers, organization = admin_headers(services)
    base = services.gateway_url
    tag = uuid.uuid4().hex[:6]
    ws = httpx.post(
        f"{base}/api/v1/workspaces", json={"name": tag, "slug": f"sso-{tag}"}, headers=headers
    ).json()["id"]
    team = httpx.post(f"{base}/api/v1/teams", json={"name": f"idp-{tag}"}, headers=headers).json()
    httpx.put(f"{base}/api/v1/workspaces/{ws}/teams/{team['id']}", json={"role": "developer"},
              headers=headers)  # fmt: skip
    configured = httpx.put(
        f"{base}/api/v1/sso",
        json={"issuer": oidc_provider, "client_id": "keel", "client_secret": "s3cret",
              "allowed_domains": ["example.com"],
              "group_claim": "groups", "group_teams": {"ml-engineers": team["id"]}},
        headers=headers,
    )  # fmt: skip
    assert configured.status_code == 200, configured.text
    email = f"carol-{tag}@example.com"
    # The provider says which groups Carol is in.
    httpx.put(f"{oidc_provider}/users/{email}", json={"email": email, "groups": ["ml-engineers"]})

    tokens = sso_sign_in(services, organization, email).json()
    seen = httpx.get(f"{base}/api/v1/workspaces", headers=bearer(tokens)).json()["items"]
    assert [w["id"] for w in seen] == [ws]

    # Removed from the group at the IdP: the next sign-in removes her from the team.
    httpx.put(f"{oidc_provider}/users/{email}", json={"email": email, "groups": []})
    tokens = sso_sign_in(services, organization, email).json()
    assert httpx.get(f"{base}/api/v1/workspaces", headers=bearer(tokens)).json()["items"] == []


def test_an_sso_sign_in_approves_a_device_login_once_its_code_is_confirmed(
    services: RunningServices, oidc_provider: str
) -> None:
    """`keel login --sso`: the browser signs in at the IdP, is shown the code and asked to
    confirm it, and gets no token; the device polling for the code gets the SSO user's
    tokens, and only after the confirmation."""
    organization = configure(services, oidc_provider, ["example.com"])
    base = services.gateway_url
    device = httpx.post(f"{base}/api/v1/auth/device/code").json()
    email = f"dave-{uuid.uuid4().hex[:6]}@example.com"
    typed = device["user_code"].lower().replace("-", "")  # as a person may retype it
    start = f"{base}/api/v1/auth/sso/{organization}/start?user_code={typed}"

    def poll() -> httpx.Response:
        token = f"{base}/api/v1/auth/device/token"
        return httpx.post(token, json={"device_code": device["device_code"]})

    page = browser_sign_in(start, email)
    assert device["user_code"] in page.text
    assert "access_token" not in page.text and "refresh_token" not in page.text
    # Signed in at the IdP, not yet confirmed: the device is still waiting.
    assert poll().json()["error"] == "authorization_pending"

    confirmed = confirm_device_login(page)
    assert confirmed.status_code == 200, confirmed.text
    assert device["user_code"] in confirmed.text and "access_token" not in confirmed.text
    time.sleep(2.1)  # the device's polling interval
    tokens = poll()
    assert tokens.status_code == 200, tokens.text
    claims = jwt.get_unverified_claims(tokens.json()["access_token"])
    again = sso_sign_in(services, organization, email).json()
    assert claims["sub"] == jwt.get_unverified_claims(again["access_token"])["sub"]

    # The confirmation works once.
    assert confirm_device_login(page).status_code == 404
    # A code that is unknown, or already approved, is refused before the trip to the IdP.
    for used in ("BCDF-GHJK", device["user_code"]):
        refused = httpx.get(f"{base}/api/v1/auth/sso/{organization}/start?user_code={used}")
        assert refused.status_code == 404, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    malformed = httpx.get(f"{base}/api/v1/auth/sso/{organization}/start?user_code=nope")
    assert malformed.status_code == 422
    forged = httpx.post(
        f"{base}/api/v1/auth/sso/device/confirm",
        content="confirmation=made-up",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert forged.status_code == 404
