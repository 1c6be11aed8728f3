"""Two gateway instances behind one address behave as one: a token from either works at
the other, a create retried at the other gets the first answer, and a user deactivated
through one is refused by the other within seconds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.auth_support import add_user, admin, bearer, login, status_once_refused
from tests.e2e.conftest import RunningServices, another_gateway

pytestmark = pytest.mark.broker


@pytest.fixture(scope="module")
def second_gateway(services: RunningServices) -> Iterator[str]:
    with another_gateway(services, "gateway-b") as url:
        yield url


def test_a_token_from_one_instance_works_at_the_other(
    services: RunningServices, second_gateway: str
) -> None:
    headers = admin(services)  # signed in at the first
    first = httpx.get(f"{services.gateway_url}/api/v1/workspaces", headers=headers)
    other = httpx.get(f"{second_gateway}/api/v1/workspaces", headers=headers)
    assert first.status_code == other.status_code == 200
    assert other.json() == first.json()


def test_a_create_retried_at_the_other_instance_gets_the_first_answer(
    services: RunningServices, second_gateway: str
) -> None:
    headers = {**admin(services), "Idempotency-Key": uuid.uuid4().hex}
    slug = f"lb-{uuid.uuid4().hex[:8]}"
    body = {"name": slug, "slug": slug}
    made = httpx.post(f"{services.gateway_url}/api/v1/workspaces", json=body, headers=headers)
    retried = httpx.post(f"{second_gateway}/api/v1/workspaces", json=body, headers=headers)
    assert made.status_code == retried.status_code == 201, retried.text
    assert retried.json()["id"] == made.json()["id"]


async def test_a_user_deactivated_through_one_is_refused_by_the_other(
    services: RunningServices, second_gateway: str
) -> None:
    email = f"mover-{uuid.uuid4().hex[:6]}@keel.local"
    user_id = await add_user(services.infra, email, "mover-pass-1", org_role="viewer")
    tokens = login(second_gateway, email, "mover-pass-1")
    listing = f"{second_gateway}/api/v1/workspaces"
    assert httpx.get(listing, headers=bearer(tokens)).status_code == 200

    deactivate = httpx.post(
        f"{services.gateway_url}/api/v1/users/{user_id}/deactivate", headers=admin(services)
    )
    assert deactivate.status_code == 204
    assert await status_once_refused(listing, tokens) == 401
