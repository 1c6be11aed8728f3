"""MLflow's search grammar: a `filter_string` and `order_by` clauses, parsed by hand.

One scanner serves every MLflow search; a `Dialect` says what each accepts. `RUNS` mirrors
`mlflow.utils.search_utils.SearchUtils` of MLflow 3.17.2 (which parses with sqlparse, then
checks comparators as its SQL store compiles); the other searches define their dialects next
to the SQL they compile to, after `SearchExperimentsUtils`, `SearchModelUtils`,
`SearchModelVersionUtils` and `SearchLoggedModelsUtils`. Keys and values are returned exactly
as MLflow returns them (a quoted string keeps any doubled quote inside it, as MLflow does not
unescape). Where MLflow accepts something malformed (a dangling or missing AND, a list after
`=`), this parser refuses it.

Every token is matched at a known position with an anchored pattern and the input is bounded,
so parsing is linear in the length of the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Dialect:
    """What one MLflow search accepts: the scanner is shared, the vocabulary is not."""

    name: str  # the searched things, plural, for messages: "runs"
    prefixes: Mapping[str, Entity]
    attributes: frozenset[str]  # the keys a filter may name without a prefix
    numeric_attributes: frozenset[str]
    order_attributes: frozenset[str]
    order_entities: frozenset[Entity]
    # Comparators of the keys that are not attributes, by entity.
    comparators: Mapping[Entity, tuple[str, ...]]
    # Attributes that may be compared with a list; None: every string attribute.
    list_attributes: frozenset[str] | None
    filter_aliases: Mapping[str, str] = field(default_factory=dict)
    order_aliases: Mapping[str, str] = field(default_factory=dict)
    # Per-attribute comparators, narrower than those of its kind (as MLflow's SQL stores are).
    attribute_comparators: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Attributes whose quoted values must be whole numbers, read as ints (MLflow's SQL stores
    # int() them); a numeric one takes a bare number too.
    quoted_integers: frozenset[str] = frozenset()
    # Numeric attributes compare with whole numbers only.
    whole_numbers: bool = False
    backquoted_prefixes: bool = True

    def is_numeric(self, entity: Entity, key: str) -> bool:
        return entity is Entity.METRIC or (
            entity is Entity.ATTRIBUTE and key in self.numeric_attributes
        )

    def entities(self) -> list[str]:
        return [e.value for e in Entity if e in self.prefixes.values()]


NUMERIC_COMPARATORS = ("=", "!=", ">", ">=", "<", "<=")
NULL_COMPARATORS = ("IS NULL", "IS NOT NULL")
LIST_COMPARATORS = ("IN", "NOT IN")
MATCH_COMPARATORS = ("=", "!=", "LIKE", "ILIKE")
STRING_COMPARATORS = (*MATCH_COMPARATORS, *LIST_COMPARATORS)
TEXT_COMPARATORS = (*MATCH_COMPARATORS, *NULL_COMPARATORS)

RUN_PREFIXES: Mapping[str, Entity] = {
    **dict.fromkeys(["metric", "metrics"], Entity.METRIC),
    **dict.fromkeys(["param", "params", "parameter", "parameters"], Entity.PARAM),
    **dict.fromkeys(["tag", "tags"], Entity.TAG),
    **dict.fromkeys(["attribute", "attributes", "attr", "run"], Entity.ATTRIBUTE),
    **dict.fromkeys(["dataset", "datasets"], Entity.DATASET),
}
# The prefixes of experiments' and the registry's searches.
ATTRIBUTE_OR_TAG: Mapping[str, Entity] = {
    "attribute": Entity.ATTRIBUTE,
    **dict.fromkeys(["tag", "tags"], Entity.TAG),
}
_RUN_NUMERIC_ATTRIBUTES = frozenset({"start_time", "end_time"})
_RUN_ATTRIBUTES = _RUN_NUMERIC_ATTRIBUTES | {
    "run_id",
    "run_name",
    "user_id",
    "status",
    "artifact_uri",
}
# MLflow's UI names; an order may use `created` but not `run name`.
_TIME_ALIASES = dict.fromkeys(["created", "Created"], "start_time")
RUNS = Dialect(
    name="runs",
    prefixes=RUN_PREFIXES,
    attributes=_RUN_ATTRIBUTES,
    numeric_attributes=_RUN_NUMERIC_ATTRIBUTES,
    order_attributes=_RUN_ATTRIBUTES,
    order_entities=frozenset({Entity.METRIC, Entity.PARAM, Entity.TAG, Entity.ATTRIBUTE}),
    comparators={
        Entity.PARAM: TEXT_COMPARATORS,
        Entity.TAG: TEXT_COMPARATORS,
        Entity.DATASET: STRING_COMPARATORS,
    },
    # Of the attributes, only run_id may be compared with a list (datasets allow it for all keys).
    list_attributes=frozenset({"run_id"}),
    filter_aliases={
        **_TIME_ALIASES,
        **dict.fromkeys(["run name", "Run name", "Run Name"], "run_name"),
    },
    order_aliases=_TIME_ALIASES,
)
_DATASET_KEYS = frozenset({"name", "digest", "context"})

Value = str | int | float | tuple[str, ...] | tuple[int, ...] | None


@dataclass(frozen=True)
class Comparison:
    """One clause of a filter. Metric values are floats, numeric attributes ints (or floats if
    written with a fraction), IN lists tuples of strings (of ints for the dialect's
    `quoted_integers`), IS [NOT] NULL has no value."""

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
# Peeks at (matches nothing of) a quoted value ahead.
_STRING_AHEAD = re.compile(r"(?=['\"])")
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


def parse_filter(text: str | None, dialect: Dialect = RUNS) -> list[Comparison]:
    """MLflow's `filter_string`: comparisons joined by AND."""
    if text is None or not text.strip():
        return []
    if len(text) > MAX_FILTER_LENGTH:
        raise invalid("filter", f"The filter is longer than {MAX_FILTER_LENGTH} characters")
    scanner = _Scanner(text, "filter")
    comparisons = [_comparison(scanner, dialect)]
    while not scanner.at_end():
        if len(comparisons) == MAX_FILTER_CLAUSES:
            raise invalid("filter", f"The filter has more than {MAX_FILTER_CLAUSES} clauses")
        if not scanner.take(_AND):
            raise scanner.fail("AND between clauses (OR and parentheses are not supported)")
        comparisons.append(_comparison(scanner, dialect))
    return comparisons


def parse_order_by(clauses: list[str] | None, dialect: Dialect = RUNS) -> list[Ordering]:
    """MLflow's `order_by`: each clause a key and an optional ASC or DESC."""
    clauses = clauses or []
    if len(clauses) > MAX_ORDER_BY_CLAUSES:
        raise invalid("order_by", f"At most {MAX_ORDER_BY_CLAUSES} order_by clauses are allowed")
    return unique_orderings([_ordering(clause, dialect) for clause in clauses])


def unique_orderings(orderings: list[Ordering]) -> list[Ordering]:
    keys = [(o.entity, o.key) for o in orderings]
    if len(set(keys)) != len(keys):
        raise invalid("order_by", "order_by contains duplicate fields")
    return orderings


def _ordering(clause: str, dialect: Dialect) -> Ordering:
    if len(clause) > MAX_ORDER_BY_LENGTH:
        raise invalid("order_by", f"An order_by clause is longer than {MAX_ORDER_BY_LENGTH}")
    scanner = _Scanner(clause, "order_by")
    entity, key = _identifier(scanner, dialect, ordering=True)
    direction = scanner.take(_DIRECTION)
    if not scanner.at_end():
        raise scanner.fail("ASC or DESC after the key")
    return Ordering(entity, key, ascending=not direction or direction[0].upper() == "ASC")


def _comparison(scanner: _Scanner, dialect: Dialect) -> Comparison:
    entity, key = _identifier(scanner, dialect, ordering=False)
    found = scanner.take(_COMPARATOR)
    if not found:
        raise scanner.fail("a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN)")
    comparator = " ".join(found[0].upper().split())
    _check_comparator(dialect, entity, key, comparator)
    return Comparison(entity, key, comparator, _value(scanner, dialect, entity, key, comparator))


def _identifier(scanner: _Scanner, dialect: Dialect, *, ordering: bool) -> tuple[Entity, str]:
    found = scanner.take(_IDENTIFIER)
    if not found:
        raise scanner.fail("a key such as name, tags.team or tags.`my tag`")
    key = _unquote(found["key"])
    prefix = found["prefix"]
    if prefix is not None and dialect.backquoted_prefixes:
        prefix = prefix.strip("`")
    entity = Entity.ATTRIBUTE if prefix is None else dialect.prefixes.get(prefix)
    which = scanner.field
    if entity is None:
        valid_entities = dialect.entities()
        raise invalid(
            which, f"Invalid entity type {_shown(prefix)}. Valid values are {valid_entities}"
        )
    if ordering and entity not in dialect.order_entities:
        article = "an" if entity.value[0] in "aeiou" else "a"
        raise invalid(which, f"{dialect.name.capitalize()} cannot be ordered by {article} {entity}")
    if entity is Entity.ATTRIBUTE:
        aliases = dialect.order_aliases if ordering else dialect.filter_aliases
        key = aliases.get(key, key)
        attributes = dialect.order_attributes if ordering else dialect.attributes
        if key not in attributes:
            valid = sorted(attributes)
            raise invalid(
                which, f"Invalid attribute key {_shown(key)} specified. Valid keys: {valid}"
            )
    if entity is Entity.DATASET and key not in _DATASET_KEYS:
        valid = sorted(_DATASET_KEYS)
        raise invalid(which, f"Invalid dataset key {_shown(key)} specified. Valid keys: {valid}")
    return entity, key


def _unquote(key: str) -> str:
    quoted = len(key) >= 2 and key[0] == key[-1] and key[0] in "`\"'"
    return key[1:-1] if quoted else key


def _allowed_comparators(dialect: Dialect, entity: Entity, key: str) -> tuple[str, ...]:
    if entity is Entity.ATTRIBUTE and key in dialect.attribute_comparators:
        return dialect.attribute_comparators[key]
    if dialect.is_numeric(entity, key):
        return NUMERIC_COMPARATORS
    if entity is Entity.ATTRIBUTE:
        return STRING_COMPARATORS
    return dialect.comparators.get(entity, ())


def _check_comparator(dialect: Dialect, entity: Entity, key: str, comparator: str) -> None:
    allowed = _allowed_comparators(dialect, entity, key)
    if comparator not in allowed:
        shown = f"{_shown(comparator)} for {entity} {_shown(key)}"
        raise invalid("filter", f"Invalid comparator {shown}, not one of {', '.join(allowed)}")
    listed = comparator in LIST_COMPARATORS
    only = dialect.list_attributes
    if listed and entity is Entity.ATTRIBUTE and only is not None and key not in only:
        raise invalid("filter", f"Only {sorted(only)} attributes support comparison with a list")


def _value(scanner: _Scanner, dialect: Dialect, entity: Entity, key: str, comparator: str) -> Value:
    if comparator in NULL_COMPARATORS:
        return None
    integral = entity is Entity.ATTRIBUTE and key in dialect.quoted_integers
    if comparator in LIST_COMPARATORS:
        items = _string_list(scanner)
        return tuple(_whole(item, key) for item in items) if integral else items
    if dialect.is_numeric(entity, key) and not (integral and scanner.take(_STRING_AHEAD)):
        return _number(scanner, dialect, entity, key)
    string = scanner.take(_STRING)
    if not string:
        raise scanner.fail(f"a quoted string value for {entity} {_shown(key)}, e.g. 'my-value'")
    return _whole(string[0][1:-1], key) if integral else string[0][1:-1]


def _number(scanner: _Scanner, dialect: Dialect, entity: Entity, key: str) -> int | float:
    number = scanner.take(_NUMBER)
    if not number:
        raise scanner.fail(f"a numeric value for {entity} {_shown(key)}")
    if entity is Entity.ATTRIBUTE and _INTEGER.fullmatch(number[0]):
        return int(number[0])
    if entity is Entity.ATTRIBUTE and dialect.whole_numbers:
        raise invalid("filter", f"{_shown(key)} is compared with whole numbers only")
    return float(number[0])


def _whole(text: str, key: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise invalid("filter", f"{_shown(key)} is compared with whole numbers, not {_shown(text)}")
    return int(text)


def _string_list(scanner: _Scanner) -> tuple[str, ...]:
    found = scanner.take(_LIST)
    if not found:
        raise scanner.fail("a parenthesised list of quoted strings, e.g. ('a', 'b')")
    items = tuple(item[1:-1] for item in re.findall(_ITEM, found[0]))
    if not items:
        raise invalid("filter", "Expected a non-empty list of string values, got an empty list")
    return items
