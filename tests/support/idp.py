"""Driving a real OpenID Connect provider the way a browser and a client would."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlencode, urlparse

import httpx


def sign_in_at_idp(authorization_url: str, subject: str) -> str:
    """Submit the provider's sign-in form as `subject`; returns where it redirects to."""
    parsed = urlparse(authorization_url)
    response = httpx.post(
        f"{parsed.scheme}://{parsed.netloc}{parsed.path}?{parsed.query}",
        data={"sub": subject},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303), response.text
    return response.headers["location"]


def browser_sign_in(start_url: str, subject: str) -> httpx.Response:
    """A browser opening Keel's SSO link and signing in at the provider as `subject`:
    Keel's answer at the end of the round trip."""
    start = httpx.get(start_url)
    assert start.status_code == 302, start.text
    callback = sign_in_at_idp(start.headers["location"], subject)
    assert "/api/v1/auth/sso/callback?" in callback, callback
    return httpx.get(callback)


def confirm_device_login(page: httpx.Response) -> httpx.Response:
    """Press "Approve" on the page Keel shows after an SSO sign-in for `keel login --sso`."""
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    [action] = re.findall(r'<form method="post" action="([^"]+)">', page.text)
    [confirmation] = re.findall(r'name="confirmation" value="([^"]+)"', page.text)
    base = str(page.url).split("/api/v1/")[0]
    return httpx.post(
        f"{base}{action}",
        content=urlencode({"confirmation": html.unescape(confirmation)}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def real_id_token(issuer: str, *, client_id: str, nonce: str, subject: str) -> str:
    """An ID token the provider itself signed, through the authorization-code flow."""
    redirect = "http://127.0.0.1/cb"
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect,
            "scope": "openid email",
            "state": "s" * 20,
            "nonce": nonce,
        }
    )
    location = sign_in_at_idp(f"{issuer}/oauth2/authorize?{query}", subject)
    code = parse_qs(urlparse(location).query)["code"][0]
    tokens = httpx.post(
        f"{issuer}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": client_id,
            "client_secret": "unused",
        },
    )
    assert tokens.status_code == 200, tokens.text
    id_token: str = tokens.json()["id_token"]
    return id_token
