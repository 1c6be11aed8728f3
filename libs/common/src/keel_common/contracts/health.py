"""`ping`: the smallest RPC every service answers, proving broker and database work."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from keel_common.contracts.base import Contract


class Ping(Contract):
    TYPE: ClassVar[str] = "keel.health.ping"


class Pong(Contract):
    TYPE: ClassVar[str] = "keel.health.pong"

    service: str
    instance: str
    database: bool = Field(description="The service reached its own database")
    version: str
