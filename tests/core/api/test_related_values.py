"""The lists each row of a page or CSV chunk shows (`RelatedValues`), read by one query for all
the rows' keys."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from instruments.models import Instrument
from policytracker.core.api.views import RelatedValues, among_keys

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [0, 1, 7, 500])
def test_among_keys_selects_what_in_selects(seeded, size):
    keys = list(Instrument.objects.order_by("slug").values_list("pk", flat=True)[:size])
    keys.append(-1)  # a key no row has
    selected = among_keys(Instrument.objects.all(), keys)
    assert sorted(selected.values_list("pk", flat=True)) == sorted(
        Instrument.objects.filter(pk__in=keys).values_list("pk", flat=True)
    )


def test_among_keys_sends_the_keys_as_one_parameter_on_postgresql(seeded):
    keys = list(Instrument.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        list(among_keys(Instrument.objects.all(), keys))
    [query] = queries.captured_queries
    if connection.vendor == "postgresql":
        assert "= ANY(" in query["sql"]
        assert " IN (" not in query["sql"]
    else:
        assert " IN (" in query["sql"]


def test_related_values_are_read_for_every_row_in_one_query(seeded):
    instruments = list(Instrument.objects.filter(topics__isnull=False).distinct()[:20])
    keys = [instrument.pk for instrument in instruments]
    topics = RelatedValues("topics", "slug", order=("slug",))
    with CaptureQueriesContext(connection) as queries:
        found = topics.read(Instrument, keys)
    assert len(queries.captured_queries) == 1
    for instrument in instruments:
        assert found[instrument.pk] == sorted(instrument.topics.values_list("slug", flat=True))


def test_each_relation_is_read_from_its_own_table(seeded):
    """A many-to-many field from its link table, a reverse foreign key from the related
    model's table: never through the listed model's own table."""
    keys = list(Instrument.objects.values_list("pk", flat=True))
    for relation, values, table in (
        ("topics", "slug", "instruments_instrument_topics"),
        ("parties", "code", "instruments_instrument_parties"),
        ("citations", {"source_title": "source__title"}, "instruments_citation"),
        ("relations_out", {"slug": "to_instrument__slug"}, "instruments_instrumentrelation"),
    ):
        with CaptureQueriesContext(connection) as queries:
            RelatedValues(relation, values).read(Instrument, keys)
        [query] = queries.captured_queries
        listed_from = query["sql"].split(" FROM ", 1)[1]
        assert listed_from.startswith(f'"{table}"'), (relation, listed_from[:200])
        # The listed instrument's own row is not joined: only the one at the other end.
        assert " LEFT OUTER JOIN " not in listed_from


def test_every_rows_values_are_its_own_in_order(seeded):
    """Against the model's own managers, for every instrument of the seed: ordered lists in
    their order, the others in the order their rows were added."""
    instruments = list(Instrument.objects.all())
    keys = [instrument.pk for instrument in instruments]
    topics = RelatedValues("topics", "slug", order=("name", "pk")).read(Instrument, keys)
    citations = RelatedValues(
        "citations", {"quote": "quote", "source": "source__title"}, order=("source__title", "pk")
    ).read(Instrument, keys)
    relations = RelatedValues(
        "relations_out", {"kind": "kind", "slug": "to_instrument__slug"}
    ).read(Instrument, keys)
    assert any(relations.values())
    assert any(citations.values())
    assert any(topics.values())
    for instrument in instruments:
        key = instrument.pk
        assert topics.get(key, []) == list(
            instrument.topics.order_by("name", "pk").values_list("slug", flat=True)
        )
        assert citations.get(key, []) == [
            {"quote": quote, "source": source}
            for quote, source in instrument.citations.order_by("source__title", "pk").values_list(
                "quote", "source__title"
            )
        ]
        assert relations.get(key, []) == [
            {"kind": kind, "slug": slug}
            for kind, slug in instrument.relations_out.order_by("pk").values_list(
                "kind", "to_instrument__slug"
            )
        ]
