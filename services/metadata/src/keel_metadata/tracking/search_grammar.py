"""MLflow's search grammar for runs: a `filter_string` and `order_by` clauses, parsed by hand.

The rules mirror `mlflow.utils.search_utils.SearchUtils` of MLflow 3.17.2 (which parses with
sqlparse, then checks comparators as its SQL store compiles): the same entity prefixes and
attribute names, the same comparators per kind of key, the same quoting, and keys and values
returned exactly as MLflow returns them (a quoted string keeps any doubled quote inside it, as
MLflow does not unescape). Where MLflow accepts something malformed (a dangling or missing AND,
a list after `=`), this parser refuses it.

Every token is matched at a known position with an anchored pattern and the input is bounded,
so parsing is linear in the length of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from keel_common.errors import FieldIssue, InvalidInput

MAX_FILTER_LENGTH = 10_000
MAX_FILTER_CLAUSES = 50
MAX_ORDER_BY_CLAUSES = 20
MAX_ORDER_BY_LENGTH = 1_000


class Entity(StrEnum):
    """What a key names; the values are MLflow's own type names."""

    METRIC = "metric"
    PARAM = "parameter"
    TAG = "tag"
    ATTRIBUTE = "attribute"
    DATASET = "dataset"


_PREFIXES = {
    **dict.fromkeys(["metric", "metrics"], Entity.METRIC),
    **dict.fromkeys(["param", "params", "parameter", "parameters"], Entity.PARAM),
    **dict.fromkeys(["tag", "tags"], Entity.TAG),
    **dict.fromkeys(["attribute", "attributes", "attr", "run"], Entity.ATTRIBUTE),
    **dict.fromkeys(["dataset", "datasets"], Entity.DATASET),
}
_NUMERIC_ATTRIBUTES = frozenset({"start_time", "end_time"})
_ATTRIBUTES = _NUMERIC_ATTRIBUTES | {"run_id", "run_name", "user_id", "status", "artifact_uri"}
# MLflow's UI names; an order may use `created` but not `run name`.
_TIME_ALIASES = dict.fromkeys(["created", "Created"], "start_time")
_FILTER_ALIASES = {
    **_TIME_ALIASES,
    **dict.fromkeys(["run name", "Run name", "Run Name"], "run_name"),
}
_DATASET_KEYS = frozenset({"name", "digest", "context"})

_NUMERIC_COMPARATORS = ("=", "!=", ">", ">=", "<", "<=")
_NULL_COMPARATORS = ("IS NULL", "IS NOT NULL")
_LIST_COMPARATORS = ("IN", "NOT IN")
_TEXT_COMPARATORS = ("=", "!=", "LIKE", "ILIKE", *_NULL_COMPARATORS)
_STRING_COMPARATORS = ("=", "!=", "LIKE", "ILIKE", *_LIST_COMPARATORS)
# Of the attributes, only run_id may be compared with a list (datasets allow it for all keys).
_LIST_ATTRIBUTES = frozenset({"run_id"})

Value = str | int | float | tuple[str, ...] | None


@dataclass(frozen=True)
class Comparison:
    """One clause of a filter. Metric values are floats, numeric attributes ints (or floats if
    written with a fraction), IN lists tuples of strings, IS [NOT] NULL has no value."""

    entity: Entity
    key: str
    comparator: str
    value: Value


@dataclass(frozen=True)
class Ordering:
    entity: Entity
    key: str
    ascending: bool = True


_SPACE = re.compile(r"\s+")
# A key is a run of word characters and dots or a quoted name; the prefix before the first dot
# is the entity (MLflow allows it in backquotes too). Quoted forms match sqlparse's, a doubled
# quote included.
_QUOTED_KEY = r"`(?:``|[^`])*`|\"(?:\"\"|\\\"|[^\"])*\"|'(?:''|\\'|[^'])*'"
_IDENTIFIER = re.compile(rf"(?:(?P<prefix>\w+|`\w+`)\.)?(?P<key>{_QUOTED_KEY}|\w+(?:\.\w+)*)")
# Anything that looks like a comparator, so that an unsupported one gets a precise error.
_COMPARATOR = re.compile(
    r"[<>=!~]+|(?i:(?:NOT\s+)?[RI]?LIKE|NOT\s+IN|IN|IS\s+NOT\s+NULL|IS\s+NULL)(?!\w)"
)
_NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
_INTEGER = re.compile(r"-?\d{1,18}")  # up to 18 digits always fits the BIGINT columns
_STRING = re.compile(r"'(?:''|\\'|[^'])*'|\"(?:\"\"|\\\"|[^\"])*\"")
# List items are plain quoted strings: no escapes, so each means what Python's literal does.
_ITEM = r"'[^'\\]*'|\"[^\"\\]*\""
_LIST = re.compile(rf"\(\s*(?:(?:{_ITEM})(?:\s*,\s*(?:{_ITEM}))*\s*,?\s*)?\)")
_AND = re.compile(r"(?i:AND)(?!\w)")
_DIRECTION = re.compile(r"(?i:ASC|DESC)(?!\w)")


def invalid(field: str, reason: str) -> InvalidInput:
    return InvalidInput(reason, errors=[FieldIssue(field=field, reason=reason)])


def _shown(text: str) -> str:
    """A piece of the client's text for an error message, short whatever they sent."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


class _Scanner:
    """The text and a position; each `take` skips whitespace and matches one token there."""

    def __init__(self, text: str, field: str) -> None:
        self.text = text
        self.field = field
        self.pos = 0

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        self._skip_space()
        found = pattern.match(self.text, self.pos)
        if found:
            self.pos = found.end()
        return found

    def at_end(self) -> bool:
        self._skip_space()
        return self.pos == len(self.text)

    def _skip_space(self) -> None:
        if space := _SPACE.match(self.text, self.pos):
            self.pos = space.end()

    def fail(self, expected: str) -> InvalidInput:
        ahead = self.text[self.pos :].split(maxsplit=1)
        found = _shown(ahead[0]) if ahead else "the end"
        return invalid(self.field, f"Expected {expected} at position {self.pos}, found {found}")


def parse_filter(text: str | None) -> list[Comparison]:
    """MLflow's `filter_string` for runs: comparisons joined by AND."""
    if text is None or not text.strip():
        return []
    if len(text) > MAX_FILTER_LENGTH:
        raise invalid("filter", f"The filter is longer than {MAX_FILTER_LENGTH} characters")
    scanner = _Scanner(text, "filter")
    comparisons = [_comparison(scanner)]
    while not scanner.at_end():
        if len(comparisons) == MAX_FILTER_CLAUSES:
            raise invalid("filter", f"The filter has more than {MAX_FILTER_CLAUSES} clauses")
        if not scanner.take(_AND):
            raise scanner.fail("AND between clauses (OR and parentheses are not supported)")
        comparisons.append(_comparison(scanner))
    return comparisons


def parse_order_by(clauses: list[str] | None) -> list[Ordering]:
    """MLflow's `order_by` for runs: each clause a key and an optional ASC or DESC."""
    clauses = clauses or []
    if len(clauses) > MAX_ORDER_BY_CLAUSES:
        raise invalid("order_by", f"At most {MAX_ORDER_BY_CLAUSES} order_by clauses are allowed")
    orderings = [_ordering(clause) for clause in clauses]
    keys = [(o.entity, o.key) for o in orderings]
    if len(set(keys)) != len(keys):
        raise invalid("order_by", "order_by contains duplicate fields")
    return orderings


def _ordering(clause: str) -> Ordering:
    if len(clause) > MAX_ORDER_BY_LENGTH:
        raise invalid("order_by", f"An order_by clause is longer than {MAX_ORDER_BY_LENGTH}")
    scanner = _Scanner(clause, "order_by")
    entity, key = _identifier(scanner, ordering=True)
    direction = scanner.take(_DIRECTION)
    if not scanner.at_end():
        raise scanner.fail("ASC or DESC after the key")
    return Ordering(entity, key, ascending=not direction or direction[0].upper() == "ASC")


def _comparison(scanner: _Scanner) -> Comparison:
    entity, key = _identifier(scanner, ordering=False)
    found = scanner.take(_COMPARATOR)
    if not found:
        raise scanner.fail("a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN)")
    comparator = " ".join(found[0].upper().split())
    _check_comparator(entity, key, comparator)
    return Comparison(entity, key, comparator, _value(scanner, entity, key, comparator))


def _identifier(scanner: _Scanner, *, ordering: bool) -> tuple[Entity, str]:
    found = scanner.take(_IDENTIFIER)
    if not found:
        raise scanner.fail("a key such as metrics.acc, params.lr or tags.`my tag`")
    key = _unquote(found["key"])
    prefix = found["prefix"] and found["prefix"].strip("`")
    entity = Entity.ATTRIBUTE if prefix is None else _PREFIXES.get(prefix)
    field = scanner.field
    if entity is None:
        raise invalid(
            field,
            f"Invalid entity type {_shown(prefix)}. Valid values are {[e.value for e in Entity]}",
        )
    if entity is Entity.ATTRIBUTE:
        key = (_TIME_ALIASES if ordering else _FILTER_ALIASES).get(key, key)
        if key not in _ATTRIBUTES:
            valid = sorted(_ATTRIBUTES)
            raise invalid(
                field, f"Invalid attribute key {_shown(key)} specified. Valid keys: {valid}"
            )
    if entity is Entity.DATASET:
        if ordering:
            raise invalid(field, "Runs cannot be ordered by a dataset")
        if key not in _DATASET_KEYS:
            valid = sorted(_DATASET_KEYS)
            raise invalid(
                field, f"Invalid dataset key {_shown(key)} specified. Valid keys: {valid}"
            )
    return entity, key


def _unquote(key: str) -> str:
    quoted = len(key) >= 2 and key[0] == key[-1] and key[0] in "`\"'"
    return key[1:-1] if quoted else key


def _is_numeric(entity: Entity, key: str) -> bool:
    return entity is Entity.METRIC or (entity is Entity.ATTRIBUTE and key in _NUMERIC_ATTRIBUTES)


def _check_comparator(entity: Entity, key: str, comparator: str) -> None:
    if _is_numeric(entity, key):
        allowed = _NUMERIC_COMPARATORS
    elif entity in (Entity.PARAM, Entity.TAG):
        allowed = _TEXT_COMPARATORS
    else:
        allowed = _STRING_COMPARATORS
    if comparator not in allowed:
        shown = f"{_shown(comparator)} for {entity} {_shown(key)}"
        raise invalid("filter", f"Invalid comparator {shown}, not one of {', '.join(allowed)}")
    listed = comparator in _LIST_COMPARATORS
    if listed and entity is Entity.ATTRIBUTE and key not in _LIST_ATTRIBUTES:
        only = sorted(_LIST_ATTRIBUTES)
        raise invalid("filter", f"Only {only} attributes support comparison with a list")


def _value(scanner: _Scanner, entity: Entity, key: str, comparator: str) -> Value:
    if comparator in _NULL_COMPARATORS:
        return None
    if comparator in _LIST_COMPARATORS:
        return _string_list(scanner)
    if _is_numeric(entity, key):
        number = scanner.take(_NUMBER)
        if not number:
            raise scanner.fail(f"a numeric value for {entity} {_shown(key)}")
        if entity is Entity.ATTRIBUTE and _INTEGER.fullmatch(number[0]):
            return int(number[0])
        return float(number[0])
    string = scanner.take(_STRING)
    if not string:
        raise scanner.fail(f"a quoted string value for {entity} {_shown(key)}, e.g. 'my-value'")
    return string[0][1:-1]


def _string_list(scanner: _Scanner) -> tuple[str, ...]:
    found = scanner.take(_LIST)
    if not found:
        raise scanner.fail("a parenthesised list of quoted strings, e.g. ('a', 'b')")
    items = tuple(item[1:-1] for item in re.findall(_ITEM, found[0]))
    if not items:
        raise invalid("filter", "Expected a non-empty list of string values, got an empty list")
    return items
