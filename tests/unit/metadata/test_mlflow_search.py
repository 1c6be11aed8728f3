"""MLflow's run search grammar: our parser against MLflow's own (the SQL it compiles to is
in test_mlflow_search_sql.py).

MLflow (a dev dependency) is the reference: every filter here goes through both parsers.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from mlflow.utils import search_utils

from keel_common.errors import InvalidInput
from keel_metadata.tracking.search import (
    Entity,
    Ordering,
    parse_filter,
    parse_order_by,
    where_clauses,
)
from tests.unit.metadata.test_mlflow_search_sql import sql

Clause = tuple[str, str, str, Any]
# MLflow has no type hints.
SearchUtils: Any = search_utils.SearchUtils


def mlflow_parse(text: str) -> list[Clause]:
    """MLflow's reading of a filter, with the comparator checks its SQL store makes before it
    queries, normalised as that store then uses it: aliases translated, comparators upper
    case, metric values floats."""
    clauses = []
    for parsed in SearchUtils.parse_search_filter(text):
        kind, comparator = parsed["type"], parsed["comparator"].upper()
        key = SearchUtils.translate_key_alias(parsed["key"])
        checks = (
            SearchUtils.is_string_attribute(kind, key, comparator),
            SearchUtils.is_numeric_attribute(kind, key, comparator),
            SearchUtils.is_metric(kind, comparator),
            SearchUtils.is_param(kind, comparator),
            SearchUtils.is_tag(kind, comparator),
            SearchUtils.is_dataset(kind, comparator),
        )
        assert any(checks)
        value = float(parsed["value"]) if kind == "metric" else parsed["value"]
        clauses.append((kind, key, comparator, value))
    return clauses


def mlflow_rejects(text: str) -> bool:
    try:
        mlflow_parse(text)
    except Exception:  # MLflow raises MlflowException, and ValueError from ast for some lists
        return True
    return False


def ours(text: str) -> list[Clause]:
    return [(c.entity.value, c.key, c.comparator, c.value) for c in parse_filter(text)]


def refusal(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_filter(text)
    return caught.value


def reason(text: str) -> str:
    return refusal(text).errors[0].reason


ACCEPTED = [
    "metrics.acc > 0.5",
    "metric.acc>=0.5",
    "metrics.loss < -1",
    "metrics.loss <= 1e-3",
    "metrics.loss != .5",
    "metrics.loss = 5.",
    "metrics.`val loss` > 1",
    'metrics."val loss" > 1',
    "metrics.'val loss' > 1",
    "metrics.a.b > 123456789012345678901234567890",
    "params.lr = '0.1'",
    'param.lr = "0.1"',
    "parameters.optimizer != 'adam'",
    "params.model LIKE 'resnet%'",
    "params.model ilike '%NET%'",
    "params.`batch size` = '32'",
    "params.a = 'it''s'",
    "params.a = ''",
    "params.status = 'x'",
    "params.lr IS NULL",
    "params.lr is not null",
    "tags.mlflow.runName = 'alpha'",
    "tags.`mlflow.source.type` = 'LOCAL'",
    "tags.team LIKE 'ml-%' AND tags.owner IS NOT NULL",
    "tag.é = 'x'",
    "attributes.status = 'FINISHED'",
    "attribute.user_id = 'ana'",
    "attr.artifact_uri LIKE 's3://%'",
    "run.run_name ILIKE 'baseline%'",
    "status != 'FAILED'",
    "attributes.`run name` = 'alpha'",
    "attributes.run_id IN ('a1', \"b2\")",
    "attributes.run_id not in ('a1',)",
    "attributes.start_time > 1700000000000",
    "start_time <= 5.5",
    "created >= 10",
    "attributes.Created < 10",
    "end_time != 0",
    "datasets.name = 'mnist'",
    "dataset.digest IN ('d1', 'd2')",
    "datasets.context NOT IN ('eval')",
    "datasets.name ILIKE 'MN%'",
    "`params`.`lr` = '0.1'",
    "params.lr = '0.1' and metrics.acc > 0.9 AND tags.team = 'x'",
    "params.lr='0.1'AND metrics.acc>0.9",
    "  metrics.acc > 0.5\n\tAND params.lr = '0.1'  ",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_a_filter_mlflow_accepts_parses_to_what_mlflow_parses(text: str) -> None:
    assert ours(text) == mlflow_parse(text)
    assert "WHERE" in sql(text)


REJECTED = [
    "METRICS.acc > 1",  # entity prefixes are case-sensitive in MLflow
    "foo.acc > 1",
    "name = 'x'",
    "attributes.lifecycle_stage = 'active'",
    "datasets.profile = 'x'",
    "metrics.acc > '1'",
    "metrics.acc LIKE 1",
    "metrics.acc IS NULL",
    "metrics.acc = 0x10",
    "metrics.acc > +1",
    "metrics.acc > 1e",
    "metrics.acc = 1.5.5",
    "metrics.acc == 1",
    "metrics.acc <> 1",
    "metrics.acc-1 > 1",
    "params.lr = 0.1",
    "params.lr = x",
    "params.lr > '1'",
    "params.lr NOT LIKE 'x'",
    "params.lr RLIKE 'x'",
    "params.lr IN ('x')",
    "params.a:b = 'x'",
    "params.a = 'x''",
    "tags.a ISNULL",
    "attributes.status IN ('FINISHED')",
    "attributes.run_id IN ()",
    "attributes.run_id IN (a)",
    "attributes.run_id IN 'a'",
    "attributes.start_time = '5'",
    "attributes.start_time LIKE 5",
    "attributes.start_time IN (1)",
    "datasets.name > 'x'",
    "params.a = 'x' OR metrics.b > 1",
    "params.a = 'x'; metrics.b > 1",
    "(params.a = 'x')",
    "metrics.a > 1 -- comment",
    "params.a = 'x' ANDparams.b = 'y'",
    "metrics.a > 1AND params.b = 'y'",
]


@pytest.mark.parametrize("text", REJECTED)
def test_a_filter_mlflow_rejects_is_refused_naming_the_filter(text: str) -> None:
    assert mlflow_rejects(text)
    error = refusal(text)
    assert [issue.field for issue in error.errors] == ["filter"]
    assert error.detail == error.errors[0].reason


# MLflow lets these through (it skips stray ANDs, reads clauses without AND between them and
# puts a list where a single value belongs); they are refused here on purpose.
STRICTER_THAN_MLFLOW = [
    "params.a = 'x' AND",
    "AND params.a = 'x'",
    "params.a = 'x' AND AND metrics.b > 1",
    "params.a = 'x' metrics.b > 1",
    "attributes.run_id = ('a')",
    "datasets.name LIKE ('a', 'b')",
]


@pytest.mark.parametrize("text", STRICTER_THAN_MLFLOW)
def test_malformed_filters_that_mlflow_lets_through_are_refused(text: str) -> None:
    assert not mlflow_rejects(text)
    assert [issue.field for issue in refusal(text).errors] == ["filter"]


def test_every_key_comparator_and_value_combination_is_read_as_mlflow_reads_it() -> None:
    keys = [
        "metrics.a",
        "params.`a b`",
        "tags.a.b",
        "params.start_time",
        "attributes.status",
        "attributes.run_id",
        "run.start_time",
        "created",
        "end_time",
        "datasets.name",
        "dataset.context",
        "attributes.lifecycle_stage",
        "datasets.profile",
        "`tags`.a",
    ]
    comparators = [
        "=", "!=", ">", ">=", "<", "<=", "LIKE", "ilike", "IN", "not in", "IS NULL",
        "is not null", "==", "NOT LIKE",
    ]  # fmt: skip
    values = ["'x'", '"x"', "-1.5", "1e3", "42", "('a', 'b')", "()", "x"]
    # Each text, and whether it puts a list where MLflow reads one value (refused on purpose).
    texts: dict[str, bool] = {}
    for key, comparator, value in itertools.product(keys, comparators, values):
        if "NULL" in comparator.upper():  # takes no value
            texts[f"{key} {comparator}"] = False
        else:
            list_for_one = value.startswith("(") and "IN" not in comparator.upper()
            texts[f"{key} {comparator} {value}"] = list_for_one
    compared = 0
    for text, list_for_one in texts.items():
        if mlflow_rejects(text) or list_for_one:
            refusal(text)
        else:
            assert ours(text) == mlflow_parse(text), text
            compared += 1
    assert compared > 100


def test_an_empty_filter_has_no_clauses() -> None:
    assert parse_filter(None) == []
    assert parse_filter("") == []
    assert parse_filter("  \n ") == []


def test_the_filter_is_bounded_and_errors_do_not_echo_it_whole() -> None:
    assert "longer than 10000" in reason("metrics.a > 1 " + " " * 10_000)
    assert len(parse_filter(" AND ".join(["metrics.a > 1"] * 50))) == 50
    assert "more than 50 clauses" in reason(" AND ".join(["metrics.a > 1"] * 51))
    assert len(reason("x" * 9_000 + " = 'a'")) < 200
    assert len(reason("metrics.a " + "=" * 9_000 + " 1")) < 200


def test_mangled_filters_are_parsed_or_refused_as_invalid_input_never_anything_else() -> None:
    rng = random.Random(7)
    alphabet = "abc.`'\"()=!<>%_ -,0123456789eE\\" + "AND IN NOT LIKE IS NULL"
    for _ in range(3_000):
        text = list(rng.choice(ACCEPTED + REJECTED))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            match rng.randrange(3):
                case 0:
                    text.insert(at, rng.choice(alphabet))
                case 1 if text:
                    del text[min(at, len(text) - 1)]
                case _ if text:
                    text[min(at, len(text) - 1)] = rng.choice(alphabet)
        try:
            where_clauses(parse_filter("".join(text)))
        except InvalidInput as error:
            assert [issue.field for issue in error.errors] == ["filter"]


# (d) order_by


ORDER_BY_ACCEPTED = [
    "metrics.acc DESC",
    "metric.acc desc",
    "metrics.acc",
    "params.lr ASC",
    "param.lr",
    "tags.`x y`",
    'tags."x y" DESC',
    "tags.mlflow.runName",
    "attributes.start_time",
    "start_time",
    "Created DESC",
    "attr.end_time DESC",
    "run.status asc",
    "run_name",
    "`metrics`.acc",
]


@pytest.mark.parametrize("clause", ORDER_BY_ACCEPTED)
def test_an_order_by_clause_parses_to_what_mlflow_parses(clause: str) -> None:
    kind, key, ascending = SearchUtils.parse_order_by_for_search_runs(clause)
    expected = Ordering(Entity(kind), SearchUtils.translate_key_alias(key), ascending)
    assert parse_order_by([clause]) == [expected]


@pytest.mark.parametrize(
    "clause",
    [
        "attributes.lifecycle_stage",
        "attributes.`run name`",  # a filter may say `run name`, an ordering may not
        "Metrics.acc",
        "metrics.acc DESC NULLS LAST",
        "metrics.acc UP",
        "metrics.acc, params.lr",
        "metrics.a-b",
        "timestamp",
        "",
    ],
)
def test_an_order_by_clause_mlflow_rejects_is_refused_naming_order_by(clause: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 (MLflow's exception types vary)
        SearchUtils.parse_order_by_for_search_runs(clause)
    with pytest.raises(InvalidInput) as caught:
        parse_order_by([clause])
    assert [issue.field for issue in caught.value.errors] == ["order_by"]


@pytest.mark.parametrize(
    "clauses",
    [
        ["datasets.name"],  # MLflow's parser takes it; its SQL store then refuses it
        ["metrics.acc", "metrics.acc DESC"],
        ["created", "attributes.start_time DESC"],
        ["metrics.a"] * 21,
        ["metrics." + "a" * 1_000],
    ],
)
def test_orderings_that_cannot_be_run_are_refused(clauses: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_order_by(clauses)
    assert [issue.field for issue in caught.value.errors] == ["order_by"]


def test_no_order_by_means_newest_first_then_run_id() -> None:
    assert parse_order_by(None) == []
    assert parse_order_by([]) == []
    assert sql(None, None).endswith("ORDER BY mlflow_runs.start_time DESC, mlflow_runs.id ASC")
    assert parse_order_by(["metrics.acc"]) == [Ordering(Entity.METRIC, "acc", ascending=True)]
