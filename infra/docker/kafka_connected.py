"""Container health of the Kafka-only services (auth, secrets, metadata), which serve no
HTTP: healthy while the process holds an established TCP connection to a Kafka bootstrap
port (from KEEL_KAFKA_BOOTSTRAP). A service whose broker connection is gone, or that never
got one, turns unhealthy. Whether it *answers* is the gateway's /api/v1/health (a ping
over Kafka to every service)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ESTABLISHED = "01"


def kafka_ports() -> set[int]:
    bootstrap = os.environ.get("KEEL_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    return {int(server.rsplit(":", 1)[1]) for server in bootstrap.split(",") if ":" in server}


def connected(ports: set[int]) -> bool:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if fields[3] == ESTABLISHED and remote_port in ports:
                return True
    return False


if __name__ == "__main__":
    sys.exit(0 if connected(kafka_ports()) else 1)
