"""The gateway against its own OpenAPI schema (schemathesis): requests generated from the
schema served at `/openapi.json`, valid and invalid, sent with the administrator's token and
a real workspace in every `{workspace_id}`, never get a 5xx, and every answer is one the
schema documents (status code, content type, headers and body).

Bounded for CI: a few derandomized cases per operation, not shrunk. Each operation is a
subtest. Schemathesis's own pytest plugin for a schema loaded in a fixture does not run on
pytest 9.2 (it sets `Node._nodeid`, which is gone), so the cases come from its Python API
and hypothesis runs them here.

No operation is left out: the gateway has no sign-out, workspace deletion or key rotation
route, and every id but the workspace's is generated, so deactivating a user, removing a
member or revoking a key names nobody the other tests use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.auth_support import admin, new_workspace
from tests.e2e.conftest import RunningServices

pytestmark = pytest.mark.broker

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Generated cases per operation, valid and invalid ones mixed.
EXAMPLES = 12

Operation = APIOperation[Any, Any, Any, Any]


@dataclass(frozen=True)
class Target:
    url: str
    headers: dict[str, str]
    workspace: str
    operations: list[Operation]


@pytest.fixture(scope="module")
def target(services: RunningServices) -> Target:
    headers = admin(services)
    config = schemathesis.Config.from_dict(
        {
            "base-url": services.gateway_url,
            "request-timeout": 15,
            # The administrator's token goes with every request instead.
            "generation": {"with-security-parameters": False},
        }
    )
    schema = schemathesis.openapi.from_url(f"{services.gateway_url}/openapi.json", config=config)
    operations = [_operation(result) for result in schema.get_all_operations()]
    return Target(services.gateway_url, headers, new_workspace(services, headers), operations)


def _operation(loaded: Ok[Operation] | Err[InvalidSchema]) -> Operation:
    if isinstance(loaded, Err):
        raise loaded.err()  # the gateway serves a schema schemathesis cannot read
    return loaded.ok()


def _cases(operation: Operation, workspace: str) -> st.SearchStrategy[Case[Any]]:
    # Other ids stay generated: they name nothing, which must be a documented 404.
    fixed = {"workspace_id": workspace} if "workspace_id" in _path_names(operation) else {}
    return st.one_of(
        [operation.as_strategy(mode, path_parameters=fixed) for mode in GenerationMode]
    )


def _path_names(operation: Operation) -> set[str]:
    return {parameter.name for parameter in operation.path_parameters}


def _fuzz(operation: Operation, target: Target) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(_cases(operation, target.workspace))
    def answers_as_documented(case: Case[Any]) -> None:
        case.call_and_validate(base_url=target.url, headers=target.headers, checks=CHECKS)

    answers_as_documented()


def test_every_operation_answers_as_its_schema_says(
    target: Target, subtests: pytest.Subtests
) -> None:
    assert len(target.operations) > 50
    for operation in target.operations:
        with subtests.test(msg=operation.label):
            _fuzz(operation, target)
