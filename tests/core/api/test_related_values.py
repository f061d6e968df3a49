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
