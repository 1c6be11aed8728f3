"""What the workload measured on one server, as it travels from the workload's process as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from bench.stats import percentile

# The measured operations, in the order of the table. Each is one client call.
CREATE_EXPERIMENT = "create_experiment"
CREATE_RUN = "create_run"
LOG_BATCH_METRICS = "log_batch: 1,000 metrics (10 keys x 100 steps)"
LOG_BATCH_PARAMS_TAGS = "log_batch: 5 params + 5 tags"
SEARCH_FILTERED = "search_runs: filter + order_by, max_results 1000"
SEARCH_ALL = "search_runs: every run, pages of 1000 (whole search)"
METRIC_HISTORY = "get_metric_history: 100 points"
OPERATIONS = (
    CREATE_EXPERIMENT,
    CREATE_RUN,
    LOG_BATCH_METRICS,
    LOG_BATCH_PARAMS_TAGS,
    SEARCH_FILTERED,
    SEARCH_ALL,
    METRIC_HISTORY,
)
SEARCHES = (SEARCH_FILTERED, SEARCH_ALL)


@dataclass
class Seeding:
    """Filling the experiment up to its size: several client threads, not a clean op."""

    runs: int
    requests: int
    seconds: float
    threads: int

    @property
    def runs_per_s(self) -> float:
        return self.runs / self.seconds if self.seconds else 0.0


@dataclass
class SideResult:
    server: str  # "MLflow" or "Keel"
    tracking_uri: str
    runs: int = 0  # in the experiment searched
    matching: int = 0  # runs the filtered search matches (it returns at most 1000)
    latencies: dict[str, list[float]] = field(default_factory=dict)  # op -> ms, sorted
    seeding: Seeding | None = None
    # Answers that were not what the client asked for: a fast wrong answer is no win.
    problems: list[str] = field(default_factory=list)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # 1, 5, 15 min, as measuring began
    seconds: float = 0.0  # the whole workload
    error: str | None = None  # why the workload stopped, if it did

    def pct(self, operation: str, q: float) -> float:
        return percentile(self.latencies.get(operation, []), q)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SideResult:
        fields = json.loads(text)
        seeding = fields.pop("seeding")
        result = cls(**fields)
        result.seeding = Seeding(**seeding) if seeding else None
        result.load = (result.load[0], result.load[1], result.load[2])
        return result
