"""MLflow's page tokens: opaque to the client, an offset for us (MLflow's server does the
same; its search orders on arbitrary metrics, which keyset cursors cannot follow)."""

from __future__ import annotations

import base64
import binascii
import json
import time

from keel_common.errors import FieldIssue, InvalidInput

# Deep offsets make Postgres walk every skipped row; no MLflow client pages that far.
MAX_OFFSET = 1_000_000


def offset_of(token: str | None) -> int:
    if not token:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = decoded["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        offset = None
    if not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(
            "invalid page token",
            errors=[FieldIssue(field="page_token", reason="not a token this server issued")],
        )
    return offset


def token_for(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def now_ms() -> int:
    return int(time.time() * 1000)
