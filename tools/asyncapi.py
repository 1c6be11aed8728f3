"""Print the AsyncAPI document of Keel's event fabric: `make asyncapi` writes it to
docs/asyncapi.json, and a test fails when that file is stale."""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import SecretStr

from keel_auth.app import create_runtime as auth_runtime
from keel_auth.service_accounts.service import AUTH_EVENTS
from keel_auth.sessions.service import AUDIT_TOPIC
from keel_auth.settings import AuthSettings
from keel_common.bus.asyncapi import document
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.audit import AuditRecorded
from keel_common.contracts.auth import ApiKeyRevoked, RoleBindingChanged, UserDeactivated
from keel_common.contracts.base import Contract
from keel_common.contracts.metadata import (
    INGEST_TOPIC,
    FinishStep,
    RunFinished,
    RunStarted,
    SetRunStatus,
    StartRun,
    StartStep,
)
from keel_common.contracts.registry import (
    ModelAliasMoved,
    ModelVersionCreated,
    ModelVersionStageChanged,
)
from keel_common.contracts.relay import (
    RELAY_INBOUND,
    RelayEnroll,
    RelayHeartbeat,
    SignedRelayReply,
    SignedRelayRequest,
)
from keel_common.crypto.at_rest import KeyEncryptionKey
from keel_metadata.app import create_runtime as metadata_runtime
from keel_metadata.scope import METADATA_EVENTS
from keel_secrets.app import create_runtime as secrets_runtime
from keel_secrets.settings import SecretsSettings

VERSION = "0.1.0"


def relay_router() -> RpcRouter:
    """What a relay agent answers on its own topic (each relay has one, named by its id)."""
    router = RpcRouter("relay.{relay_id}")

    @router.method(SignedRelayRequest)
    async def handle(request: SignedRelayRequest, ctx: RpcContext) -> SignedRelayReply:
        raise NotImplementedError("described here, served by keel_secrets.relay_agent")

    return router


def build() -> dict[str, Any]:
    # Building a runtime opens no connection; a throwaway key satisfies the auth settings.
    throwaway = SecretStr(KeyEncryptionKey.generate_text())
    auth = auth_runtime(AuthSettings(key_encryption_key=throwaway))
    routers = {
        "auth": auth.router,
        "secrets": secrets_runtime(SecretsSettings(key_encryption_key=throwaway)).router,
        "metadata": metadata_runtime().router,
        "relay.{relay_id}": relay_router(),
    }
    events: dict[str, list[type[Contract]]] = {
        AUTH_EVENTS: [ApiKeyRevoked, RoleBindingChanged, UserDeactivated],
        AUDIT_TOPIC: [AuditRecorded],
        RELAY_INBOUND: [RelayEnroll, RelayHeartbeat],
        METADATA_EVENTS: [
            RunStarted,
            RunFinished,
            ModelVersionCreated,
            ModelVersionStageChanged,
            ModelAliasMoved,
        ],
        INGEST_TOPIC: [StartRun, SetRunStatus, StartStep, FinishStep],
    }
    return document(routers, events, version=VERSION)


if __name__ == "__main__":
    json.dump(build(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
