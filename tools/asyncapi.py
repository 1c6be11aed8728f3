"""Print the AsyncAPI document of Keel's event fabric: `make asyncapi` writes it to
docs/asyncapi.json, and a test fails when that file is stale."""

from __future__ import annotations

import json
import sys
from typing import Any

from keel_auth.app import create_runtime as auth_runtime
from keel_auth.service_accounts.service import AUTH_EVENTS
from keel_auth.sessions.service import AUDIT_TOPIC
from keel_auth.settings import AuthSettings
from keel_common.bus.asyncapi import document
from keel_common.contracts.audit import AuditRecorded
from keel_common.contracts.auth import ApiKeyRevoked, RoleBindingChanged, UserDeactivated
from keel_common.contracts.base import Contract
from keel_common.crypto.at_rest import KeyEncryptionKey
from keel_metadata.app import create_runtime as metadata_runtime
from keel_secrets.app import create_runtime as secrets_runtime

VERSION = "0.1.0"


def build() -> dict[str, Any]:
    # Building a runtime opens no connection; a throwaway key satisfies the auth settings.
    auth = auth_runtime(AuthSettings(key_encryption_key=KeyEncryptionKey.generate_text()))
    routers = {
        "auth": auth.router,
        "secrets": secrets_runtime().router,
        "metadata": metadata_runtime().router,
    }
    events: dict[str, list[type[Contract]]] = {
        AUTH_EVENTS: [ApiKeyRevoked, RoleBindingChanged, UserDeactivated],
        AUDIT_TOPIC: [AuditRecorded],
    }
    return document(routers, events, version=VERSION)


if __name__ == "__main__":
    json.dump(build(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
