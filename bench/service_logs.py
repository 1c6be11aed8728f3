"""What the measured services logged that a reader of the results should see: lines at
warning level or above (and tracebacks), printed to stderr because the stack's temporary
directory is gone once the run ends."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bench.runtime import log

# Structured lines at warning level or above, and whatever else names a traceback.
PROBLEM = re.compile(r'"level": "(warning|error|critical)"|Traceback')


def log_lengths(files: list[Path]) -> dict[Path, int]:
    """Where each log ends now: what follows was written while measuring."""
    return {path: len(path.read_text(errors="replace").splitlines()) for path in files}


def report_log_problems(
    files: list[Path], measured_from: dict[Path, int] | None = None, *, tail: int = 0
) -> None:
    """Problems logged before `measured_from` (starting up) are counted, the last one
    shown; those after it (measuring) are shown. Without `measured_from` every line counts
    as measuring. After a failure (`tail`), also each log's last lines."""
    for path in files:
        lines = path.read_text(errors="replace").splitlines()
        start = (measured_from or {}).get(path, len(lines) if measured_from else 0)
        early = [line for line in lines[:start] if PROBLEM.search(line)]
        during = [line for line in lines[start:] if PROBLEM.search(line)]
        if early:
            log(f"{path.name}: {len(early)} warning/error line(s) while starting, the last:")
            print(f"    {early[-1][:400]}", file=sys.stderr)
        if during:
            log(f"{path.name}: {len(during)} warning/error line(s) while measuring, e.g.:")
            for line in during[:5]:
                print(f"    {line[:400]}", file=sys.stderr)
        if tail:
            log(f"{path.name}, last {tail} lines:")
            for line in lines[-tail:]:
                print(f"    {line[:400]}", file=sys.stderr)
