"""What to seed: the plan, the dataset's vocabulary, the names that follow from them."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

STACK_NAMES = ("local", "staging", "production", "gpu-cluster", "spot")
DOMAINS = (
    "churn", "fraud", "recsys", "search", "pricing", "forecast", "ads", "nlp", "vision", "risk",
)  # fmt: skip
KINDS = ("training", "inference", "features", "evaluation", "backfill")
STEP_NAMES = (
    "ingest", "validate", "split", "featurize", "train", "tune", "evaluate", "compare",
    "register", "deploy",
)  # fmt: skip
# What each step writes: artifact type, data type, materializer.
STEP_OUTPUTS: dict[str, tuple[str, str, str]] = {
    "ingest": ("data", "pandas.DataFrame", "keel.materializers.ParquetMaterializer"),
    "validate": ("statistics", "dict", "keel.materializers.JsonMaterializer"),
    "split": ("data", "pandas.DataFrame", "keel.materializers.ParquetMaterializer"),
    "featurize": ("data", "pandas.DataFrame", "keel.materializers.ParquetMaterializer"),
    "train": ("model", "sklearn.pipeline.Pipeline", "keel.materializers.PickleMaterializer"),
    "tune": ("model", "sklearn.pipeline.Pipeline", "keel.materializers.PickleMaterializer"),
    "evaluate": ("metrics", "dict", "keel.materializers.JsonMaterializer"),
    "compare": ("metrics", "dict", "keel.materializers.JsonMaterializer"),
    "register": ("model", "sklearn.pipeline.Pipeline", "keel.materializers.PickleMaterializer"),
    "deploy": ("service", "str", "keel.materializers.JsonMaterializer"),
}
OTHER_OUTPUT = ("other", "bytes", "keel.materializers.BytesMaterializer")
# Tag -> share of runs that carry it (independently): a few common ones, a rare one.
TAGS: dict[str, float] = {
    "nightly": 0.40,
    "gpu": 0.25,
    "experiment": 0.20,
    "prod": 0.15,
    "candidate": 0.08,
    "baseline": 0.05,
    "backfill": 0.02,
    "hotfix": 0.005,
}
TRIGGERS = (("schedule", 0.55), ("manual", 0.25), ("api", 0.12), ("webhook", 0.08))
# The outcome of a run decided up front (then cut short if it would end after `now`).
OUTCOMES = (
    ("completed", 0.86),
    ("failed", 0.09),
    ("cancelled", 0.03),
    ("cached", 0.01),
    ("running", 0.007),  # stuck: its orchestrator went away
    ("initializing", 0.003),
)
SCHEDULER = "service:scheduler"
NAMESPACE = uuid.UUID("0d5f5a3e-6c1b-4f4e-9a51-5b0c1d6e7f80")


@dataclass(frozen=True)
class Plan:
    """What to seed. `now` pins the time window, so a plan always gives the same rows."""

    workspace_id: uuid.UUID
    runs: int
    steps: int = 10
    pipelines: int = 50
    stacks: int = 5
    users: int = 20
    batch: int = 50_000
    seed: int = 1
    days: int = 365
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=self.days)


@dataclass(frozen=True)
class PipelineInfo:
    id: uuid.UUID
    name: str
    steps: tuple[str, ...]
    upstream: tuple[list[str], ...]  # per step; shared by every step row (never mutated)
    version_ids: tuple[uuid.UUID, ...]  # oldest first
    # The artifact each step's output is a version of; empty without artifact tables.
    artifact_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """The rows runs refer to, with their ids as stored (reused ones included)."""

    stack_ids: tuple[uuid.UUID, ...]
    pipelines: tuple[PipelineInfo, ...]  # most popular first
    users: tuple[str, ...]  # most active first
    # Zipf-like popularity, cumulative (what `random.choices` takes fastest).
    pipeline_weights: list[float] = field(init=False, repr=False)
    user_weights: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pipeline_weights", cumulative(_weights(len(self.pipelines))))
        object.__setattr__(self, "user_weights", cumulative(_weights(len(self.users), 0.8)))


@dataclass(frozen=True)
class SeedReport:
    runs: int
    steps: int
    seconds: float
    pipelines: tuple[str, ...]  # most popular first
    stacks: tuple[str, ...]
    tags: dict[str, float]
    artifact_versions: int | None  # None: not seeded (no artifact tables in the schema)
    step_inputs: int
    run_metadata: int


def _weights(count: int, exponent: float = 1.0) -> list[float]:
    """Zipf-like popularity: the k-th item is chosen in proportion to 1/(k+1)^exponent."""
    return [1 / (k + 1) ** exponent for k in range(count)]


def stack_names(plan: Plan) -> list[str]:
    return [STACK_NAMES[k] if k < len(STACK_NAMES) else f"stack-{k}" for k in range(plan.stacks)]


def pipeline_names(plan: Plan) -> list[str]:
    combos = [f"{domain}-{kind}" for kind in KINDS for domain in DOMAINS]
    return [combos[k] if k < len(combos) else f"pipeline-{k}" for k in range(plan.pipelines)]


def project_of(pipeline: str) -> str:
    """Runs are grouped in projects by domain: `churn-training` is in `churn`."""
    return pipeline.split("-", 1)[0]


def step_names(count: int) -> tuple[str, ...]:
    return tuple(STEP_NAMES[k] if k < len(STEP_NAMES) else f"step-{k}" for k in range(count))


def step_upstream(names: Sequence[str]) -> tuple[list[str], ...]:
    """A chain, and every third step also depends on the step three before (fan-in)."""
    return tuple(
        ([names[k - 1]] if k else []) + ([names[k - 3]] if k >= 3 and k % 3 == 0 else [])
        for k in range(len(names))
    )


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))
