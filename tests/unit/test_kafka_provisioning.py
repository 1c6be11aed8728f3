"""infra/kafka (topics, ACLs, the generated provision.sh) agrees with the code.

Topic and group names are read from the code itself: every `TopicSpec(...)`, every
`ServiceRuntime("<service>", ...)`, every `group_id="..."` and `RpcClient(caller=...)`
in libs/common and services. provision.sh is then run with stand-ins for the Kafka tools
that record their arguments, and the ACLs it would create are evaluated the way Kafka's
StandardAuthorizer does (literal or prefixed resources, Read/Write/Create/Delete imply
Describe, no match means no access). The SASL/SCRAM test on a real broker is separate.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from keel_common.bus.rpc_server import RpcRouter
from keel_common.bus.topics import DEAD_LETTERS, SHORT_RETENTION, reply_topic, rpc_topic
from keel_common.contracts.relay import RELAY_INBOUND, relay_request_topic, relay_service
from keel_common.settings import BusSettings
from tools.kafka_provision import render

REPO = Path(__file__).resolve().parents[2]
KAFKA = REPO / "infra" / "kafka"
SOURCES = [REPO / "libs/common/src", *sorted((REPO / "services").glob("*/src"))]
SHORT = int(SHORT_RETENTION["retention.ms"])


def source_files() -> Iterator[tuple[str, ast.Module]]:
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(root).with_suffix("").parts)
            yield module, ast.parse(path.read_text())


def calls(tree: ast.Module, name: str) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name:
                yield node


@dataclass(frozen=True)
class Declared:
    name: str
    partitions: int | None  # None: KEEL_KAFKA_TOPIC_PARTITIONS
    short: bool


def declared_topics() -> dict[str, Declared]:
    """Every TopicSpec whose name the module can compute on its own; per-instance and
    per-relay names (from local variables) are the patterns, checked separately."""
    found: dict[str, Declared] = {}
    for module, tree in source_files():
        for call in calls(tree, "TopicSpec"):
            if not call.args:
                continue
            namespace = vars(importlib.import_module(module))
            try:
                name = eval(ast.unparse(call.args[0]), namespace)
            except (NameError, AttributeError):
                continue
            count = call.args[1] if len(call.args) > 1 else None
            partitions = count.value if isinstance(count, ast.Constant) else None
            assert partitions is None or isinstance(partitions, int)
            short = len(call.args) > 2 and ast.unparse(call.args[2]) == "SHORT_RETENTION"
            found[name] = Declared(name, partitions, short)
    for service in services():
        found[rpc_topic(service)] = Declared(rpc_topic(service), None, False)
    found[DEAD_LETTERS] = Declared(DEAD_LETTERS, 1, False)
    return found


def services() -> set[str]:
    """The services built on ServiceRuntime (each has a request topic and a group)."""
    return {
        str(call.args[0].value)
        for _, tree in source_files()
        for call in calls(tree, "ServiceRuntime")
        if call.args and isinstance(call.args[0], ast.Constant)
    }


def named_groups() -> set[str]:
    return {
        keyword.value.value
        for _, tree in source_files()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "group_id" and isinstance(keyword.value, ast.Constant)
        if isinstance(keyword.value.value, str)
    }


def rpc_group(service: str) -> str:
    # The group RpcRouter.bind subscribes with, for a service's request topic.
    assert 'group_id = f"keel-{self.service}"' in inspect.getsource(RpcRouter.bind)
    return f"keel-{service}"


def callers() -> set[str]:
    return {
        str(keyword.value.value)
        for _, tree in source_files()
        for call in calls(tree, "RpcClient")
        for keyword in call.keywords
        if keyword.arg == "caller" and isinstance(keyword.value, ast.Constant)
    }


def topics_file() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((KAFKA / "topics.yaml").read_text())
    return loaded


# --- the files against the code ------------------------------------------------------------


def test_provision_script_is_generated_from_the_data_files() -> None:
    assert (KAFKA / "provision.sh").read_text() == render(), "run `make kafka-provision`"
    assert os.access(KAFKA / "provision.sh", os.X_OK)


def test_every_topic_in_the_code_is_provisioned_and_nothing_else() -> None:
    declared = declared_topics()
    provisioned = {spec["name"]: spec for spec in topics_file()["topics"]}
    assert set(provisioned) == set(declared)
    default_partitions = BusSettings().topic_partitions
    for name, spec in provisioned.items():
        expected = declared[name].partitions or default_partitions
        assert spec["partitions"] == expected, name


def test_request_and_reply_topics_keep_records_briefly() -> None:
    data = topics_file()
    for spec in data["topics"]:
        if spec["name"].startswith(rpc_topic("")):
            assert spec["retention_ms"] == SHORT, spec["name"]
        else:
            assert spec["retention_ms"] >= 24 * 3600 * 1000, spec["name"]
    patterns = {p["prefix"]: p for p in data["patterns"]}
    reply_prefix, relay_prefix = reply_topic("", "")[:-1], relay_request_topic(uuid.UUID(int=0))
    relay_prefix = relay_prefix.removesuffix(str(uuid.UUID(int=0)))
    assert set(patterns) == {reply_prefix, relay_prefix}
    assert all(p["retention_ms"] == SHORT for p in patterns.values())
    # What the code itself gives the topics it creates at run time.
    declared = [d for d in declared_topics().values() if d.short]
    assert not declared  # static topics are not short-lived...
    for _, tree in source_files():  # ...the dynamic ones are
        for call in calls(tree, "TopicSpec"):
            source = ast.unparse(call)
            if "reply_topic" in source or "relay_request_topic" in source:
                assert source.endswith("SHORT_RETENTION)"), source


# --- the ACLs provision.sh creates ---------------------------------------------------------


@dataclass(frozen=True)
class Acl:
    principal: str
    kind: str  # topic | group
    name: str
    prefixed: bool
    operation: str

    def covers(self, kind: str, name: str, operation: str) -> bool:
        implied = {self.operation, "Describe"} if self.operation != "Describe" else {"Describe"}
        if self.kind != kind or operation not in implied:
            return False
        return name.startswith(self.name) if self.prefixed else name == self.name


RELAY = uuid.UUID("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")
OTHER_RELAY = uuid.UUID("0a1b2c3d-4e5f-4061-8273-849506a7b8c9")


@pytest.fixture(scope="module")
def tool_calls(tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    """Run provision.sh against stand-in Kafka tools; each call's arguments."""
    bin_dir = tmp_path_factory.mktemp("kafka-bin")
    log = bin_dir / "calls.log"
    for tool in ("kafka-topics.sh", "kafka-configs.sh", "kafka-acls.sh"):
        stub = bin_dir / tool
        stub.write_text(f'#!/usr/bin/env bash\necho "{tool} $*" >> "{log}"\n')
        stub.chmod(0o755)
    env = {
        "PATH": os.environ["PATH"],
        "KAFKA_BIN": str(bin_dir),
        "RELAY_ID": str(RELAY),
        "SCRAM_PASSWORD_RELAY": "relay0password",
        "SCRAM_PASSWORD_KEEL_AUTH": "auth0password",
    }
    subprocess.run(["bash", str(KAFKA / "provision.sh")], env=env, check=True, timeout=30)
    return [line.split() for line in log.read_text().splitlines()]


@pytest.fixture(scope="module")
def acls(tool_calls: list[list[str]]) -> list[Acl]:
    found = []
    for words in tool_calls:
        if words[0] != "kafka-acls.sh":
            continue
        principal = words[words.index("--allow-principal") + 1].removeprefix("User:")
        kind = "topic" if "--topic" in words else "group"
        name = words[words.index(f"--{kind}") + 1]
        prefixed = "prefixed" in words
        for i, word in enumerate(words):
            if word == "--operation":
                found.append(Acl(principal, kind, name, prefixed, words[i + 1]))
    return found


def allowed(acls: list[Acl], principal: str, kind: str, name: str, operation: str) -> bool:
    return any(a.principal == principal and a.covers(kind, name, operation) for a in acls)


def test_only_the_users_with_a_password_are_created(tool_calls: list[list[str]]) -> None:
    users = {
        words[words.index("--entity-name") + 1]
        for words in tool_calls
        if words[0] == "kafka-configs.sh" and "users" in words
    }
    assert users == {"keel-auth", f"relay-{RELAY}"}
    topics = {w[w.index("--topic") + 1] for w in tool_calls if w[0] == "kafka-topics.sh"}
    assert topics == set(declared_topics())


def test_each_service_may_describe_every_topic_it_ensures_at_start(acls: list[Acl]) -> None:
    # ensure_topics lists topics first and creates what it does not see: a topic the
    # principal cannot describe would be created again, which the broker refuses.
    declared = declared_topics()
    for service in services():
        principal = f"keel-{service}"
        assert allowed(acls, principal, "topic", rpc_topic(service), "Read")
        assert allowed(acls, principal, "group", rpc_group(service), "Read")
        assert allowed(acls, principal, "topic", DEAD_LETTERS, "Write")
        for other in services() - {service}:
            assert not allowed(acls, principal, "topic", rpc_topic(other), "Read")
    for name in declared:
        users = {a.principal for a in acls if a.covers("topic", name, "Describe")}
        assert users, f"nobody may use {name}"


def test_callers_own_their_reply_topics_and_services_answer_there(acls: list[Acl]) -> None:
    assert callers() == {"gateway", "secrets"}
    for caller in callers():
        mine = reply_topic(caller, "a1b2c3")
        for operation in ("Create", "Read", "Delete"):
            assert allowed(acls, f"keel-{caller}", "topic", mine, operation), (caller, operation)
    for service in services():
        assert allowed(acls, f"keel-{service}", "topic", reply_topic("gateway", "x"), "Write")
    assert allowed(acls, "keel-secrets", "topic", relay_request_topic(OTHER_RELAY), "Create")
    assert allowed(acls, "keel-secrets", "topic", relay_request_topic(OTHER_RELAY), "Write")
    assert not allowed(acls, "keel-gateway", "topic", relay_request_topic(RELAY), "Write")


def test_every_consumer_group_is_one_the_code_uses(acls: list[Acl]) -> None:
    known = named_groups() | {rpc_group(s) for s in services()}
    known.add(rpc_group(relay_service(RELAY)))
    granted = {a.name for a in acls if a.kind == "group"}
    assert granted <= known
    assert named_groups() <= granted


def test_a_relay_reads_only_its_own_requests_and_writes_only_replies(acls: list[Acl]) -> None:
    relay = f"relay-{RELAY}"
    mine = [a for a in acls if a.principal == relay]
    assert allowed(mine, relay, "topic", relay_request_topic(RELAY), "Read")
    assert allowed(mine, relay, "group", rpc_group(relay_service(RELAY)), "Read")
    assert allowed(mine, relay, "topic", reply_topic("secrets", "a1b2c3"), "Write")
    assert allowed(mine, relay, "topic", RELAY_INBOUND, "Write")
    # Another relay's (so another workspace's) requests, topic or group: no.
    assert not allowed(mine, relay, "topic", relay_request_topic(OTHER_RELAY), "Read")
    assert not allowed(mine, relay, "topic", relay_request_topic(OTHER_RELAY), "Describe")
    assert not allowed(mine, relay, "group", rpc_group(relay_service(OTHER_RELAY)), "Read")
    # No service's topics, no gateway's replies, no events, not even its own topic to write.
    for service in (*services(), "relay."):
        assert not allowed(mine, relay, "topic", rpc_topic(service), "Write")
    for topic in declared_topics():
        if topic != RELAY_INBOUND:
            assert not allowed(mine, relay, "topic", topic, "Write"), topic
            assert not allowed(mine, relay, "topic", topic, "Read"), topic
    assert not allowed(mine, relay, "topic", reply_topic("gateway", "x"), "Write")
    assert not allowed(mine, relay, "topic", relay_request_topic(RELAY), "Write")
    assert {a.operation for a in mine} <= {"Read", "Write"}
