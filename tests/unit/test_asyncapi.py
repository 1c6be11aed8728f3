"""docs/asyncapi.json is what the contracts say today."""

from __future__ import annotations

import json
from pathlib import Path

from tools.asyncapi import build

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.json"


def test_the_committed_asyncapi_document_is_current() -> None:
    assert json.loads(DOC.read_text()) == json.loads(json.dumps(build(), sort_keys=True)), (
        "docs/asyncapi.json is stale: run `make asyncapi`"
    )


def test_every_auth_request_is_documented_with_its_reply() -> None:
    operations = build()["operations"]
    assert operations["auth_password_login"]["reply"]["description"].endswith("TokenPair.")
    assert "auth_ping" in operations
    assert {"secrets_ping", "metadata_ping"} <= set(operations)
