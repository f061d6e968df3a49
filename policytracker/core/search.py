"""The search engine every searchable model uses: `text_search(queryset, q, fields)`.

On PostgreSQL, full-text search with English stemming over the GIN-indexed document
`search_vector(fields)`, in web-search syntax (quotes, `or`, `-word`). On SQLite, the same syntax
read by `parse_search`, each word matching the start of a word. Knows no model of the project:
each model's queryset says which of its fields are searched (`SEARCH_FIELDS`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connection, models
from django.db.models.expressions import Combinable, CombinedExpression
from django.db.models.sql import Query

SEARCH_CONFIG = "english"

# PostgreSQL's English stop words (`tsearch_data/english.stop`). Full-text search ignores them,
# so the fallback does too, and "the law on sandboxes" means the same on both databases.
_STOP_WORDS_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Enough for any real search; it bounds the SQL the fallback builds.
MAX_SEARCH_WORDS = 12

_QS = TypeVar("_QS", bound=models.QuerySet[Any])

# A word of a search, with a `-` in front of it when that excludes the word (web-search syntax:
# only a `-` at the start of a word does, so "sandbox-driven" is two words, not an exclusion).
_SEARCH_TOKEN = re.compile(r'(?:(?<![^\s"(])(-))?(\w+)')
# The annotation every search adds to the rows it keeps (their rank).
SEARCH_RANK = "search_rank"


@dataclass(frozen=True)
class SearchAlternative:
    """One side of an `or`: word prefixes that must all occur, and ones that must not."""

    words: tuple[str, ...]
    excluded: tuple[str, ...] = ()


def search_prefix(word: str) -> str:
    """What a search word matches the start of: `word` lower-cased, without a plural or verb
    ending, so "sandboxes" finds "sandbox" and "policies" finds "policy". PostgreSQL stems
    words properly; this is the fallback's (and the highlighting's) approximation."""
    word = word.lower()

    def stem(ending: str, shortest: int) -> str | None:
        if word.endswith(ending) and len(word) - len(ending) >= shortest:
            return word[: -len(ending)]
        return None

    for ending in ("sses", "xes", "zes", "ches", "shes"):
        if stem(ending, 1):
            return word[:-2]
    found = stem("ies", 4) or stem("ing", 4) or stem("ed", 4)
    if found:
        return found
    if not word.endswith(("ss", "us", "is")):
        return stem("s", 3) or word
    return word


def parse_search(q: str) -> list[SearchAlternative]:
    """The search `q` read the way PostgreSQL's web-search syntax reads it: alternatives
    separated by `or`, each with words that must all occur and `-words` that must not. Stop
    words are dropped; quotes only group (a phrase's words match in any order here)."""
    alternatives: list[SearchAlternative] = []
    words: list[str] = []
    excluded: list[str] = []
    count = 0
    for match in _SEARCH_TOKEN.finditer(q.lower()):
        negated, word = match.groups()
        if word == "or" and not negated:
            if words or excluded:
                alternatives.append(SearchAlternative(tuple(words), tuple(excluded)))
            words, excluded = [], []
            continue
        if word in STOP_WORDS or count >= MAX_SEARCH_WORDS:
            continue
        count += 1
        prefix = search_prefix(word)
        target = excluded if negated else words
        if prefix not in target:
            target.append(prefix)
    if words or excluded:
        alternatives.append(SearchAlternative(tuple(words), tuple(excluded)))
    return alternatives


def _excluded_words(q: str) -> list[str]:
    """The words `q` excludes with a leading `-`, as typed (lower-cased)."""
    return [
        word
        for negated, word in _SEARCH_TOKEN.findall(q.lower())
        if negated and word not in STOP_WORDS
    ][:MAX_SEARCH_WORDS]


def search_terms(q: str) -> list[str]:
    """The word prefixes a match of `q` contains (none of the excluded ones), in order: what
    the result pages highlight."""
    terms: list[str] = []
    for alternative in parse_search(q):
        terms.extend(word for word in alternative.words if word not in terms)
    return terms


def word_prefix_pattern(prefix: str) -> str:
    """Regular expression: a word starting with `prefix` (case is ignored by the caller)."""
    return r"\b" + re.escape(prefix)


def _fallback_condition(
    alternatives: Sequence[SearchAlternative], fields: Sequence[str]
) -> models.Q:
    """Q: one of `alternatives` matches, each of its words at the start of a word in one of
    `fields` and none of its excluded words in any."""

    def in_any_field(prefix: str) -> models.Q:
        condition = models.Q()
        for field in fields:
            condition |= models.Q(**{f"{field}__iregex": word_prefix_pattern(prefix)})
        return condition

    condition = models.Q()
    for alternative in alternatives:
        branch = models.Q()
        for prefix in alternative.words:
            branch &= in_any_field(prefix)
        for prefix in alternative.excluded:
            branch &= ~in_any_field(prefix)
        condition |= branch
    return condition


def _web_search_query(q: str) -> SearchQuery:
    # PostgreSQL refuses NUL in text; nobody searches for it.
    return SearchQuery(q.replace("\x00", " "), search_type="websearch", config=SEARCH_CONFIG)


def text_match(q: str, field: str) -> SearchVectorExact | models.Q:
    """A filter condition: the text at `field` (a lookup from the filtered model, e.g.
    "topics__name") matches the search `q` on its own, the way `text_search` matches."""
    if connection.vendor == "postgresql":
        return SearchVectorExact(SearchVector(field, config=SEARCH_CONFIG), _web_search_query(q))
    alternatives = parse_search(q)
    if not alternatives:
        return models.Q(pk__in=[])
    return _fallback_condition(alternatives, [field])


def _related_match(model: type[models.Model], q: str, path: str, using: str) -> models.Q | None:
    """A filter condition on `model`: the text at `path` ("topics__name": a relation, then a
    field of the related model) matches `q`; None when no related row matches. The related
    rows are matched first, on their own table (a few dozen topics), read there and then (a
    query of its own on database `using`), and the rows of `model` found through their keys,
    rather than every row of `model` joined to its related rows and each of those matched."""
    relation, _, field = path.rpartition("__")
    related_model = model._meta.get_field(relation).related_model
    assert related_model is not None
    assert not isinstance(related_model, str)
    matching = list(
        related_model._base_manager.using(using)
        .filter(text_match(q, field))
        .order_by()
        .values_list("pk", flat=True)
    )
    if not matching:
        return None
    return models.Q(**{f"{relation}__in": matching})


def text_search(
    queryset: _QS,
    q: str,
    fields: Sequence[str],
    *,
    related: Sequence[str] = (),
    stored_document: str | None = None,
) -> _QS:
    """`queryset` narrowed to the rows whose `fields` match the search `q`, with a `search_rank`
    (higher is better). A row also matches when the text at one of the `related` lookups (e.g.
    "topics__name") matches `q` on its own; such a row ranks below every row whose own text
    matches.

    PostgreSQL: full-text search (English stemming, web-search syntax: quotes, `or`, `-word`)
    over `search_vector(fields)`, the expression each searched model's GIN index is built on,
    ranked by `ts_rank` with the first fields weighted highest.
    Elsewhere (SQLite): the same syntax read by `parse_search`, each word matching the start of
    a word in any field, case-insensitively; the rank adds up, for each word, the fields that
    contain it, the first fields counting most.

    `stored_document` names the model's column that holds `search_vector(fields)` on
    PostgreSQL (see `StoredDocument`; other databases have no such column): without it the
    document is worked out per row."""
    if connection.vendor == "postgresql":
        query = _web_search_query(q)
        # Never None: every searched model names its SEARCH_FIELDS.
        vector = cast(
            Combinable,
            StoredDocument(stored_document) if stored_document else search_vector(fields),
        )
        matches = queryset.alias(search_document=vector)
        related_matches = [
            condition
            for path in related
            if (condition := _related_match(queryset.model, q, path, queryset.db)) is not None
        ]
        if related_matches:
            # A union of key lists rather than an OR, so that the planner can still answer the
            # own-text part from the GIN index (an OR with a subquery forces a full scan). Most
            # searches match no related row and are the index's alone.
            rows = queryset.model._base_manager.order_by().alias(search_document=vector)
            keys = rows.filter(search_document=query).values("pk")
            related_rows = rows
            excluded: Collection[str] = _excluded_words(q)
            if excluded:
                # "-word" leaves out the row whose own text has the word, whatever matched.
                related_rows = rows.exclude(
                    search_document=_web_search_query(" or ".join(excluded))
                )
            for condition in related_matches:
                keys = keys.union(related_rows.filter(condition).values("pk"))
            matches = matches.filter(pk__in=keys)
        else:
            matches = matches.filter(search_document=query)
        return matches.annotate(search_rank=SearchRank(vector, query))

    alternatives = parse_search(q)
    if not alternatives:
        return queryset.none().annotate(search_rank=models.Value(0.0))
    condition = _fallback_condition(alternatives, fields)
    if related:
        # "-word" leaves out the row whose own text has the word, whatever matched.
        excluded = {prefix for alternative in alternatives for prefix in alternative.excluded}
        own_excluded = _fallback_condition([SearchAlternative((), tuple(excluded))], fields)
        for path in related:
            related_rows = queryset.model._base_manager.order_by().filter(
                _fallback_condition(alternatives, [path])
            )
            if excluded:
                related_rows = related_rows.filter(own_excluded)
            condition |= models.Q(pk__in=related_rows.values("pk"))
    weight = sum(
        (
            models.Case(
                models.When(
                    models.Q(**{f"{field}__iregex": word_prefix_pattern(prefix)}),
                    then=len(fields) - index,
                ),
                default=0,
            )
            for prefix in search_terms(q)
            for index, field in enumerate(fields)
        ),
        models.Value(0),
    )
    return queryset.filter(condition).annotate(
        search_rank=models.ExpressionWrapper(weight * 1.0, output_field=models.FloatField())
    )


class StoredDocument(models.Expression):
    """A model's own column holding `search_vector(fields)` ready-made (on PostgreSQL, a stored
    generated column): the search reads it instead of working the document out again from the
    text of every row it matches and ranks. Named by its column, and read from whatever alias
    the model's table has in the query (a subquery renames it)."""

    output_field = SearchVectorField()

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.column!r})"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        alias = compiler.query.get_initial_alias()
        table = compiler.quote_name_unless_alias(alias)
        # A list, as the search lookups add their own parameters to it.
        return f"{table}.{connection.ops.quote_name(self.column)}", []


def document_sql(model: type[models.Model], fields: Sequence[str], connection: Any) -> str:
    """The SQL of `search_vector(fields)` over `model`'s table, its columns unqualified: what
    a GIN index or a generated column is built on."""
    query = Query(model, alias_cols=False)
    expression = cast(models.Expression, search_vector(fields)).resolve_expression(query)
    sql, params = expression.as_sql(query.get_compiler(connection=connection), connection)
    with connection.schema_editor(atomic=False, collect_sql=True) as editor:
        return sql % tuple(editor.quote_value(param) for param in params)


def search_vector(fields: Sequence[str]) -> SearchVector | CombinedExpression | None:
    """The PostgreSQL search document over `fields`, weighted A, B, C, D in their order (the
    rest D). The GIN index migrations build their index on this very expression: change it, or
    a model's SEARCH_FIELDS, and a new migration must rebuild the index, or the planner can no
    longer use it."""
    weights = "ABCD"
    vector: SearchVector | CombinedExpression | None = None
    for index, field in enumerate(fields):
        part = SearchVector(field, config=SEARCH_CONFIG, weight=weights[min(index, 3)])
        vector = part if vector is None else vector + part
    return vector
