"""Where a secret's values come from on the command line: `--value KEY=VALUE` flags, a
file (dotenv lines or a JSON object; `-` is stdin), or one value on stdin. Flags come last
and win, so a file can hold the defaults."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO


class BadValues(Exception):
    """Values given the wrong way: a usage error (exit 2)."""


def parse_pair(pair: str) -> tuple[str, str]:
    key, sep, value = pair.partition("=")
    if not sep or not key:
        # Not echoed: what was typed may be the value itself.
        raise BadValues("expected KEY=VALUE (a value without its key?)")
    return key, value


def parse_file(text: str) -> dict[str, str]:
    """A JSON object of strings, or dotenv lines (`KEY=value`, `export KEY="value"`, `#`)."""
    if text.lstrip().startswith("{"):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as error:
            raise BadValues(f"not valid JSON: {error.msg} (line {error.lineno})") from None
        if not all(isinstance(v, str) for v in loaded.values()):
            raise BadValues("every value of the JSON object must be a string")
        return dict(loaded)
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        try:
            key, value = parse_pair(line)
        except BadValues:
            raise BadValues(f"line {number}: expected KEY=VALUE") from None
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


def collect(
    pairs: Sequence[str],
    from_file: str | None,
    stdin_key: str | None,
    stdin: TextIO,
) -> dict[str, str]:
    if from_file == "-" and stdin_key:
        raise BadValues("standard input can feed --from-file - or --value-stdin, not both")
    values: dict[str, str] = {}
    if from_file == "-":
        values.update(parse_file(stdin.read()))
    elif from_file:
        try:
            values.update(parse_file(Path(from_file).read_text()))
        except OSError as error:
            raise BadValues(f"cannot read {from_file}: {error.strerror}") from None
    if stdin_key:
        # One value, as is, but for the newline `echo` or a heredoc adds.
        values[stdin_key] = stdin.read().removesuffix("\n")
    for pair in pairs:
        key, value = parse_pair(pair)
        values[key] = value
    return values
