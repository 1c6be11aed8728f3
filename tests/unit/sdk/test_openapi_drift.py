"""The SDK against the gateway's own OpenAPI schema: every route it calls exists with that
method, and every field its result models read is one the route answers. A renamed path
or field in the gateway fails here, not in a user's script."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from keel import routes
from keel.models import Page, Resource
from keel.routes import Empty, Route
from keel_gateway.app import create_app


@cache
def schema() -> dict[str, Any]:
    document: dict[str, Any] = create_app().openapi()
    return document


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema()["components"]["schemas"][name]
    return node


def _answer_schema(route: Route[Any]) -> dict[str, Any]:
    responses = schema()["paths"][route.template][route.method.lower()]["responses"]
    [status] = [code for code in responses if code.startswith("2")]
    content = responses[status].get("content", {}).get("application/json", {})
    return _resolve(content.get("schema", {}))


def _check_fields(model: type[Resource], answer: dict[str, Any], where: str) -> None:
    properties = answer.get("properties", {})
    for name, field in model.model_fields.items():
        assert name in properties, f"{where}: the gateway answers no field {name!r}"
        if field.is_required():
            assert name in answer.get("required", []), f"{where}: {name!r} may be absent"
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, Resource):
            _check_fields(nested, _resolve(properties[name]), f"{where}.{name}")


@pytest.mark.parametrize("route", routes.ALL, ids=lambda r: f"{r.method} {r.template}")
def test_every_route_the_sdk_calls_exists(route: Route[Any]) -> None:
    paths = schema()["paths"]
    assert route.template in paths, f"the gateway has no path {route.template}"
    assert route.method.lower() in paths[route.template], f"{route.template}: no {route.method}"


@pytest.mark.parametrize("route", routes.ALL, ids=lambda r: f"{r.method} {r.template}")
def test_result_models_read_only_fields_the_gateway_answers(route: Route[Any]) -> None:
    answer = _answer_schema(route)
    if route.returns is Empty:
        assert not answer.get("properties"), f"{route.template} answers a body the SDK drops"
        return
    model = route.returns
    if issubclass(model, Page):
        # A page: `items` of the item model, and `next_cursor` only if the route pages.
        item = model.model_fields["items"].annotation.__args__[0]  # type: ignore[union-attr]
        assert "items" in answer["properties"]
        _check_fields(item, _resolve(answer["properties"]["items"]["items"]), route.template)
        return
    _check_fields(model, answer, route.template)


def test_the_sdk_routes_are_all_registered() -> None:
    """Routes are only made through `routes._route`, so `ALL` is the SDK's whole surface."""
    declared = [v for v in vars(routes).values() if isinstance(v, Route)]
    assert len(declared) == len(routes.ALL)


@pytest.mark.parametrize("route", [routes.SECRETS, routes.RUNS], ids=lambda r: r.template)
def test_the_lists_the_sdk_pages_through_take_a_cursor_and_answer_the_next(
    route: Route[Any],
) -> None:
    operation = schema()["paths"][route.template]["get"]
    parameters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    assert {"cursor", "limit"} <= parameters
    assert "next_cursor" in _answer_schema(route)["properties"]


def test_the_run_filters_the_sdk_sends_are_query_parameters_of_the_route() -> None:
    operation = schema()["paths"][routes.RUNS.template]["get"]
    parameters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    sent = {"status", "project", "pipeline", "stack", "created_by", "name_prefix", "tag"}
    sent |= {"created_after", "created_before", "sort", "limit", "cursor"}
    assert sent <= parameters
