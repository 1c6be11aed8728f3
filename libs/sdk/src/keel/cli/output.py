"""What commands print: aligned tables for people, JSON for scripts.

Tables go through rich without colour or wrapping when stdout is not a terminal, so a
piped table keeps one row per line; `--json` prints exactly what the gateway answered.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from rich import box
from rich.console import Console
from rich.table import Table

Cell = str | int | float | bool | datetime | uuid.UUID | None


def cell(value: Cell) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render_table(columns: Sequence[str], rows: Iterable[Sequence[Cell]], width: int = 0) -> str:
    """The rows under their column names, columns aligned; never wrapped."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column.upper(), no_wrap=True, overflow="ignore")
    for row in rows:
        table.add_row(*(cell(value) for value in row))
    console = Console(width=width or 10_000, no_color=True, color_system=None, record=True)
    with console.capture() as captured:
        console.print(table)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())


def print_table(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    rows = list(rows)
    if not rows:
        print("(none)")
        return
    print(render_table(columns, rows))


def print_fields(fields: Sequence[tuple[str, Cell]]) -> None:
    """One object, as `name: value` lines."""
    width = max(len(name) for name, _ in fields)
    for name, value in fields:
        print(f"{name + ':':<{width + 1}} {cell(value)}")


def to_json(value: BaseModel | Sequence[BaseModel] | dict[str, Any]) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: to_json(v) if isinstance(v, BaseModel) else v for k, v in value.items()}
    return [item.model_dump(mode="json") for item in value]


def print_json(value: BaseModel | Sequence[BaseModel] | dict[str, Any]) -> None:
    json.dump(to_json(value), sys.stdout, indent=2)
    print()
