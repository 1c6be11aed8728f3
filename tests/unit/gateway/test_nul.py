"""NUL characters are refused at the edge as a 422 naming the field (Postgres cannot store
them; the schemathesis run found them as 500s deep in the services)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from keel_gateway import problems
from keel_gateway.edge.nul import refuse_nul


def client() -> TestClient:
    app = FastAPI()
    problems.install(app)

    @app.post("/things/{name}", dependencies=[Depends(refuse_nul)])
    async def things(name: str, body: dict[str, Any]) -> dict[str, str]:
        return {"name": name}

    return TestClient(app)


def _refused_field(response: Any) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == problems.PROBLEM_JSON
    field: str = response.json()["errors"][0]["field"]
    return field


def test_a_nul_anywhere_in_the_body_path_or_query_is_a_422_naming_where() -> None:
    http = client()
    nested = http.post("/things/a", json={"config": {"items": ["ok", "b\x00d"]}})
    assert _refused_field(nested) == "config.items.1"
    assert _refused_field(http.post("/things/a", json={"k\x00": 1})) == "k\x00"
    assert _refused_field(http.post("/things/a%00", json={})) == "path.name"
    assert _refused_field(http.post("/things/a?q=%00", json={})) == "query.q"


def test_text_that_only_looks_like_an_escaped_nul_is_accepted() -> None:
    answer = client().post("/things/a", json={"note": "\\u0000 is how JSON writes it"})
    assert answer.status_code == 200, answer.text
