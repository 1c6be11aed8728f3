"""The stack a benchmark measures: the embedded one, in a directory of its own, on free
ports, on the broker asked for."""

from __future__ import annotations

from pathlib import Path

from keel_devstack.process import free_port
from keel_devstack.stack import BrokerProfile, Infrastructure, Stack, StackSettings


def stack_in(home: Path, broker: BrokerProfile = "tansu") -> Stack:
    settings = StackSettings(
        home=home,
        gateway_port=free_port(),
        postgres_port=free_port(),
        kafka_port=free_port(),
        openbao_port=free_port(),
    )
    stack = Stack(settings)
    # Stack always builds Tansu; the same infrastructure on Apache Kafka instead.
    stack.infra = Infrastructure(settings, broker=broker)
    return stack
