"""`keel-relay [--config relay.toml]`: run the relay agent until SIGTERM/SIGINT.

The agent lives inside the HTTP server's lifespan, so uvicorn's signal handling stops
both: the consumer leaves its group (its partitions move to the other replicas at once)
before the process exits.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from keel_common.logging import configure_logging
from keel_secrets.relay_agent.agent import RelayAgent
from keel_secrets.relay_agent.http import http_app
from keel_secrets.relay_agent.settings import RelaySettings


def main() -> None:
    parser = argparse.ArgumentParser(prog="keel-relay", description="Keel relay agent")
    parser.add_argument("--config", type=Path, help="TOML file (instead of KEEL_RELAY_* env)")
    args = parser.parse_args()
    configure_logging("relay")
    settings = RelaySettings.load(args.config)
    agent = RelayAgent(settings)
    uvicorn.run(
        http_app(agent),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
