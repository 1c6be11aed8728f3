"""Messages of single sign-on: per-organization OIDC configuration and the login dance."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from keel_common.contracts.auth import TokenPair
from keel_common.contracts.base import Contract
from keel_common.crypto.sealed import Sealed

_DOMAIN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"


def _domains(domains: list[str]) -> list[str]:
    cleaned = sorted({d.strip().lower() for d in domains})
    for domain in cleaned:
        if not re.match(_DOMAIN, domain):
            raise ValueError(f"not a domain name: {domain!r}")
    return cleaned


# Email domains whose users may sign in through the IdP: lower case, sorted, each once.
Domains = Annotated[list[str], Field(max_length=50), AfterValidator(_domains)]


class ConfigureSso(Contract):
    TYPE: ClassVar[str] = "keel.auth.configure_sso"
    issuer: str = Field(pattern=r"^https?://[^\s]+$", max_length=500)
    client_id: str = Field(min_length=1, max_length=200)
    # Sealed to the auth service, which keeps it wrapped under its key-encryption key.
    client_secret: Sealed | None = None
    allowed_domains: Domains = Field(default_factory=list)
    enabled: bool = True
    # The ID-token claim listing the user's IdP groups, and which Keel team each maps to.
    group_claim: str | None = Field(default=None, max_length=100)
    group_teams: dict[str, uuid.UUID] = Field(default_factory=dict, max_length=200)


class SsoConfigView(Contract):
    TYPE: ClassVar[str] = "keel.auth.sso_config"
    organization_id: uuid.UUID
    issuer: str
    client_id: str
    allowed_domains: list[str]
    enabled: bool
    has_client_secret: bool
    group_claim: str | None
    group_teams: dict[str, uuid.UUID]


# A device login's user code, as `keel login` shows it.
UserCode = Annotated[str, Field(pattern=r"^[A-Z]{4}-[A-Z]{4}$")]


class StartSso(Contract):
    TYPE: ClassVar[str] = "keel.auth.start_sso"
    organization_id: uuid.UUID
    # Where the IdP sends the browser back: the gateway's callback URL.
    callback_url: str = Field(max_length=500)
    # Signing in to approve this device login (`keel login --sso`): once the person has
    # confirmed the code in the browser, the tokens go to the device, not to the browser.
    user_code: UserCode | None = None


class SsoRedirect(Contract):
    TYPE: ClassVar[str] = "keel.auth.sso_redirect"
    authorization_url: str


class DeviceToConfirm(BaseModel):
    """A device login the signed-in person must still confirm: the browser shows the code
    and asks; only the confirmation (single use, minutes) approves it. Without that step a
    link from someone else (with their code) would sign their terminal in as you."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    user_code: UserCode
    # Sealed to the requester, like tokens: it approves the login once.
    confirmation: Sealed


class SsoFinished(Contract):
    """The end of an SSO sign-in: tokens for the browser, or a device login to confirm."""

    TYPE: ClassVar[str] = "keel.auth.sso_finished"
    tokens: TokenPair | None = None
    device: DeviceToConfirm | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> SsoFinished:
        if (self.tokens is None) == (self.device is None):
            raise ValueError("an SSO sign-in ends with tokens or a device to confirm")
        return self


class ConfirmSsoDevice(Contract):
    TYPE: ClassVar[str] = "keel.auth.confirm_sso_device"
    # Sealed to the auth service.
    confirmation: Sealed


class SsoDeviceConfirmed(Contract):
    TYPE: ClassVar[str] = "keel.auth.sso_device_confirmed"
    user_code: UserCode


class FinishSso(Contract):
    TYPE: ClassVar[str] = "keel.auth.finish_sso"
    state: str = Field(min_length=16, max_length=200)
    code: Sealed
    reply_key: str = Field(max_length=100)
    source_ip: str | None = Field(default=None, max_length=64)
