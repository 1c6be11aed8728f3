"""docker-compose.yml and the Dockerfile agree with each other and with the services.

Docker is not available to the test suite, so this checks the files' structure: every
service is built from an existing Dockerfile target, points at Kafka and at its *own*
database, and the gateway is the only published port.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("auth", "secrets", "metadata", "gateway")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return loaded


def test_every_service_builds_from_an_existing_dockerfile_target() -> None:
    targets = set(re.findall(r"^FROM \S+ AS (\S+)$", (REPO / "Dockerfile").read_text(), re.M))
    services = compose()["services"]
    for name in SERVICES:
        assert services[name]["build"]["target"] == name
        assert name in targets


def test_each_service_uses_kafka_and_only_its_own_database() -> None:
    services = compose()["services"]
    init_sql = (REPO / "infra/postgres/init.sql").read_text()
    for name in ("auth", "secrets", "metadata"):
        env = services[name]["environment"]
        assert env["KEEL_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["KEEL_KAFKA_PROFILE"] == "kafka"
        [url_key] = [k for k in env if k.endswith("_DATABASE_URL")]
        assert url_key == f"KEEL_{name.upper()}_DATABASE_URL"
        assert env[url_key].endswith(f"/keel_{name}")
        assert f"CREATE DATABASE keel_{name};" in init_sql


def test_only_the_gateway_is_published_and_only_on_loopback() -> None:
    services = compose()["services"]
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}
    assert published == {"gateway": ["127.0.0.1:8080:8080"]}


def test_no_password_is_written_into_the_compose_file() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    assert "${KEEL_POSTGRES_PASSWORD:?" in text
    assert not re.search(r"PASSWORD:\s*['\"]?\w", text.replace("POSTGRES_PASSWORD_FILE", ""))
