"""The OAuth 2.0 device authorization grant (RFC 8628), for `keel login` in a terminal."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from keel_common.contracts.base import Contract
from keel_common.crypto.sealed import Sealed


class StartDeviceLogin(Contract):
    TYPE: ClassVar[str] = "keel.auth.start_device_login"
    reply_key: str = Field(max_length=100)


class DeviceLoginStarted(Contract):
    TYPE: ClassVar[str] = "keel.auth.device_login_started"
    # Only the polling client may hold it: sealed to the requester.
    device_code: Sealed
    user_code: str
    expires_in: int
    interval: int


class ApproveDeviceLogin(Contract):
    TYPE: ClassVar[str] = "keel.auth.approve_device_login"
    user_code: str = Field(min_length=4, max_length=20)


class DeviceLoginApproved(Contract):
    TYPE: ClassVar[str] = "keel.auth.device_login_approved"


class PollDeviceLogin(Contract):
    TYPE: ClassVar[str] = "keel.auth.poll_device_login"
    device_code: Sealed
    reply_key: str = Field(max_length=100)
