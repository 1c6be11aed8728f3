"""Typed run metadata and tags on runs, steps, artifact versions and model versions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from keel_common.contracts.base import Contract
from keel_common.contracts.metadata import Tag

# Run metadata: typed key -> value on runs, steps, artifact versions and model versions.

Entity = Literal["run", "step", "artifact_version", "model_version"]
# Everything a user names or finds again can carry tags.
TaggedEntity = Literal[
    "stack", "pipeline", "run", "step", "artifact_version", "model", "model_version"
]
MetadataKind = Literal["number", "string", "json", "uri"]
MetadataKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.:/-]{0,199}$")]
# One value's JSON stays small: this is metadata about artifacts, not the artifacts.
MAX_METADATA_VALUE_BYTES = 16 * 1024


class MetadataValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: MetadataKind
    value: Any


class LogMetadata(Contract):
    TYPE: ClassVar[str] = "keel.metadata.log_metadata"
    entity: Entity
    entity_id: uuid.UUID
    values: dict[MetadataKey, MetadataValue] = Field(min_length=1, max_length=100)


class GetMetadata(Contract):
    TYPE: ClassVar[str] = "keel.metadata.get_metadata"
    entity: Entity
    entity_id: uuid.UUID


class MetadataView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.metadata"
    entity: Entity
    entity_id: uuid.UUID
    values: dict[str, MetadataValue]


class SetTags(Contract):
    TYPE: ClassVar[str] = "keel.metadata.set_tags"
    entity: TaggedEntity
    entity_id: uuid.UUID
    tags: list[Tag] = Field(max_length=50)


class TagsView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.tags"
    tags: list[str]
