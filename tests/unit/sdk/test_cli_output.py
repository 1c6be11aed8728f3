"""Tables for people: aligned, one row per line whatever the width, `-` for nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from keel.cli.output import cell, render_table


def test_columns_are_aligned_under_upper_case_headers() -> None:
    text = render_table(["name", "status"], [["train-1", "running"], ["evaluate-long", "failed"]])
    header, rule, *rows = text.splitlines()
    assert header.split() == ["NAME", "STATUS"]
    assert set(rule.strip()) <= {"─", " "}
    assert [row.split() for row in rows] == [["train-1", "running"], ["evaluate-long", "failed"]]
    assert rows[0].index("running") == rows[1].index("failed") == header.index("STATUS")


def test_long_rows_are_never_wrapped() -> None:
    long = "x" * 300
    text = render_table(["id", "name"], [[str(uuid.UUID(int=1)), long]])
    assert len(text.splitlines()) == 3


def test_cells_read_naturally() -> None:
    assert cell(None) == "-"
    assert cell(True) == "yes"
    assert cell(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02 03:04:05"
    assert cell(3) == "3"
