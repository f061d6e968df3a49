"""How every JSON list of the API is paged (`policytracker.core.api.pagination`), on the
jurisdictions list: pages that cover the list once, strict `page` and `page_size`, and the
facets a page carries when asked."""

import pytest
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from tests.helpers.api import assert_bad_parameter, codes, get_json

URL = reverse("api:jurisdiction-list")


def test_pages_cover_the_list_once(client, seeded):
    # 37 jurisdictions: four pages of 10, the last one partly filled.
    first = get_json(client, URL, page_size=10)
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    last = get_json(client, URL, page_size=10, page="last")
    assert second["previous"] == "http://testserver" + URL + "?page_size=10"
    assert third["next"] == "http://testserver" + URL + "?page=4&page_size=10"
    assert last["previous"] == "http://testserver" + URL + "?page=3&page_size=10"
    seen = codes(first) + codes(second) + codes(third) + codes(last)
    assert seen == codes(get_json(client, URL, page_size=200))
    assert last["next"] is None


def test_page_size_200_is_allowed(client, seeded):
    assert len(get_json(client, URL, page_size=200)["results"]) == Jurisdiction.objects.count()


def test_facets_on_request(client, seeded):
    data = get_json(client, URL, facet=["kind", "region"], page_size=2)
    assert list(data) == ["count", "count_exact", "next", "previous", "facets", "results"]
    assert list(data["facets"]) == ["kind", "region"]
    assert data["facets"]["kind"][0] == {
        "value": "national",
        "label": "National",
        "count": Jurisdiction.objects.filter(kind="national").count(),
        "selected": False,
    }
    assert "facet=kind" in data["next"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=999999", "page"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page_size=500", "page_size"),
        ("page_size=x", "page_size"),
        ("page_size=%C2%B2", "page_size"),
    ],
)
def test_bad_parameter_answers_400_naming_it(client, seeded, query, parameter):
    assert_bad_parameter(client, URL, query, parameter)
