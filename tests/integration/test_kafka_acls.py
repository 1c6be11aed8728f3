"""A relay's Kafka credential on Apache Kafka with SASL/SCRAM and the shipped ACLs.

The broker has docker-compose.yml's security: a SCRAM-SHA-512 listener and the
StandardAuthorizer, nothing allowed without an ACL. Two relays are provisioned by
infra/kafka/provision.sh itself (what an operator runs when a relay is registered), with
Kafka's own command-line tools; the topics are made by the super user, as the secrets
service makes a relay's topic. Relay A's clients use the code's own settings
(BusSettings, client_security_kwargs, make_broker, RpcRouter). The broker must refuse A
relay B's requests and every service topic, and must let A answer its own requests, so
the refusals cannot come from a credential that works nowhere.

Tansu has neither SASL nor ACLs: on the default profile this module starts an Apache Kafka
of its own; under `make test-kafka` it uses the session's broker, which has the listener.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
    for_code,
)
from aiokafka.protocol.fetch import FetchRequest
from pydantic import SecretStr

from keel_common.bus.broker import client_security_kwargs, make_broker
from keel_common.bus.rpc_client import RpcClient
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.bus.topics import (
    DEAD_LETTERS,
    TopicSpec,
    ensure_topics,
    events_topic,
    rpc_topic,
)
from keel_common.contracts.relay import RELAY_INBOUND, relay_request_topic, relay_service
from keel_common.settings import BusSettings
from keel_devstack.apache_kafka import ApacheKafka
from keel_devstack.process import free_port
from keel_devstack.stack import Infrastructure
from tests.support.contracts import Echo, Echoed
from tests.support.kafka import eventually, unique

pytestmark = pytest.mark.broker

# Every topic a Keel service consumes or produces that a relay has no business in.
SERVICE_TOPICS = [
    rpc_topic("secrets"),
    rpc_topic("auth"),
    rpc_topic("metadata"),
    events_topic("audit"),
    events_topic("auth"),
    DEAD_LETTERS,
]


@dataclass(frozen=True)
class Relay:
    id: uuid.UUID
    bus: BusSettings

    @property
    def request_topic(self) -> str:
        return relay_request_topic(self.id)

    @property
    def group(self) -> str:
        # RpcRouter's group for the relay's service name (what the relay agent joins).
        return f"keel-{relay_service(self.id)}"


@dataclass(frozen=True)
class AclBroker:
    admin: BusSettings  # the plaintext listener's super user: the control plane's part
    a: Relay
    b: Relay


@pytest.fixture(scope="module")
def sasl_kafka(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApacheKafka]:
    infra: Infrastructure = request.getfixturevalue("infra")
    if isinstance(infra.kafka, ApacheKafka) and infra.kafka.sasl_port is not None:
        yield infra.kafka
        return
    kafka = ApacheKafka(tmp_path_factory.mktemp("sasl-kafka"), free_port(), sasl_port=free_port())
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()


def provision_relay(kafka: ApacheKafka) -> Relay:
    relay_id = uuid.uuid4()
    # provision.sh documents [A-Za-z0-9] passwords (kafka-configs.sh's syntax).
    password = secrets.token_hex(24)
    kafka.provision(
        {"RELAY_ONLY": "1", "RELAY_ID": str(relay_id), "SCRAM_PASSWORD_RELAY": password}
    )
    bus = BusSettings(
        bootstrap=kafka.sasl_bootstrap,
        profile="kafka",
        sasl_username=f"relay-{relay_id}",
        sasl_password=SecretStr(password),
        rpc_timeout_s=10.0,
    )
    return Relay(relay_id, bus)


@pytest.fixture(scope="module")
async def acl_broker(sasl_kafka: ApacheKafka) -> AclBroker:
    admin = BusSettings(bootstrap=sasl_kafka.bootstrap, profile="kafka", rpc_timeout_s=10.0)
    a, b = provision_relay(sasl_kafka), provision_relay(sasl_kafka)
    await ensure_topics(
        admin,
        [
            TopicSpec(a.request_topic, 1),
            TopicSpec(b.request_topic, 1),
            TopicSpec(RELAY_INBOUND, 1),
            *(TopicSpec(topic, 1) for topic in SERVICE_TOPICS),
        ],
    )
    # Something to read on B's topic: an empty topic would refuse nothing.
    producer = AIOKafkaProducer(bootstrap_servers=admin.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(b.request_topic, b"a request for relay B")
    finally:
        await producer.stop()
    return AclBroker(admin, a, b)


async def fetch_error(relay: Relay, topic: str) -> type[KafkaError] | None:
    """What the broker answers relay's credential to a Fetch of `topic` partition 0 from
    offset 0, sent straight to it (a consumer would stop at the metadata refusal)."""
    client = AIOKafkaClient(
        bootstrap_servers=relay.bus.bootstrap, **client_security_kwargs(relay.bus)
    )
    await client.bootstrap()
    try:
        (node,) = client.cluster.brokers()
        request = FetchRequest(100, 1, 1 << 20, 0, [(topic, [(0, 0, 1 << 20)])])
        response = await client.send(node.nodeId, request)
        ((answered, partitions),) = [(t[0], t[1]) for t in response.topics]
        assert answered == topic
        error_code = partitions[0][1]
        return None if error_code == 0 else for_code(error_code)
    finally:
        await client.close()


async def test_relay_answers_requests_on_its_own_topic(acl_broker: AclBroker) -> None:
    """The control plane asks relay A through A's topic; A's RpcRouter, with A's
    credential, consumes in A's group and writes the reply to the secrets service's reply
    topic: what the relay agent does."""
    relay = acl_broker.a
    router = RpcRouter(relay_service(relay.id))

    @router.method(Echo)
    async def echo(request: Echo, _: RpcContext) -> Echoed:
        return Echoed(text=f"{request.text} from relay A")

    relay_broker = make_broker(relay.bus, client_id=unique("relay-a"))
    subscriber = router.bind(relay_broker, relay.bus)
    control_plane = make_broker(acl_broker.admin, client_id=unique("secrets"))
    await relay_broker.start()
    await control_plane.start()
    client = RpcClient(control_plane, acl_broker.admin, caller="secrets")
    try:
        # A new group starts at the log end: ask only once A holds the partition.
        await eventually(lambda: subscriber.consumer and subscriber.consumer.assignment())
        await client.start()
        reply = await client.call(relay_service(relay.id), Echo(text="ping"), Echoed)
        assert reply.text == "ping from relay A"
    finally:
        await client.stop()
        await control_plane.stop()
        await relay_broker.stop()


async def test_relay_cannot_read_another_relays_requests(acl_broker: AclBroker) -> None:
    a, b = acl_broker.a, acl_broker.b
    # The broker does not even tell A that B's topic exists.
    visible = await topics_visible_to(a)
    assert a.request_topic in visible
    assert b.request_topic not in visible

    # A Fetch of B's partition, where a record is waiting, is refused; A's own is served.
    assert await fetch_error(a, b.request_topic) is TopicAuthorizationFailedError
    assert await fetch_error(a, a.request_topic) is None

    # Joining B's consumer group is refused.
    consumer = relay_consumer(a, group=b.group)
    await consumer.start()
    try:
        consumer.subscribe([b.request_topic])
        with pytest.raises(GroupAuthorizationFailedError):
            await asyncio.wait_for(consumer.getone(), timeout=15)
    finally:
        await consumer.stop()

    # In its own group, subscribed to B's topic, A is assigned nothing and reads nothing.
    consumer = relay_consumer(a, group=a.group)
    await consumer.start()
    try:
        consumer.subscribe([b.request_topic])
        records = await consumer.getmany(timeout_ms=3000)
        assert records == {}
        assert consumer.assignment() == set()
    finally:
        await consumer.stop()


async def test_relay_cannot_write_to_service_topics(acl_broker: AclBroker) -> None:
    a, b = acl_broker.a, acl_broker.b
    producer = AIOKafkaProducer(bootstrap_servers=a.bus.bootstrap, **client_security_kwargs(a.bus))
    await producer.start()
    try:
        # No posing as a user to a service, no forged events, no requests to any relay
        # (its own included: only the control plane signs and sends those).
        for topic in [*SERVICE_TOPICS, b.request_topic, a.request_topic]:
            with pytest.raises(TopicAuthorizationFailedError):
                await producer.send_and_wait(topic, b"forged")
        # What it may write, it can: enrollment and heartbeats.
        sent = await producer.send_and_wait(RELAY_INBOUND, b"heartbeat")
        assert sent.topic == RELAY_INBOUND
    finally:
        await producer.stop()


async def test_wrong_password_is_refused(acl_broker: AclBroker) -> None:
    bus = acl_broker.a.bus.model_copy(update={"sasl_password": SecretStr("not-the-password")})
    producer = AIOKafkaProducer(bootstrap_servers=bus.bootstrap, **client_security_kwargs(bus))
    try:
        with pytest.raises(KafkaConnectionError):
            await producer.start()
    finally:
        await producer.stop()


async def topics_visible_to(relay: Relay) -> set[str]:
    consumer = relay_consumer(relay, group=None)
    await consumer.start()
    try:
        return set(await consumer.topics())
    finally:
        await consumer.stop()


def relay_consumer(relay: Relay, group: str | None) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=relay.bus.bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **client_security_kwargs(relay.bus),
    )
