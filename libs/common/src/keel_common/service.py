"""What every Keel service process is made of, assembled once.

A service is: a FastStream Kafka broker, its own database (migrated at start), an RPC
router on its request topic that always answers `ping`, an outbox relay, and whatever
domain handlers the service adds. `ServiceRuntime.app()` returns the FastStream app whose
lifespan starts and stops these in order.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from faststream import FastStream

from keel_common.bus.broker import make_broker
from keel_common.bus.commits import commit_pending
from keel_common.bus.rpc_server import RpcContext, RpcRouter, SuccessHook
from keel_common.bus.topics import DEAD_LETTERS, TopicSpec, ensure_topics, rpc_topic
from keel_common.contracts.health import Ping, Pong
from keel_common.db.database import Database
from keel_common.db.migrate import upgrade_to_head, upgrade_to_head_async
from keel_common.logging import configure_logging, get_logger
from keel_common.outbox.relay import OutboxRelay
from keel_common.settings import BusSettings, DatabaseSettings

log = get_logger(__name__)


def package_version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "0+unknown"


class ServiceRuntime:
    def __init__(
        self,
        service: str,
        db_settings: DatabaseSettings,
        migrations: Path,
        *,
        bus_settings: BusSettings | None = None,
        extra_topics: list[TopicSpec] | None = None,
        on_rpc_success: SuccessHook | None = None,
    ) -> None:
        configure_logging(service)
        self.service = service
        self.instance = f"{socket.gethostname()}-{id(self):x}"
        self.bus_settings = bus_settings or BusSettings()
        self.db_settings = db_settings
        self.migrations = migrations
        self.broker = make_broker(self.bus_settings, client_id=f"keel-{service}")
        self.db = Database(
            db_settings.database_url.get_secret_value(), pool_size=db_settings.db_pool_size
        )
        self.router = RpcRouter(service, self.db, on_success=on_rpc_success)
        self.relay = OutboxRelay(self.db, self.broker)
        self._topics = [
            TopicSpec(rpc_topic(service), self.bus_settings.topic_partitions),
            TopicSpec(DEAD_LETTERS, 1),
            *(extra_topics or []),
        ]
        self._startup_tasks: list[Callable[[], Awaitable[None]]] = []
        self._shutdown_tasks: list[Callable[[], Awaitable[None]]] = []
        self.commands: dict[str, Callable[[], Awaitable[None]]] = {}
        self._register_ping()
        # Subscribing only registers the handler; the router's table is read per message,
        # so domains may add methods after this.
        self.router.bind(self.broker, self.bus_settings)

    def on_startup(self, task: Callable[[], Awaitable[None]]) -> None:
        """Run `task` at start, after migrations, before the first request is consumed."""
        self._startup_tasks.append(task)

    def on_shutdown(self, task: Callable[[], Awaitable[None]]) -> None:
        """Run `task` at stop, before the outbox relay and the database close."""
        self._shutdown_tasks.append(task)

    def _register_ping(self) -> None:
        release = package_version(f"keel-{self.service}")

        @self.router.method(Ping)
        async def ping(_: Ping, __: RpcContext) -> Pong:
            return Pong(
                service=self.service,
                instance=self.instance,
                database=await self.db.ping(),
                version=release,
            )

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        if self.db_settings.migrate_on_start:
            await upgrade_to_head_async(
                self.migrations, self.db_settings.database_url.get_secret_value()
            )
        # Topics first: a subscriber to a missing topic on Tansu waits for its metadata.
        await ensure_topics(self.bus_settings, self._topics)
        for task in self._startup_tasks:
            await task()
        yield
        for task in reversed(self._shutdown_tasks):
            await task()
        await self.relay.stop()
        await self.db.close()

    def app(self) -> FastStream:
        app = FastStream(self.broker, lifespan=self.lifespan, logger=None)

        @app.after_startup
        async def start_relay() -> None:
            self.relay.start()
            log.info("service ready", instance=self.instance)

        @app.on_shutdown
        async def commit_handled_events() -> None:
            # Before the broker stops its consumers: what was handled is not delivered again.
            await commit_pending(self.broker)

        return app


def run_service(runtime: ServiceRuntime, argv: list[str]) -> None:
    """A service's console script: `keel-<service>` runs it, `... migrate` only migrates,
    and `... <command>` runs one of the operator commands the service registered."""
    url = runtime.db_settings.database_url.get_secret_value()
    if argv == ["migrate"]:
        upgrade_to_head(runtime.migrations, url)
        return
    if argv:
        command = runtime.commands.get(argv[0])
        if command is None or len(argv) > 1:
            known = ", ".join(["migrate", *runtime.commands])
            raise SystemExit(f"usage: keel-{runtime.service} [{known}]")
        upgrade_to_head(runtime.migrations, url)
        asyncio.run(_run_command(runtime, command))
        return
    asyncio.run(runtime.app().run())


async def _run_command(runtime: ServiceRuntime, command: Callable[[], Awaitable[None]]) -> None:
    try:
        await command()
    finally:
        await runtime.db.close()
