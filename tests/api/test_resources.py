"""What every resource on the API's router shares: each list the same in JSON and CSV, at a
cost that does not grow with its rows, with `updated_since` and addresses on every row; each
record its list row and more, a 404 in JSON for an unknown key; facets that are its
FilterSet's and count as its HTML page counts; a fixed number of queries per record."""

from dataclasses import asdict
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from policytracker.api.urls import router
from policytracker.core.api.views import ListViewSet, RecordViewSet
from policytracker.web import urls as instrument_urls
from policytracker.web.views.base import FacetedListView
from tests.factories import (
    ActorFactory,
    BlocFactory,
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    MembershipFactory,
)
from tests.helpers.api import all_rows, assert_bad_parameter, assert_csv_matches_json, get_json

ACTORS = reverse("api:actor-list")
TOPICS = reverse("api:topic-list")
SOURCES = reverse("api:source-list")
CITATIONS = reverse("api:citation-list")

LISTS = [
    pytest.param(prefix, viewset, basename, id=prefix)
    for prefix, viewset, basename in router.registry
    # The change feed is read by cursor, not by page, and is tested on its own.
    if issubclass(viewset, ListViewSet)
]

RECORDS = [param for param in LISTS if issubclass(param.values[1], RecordViewSet)]

FACETED = [param for param in LISTS if param.values[1].filterset_class.facet_specs]


def list_url(basename):
    return reverse(f"api:{basename}-list")


@pytest.fixture
def more_rows(seeded):
    """More than one page of 10 in every list, and every jurisdiction a member of something,
    so that every relation a list reads is read on a page of 10 as on a page of 200."""
    for _ in range(11):
        actor = ActorFactory()
        event = EventFactory(host=actor.jurisdiction)
        event.co_hosts.add(actor.jurisdiction)
        event.participants.add(actor.jurisdiction)
        event.actors.add(actor)
        event.instruments.add(InstrumentFactory(jurisdiction=actor.jurisdiction))
        CitationFactory(instrument=None, actor=actor)
    bloc = BlocFactory()
    for jurisdiction in Jurisdiction.objects.filter(memberships__isnull=True).exclude(pk=bloc.pk):
        MembershipFactory(member=jurisdiction, bloc=bloc)
    MembershipFactory(member=bloc, bloc=Jurisdiction.objects.get(code="INTL"))


def test_the_router_lists_every_resource():
    assert sorted(param.id for param in LISTS) == [
        "actors",
        "citations",
        "events",
        "instruments",
        "jurisdictions",
        "sources",
        "topics",
    ]
    # Citations too, at `citations/<id>/`, where editors change and delete them.
    assert [param.id for param in LISTS if param not in RECORDS] == []


def test_the_root_lists_every_resource(client, seeded):
    data = get_json(client, reverse("api:api-root"))
    for param in LISTS:
        assert data[param.id] == "http://testserver" + list_url(param.values[2])


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_list_gives_the_same_rows_as_csv_and_json(client, seeded, prefix, viewset, basename):
    assert_csv_matches_json(client, list_url(basename))
    response = client.get(list_url(basename), {"format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="{prefix}.csv"'


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_list_costs_the_same_queries_at_10_and_200_rows(
    client, more_rows, prefix, viewset, basename
):
    url = list_url(basename)
    counts = {}
    for page_size in (10, 200):
        with CaptureQueriesContext(connection) as queries:
            data = get_json(client, url, page_size=page_size)
        assert len(data["results"]) == min(page_size, data["count"])
        counts[page_size] = len(queries)
    assert data["count"] > 10
    assert counts[10] == counts[200]


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_list_takes_updated_since(client, seeded, prefix, viewset, basename):
    assert "updated_since" in viewset.filterset_class.base_filters
    url = list_url(basename)
    total = get_json(client, url)["count"]
    assert get_json(client, url, updated_since="2000-01-01T00:00:00Z")["count"] == total
    assert get_json(client, url, updated_since="2999-01-01T00:00:00Z")["count"] == 0
    assert_bad_parameter(client, url, "updated_since=soon", "updated_since")


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_row_has_its_addresses_and_time(client, seeded, prefix, viewset, basename):
    for row in all_rows(client, list_url(basename)):
        assert row["html_url"] is None or row["html_url"].startswith("http://testserver/")
        assert row["updated_at"].endswith("Z")
        if prefix != "citations":
            assert row["url"].startswith("http://testserver" + list_url(basename))
            assert client.get(row["url"]).status_code == 200


@pytest.mark.parametrize(("prefix", "viewset", "basename"), RECORDS)
def test_every_record_is_its_list_row_and_more(client, seeded, prefix, viewset, basename):
    rows = all_rows(client, list_url(basename))
    for row in rows[:3] + rows[-3:]:
        data = get_json(client, row["url"])
        assert list(data)[: len(row)] == list(row)
        assert {name: data[name] for name in row} == row


@pytest.mark.parametrize(("prefix", "viewset", "basename"), RECORDS)
def test_every_unknown_key_answers_404_in_json(client, seeded, prefix, viewset, basename):
    response = client.get(reverse(f"api:{basename}-detail", args=["ZZ-NO-SUCH"]))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    noun = viewset.queryset.model._meta.verbose_name
    message = f"No {noun} has the {viewset.lookup_field} “ZZ-NO-SUCH”."
    assert response.json() == {"errors": {"path": [message]}}


def facets_of(facets):
    return {facet.name: [asdict(option) for option in facet.options] for facet in facets}


def first_choice(client, url, names):
    """A filter to apply: the first value of the first facet that has one."""
    facets = get_json(client, url, facet=names)["facets"]
    name = next(name for name in names if facets[name])
    return {name: facets[name][0]["value"]}


HTML_LISTS = [
    pytest.param(pattern.name, pattern.callback.view_class, id=pattern.name)
    for pattern in instrument_urls.urlpatterns
    if issubclass(getattr(pattern.callback, "view_class", object), FacetedListView)
]


def test_every_html_list_downloads_from_the_api():
    assert sorted(param.id for param in HTML_LISTS) == [
        "event-list",
        "instrument-list",
        "jurisdiction-list",
    ]


@pytest.mark.parametrize(("page", "view_class"), HTML_LISTS)
def test_facets_count_as_the_html_page_counts(client, seeded, page, view_class):
    api_url = reverse(view_class.api_list_name)
    names = list(view_class.filterset_class.facet_specs)
    for query in ({}, first_choice(client, api_url, names), {"as_of": "2025-08-08"}):
        html = client.get(reverse(f"web:{page}"), query)
        assert html.status_code == 200
        api = get_json(client, api_url, facet=names, **query)["facets"]
        assert api == facets_of(html.context["facets"])


@pytest.mark.parametrize(("prefix", "viewset", "basename"), FACETED)
def test_facets_are_the_filtersets(client, seeded, prefix, viewset, basename):
    url = list_url(basename)
    names = list(viewset.filterset_class.facet_specs)
    for query in ({}, first_choice(client, url, names)):
        api = get_json(client, url, facet=names, **query)["facets"]
        filterset = viewset.filterset_class(QueryDict(urlencode(query)), queryset=viewset.queryset)
        assert api == facets_of(filterset.facets())
        chosen = [option for options in api.values() for option in options if option["selected"]]
        assert len(chosen) == len(query)


@pytest.mark.parametrize(("prefix", "viewset", "basename"), LISTS)
def test_every_list_answers_an_unknown_facet_with_400(client, seeded, prefix, viewset, basename):
    response = client.get(list_url(basename), {"facet": "nope"})
    assert response.status_code == 400
    (message,) = response.json()["errors"]["facet"]
    specs = viewset.filterset_class.facet_specs
    assert message.startswith("“nope” is not a facet of this list. ")
    if specs:
        assert message.endswith(f"Allowed values: {', '.join(specs)}.")
    else:
        assert message.endswith("This list has no facets.")


@pytest.mark.parametrize(
    ("basename", "keys", "queries"),
    [
        # the row; identifiers, topics, parties, relations both ways and citations (one query
        # each); the status timeline and its citations, events
        ("instrument", ["vn-law-on-artificial-intelligence", "seoul-declaration-2024"], 10),
        # the row with its host; co-hosts, participants, actors, instruments; citations
        ("event", ["ai-seoul-summit-2024", "kratsios-urges-asia-to-reject-eu-regulation"], 6),
        # the row with its jurisdiction; events; citations
        ("actor", ["li-qiang", "us-congress"], 3),
        # the row; instruments
        ("topic", ["sandboxes", "ai-safety"], 2),
        # the row with its counts
        ("source", ["us-asia-ai-governance-2025-08-08", "iso-3166-1"], 1),
    ],
)
def test_record_query_count_is_fixed(
    client, seeded, django_assert_num_queries, basename, keys, queries
):
    for key in keys:
        with django_assert_num_queries(queries):
            assert client.get(reverse(f"api:{basename}-detail", args=[key])).status_code == 200


@pytest.mark.parametrize(
    ("url", "query", "parameter"),
    [
        (ACTORS, "kind=robot", "kind"),
        (ACTORS, "jurisdiction=ZZ", "jurisdiction"),
        (ACTORS, "ordering=role", "ordering"),
        (ACTORS, "jurisdicton=CN", "jurisdicton"),
        (ACTORS, "facet=role", "facet"),
        (TOPICS, "ordering=count", "ordering"),
        (TOPICS, "page_size=201", "page_size"),
        (SOURCES, "kind=blog", "kind"),
        (SOURCES, "ordering=author", "ordering"),
        (SOURCES, "facet=publisher", "facet"),
        (CITATIONS, "source=no-such-source", "source"),
        (CITATIONS, "record=membership", "record"),
        (CITATIONS, "sorce=un-m49", "sorce"),
        (CITATIONS, "page=0", "page"),
    ],
)
def test_new_list_bad_parameter(client, seeded, url, query, parameter):
    assert_bad_parameter(client, url, query, parameter)
