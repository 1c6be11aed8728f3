"""The HTTP end of bench.hops's no-work stand-in: `GET /hops` asks SERVICE over Kafka.

    python -m bench.hops_gateway PORT SERVICE

The gateway's own server (uvicorn, FastAPI) and RPC client, without authentication,
permissions, sealing or anything else the gateway does. Kafka settings come from
KEEL_KAFKA_*. Prints `ready` once its reply consumer is in place.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from bench.echo import BenchPing, BenchPong, quiet_faststream
from keel_common.bus.broker import make_broker
from keel_common.bus.rpc_client import RpcClient
from keel_common.settings import BusSettings


def hops_app(service: str) -> FastAPI:
    settings = BusSettings()
    broker = make_broker(settings, client_id="bench-hops-gateway")
    client = RpcClient(broker, settings, "bench-hops-gateway")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await broker.start()
        await client.start()
        print("ready", flush=True)
        yield
        await client.stop()
        await broker.stop()

    app = FastAPI(lifespan=lifespan)

    @app.get("/hops")
    async def hops() -> BenchPong:
        return await client.call(service, BenchPing(n=1), BenchPong)

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("service")
    args = parser.parse_args()
    quiet_faststream()
    app = hops_app(args.service)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
