"""The benchmark's echo service in its own process, as a real caller and service would be.

    python -m bench.rpc_server_process SERVICE [--stamps FILE] [--forward-to SERVICE]

Kafka settings come from KEEL_KAFKA_* (bootstrap, profile, fetch_max_wait_ms...). Prints
`ready` once subscribed. With --stamps, it records when each request reached the
subscriber and the handler and when its reply was published, and writes them to FILE as
JSON on SIGTERM. With --forward-to, each request is answered with what that service
answers to the same (a hop of bench.hops's no-work stand-in for a multi-service path).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from faststream import FastStream

from bench.echo import Stamps, add_stamping, echo_router, forwarding_router, quiet_faststream
from keel_common.bus.broker import make_broker
from keel_common.bus.rpc_client import RpcClient
from keel_common.bus.topics import DEAD_LETTERS, TopicSpec, ensure_topics, rpc_topic
from keel_common.logging import configure_logging
from keel_common.settings import BusSettings, LogSettings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("service")
    parser.add_argument("--stamps", type=Path)
    parser.add_argument("--forward-to", metavar="SERVICE")
    args = parser.parse_args()

    configure_logging("bench-rpc-server", LogSettings(level="WARNING", format="console"))
    quiet_faststream()
    settings = BusSettings()
    stamps: Stamps | None = {} if args.stamps else None
    broker = make_broker(settings, client_id=f"bench-{args.service}")
    if stamps is not None:
        add_stamping(broker, stamps, "server")
    client = RpcClient(broker, settings, args.service) if args.forward_to else None
    if client is not None:
        router = forwarding_router(args.service, client, args.forward_to)
    else:
        router = echo_router(args.service, stamps)
    app = FastStream(broker, logger=None)

    @app.on_startup
    async def provision() -> None:
        # Topics before subscribers, as a service's start-up does.
        await ensure_topics(
            settings,
            [
                TopicSpec(rpc_topic(args.service), settings.topic_partitions),
                TopicSpec(DEAD_LETTERS, 1),
            ],
        )
        router.bind(broker, settings)

    @app.after_startup
    async def ready() -> None:
        if client is not None:
            await client.start()
        print("ready", flush=True)

    @app.on_shutdown
    async def stop_client() -> None:
        if client is not None:
            await client.stop()

    @app.after_shutdown
    async def save_stamps() -> None:
        if stamps is not None:
            args.stamps.write_text(json.dumps(stamps))

    asyncio.run(app.run())


if __name__ == "__main__":
    main()
