"""A scripted gateway for the SDK's unit tests: answers in order, records what it got."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from keel.client import Client
from keel.retry import RetryPolicy

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class ScriptedGateway:
    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        return answer(request) if callable(answer) else answer

    def client(self, **options: object) -> Client:
        options.setdefault("retry", RetryPolicy(backoff_s=0.0, max_backoff_s=0.0))
        return Client(
            "http://keel.test",
            transport=httpx.MockTransport(self),
            **options,  # type: ignore[arg-type]
        )


def problem(status: int, slug: str, **members: object) -> httpx.Response:
    body = {"type": f"https://keel.dev/problems/{slug}", "title": slug, "status": status}
    headers = {}
    if "retry_after" in members:
        headers["Retry-After"] = str(members["retry_after"])
    return httpx.Response(
        status,
        json={**body, **members},
        headers={"content-type": "application/problem+json", **headers},
    )


def workspace_json(slug: str = "ml") -> dict[str, str]:
    return {
        "id": "6f1d1c5e-2b8a-4b8e-9d7e-3c1b0a4e5f60",
        "organization_id": "0f1d1c5e-2b8a-4b8e-9d7e-3c1b0a4e5f60",
        "name": slug.upper(),
        "slug": slug,
        "created_at": "2026-01-01T00:00:00Z",
    }
