"""Seed the metadata service's tables with a large, realistic dataset, fast.

    python -m tools.seed_metadata --database-url URL --workspace UUID --runs 1000000 \
        [--steps 10] [--pipelines 50] [--stacks 5] [--users 20] [--batch 50000] [--seed 1] \
        [--vacuum]

Writes straight into the metadata service's database (the URL its settings use, e.g.
`postgresql+asyncpg://keel:...@127.0.0.1:15432/keel_metadata`), bypassing the service:
stacks, pipelines and pipeline versions first (small, idempotent: names that exist are
reused), then runs and their steps with PostgreSQL COPY, in batches of `--batch` runs, one
transaction each, with a progress line per batch on stderr; where the schema has the
artifact tables, the same transaction also writes each finished step's output (an artifact
version of `<pipeline>/<step>`), each step's inputs (its upstream steps' outputs, so
lineage is as deep as the DAG: nine hops for ten steps) and three run-metadata values per
finished run (accuracy, loss, a report URI). `ANALYZE` at the end
(`--vacuum`: `VACUUM (ANALYZE)`, which also sets the visibility map and hint bits, as
autovacuum would have long since done on a production database).

The data: runs spread over the last year in the order a real system inserts them (the heap
follows `created_at`), pipelines and creators Zipf-like in popularity, mostly completed runs
(some failed, cancelled, cached; the newest ones and a few stuck ones still running), a few
tags, parameters and code references as the SDK sends them, and per run one step row per
step of the pipeline's DAG (a chain with some fan-in), times consistent: created <= started
<= each step's start <= its finish <= the run's finish <= now. Failed and cancelled runs mark
the steps they never reached `skipped`; running runs have rows only for steps that started.

Every row comes from small pure functions (one per table) of the plan and a random
generator seeded from it: the same arguments give the same dataset.
"""

from tools.seed_metadata.load import asyncpg_url, seed
from tools.seed_metadata.plan import Plan, SeedReport, project_of, step_names, step_upstream

__all__ = ["Plan", "SeedReport", "asyncpg_url", "project_of", "seed", "step_names", "step_upstream"]
