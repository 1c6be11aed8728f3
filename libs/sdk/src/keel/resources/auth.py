"""Signing in: email and password, the device flow (RFC 8628), refresh."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlencode

from keel import routes
from keel.errors import ApiError
from keel.http import Http
from keel.models import DeviceCode, SsoConfig, Tokens


class Sessions:
    def __init__(self, http: Http) -> None:
        self._http = http

    def password_login(self, email: str, password: str) -> Tokens:
        return self._http.fetch(routes.LOGIN, json={"email": email, "password": password})

    def refresh(self, refresh_token: str) -> Tokens:
        return self._http.fetch(routes.REFRESH, json={"refresh_token": refresh_token})

    def start_device_login(self) -> DeviceCode:
        return self._http.fetch(routes.DEVICE_CODE)

    def sso_sign_in_url(
        self, organization_id: uuid.UUID | str, user_code: str | None = None
    ) -> str:
        """Where a browser signs in through the organization's identity provider. With a
        device login's `user_code`, signing in there approves that login."""
        path = routes.SSO_START.format(organization_id=organization_id)
        query = f"?{urlencode({'user_code': user_code})}" if user_code else ""
        return f"{self._http.url}{path}{query}"

    def approve_device_login(self, user_code: str) -> None:
        """Approve the code another terminal shows (needs a signed-in client)."""
        self._http.send(routes.DEVICE_APPROVE, json={"user_code": user_code})

    def wait_for_device_login(
        self, code: DeviceCode, sleep: Callable[[float], None] = time.sleep
    ) -> Tokens:
        """Poll until the code is approved; raises `ApiError` if it expires or is denied."""
        interval = float(code.interval)
        while True:
            sleep(interval)
            try:
                return self._http.fetch(routes.DEVICE_TOKEN, json={"device_code": code.device_code})
            except ApiError as error:
                reason = error.extra.get("error")
                if reason == "authorization_pending":
                    continue
                if reason == "slow_down":
                    interval = float(error.extra.get("interval", interval + 5))
                    continue
                raise


class SingleSignOn:
    """The organization's identity provider (needs organization:update)."""

    def __init__(self, http: Http) -> None:
        self._http = http

    def configure(
        self,
        issuer: str,
        client_id: str,
        *,
        client_secret: str | None = None,
        allowed_domains: Sequence[str] = (),
        group_claim: str | None = None,
        group_teams: Mapping[str, uuid.UUID | str] | None = None,
        enabled: bool = True,
    ) -> SsoConfig:
        """Users of `allowed_domains` sign in through `issuer`; on each sign-in, the IdP
        groups in `group_claim` decide their teams (`group_teams`: group -> team id), and
        the teams' workspace roles what they may do: that is how people are invited."""
        body = {
            "issuer": issuer,
            "client_id": client_id,
            "client_secret": client_secret,
            "allowed_domains": list(allowed_domains),
            "group_claim": group_claim,
            "group_teams": {group: str(team) for group, team in (group_teams or {}).items()},
            "enabled": enabled,
        }
        return self._http.fetch(routes.CONFIGURE_SSO, json=body)
