"""Request/reply over a real broker: results, problems, timeouts, deadlines, concurrency."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from faststream.kafka import KafkaBroker

from keel_common.bus.rpc_client import RpcClient
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.bus.topics import TopicSpec, ensure_topics, rpc_topic
from keel_common.contracts.base import Envelope, utcnow
from keel_common.errors import Conflict, RemoteError, ServiceTimeout
from keel_common.settings import BusSettings
from tests.support.contracts import Big, Echo, Echoed, Fail, Slow
from tests.support.kafka import (
    dead_letters_for,
    header,
    publish_raw,
    running_broker,
    unique,
)

pytestmark = pytest.mark.broker


class EchoService:
    """A service with one router, recording what its handlers actually ran. One per module:
    a consumer group join costs seconds on Tansu, so the tests share it."""

    def __init__(self) -> None:
        self.name = unique("echo")
        self.router = RpcRouter(self.name)
        self.slow_runs: list[float] = []

        @self.router.method(Echo)
        async def echo(request: Echo, ctx: RpcContext) -> Echoed:
            return Echoed(text=f"{request.text} from {ctx.actor}")

        @self.router.method(Fail)
        async def fail(request: Fail, _: RpcContext) -> Echoed:
            if request.kind == "conflict":
                raise Conflict("the widget already exists", widget="w1")
            raise RuntimeError("database password is hunter2")  # must not reach the caller

        @self.router.method(Big)
        async def big(request: Big, _: RpcContext) -> Echoed:
            return Echoed(text="x" * request.size)

        @self.router.method(Slow)
        async def slow(request: Slow, _: RpcContext) -> Echoed:
            self.slow_runs.append(request.seconds)
            await asyncio.sleep(request.seconds)
            return Echoed(text="done")


@pytest.fixture(scope="module")
async def echo(bus_settings: BusSettings) -> AsyncIterator[tuple[EchoService, RpcClient]]:
    service = EchoService()

    def setup(broker: KafkaBroker) -> None:
        service.router.bind(broker, bus_settings)

    # One partition: requests are consumed in the order sent, which the deadline test
    # relies on (Tansu under-reports end offsets, so "consumed everything" cannot be asked).
    await ensure_topics(bus_settings, [TopicSpec(rpc_topic(service.name), 1)])
    async with running_broker(
        bus_settings, topics=[rpc_topic(service.name)], setup=setup
    ) as broker:
        client = RpcClient(broker, bus_settings, caller="tests")
        await client.start()
        try:
            yield service, client
        finally:
            await client.stop()


async def test_call_returns_the_handlers_result(echo: tuple[EchoService, RpcClient]) -> None:
    service, client = echo
    reply = await client.call(service.name, Echo(text="hello"), Echoed, actor="user:1")
    assert reply == Echoed(text="hello from user:1")


async def test_concurrent_calls_each_get_their_own_reply(
    echo: tuple[EchoService, RpcClient],
) -> None:
    service, client = echo
    texts = [f"m{i}" for i in range(50)]
    replies = await asyncio.gather(
        *(client.call(service.name, Echo(text=t), Echoed, actor="a") for t in texts)
    )
    assert [r.text for r in replies] == [f"{t} from a" for t in texts]


async def test_expected_failure_arrives_as_the_same_problem(
    echo: tuple[EchoService, RpcClient],
) -> None:
    service, client = echo
    with pytest.raises(RemoteError) as raised:
        await client.call(service.name, Fail(kind="conflict"), Echoed)
    problem = raised.value.to_problem()
    assert problem.status == 409
    assert problem.type.endswith("/conflict")
    assert problem.detail == "the widget already exists"
    assert problem.extra == {"widget": "w1"}


async def test_crash_in_handler_is_a_bare_500_without_its_message(
    echo: tuple[EchoService, RpcClient],
) -> None:
    service, client = echo
    with pytest.raises(RemoteError) as raised:
        await client.call(service.name, Fail(kind="boom"), Echoed)
    problem = raised.value.to_problem()
    assert problem.status == 500
    assert "hunter2" not in problem.model_dump_json()


async def test_invalid_request_payload_is_a_422_naming_the_field(
    echo: tuple[EchoService, RpcClient],
) -> None:
    service, client = echo
    with pytest.raises(RemoteError) as raised:
        await client.call(service.name, Echo.model_construct(text="x" * 101), Echoed)
    problem = raised.value.to_problem()
    assert problem.status == 422
    assert [e.field for e in problem.errors] == ["text"]


async def test_no_answer_becomes_service_timeout(
    echo: tuple[EchoService, RpcClient],
) -> None:
    _, client = echo
    with pytest.raises(ServiceTimeout) as raised:
        await client.call(unique("nobody"), Echo(text="x"), Echoed, timeout=0.5)
    assert raised.value.status == 503
    assert raised.value.extra["retry_after"] == 1


async def test_slow_handler_times_out_on_the_caller_side(
    echo: tuple[EchoService, RpcClient],
) -> None:
    service, client = echo
    with pytest.raises(ServiceTimeout):
        await client.call(service.name, Slow(seconds=1.5), Echoed, timeout=0.3)


async def test_request_past_its_deadline_is_never_run(
    echo: tuple[EchoService, RpcClient], bus_settings: BusSettings
) -> None:
    service, client = echo
    late = Envelope.wrap(Slow(seconds=0.011), expires_at=utcnow() - timedelta(seconds=1))
    await publish_raw(
        bus_settings,
        rpc_topic(service.name),
        late.to_bytes(),
        {"reply_to": client.reply_topic, "correlation_id": str(late.id)},
    )
    # Sent after it on the same partition: once this one is answered, the late one has been
    # consumed, and its deadline checked before any work.
    await client.call(service.name, Slow(seconds=0.022), Echoed)
    assert 0.022 in service.slow_runs
    assert 0.011 not in service.slow_runs


async def test_unparseable_request_goes_to_the_dead_letter_topic(
    echo: tuple[EchoService, RpcClient], bus_settings: BusSettings
) -> None:
    service, client = echo
    topic = rpc_topic(service.name)
    await publish_raw(bus_settings, topic, b"{not json", {"reply_to": client.reply_topic})
    [parked] = await dead_letters_for(bus_settings, topic)
    assert parked.value == b"{not json"
    assert "unparseable request" in header(parked, "keel-dlq-reason")
    # ...and the service keeps answering.
    reply = await client.call(service.name, Echo(text="still here"), Echoed, actor="a")
    assert reply.text == "still here from a"


async def test_each_reply_reaches_only_the_caller_that_asked(
    echo: tuple[EchoService, RpcClient], bus_settings: BusSettings
) -> None:
    service, first = echo
    # A second caller instance: its own reply topic, the same service.
    second = RpcClient(first._broker, bus_settings, caller="tests")
    await second.start()
    try:
        a, b = await asyncio.gather(
            first.call(service.name, Echo(text="one"), Echoed, actor=str(uuid.uuid4())),
            second.call(service.name, Echo(text="two"), Echoed, actor="b"),
        )
    finally:
        await second.stop()
    assert a.text.startswith("one from ")
    assert b.text == "two from b"


async def test_an_answer_too_large_for_a_record_is_refused_at_once(
    echo: tuple[EchoService, RpcClient],
) -> None:
    service, client = echo
    fits = await client.call(service.name, Big(size=500_000), Echoed)
    assert len(fits.text) == 500_000
    with pytest.raises(RemoteError) as refused:
        # Well within the 5 s deadline: the service answers with the problem.
        await client.call(service.name, Big(size=2_000_000), Echoed, timeout=3)
    assert refused.value.problem.status == 413
    assert "smaller page" in (refused.value.problem.detail or "")
