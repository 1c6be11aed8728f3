"""Values from flags, a file (dotenv or JSON) or stdin; flags win over the file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from keel.cli.secret_values import BadValues, collect, parse_file


def test_dotenv_lines_with_comments_exports_and_quotes() -> None:
    text = "# db\nexport USER=ml\nPASSWORD=\"a=b c\"\n\nTOKEN='t'\nEMPTY=\n"
    assert parse_file(text) == {"USER": "ml", "PASSWORD": "a=b c", "TOKEN": "t", "EMPTY": ""}


def test_a_json_object_of_strings() -> None:
    assert parse_file('{"A": "1", "B": "x"}') == {"A": "1", "B": "x"}
    with pytest.raises(BadValues, match="must be a string"):
        parse_file('{"A": 1}')


def test_a_bad_line_is_named_without_echoing_it() -> None:
    with pytest.raises(BadValues) as raised:
        parse_file("A=1\nsupersecretvalue\n")
    assert "line 2" in str(raised.value) and "supersecretvalue" not in str(raised.value)


def test_flags_override_the_file(tmp_path: Path) -> None:
    file = tmp_path / "values.env"
    file.write_text("USER=old\nHOST=db\n")
    values = collect(["USER=new"], str(file), None, io.StringIO())
    assert values == {"USER": "new", "HOST": "db"}


def test_one_value_from_stdin_keeps_everything_but_the_last_newline() -> None:
    assert collect([], None, "PASSWORD", io.StringIO(" p w\n")) == {"PASSWORD": " p w"}


def test_stdin_feeds_one_source_only() -> None:
    with pytest.raises(BadValues, match="not both"):
        collect([], "-", "PASSWORD", io.StringIO(""))


def test_a_flag_needs_an_equals_sign() -> None:
    with pytest.raises(BadValues, match="KEY=VALUE"):
        collect(["PASSWORD"], None, None, io.StringIO(""))


def test_a_flag_without_a_key_is_not_echoed() -> None:
    with pytest.raises(BadValues) as raised:
        collect(["hunter2"], None, None, io.StringIO(""))
    assert "hunter2" not in str(raised.value)
