"""A closed-loop HTTP/1.1 load generator that costs the measured machine little.

On 2 cores the client competes with the gateway for CPU, so the client must be cheap:
httpx spends about as much CPU per request as the gateway's own routing. What a read
benchmark needs is small (keep-alive GETs whose answers carry `Content-Length`), so this
speaks just that over asyncio streams: one connection per simulated client, each sending
its next request when the previous answer is complete."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


class LoadError(RuntimeError):
    pass


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


def _request(url: str, headers: dict[str, str]) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {parts.netloc}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return (
        parts.hostname or "127.0.0.1",
        parts.port or 80,
        ("\r\n".join(lines) + "\r\n\r\n").encode(),
    )


async def _read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    length = None
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "transfer-encoding":
            raise LoadError("chunked answers are not supported by this generator")
    if length is None:
        raise LoadError(f"an answer without Content-Length: {status_line}")
    await reader.readexactly(length)
    return int(status_line.split(" ", 2)[1])


async def closed_loop(
    url: str, headers: dict[str, str], *, clients: int, seconds: float
) -> LoadResult:
    """`clients` connections, each sending GET `url` back to back for `seconds`."""
    host, port, request = _request(url, headers)
    result = LoadResult()
    ready = asyncio.Event()
    deadline = 0.0

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            await ready.wait()
            while (now := time.perf_counter()) < deadline:
                writer.write(request)
                status = await _read_answer(reader)
                result.latencies_ms.append((time.perf_counter() - now) * 1000)
                result.statuses[status] = result.statuses.get(status, 0) + 1
        finally:
            writer.close()

    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    await asyncio.sleep(0.2)  # connections up before the clock starts
    started = time.perf_counter()
    deadline = started + seconds
    ready.set()
    await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - started
    result.latencies_ms.sort()
    return result
