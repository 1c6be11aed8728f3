"""Contracts used only by the fabric tests."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from keel_common.contracts.base import Contract


class Echo(Contract):
    TYPE: ClassVar[str] = "test.echo"
    text: str = Field(max_length=100)


class Echoed(Contract):
    TYPE: ClassVar[str] = "test.echoed"
    text: str


class Fail(Contract):
    TYPE: ClassVar[str] = "test.fail"
    kind: str


class Slow(Contract):
    TYPE: ClassVar[str] = "test.slow"
    seconds: float


class Big(Contract):
    """Asks for an answer of `size` characters."""

    TYPE: ClassVar[str] = "test.big"
    size: int


class Counted(Contract):
    """An event whose handler bumps a counter in the `effects` table."""

    TYPE: ClassVar[str] = "test.counted"
    name: str
