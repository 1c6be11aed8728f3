"""The reply half of request/reply: either a result payload or a problem."""

from __future__ import annotations

from typing import Any, ClassVar

from keel_common.contracts.base import Contract
from keel_common.errors import Problem


class RpcReply(Contract):
    TYPE: ClassVar[str] = "keel.rpc.reply"
    VERSION: ClassVar[int] = 1

    ok: bool
    result: dict[str, Any] | None = None
    problem: Problem | None = None
