"""docker-compose.yml and the Dockerfile agree with each other and with the services.

The files' structure is checked without Docker: every service is built from an existing
Dockerfile target, points at Kafka and at its *own* database, reads only settings the code
has; the three profiles hold what their scenario needs; the customer network of Scenario 2
and everything of Scenario 3 are cut off as the docs say; images are pinned, processes are
not root, long-running ones have a health check. Compose's own checks of the file are in
test_compose_schema.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from keel_auth.settings import AuthSettings
from keel_common.settings import BusSettings, LogSettings
from keel_gateway.settings import GatewaySettings
from keel_metadata.settings import MetadataSettings
from keel_secrets.relay_agent.settings import RelaySettings
from keel_secrets.settings import SecretsSettings

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
        assert services[f"onprem-{name}"]["build"]["target"] == name
        assert name in targets
    assert services["relay"]["build"]["target"] == "relay"
    built = {s["build"]["target"] for s in services.values() if "build" in s}
    assert built <= targets


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
    assert published == {
        "gateway": ["127.0.0.1:8080:8080"],
        "onprem-gateway": ["127.0.0.1:8080:8080"],
    }


def test_no_password_is_written_into_the_compose_file() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    assert "${KEEL_POSTGRES_PASSWORD:?" in text
    assert not re.search(r"PASSWORD:\s*['\"]?\w", text.replace("POSTGRES_PASSWORD_FILE", ""))


def dockerfile_stages() -> dict[str, str]:
    """Each `FROM ... AS name` stage's text, continuation lines joined."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    stages: dict[str, str] = {}
    for block in re.split(r"^(?=FROM )", text, flags=re.M):
        match = re.match(r"FROM (\S+) AS (\S+)", block)
        if match:
            stages[match.group(2)] = block
    return stages


def test_the_relay_image_is_slim_non_root_and_checks_its_own_health() -> None:
    stages = dockerfile_stages()
    relay, build = stages["relay"], stages["relay-build"]
    base = re.match(r"FROM (\S+)", stages["runtime"])
    assert base is not None
    assert relay.startswith(f"FROM {base.group(1)} AS relay")  # the same pinned slim base
    assert base.group(1).endswith("-slim-bookworm")
    # Only the relay's packages: no auth, metadata or gateway code in the customer's cluster.
    [install] = re.findall(r"uv pip install [^&\n]*", build)
    assert install.split()[-2:] == ["./libs/common", "./services/secrets"]
    assert "COPY --from=relay-build /opt/keel /opt/keel" in relay
    [user] = re.findall(r"^USER (\S+)$", relay, re.M)
    assert user.split(":")[0] not in {"root", "0"}
    [healthcheck] = re.findall(r"^HEALTHCHECK .*$", relay, re.M)
    assert "urllib.request" in healthcheck
    assert "/healthz" in healthcheck
    assert "curl" not in relay
    assert re.search(r"^EXPOSE 8090$", relay, re.M)
    assert "KEEL_RELAY_HTTP_HOST=0.0.0.0" in relay
    assert re.search(r'^ENTRYPOINT \["keel-relay"\]$', relay, re.M)


# --- the three profiles -------------------------------------------------------------------

CONTROL_PLANE = {"kafka", "kafka-init", "postgres", *SERVICES}
CUSTOMER_SIDE = {"relay", "customer-openbao", "customer-openbao-init"}
ONPREM = {
    "onprem-kafka",
    "onprem-kafka-init",
    "onprem-postgres",
    "onprem-openbao",
    "onprem-openbao-init",
    *(f"onprem-{name}" for name in SERVICES),
}


def in_profile(profile: str) -> set[str]:
    return {name for name, s in compose()["services"].items() if profile in s["profiles"]}


def networks_of(name: str) -> set[str]:
    """A service's networks; one in another's network namespace shares that one's."""
    service = compose()["services"][name]
    mode = service.get("network_mode", "")
    if mode.startswith("service:"):
        return networks_of(mode.removeprefix("service:"))
    return set(service.get("networks") or [])


def members(network: str) -> set[str]:
    return {name for name in compose()["services"] if network in networks_of(name)}


def test_each_profile_holds_its_scenario() -> None:
    assert in_profile("saas") == CONTROL_PLANE
    assert in_profile("hybrid") == CONTROL_PLANE | CUSTOMER_SIDE
    assert in_profile("onprem") == ONPREM
    for service in compose()["services"].values():
        assert set(service["profiles"]) <= {"saas", "hybrid", "onprem"}


def test_the_customer_network_has_no_route_in_from_the_control_plane() -> None:
    networks = compose()["networks"]
    assert members("customer") == CUSTOMER_SIDE
    assert networks["customer"].get("internal") is True
    assert networks_of("relay") == {"customer", "kafka-edge"}
    # The only thing of the control plane the relay can reach is Kafka, which never opens
    # a connection to a client; the services cannot reach the relay or the customer's Vault.
    assert members("kafka-edge") == {"kafka", "kafka-init", "relay"}
    assert networks["kafka-edge"].get("internal") is True
    for name in CONTROL_PLANE:
        assert not networks_of(name) & {"customer"}, name
    assert "control-plane" not in networks_of("relay")
    assert networks["control-plane"].get("internal") is True
    # Out of the control plane: the gateway's port, and the auth service to external IdPs.
    outward = {n for n, spec in networks.items() if not (spec or {}).get("internal")}
    assert {n for n in CONTROL_PLANE if networks_of(n) & outward} == {"gateway", "auth"}


def test_onprem_is_self_contained_and_needs_nothing_outside() -> None:
    networks = compose()["networks"]
    assert networks["onprem"].get("internal") is True
    for name in ONPREM:
        assert "onprem" in networks_of(name), name
        assert not networks_of(name) & (networks_of("gateway") | networks_of("relay")), name
    # The only network with a way out carries the published port, and only the gateway.
    outward = {n for n in networks if not (networks[n] or {}).get("internal")}
    assert {n for n in ONPREM if networks_of(n) & outward} == {"onprem-gateway"}
    assert members("onprem-edge") == {"onprem-gateway"}
    env = compose()["services"]["onprem-secrets"]["environment"]
    assert env["KEEL_SECRETS_DEFAULT_BACKEND"] == "vault"
    aliases = compose()["services"]["onprem-openbao"]["networks"]["onprem"]["aliases"]
    assert env["KEEL_SECRETS_VAULT_ADDRESS"] == f"http://{aliases[0]}:8200"
    saas_env = compose()["services"]["secrets"]["environment"]
    assert saas_env["KEEL_SECRETS_DEFAULT_BACKEND"] == "sql"


# --- settings, credentials, Kafka listeners ------------------------------------------------


def env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = str(settings.model_config.get("env_prefix", ""))
    names = set()
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {str(choice) for choice in alias.choices}
        else:
            names.add((prefix + field_name).upper())
    return names


def keel_env(service: dict[str, Any]) -> set[str]:
    """KEEL_* names a service is given: its environment, and what its entrypoint exports."""
    names = {k for k in service.get("environment") or {} if k.startswith("KEEL_")}
    entrypoint = " ".join(service.get("entrypoint") or [])
    return names | set(re.findall(r"export (KEEL_\w+)=", entrypoint))


def test_every_setting_given_to_a_keel_process_is_one_it_reads() -> None:
    shared = env_names(BusSettings) | env_names(LogSettings)
    reads = {
        "auth": env_names(AuthSettings),
        "secrets": env_names(SecretsSettings),
        "metadata": env_names(MetadataSettings),
        "gateway": env_names(GatewaySettings),
        "relay": env_names(RelaySettings),
    }
    for name, service in compose()["services"].items():
        if "build" not in service:
            continue
        target = service["build"]["target"]
        unknown = keel_env(service) - shared - reads[target]
        assert not unknown, f"{name} is given settings nothing reads: {sorted(unknown)}"


def kafka_listeners(service: str) -> dict[str, str]:
    env = compose()["services"][service]["environment"]
    protocols = dict(p.split(":") for p in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    advertised = dict(a.split("://") for a in env["KAFKA_ADVERTISED_LISTENERS"].split(","))
    bound = dict(a.split("://") for a in env["KAFKA_LISTENERS"].split(","))
    for name, address in bound.items():
        # Anything without SASL is reachable only from inside the broker's own namespace.
        assert protocols[name] == "SASL_PLAINTEXT" or address.startswith("127.0.0.1:"), name
    return {address: protocols[name] for name, address in advertised.items()}


def test_every_keel_process_authenticates_to_kafka_as_its_own_principal() -> None:
    acls = yaml.safe_load((REPO / "infra/kafka/acls.yaml").read_text())
    services = compose()["services"]
    for kafka, init in (("kafka", "kafka-init"), ("onprem-kafka", "onprem-kafka-init")):
        listeners = kafka_listeners(kafka)
        env = services[kafka]["environment"]
        assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
        assert env["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"  # what keel_common speaks
        provisioned = services[init]["environment"]
        for name in SERVICES:
            service = services[name if kafka == "kafka" else f"onprem-{name}"]["environment"]
            user = service["KEEL_KAFKA_SASL_USERNAME"]
            assert user == f"keel-{name}" and user in acls["principals"]
            assert listeners[service["KEEL_KAFKA_BOOTSTRAP"]] == "SASL_PLAINTEXT"
            # The same variable sets the user's password on both sides.
            password = provisioned[f"SCRAM_PASSWORD_{user.upper().replace('-', '_')}"]
            assert service["KEEL_KAFKA_SASL_PASSWORD"].split(":")[0] == password.split(":")[0]
    relay = services["relay"]["environment"]
    assert kafka_listeners("kafka")[relay["KEEL_KAFKA_BOOTSTRAP"]] == "SASL_PLAINTEXT"
    assert relay["KEEL_KAFKA_BOOTSTRAP"] != services["auth"]["environment"]["KEEL_KAFKA_BOOTSTRAP"]
    init = services["kafka-init"]["environment"]
    assert relay["KEEL_KAFKA_SASL_USERNAME"].startswith(
        "relay-${RELAY_ID"
    )  # provision.sh's default
    assert (
        relay["KEEL_KAFKA_SASL_PASSWORD"].split(":")[0]
        == init["SCRAM_PASSWORD_RELAY"].split(":")[0]
    )
    assert init["RELAY_ID"] == "${RELAY_ID:-}"
    for init_job in ("kafka-init", "onprem-kafka-init"):
        assert services[init_job]["entrypoint"][-1] == "/etc/keel/kafka/provision.sh"


def test_openbao_gets_the_policies_of_infra_openbao() -> None:
    services = compose()["services"]
    for name, policy in (
        ("customer-openbao-init", "relay-policy.hcl"),
        ("onprem-openbao-init", "secrets-policy.hcl"),
    ):
        env = services[name]["environment"]
        assert env["KEEL_POLICY_FILE"] == f"/etc/keel/openbao/{policy}"
        assert (REPO / "infra/openbao" / policy).exists()
        assert "./infra/openbao:/etc/keel/openbao:ro" in services[name]["volumes"]
    # The relay's Vault policy is narrowed to the very prefix the relay writes under.
    assert (
        services["customer-openbao-init"]["environment"]["KEEL_PATH_PREFIX"]
        == services["relay"]["environment"]["KEEL_RELAY_VAULT_PATH_PREFIX"]
    )


# --- images, users, health ----------------------------------------------------------------


def stage_chain(target: str) -> list[str]:
    """A Dockerfile stage's text and those of the stages it is built FROM, nearest first."""
    stages, chain = dockerfile_stages(), []
    while target in stages:
        chain.append(stages[target])
        match = re.match(r"FROM (\S+)", stages[target])
        assert match is not None
        target = match.group(1)
    return chain


def image_directive(target: str, directive: str) -> str | None:
    for text in stage_chain(target):
        found = re.findall(rf"^{directive} (.*)$", text, re.M)
        if found:
            return str(found[-1])
    return None


def one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") == "no"


def test_images_and_base_images_are_pinned() -> None:
    for name, service in compose()["services"].items():
        if "image" in service:
            image, _, tag = service["image"].rpartition(":")
            # A release, not a moving tag (PostgreSQL's releases are major.minor).
            assert image and re.match(r"^v?\d+\.\d+", tag), f"{name}: {service['image']}"
    for base in re.findall(r"^FROM (\S+)", (REPO / "Dockerfile").read_text(), re.M):
        if base not in dockerfile_stages():
            assert re.search(r":\d+\.\d+\.\d+", base), base


def test_no_process_runs_as_root() -> None:
    for name, service in compose()["services"].items():
        user = service.get("user")
        if user is None and "build" in service:
            user = image_directive(service["build"]["target"], "USER")
        assert user is not None, f"{name} does not say which user it runs as"
        if user.split(":")[0] in {"root", "0"}:
            # Only a one-shot setup job, and without any capability.
            assert one_shot(service) and service.get("cap_drop") == ["ALL"], name


def test_every_long_running_service_has_a_health_check() -> None:
    services = compose()["services"]
    for name, service in services.items():
        if one_shot(service):
            continue
        check = service.get("healthcheck")
        if check is None and "build" in service:
            check = image_directive(service["build"]["target"], "HEALTHCHECK")
        assert check, f"{name} has no health check"
        for dependency, condition in (service.get("depends_on") or {}).items():
            wanted = condition["condition"]
            if wanted == "service_completed_successfully":
                assert one_shot(services[dependency]), (name, dependency)


def test_the_kafka_only_services_are_healthy_while_connected_to_kafka() -> None:
    check = image_directive("auth", "HEALTHCHECK")
    assert check is not None and "/opt/keel/kafka_connected.py" in check
    assert image_directive("gateway", "HEALTHCHECK") != check
    assert (
        "COPY infra/docker/kafka_connected.py /opt/keel/kafka_connected.py"
        in (dockerfile_stages()["runtime"])
    )


def test_the_gateways_keep_mlflow_artifacts_on_a_volume_their_user_owns() -> None:
    """Files uploaded through the MLflow proxy land in a directory the image makes for the
    gateway's (non-root) user, and a named volume keeps them across containers."""
    [gateway_stage] = [t for t in stage_chain("gateway") if "AS gateway" in t]
    [root] = re.findall(r"KEEL_GATEWAY_ARTIFACT_ROOT=(\S+)", gateway_stage)
    assert re.search(rf"^RUN .*chown keel {re.escape(root)}", gateway_stage, re.M)
    assert image_directive("gateway", "USER") == "keel"
    document = compose()
    for name in ("gateway", "onprem-gateway"):
        mounts = [v.split(":") for v in document["services"][name].get("volumes", [])]
        assert [volume for volume, target in mounts if target == root], name
        assert all(volume in document["volumes"] for volume, _ in mounts), name


def test_an_empty_s3_setting_leaves_artifacts_on_disk() -> None:
    """Compose passes `${KEEL_ARTIFACT_S3_URI:-}` as an empty string when it is not set."""
    settings = GatewaySettings(artifact_s3_uri="", artifact_s3_endpoint_url="")
    assert settings.artifact_s3_uri is None and settings.artifact_s3_endpoint_url is None
    assert GatewaySettings(artifact_s3_uri="s3://ml-artifacts/keel").artifact_s3_uri
