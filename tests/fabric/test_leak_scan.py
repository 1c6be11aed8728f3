"""The scan the no-leak tests rely on finds a value on any `keel.*` topic, raw or in base64,
in a record's value or its headers."""

from __future__ import annotations

import base64
import secrets

import pytest

from keel_common.bus.topics import TopicSpec, ensure_topics
from keel_common.settings import BusSettings
from tests.support.kafka import assert_absent_from_kafka, publish_raw, unique

pytestmark = pytest.mark.broker


async def test_a_value_on_any_topic_is_found_in_any_form(bus_settings: BusSettings) -> None:
    value = secrets.token_urlsafe(24)
    clean, in_value = unique("keel.test.clean"), unique("keel.test.value")
    await ensure_topics(bus_settings, [TopicSpec(clean, 2), TopicSpec(in_value, 2)])
    await publish_raw(bus_settings, clean, b'{"nothing": "here"}')
    assert await assert_absent_from_kafka(bus_settings, [value]) > 0

    encoded = base64.b64encode(b"prefix:" + value.encode())
    await publish_raw(bus_settings, in_value, b'{"blob": "' + encoded + b'"}')
    with pytest.raises(AssertionError, match=in_value):
        await assert_absent_from_kafka(bus_settings, [value])


async def test_a_value_in_a_header_is_found(bus_settings: BusSettings) -> None:
    value = secrets.token_urlsafe(24)
    topic = unique("keel.test.header")
    await ensure_topics(bus_settings, [TopicSpec(topic, 1)])
    await publish_raw(bus_settings, topic, b"{}", headers={"x-note": value})
    with pytest.raises(AssertionError, match=topic):
        await assert_absent_from_kafka(bus_settings, [value])
