"""Opaque keyset cursors: the sort key of the last row of a page, base64url JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from keel_common.errors import InvalidInput


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        values = json.loads(base64.b64decode(cursor.encode(), altchars=b"-_", validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise InvalidInput("the cursor is not one this API returned", field="cursor")
    return values
