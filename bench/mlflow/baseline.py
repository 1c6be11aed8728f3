"""The baseline: a real `mlflow server` with its backend store on the stack's Postgres."""

from __future__ import annotations

import importlib.util
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.runtime import log
from keel_devstack.postgres import EmbeddedPostgres
from keel_devstack.process import ManagedProcess, free_port

DATABASE = "mlflow_bench"
# MLflow's documented Postgres driver, what `postgresql://` means to SQLAlchemy.
DRIVER = "postgresql+psycopg2"
WORKERS = 1  # see bench/README.md, "MLflow compatibility": one worker, like Keel's one gateway
SERVER_ENV = {
    # The job runner (a huey consumer for GenAI scorers) is not part of tracking; it would
    # only take CPU from the server on a 2-core machine.
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
}


def missing_driver() -> str | None:
    """Why the baseline cannot run here, if it cannot."""
    if importlib.util.find_spec("psycopg2") is None:
        return (
            "the baseline's backend store needs psycopg2 (`postgresql+psycopg2://`), which is "
            "not installed in this environment; mlflow does not depend on it"
        )
    return None


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=3) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def mlflow_server(postgres: EmbeddedPostgres, home: Path) -> Iterator[str]:
    """`mlflow server` on a free port until the block ends; yields its URL."""
    postgres.create_database(DATABASE)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    home.mkdir(parents=True, exist_ok=True)
    argv = [
        str(Path(sys.executable).with_name("mlflow")), "server",
        "--backend-store-uri", postgres.url(DATABASE, driver=DRIVER),
        "--serve-artifacts", "--artifacts-destination", str(home / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(WORKERS),
    ]  # fmt: skip
    server = ManagedProcess(
        name="mlflow-server",
        argv=argv,
        log_path=home / "mlflow-server.log",
        env=SERVER_ENV,
        cwd=home,
    )
    server.start()
    try:
        # The first start creates MLflow's schema (its Alembic migrations): seconds.
        server.wait_ready(lambda: healthy(url), timeout=180)
        log(f"mlflow server up at {url} (pid {server.pid})")
        yield url
    finally:
        server.stop(timeout=20)
