"""What one run of the metadata benchmark measured, and its error."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.stats import percentile
from keel_devstack.stack import BrokerProfile
from tools.seed_metadata import SeedReport


class BenchError(RuntimeError):
    pass


@dataclass
class Row:
    label: str
    latencies: list[float]  # ms, sorted
    rows: int  # items in the last response
    note: str = ""

    def pct(self, q: float) -> float:
        return percentile(self.latencies, q)


@dataclass
class Ingestion:
    runs: int
    completed: int
    publish_s: float  # first send -> every record acknowledged
    total_s: float  # first send -> the API lists every run completed (or the timeout)
    steps: int
    # Share of one core each process used meanwhile (Postgres: with its backends).
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def step_events(self) -> int:
        return self.completed * self.steps * 2

    @property
    def events(self) -> int:
        return self.completed * (self.steps * 2 + 2)


@dataclass
class Results:
    broker: BrokerProfile
    seeded: SeedReport
    database_size: str
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # 1, 5, 15 min, as measuring began
    reused: bool = False  # the dataset of an earlier run (`--home`), not seeded now
    lists: list[Row] = field(default_factory=list)
    detail: Row | None = None
    lineage: Row | None = None
    ingestion: Ingestion | None = None
