"""Builds the auth service: its runtime and handlers. Nothing else."""

from __future__ import annotations

from pathlib import Path

import httpx

from keel_auth.audit import handlers as audit_handlers
from keel_auth.device import handlers as device_handlers
from keel_auth.identity import handlers as identity_handlers
from keel_auth.identity.service import bootstrap_admin
from keel_auth.keys import handlers as keys_handlers
from keel_auth.keys.service import KeyService
from keel_auth.rbac import handlers as rbac_handlers
from keel_auth.service_accounts import handlers as service_accounts_handlers
from keel_auth.service_accounts.service import AUTH_EVENTS
from keel_auth.sessions import handlers as sessions_handlers
from keel_auth.sessions.service import AUDIT_TOPIC, SessionService
from keel_auth.settings import AuthSettings
from keel_auth.sso import handlers as sso_handlers
from keel_auth.sso.oidc import OidcClient
from keel_auth.sso.service import SsoService
from keel_auth.teams import handlers as teams_handlers
from keel_common.bus.topics import TopicSpec
from keel_common.crypto.at_rest import KeyEncryptionKey
from keel_common.service import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: AuthSettings | None = None) -> ServiceRuntime:
    settings = settings or AuthSettings()
    runtime = ServiceRuntime(
        "auth",
        settings,
        MIGRATIONS,
        extra_topics=[TopicSpec(AUDIT_TOPIC, 3), TopicSpec(AUTH_EVENTS, 3)],
    )
    kek = KeyEncryptionKey.from_text(settings.key_encryption_key.get_secret_value())
    keys = KeyService(kek, settings.access_token_ttl_s)
    sessions = SessionService(settings, keys)

    oidc = OidcClient(httpx.AsyncClient(timeout=10.0))
    sso = SsoService(oidc, kek, sessions)

    keys_handlers.register(runtime.router, keys)
    sso_handlers.register(runtime.router, keys, sso)
    device_handlers.register(runtime.router, keys, sessions)
    teams_handlers.register(runtime.router)
    sessions_handlers.register(runtime.router, keys, sessions)
    identity_handlers.register(runtime.router)
    rbac_handlers.register(runtime.router)
    service_accounts_handlers.register(runtime.router, keys)
    audit_handlers.register(runtime.router)
    audit_handlers.subscribe(runtime.broker, runtime.bus_settings, runtime.db, AUDIT_TOPIC)

    async def prepare() -> None:
        async with runtime.db.transaction() as session:
            await keys.ensure_keys(session)
            email, password = settings.bootstrap_admin_email, settings.bootstrap_admin_password
            if email and password:
                await bootstrap_admin(session, email, password.get_secret_value())

    async def rotate_signing_key() -> None:
        # Operators rotate the deployment's key; tenants cannot. The old key stays in the
        # JWKS until the tokens it signed have expired.
        async with runtime.db.transaction() as session:
            kid = await keys.rotate_signing_key(session)
        print(f"new signing key: {kid}")

    runtime.on_startup(prepare)
    runtime.commands["rotate-signing-key"] = rotate_signing_key
    return runtime
