"""Signing in: email and password, the device flow (RFC 8628), refresh."""

from __future__ import annotations

import time
from collections.abc import Callable

from keel import routes
from keel.errors import ApiError
from keel.http import Http
from keel.models import DeviceCode, Tokens


class Sessions:
    def __init__(self, http: Http) -> None:
        self._http = http

    def password_login(self, email: str, password: str) -> Tokens:
        return self._http.fetch(routes.LOGIN, json={"email": email, "password": password})

    def refresh(self, refresh_token: str) -> Tokens:
        return self._http.fetch(routes.REFRESH, json={"refresh_token": refresh_token})

    def start_device_login(self) -> DeviceCode:
        return self._http.fetch(routes.DEVICE_CODE)

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
