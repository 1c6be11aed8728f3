"""SSO configuration and the login: start (state, nonce, PKCE) and finish (code exchange,
ID-token validation, just-in-time provisioning). Takes a session; never commits."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.device import service as device
from keel_auth.identity import repository as identity
from keel_auth.identity.models import User
from keel_auth.rbac import repository as bindings
from keel_auth.rbac.roles import Action, Resource, permission
from keel_auth.rbac.service import Principal, require
from keel_auth.sessions.service import IssuedTokens, SessionService, audit
from keel_auth.sso import repository
from keel_auth.sso.models import SsoConfig, SsoLogin
from keel_auth.sso.oidc import OidcClient, pkce_challenge
from keel_auth.teams.service import sync_from_groups
from keel_common.contracts.sso import ConfigureSso
from keel_common.crypto.at_rest import KeyEncryptionKey
from keel_common.errors import FailAfterCommit, Forbidden, KeelError, NotFound, Unauthenticated

LOGIN_TTL = timedelta(minutes=10)
# Users provisioned on first SSO sign-in belong to the organization; workspace access
# comes from an administrator's role bindings.
JIT_ORG_ROLE = "member"


@dataclass(frozen=True)
class PendingDevice:
    """An SSO sign-in for a device login: the person must still confirm its code."""

    user_code: str
    confirmation: str


def _digest(confirmation: str) -> str:
    return hashlib.sha256(confirmation.encode()).hexdigest()


class SsoService:
    def __init__(self, oidc: OidcClient, kek: KeyEncryptionKey, sessions: SessionService) -> None:
        self._oidc = oidc
        self._kek = kek
        self._sessions = sessions

    async def configure(
        self,
        session: AsyncSession,
        principal: Principal,
        request: ConfigureSso,
        client_secret: str | None,
    ) -> SsoConfig:
        await require(session, principal, permission(Resource.ORGANIZATION, Action.UPDATE), None)
        organization = principal.organization_id
        wrapped = (
            self._kek.wrap(client_secret.encode(), purpose=f"sso-client-secret:{organization}")
            if client_secret
            else None
        )
        saved = await repository.save_config(
            session,
            SsoConfig(
                organization_id=organization,
                issuer=request.issuer.rstrip("/"),
                client_id=request.client_id,
                client_secret_wrapped=wrapped,
                allowed_domains=request.allowed_domains,
                enabled=request.enabled,
                group_claim=request.group_claim,
                group_teams={group: str(team) for group, team in request.group_teams.items()},
            ),
        )
        await audit(session, "sso.configure", "success", actor=principal.subject,
                    target=f"organization:{organization}")  # fmt: skip
        return saved

    async def start(
        self,
        session: AsyncSession,
        organization_id: uuid.UUID,
        callback_url: str,
        device_user_code: str | None = None,
    ) -> str:
        config = await repository.config(session, organization_id)
        if config is None or not config.enabled:
            raise NotFound("single sign-on is not configured for this organization")
        if device_user_code is not None:
            # A mistyped or stale code is refused now, not after a trip through the IdP.
            await device.pending(session, device_user_code)
        document = await self._oidc.discovery(config.issuer)
        login = SsoLogin(
            state=secrets.token_urlsafe(32),
            organization_id=organization_id,
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(48),
            callback_url=callback_url,
            device_user_code=device_user_code,
            expires_at=datetime.now(UTC) + LOGIN_TTL,
        )
        await repository.add_login(session, login)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": config.client_id,
                "redirect_uri": callback_url,
                "scope": "openid email profile",
                "state": login.state,
                "nonce": login.nonce,
                "code_challenge": pkce_challenge(login.code_verifier),
                "code_challenge_method": "S256",
            }
        )
        return f"{document['authorization_endpoint']}?{query}"

    async def finish(
        self, session: AsyncSession, state: str, code: str, source_ip: str | None
    ) -> IssuedTokens | PendingDevice:
        now = datetime.now(UTC)
        login = await repository.take_login(session, state)
        if login is None or login.used_at is not None or login.expires_at <= now:
            raise Unauthenticated("this sign-in attempt is unknown, used or expired; start again")
        # Single use, whatever happens next: the mark must survive a refusal.
        login.used_at = now
        try:
            return await self._finish(session, login, code, source_ip)
        except KeelError as refused:
            await audit(session, "auth.sso_login", "failure", actor=None,
                        target=f"organization:{login.organization_id}",
                        reason=refused.detail, source_ip=source_ip)  # fmt: skip
            raise FailAfterCommit(refused) from None

    async def _finish(
        self, session: AsyncSession, login: SsoLogin, code: str, source_ip: str | None
    ) -> IssuedTokens | PendingDevice:
        config = await repository.config(session, login.organization_id)
        if config is None or not config.enabled:
            raise Forbidden("single sign-on is disabled for this organization")
        secret = (
            self._kek.unwrap(
                config.client_secret_wrapped,
                purpose=f"sso-client-secret:{config.organization_id}",
            ).decode()
            if config.client_secret_wrapped
            else None
        )
        tokens = await self._oidc.exchange_code(
            config.issuer,
            code=code,
            callback_url=login.callback_url,
            client_id=config.client_id,
            client_secret=secret,
            code_verifier=login.code_verifier,
        )
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise Unauthenticated("the identity provider sent no ID token")
        claims = await self._oidc.validate_id_token(
            id_token, issuer=config.issuer, client_id=config.client_id, nonce=login.nonce
        )
        user = await self._provision(session, config, claims)
        if config.group_claim:
            groups = claims.get(config.group_claim)
            names = [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []
            await sync_from_groups(
                session, config.organization_id, user.id, names, config.group_teams
            )
        await audit(session, "auth.sso_login", "success", actor=f"user:{user.id}",
                    target=f"user:{user.id}", source_ip=source_ip)  # fmt: skip
        if login.device_user_code is not None:
            confirmation = secrets.token_urlsafe(32)
            login.device_user_id = user.id
            login.confirmation_hash = _digest(confirmation)
            return PendingDevice(login.device_user_code, confirmation)
        return await self._sessions.issue(session, user)

    async def confirm_device(self, session: AsyncSession, confirmation: str) -> str:
        """The signed-in person confirmed the device login's code: approve it as them.
        Single use, and only while the sign-in is fresh. Returns the code approved."""
        login = await repository.login_to_confirm(session, _digest(confirmation))
        now = datetime.now(UTC)
        if (
            login is None
            or login.confirmed_at is not None
            or login.expires_at <= now
            or login.device_user_id is None
            or login.device_user_code is None
        ):
            raise NotFound("this confirmation is unknown, used or expired; sign in again")
        login.confirmed_at = now
        await device.approve_as(session, login.device_user_id, login.device_user_code)
        return login.device_user_code

    async def _provision(
        self, session: AsyncSession, config: SsoConfig, claims: dict[str, object]
    ) -> User:
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise Unauthenticated("the identity provider did not share an email address")
        if claims.get("email_verified") is False:
            raise Forbidden("the identity provider has not verified this email address")
        domain = email.rsplit("@", 1)[1].lower()
        if config.allowed_domains and domain not in config.allowed_domains:
            raise Forbidden(f"accounts from {domain} may not sign in to this organization")
        user = await identity.user_by_email(session, email)
        if user is None:
            user = await identity.add_user(session, config.organization_id, email, None)
            await bindings.bind(session, f"user:{user.id}", JIT_ORG_ROLE, config.organization_id)
        elif user.organization_id != config.organization_id:
            raise Forbidden("this account belongs to another organization")
        if not user.active:
            raise Unauthenticated("the user is deactivated")
        return user
