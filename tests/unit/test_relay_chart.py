"""The relay agent's Helm chart (infra/helm/keel-relay) agrees with the agent itself.

No cluster and no network. The values are checked against values.schema.json with
`jsonschema`, as `helm` checks them before rendering. The templates are read as text: every
setting they pass must be one the agent reads, and the policy they render must be one the
agent accepts. Where `helm` is on PATH the chart is also linted and rendered.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from keel_common.settings import BusSettings, LogSettings
from keel_secrets.relay_agent.policy import Policy
from keel_secrets.relay_agent.settings import RelaySettings

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "infra/helm/keel-relay"
TEMPLATES = CHART / "templates"
EXAMPLES = ("minimal-values.yaml", "full-values.yaml")


def load_yaml(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def defaults() -> dict[str, Any]:
    return load_yaml(CHART / "values.yaml")


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text())
    return loaded


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of values files: maps merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def example(name: str) -> dict[str, Any]:
    return merged(defaults(), load_yaml(CHART / "ci" / name))


def template(name: str) -> str:
    return (TEMPLATES / name).read_text()


def violations(values: dict[str, Any]) -> list[str]:
    """What `helm` would refuse of these values: values.schema.json, checked by jsonschema."""
    validator = Draft7Validator(schema())
    return sorted(
        "values"
        + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
        + f": {e.message}"
        for e in validator.iter_errors(values)
    )


def test_the_schema_is_a_valid_draft_7_schema() -> None:
    Draft7Validator.check_schema(schema())


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_values_satisfy_the_schema(name: str) -> None:
    assert violations(example(name)) == []


def test_the_defaults_alone_are_refused_until_the_deployment_specific_settings_are_given() -> None:
    found = violations(defaults())
    assert found == [
        "values.existingStateSecret: '' should be non-empty",
        "values.kafka.bootstrap: '' should be non-empty",
        "values.vault.address: '' does not match '^https?://'",
        "values.vault.address: '' should be non-empty",
    ]


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"replicaCount": 0}, "values.replicaCount: 0 is less than the minimum of 1"),
        ({"replicaCount": "2"}, "values.replicaCount: '2' is not of type 'integer'"),
        ({"relicaCount": 2}, "('relicaCount' was unexpected)"),
        ({"vault": {"auth": {"method": "kubernetes"}}}, "values.vault.auth.method: 'kubernetes'"),
        ({"vault": {"address": "vault:8200"}}, "does not match '^https?://'"),
        (
            {"kafka": {"sasl": {"password": "x"}}},
            "values.kafka.sasl: Additional properties are not allowed ('password'",
        ),
        ({"kafka": {"caFile": "/ca.pem"}}, "values.kafka.caFile: '/ca.pem' is not of type"),
        ({"policy": {"operations": ["list"]}}, "values.policy.operations[0]: 'list'"),
        ({"policy": {"path_prefixes": []}}, "values.policy.path_prefixes: [] should be non-empty"),
        ({"podSecurityContext": {"runAsNonRoot": False}}, "runAsNonRoot: False is not one"),
        ({"securityContext": {"readOnlyRootFilesystem": False}}, "readOnlyRootFilesystem"),
    ],
)
def test_the_schema_refuses_wrong_values(override: dict[str, Any], complaint: str) -> None:
    found = violations(merged(example("minimal-values.yaml"), override))
    assert len(found) == 1
    assert complaint in found[0]


# --- the defaults and the templates ----------------------------------------------------


def test_the_defaults_run_two_non_root_replicas_with_a_read_only_root() -> None:
    values = defaults()
    assert values["replicaCount"] == 2
    assert values["podDisruptionBudget"]["minAvailable"] == 1
    assert values["podSecurityContext"]["runAsNonRoot"] is True
    assert values["podSecurityContext"]["runAsUser"] != 0
    assert values["securityContext"]["readOnlyRootFilesystem"] is True
    assert values["securityContext"]["allowPrivilegeEscalation"] is False
    assert not values["kafka"]["caFile"]["configMap"]  # TLS to Kafka only with a CA given
    assert not values["kafka"]["caFile"]["path"]


def test_the_pdb_keeps_a_replica_of_this_release_available() -> None:
    pdb = template("pdb.yaml")
    assert "kind: PodDisruptionBudget" in pdb
    assert "minAvailable: {{ .Values.podDisruptionBudget.minAvailable }}" in pdb
    assert 'include "keel-relay.selectorLabels"' in pdb


def test_liveness_is_healthz_and_readiness_is_readyz_on_the_http_port() -> None:
    deployment = template("deployment.yaml")
    probes = dict(re.findall(r"(\w+Probe):\s*\n\s*httpGet:\s*\n\s*path: (\S+)", deployment))
    assert probes == {
        "startupProbe": "/healthz",
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
    }
    assert deployment.count("port: http\n") == 3
    assert "containerPort: {{ .Values.httpPort }}" in deployment
    assert "value: {{ .Values.httpPort | quote }}" in deployment  # KEEL_RELAY_HTTP_PORT


def env_names(text: str, prefix: str) -> set[str]:
    return set(re.findall(rf"\b{prefix}[A-Z0-9_]+\b", text))


def test_every_setting_the_chart_passes_is_one_the_agent_reads() -> None:
    deployment = template("deployment.yaml")
    extra = {e["name"] for name in EXAMPLES for e in example(name)["extraEnv"]}
    relay = env_names(deployment, "KEEL_RELAY_") | {n for n in extra if n.startswith("KEEL_RELAY_")}
    kafka = env_names(deployment, "KEEL_KAFKA_")
    logs = env_names(deployment, "KEEL_LOG_")
    assert {n.removeprefix("KEEL_RELAY_").lower() for n in relay} <= set(RelaySettings.model_fields)
    assert {n.removeprefix("KEEL_KAFKA_").lower() for n in kafka} <= set(BusSettings.model_fields)
    assert {n.removeprefix("KEEL_LOG_").lower() for n in logs} <= set(LogSettings.model_fields)
    assert env_names(deployment, "KEEL_") == relay - extra | kafka | logs
    assert {
        "KEEL_RELAY_STATE_DIR",
        "KEEL_RELAY_POLICY_FILE",
        "KEEL_RELAY_AUDIT_LOG",
        "KEEL_RELAY_HTTP_HOST",
        "KEEL_RELAY_VAULT_ADDRESS",
        "KEEL_RELAY_VAULT_TOKEN",
        "KEEL_RELAY_VAULT_ROLE_ID",
        "KEEL_RELAY_VAULT_SECRET_ID",
        "KEEL_RELAY_VAULT_CA_BUNDLE",
        "KEEL_RELAY_HTTPS_PROXY",
    } <= relay
    assert {
        "KEEL_KAFKA_BOOTSTRAP",
        "KEEL_KAFKA_SASL_USERNAME",
        "KEEL_KAFKA_SASL_PASSWORD",
        "KEEL_KAFKA_SSL_CAFILE",
    } <= kafka
    # Enrollment is a one-off run (README.md); replicas only ever load the shared state.
    assert "KEEL_RELAY_ENROLLMENT" not in relay
    assert "HTTPS_PROXY" in deployment
    assert "NO_PROXY" in deployment


def test_the_files_the_agent_uses_are_where_the_volumes_are() -> None:
    deployment = template("deployment.yaml")
    env = dict(re.findall(r"- name: (KEEL_RELAY_\w+)\n\s+value: (/\S+)", deployment))
    mounts = set(re.findall(r"mountPath: (\S+)", deployment))
    assert env["KEEL_RELAY_STATE_DIR"] == "/var/lib/keel-relay"
    assert env["KEEL_RELAY_STATE_DIR"] in mounts
    assert str(Path(env["KEEL_RELAY_POLICY_FILE"]).parent) in mounts
    assert str(Path(env["KEEL_RELAY_AUDIT_LOG"]).parent) in mounts
    assert "/tmp" in mounts  # the root filesystem is read-only
    # The CAs: each ConfigMap is mounted where the setting that names the file points.
    helpers = template("_helpers.tpl")
    assert '"/etc/keel-relay/kafka-ca/%s" .Values.kafka.caFile.key' in helpers
    assert "/etc/keel-relay/kafka-ca" in mounts
    assert "value: /etc/keel-relay/vault-ca/{{ .Values.vault.caBundle.key }}" in deployment
    assert "/etc/keel-relay/vault-ca" in mounts
    assert re.search(r"- name: tmp\n\s+emptyDir:", deployment)
    assert f"  {Path(env['KEEL_RELAY_POLICY_FILE']).name}: |" in template("configmap.yaml")
    # The shared state Secret is copied into the state dir, where the agent expects it.
    assert "secretName: {{ .Values.existingStateSecret }}" in deployment
    assert f'"{env["KEEL_RELAY_STATE_DIR"]}/relay.json"' in deployment
    assert "- key: relay.json" in deployment


def render_policy(values: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The policy TOML exactly as configmap.yaml renders it (each line `key = toJson ...`)."""
    lines = re.findall(
        r"^ +(\w+) = \{\{ toJson \.Values\.policy\.(\w+) \}\}$", template("configmap.yaml"), re.M
    )
    assert lines
    assert all(key == source for key, source in lines)
    toml = "\n".join(f"{key} = {json.dumps(values['policy'][key])}" for key, _ in lines)
    return [key for key, _ in lines], tomllib.loads(toml)


@pytest.mark.parametrize("name", [None, *EXAMPLES])
def test_the_rendered_policy_is_one_the_agent_accepts(name: str | None) -> None:
    values = example(name) if name else defaults()
    keys, rendered = render_policy(values)
    assert set(keys) == set(values["policy"]) == set(Policy.model_fields)
    policy = Policy.model_validate(rendered)
    prefix = values["vault"]["pathPrefix"].rstrip("/") + "/"
    assert all(p.startswith(prefix) for p in policy.path_prefixes)
    if name is None:
        # The chart's default is what the agent does with no policy file at all.
        assert policy == Policy.load(None, values["vault"]["pathPrefix"])


# --- helm itself, where it is installed --------------------------------------------------


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["helm", *args], capture_output=True, text=True, timeout=120)


def test_helm_lints_and_renders_the_chart() -> None:
    if shutil.which("helm") is None:
        pytest.skip("helm is not installed")
    for name in EXAMPLES:
        values_file = str(CHART / "ci" / name)
        lint = helm("lint", "--strict", str(CHART), "-f", values_file)
        assert lint.returncode == 0, lint.stdout + lint.stderr
        rendered = helm("template", "relay", str(CHART), "-f", values_file)
        assert rendered.returncode == 0, rendered.stderr
        docs = {d["kind"]: d for d in yaml.safe_load_all(rendered.stdout) if d}
        assert set(docs) == {
            "ServiceAccount",
            "ConfigMap",
            "Service",
            "Deployment",
            "PodDisruptionBudget",
        }
        assert docs["PodDisruptionBudget"]["spec"]["minAvailable"] == 1
        pod = docs["Deployment"]["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        [relay] = pod["containers"]
        assert relay["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert relay["readinessProbe"]["httpGet"]["path"] == "/readyz"
        names = {e["name"] for e in relay["env"]}
        fields = {n.removeprefix("KEEL_RELAY_").lower() for n in names if "KEEL_RELAY_" in n}
        assert fields <= set(RelaySettings.model_fields)
        env = {e["name"]: e.get("value") for e in relay["env"]}
        if name == "full-values.yaml":
            assert env["KEEL_KAFKA_SSL_CAFILE"] == "/etc/keel-relay/kafka-ca/ca.crt"
            assert env["KEEL_RELAY_VAULT_CA_BUNDLE"] == "/etc/keel-relay/vault-ca/ca.crt"
            assert {v["name"] for v in pod["volumes"]} >= {"kafka-ca", "vault-ca"}
        else:
            assert "KEEL_KAFKA_SSL_CAFILE" not in env
        policy = tomllib.loads(docs["ConfigMap"]["data"]["policy.toml"])
        assert (
            Policy.model_validate(policy).path_prefixes == example(name)["policy"]["path_prefixes"]
        )
    # Refused: the defaults alone (schema), and a Kafka CA given twice.
    assert helm("template", "relay", str(CHART)).returncode != 0
    full = str(CHART / "ci/full-values.yaml")
    both = ("--set", "kafka.caFile.path=/etc/ssl/certs/ca-certificates.crt")
    refused = helm("template", "relay", str(CHART), "-f", full, *both)
    assert refused.returncode != 0
    assert "not both" in refused.stderr
