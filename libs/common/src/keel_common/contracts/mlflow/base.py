"""What every MLflow-compatible message shares: MLflow's leniency towards unknown fields,
its limits, and the key/value pairs it uses for params and tags."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from keel_common.contracts.base import Contract

# MLflow's own limits (mlflow/utils/validation.py), so a client gets the error it expects.
MAX_ENTITY_KEY = 250
MAX_PARAM_VALUE = 6000
MAX_TAG_VALUE = 8000
MAX_EXPERIMENT_NAME = 500
MAX_RESULTS = 50_000
# A run id is 32 hex characters; a logged model id is "m-" and 32 hex characters.
RunId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
LoggedModelId = Annotated[str, StringConstraints(pattern=r"^m-[0-9a-f]{32}$")]
# Experiment ids are per-workspace numbers, sent as strings like MLflow's.
ExperimentId = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,18}$")]
EntityKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ENTITY_KEY)]


class MlflowRequest(Contract):
    """MLflow clients send fields older servers knew (`run_uuid` beside `run_id`...);
    like MLflow's server, the request ignores what it does not use."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class MlflowReply(Contract):
    """A reply, written back to the client as it is: non-finite metric values as "NaN",
    "Infinity", "-Infinity", like protobuf's JSON (every contract writes them so)."""

    def response_json(self) -> str:
        """The HTTP body MLflow's client reads."""
        return self.model_dump_json(exclude_none=True)


class Entity(BaseModel):
    # Entities sit inside contracts; they write non-finite floats as contracts do.
    model_config = ConfigDict(extra="ignore", frozen=True, ser_json_inf_nan="strings")


class Param(Entity):
    key: EntityKey
    value: str = Field(max_length=MAX_PARAM_VALUE)


class Tag(Entity):
    key: EntityKey
    value: str = Field(default="", max_length=MAX_TAG_VALUE)


class Metric(Entity):
    """A metric value as replies show it."""

    key: EntityKey
    value: float
    timestamp: int
    step: int = 0


class LoggedMetric(Metric):
    """A metric value as clients log it: MLflow 3 may link it to a logged model and a
    dataset (accepted; Keel keeps run metrics by key, step and time)."""

    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None
    run_id: str | None = None


def tag_map(tags: list[Tag]) -> dict[str, str]:
    return {t.key: t.value for t in tags}


def tag_list(tags: dict[str, str]) -> list[Tag]:
    return [Tag(key=k, value=v) for k, v in tags.items()]
