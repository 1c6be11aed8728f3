"""Which status changes are allowed. Pure logic.

Statuses have a rank (waiting < running < done). Moving forward is allowed; asking for the
status a run already has changes nothing (a replay); moving back, or from one final status
to another, is refused. Ingestion events that arrive late ("started" after "finished") are
*stale* rather than wrong: the ingestion path skips them instead of refusing them.
"""

from __future__ import annotations

from enum import Enum

RUN_RANK = {
    "initializing": 0,
    "running": 1,
    "completed": 2,
    "failed": 2,
    "cancelled": 2,
    "cached": 2,
}
STEP_RANK = {"pending": 0, "running": 1, "completed": 2, "failed": 2, "cached": 2, "skipped": 2}


class Move(Enum):
    FORWARD = "forward"
    SAME = "same"
    STALE = "stale"  # behind the current status
    CONFLICT = "conflict"  # a different final status


def judge(ranks: dict[str, int], current: str, wanted: str) -> Move:
    if wanted == current:
        return Move.SAME
    if ranks[wanted] > ranks[current]:
        return Move.FORWARD
    if ranks[wanted] < ranks[current]:
        return Move.STALE
    return Move.CONFLICT


def is_final(ranks: dict[str, int], status: str) -> bool:
    return ranks[status] == 2
