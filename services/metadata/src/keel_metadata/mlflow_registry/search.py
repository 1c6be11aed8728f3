"""`search_registered_models` and `search_model_versions`, a page at a time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.mlflow.registry import SearchModelVersions, SearchRegisteredModels
from keel_common.errors import FieldIssue, InvalidInput
from keel_metadata.registry.models import Model, ModelVersion
from keel_metadata.tracking.tokens import offset_of, token_for


def _no_filter(text: str | None, order_by: list[str]) -> None:
    if text or order_by:
        raise InvalidInput(
            "filters and ordering of registry searches are not supported yet",
            errors=[FieldIssue(field="filter", reason="not supported yet")],
        )


async def registered_models(
    session: AsyncSession, workspace_id: uuid.UUID, request: SearchRegisteredModels
) -> tuple[Sequence[Model], str | None]:
    _no_filter(request.filter, request.order_by)
    offset = offset_of(request.page_token)
    query = (
        select(Model)
        .where(Model.workspace_id == workspace_id)
        .order_by(Model.name)
        .offset(offset)
        .limit(request.max_results + 1)
    )
    found = (await session.execute(query)).scalars().all()
    return _page(found, offset, request.max_results)


async def model_versions(
    session: AsyncSession, workspace_id: uuid.UUID, request: SearchModelVersions
) -> tuple[Sequence[tuple[Model, ModelVersion]], str | None]:
    _no_filter(request.filter, request.order_by)
    offset = offset_of(request.page_token)
    query = (
        select(Model, ModelVersion)
        .join(ModelVersion, ModelVersion.model_id == Model.id)
        .where(Model.workspace_id == workspace_id)
        .order_by(Model.name, ModelVersion.number.desc())
        .offset(offset)
        .limit(request.max_results + 1)
    )
    found = (await session.execute(query)).tuples().all()
    return _page(found, offset, request.max_results)


def _page(found: Sequence[Any], offset: int, size: int) -> tuple[Sequence[Any], str | None]:
    more = len(found) > size
    return found[:size], token_for(offset + size) if more else None
