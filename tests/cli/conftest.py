"""`keel dev` as a user runs it: the CLI in a subprocess, on free ports in a temporary home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from keel_devstack.process import free_port

KEEL = str(Path(sys.executable).parent / "keel")


@pytest.fixture
def stack_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KEEL_DEV_HOME": str(tmp_path / ".keel"),
        "KEEL_DEV_GATEWAY_PORT": str(free_port()),
        "KEEL_DEV_POSTGRES_PORT": str(free_port()),
        "KEEL_DEV_KAFKA_PORT": str(free_port()),
        "KEEL_DEV_OPENBAO_PORT": str(free_port()),
        "KEEL_DEV_CUSTOMER_OPENBAO_PORT": str(free_port()),
        "KEEL_DEV_RELAY_PORT": str(free_port()),
    }


def keel(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KEEL, *args], env=env, capture_output=True, text=True, timeout=timeout)
