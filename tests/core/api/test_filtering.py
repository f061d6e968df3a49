"""How every list of the API reads its query string (`policytracker.core.api.filtering`):
unrelated and empty parameters, facets asked for with `facet`, every bad parameter named at
once, and timestamps at any ISO 8601 offset."""

import pytest
from django.urls import reverse

from jurisdictions.models import Jurisdiction
from tests.helpers.api import codes, count_queries, get_json
from tests.helpers.filters import position_queries
from tests.helpers.schema import API, filtered_lists

URL = reverse("api:jurisdiction-list")


def test_unrelated_and_empty_parameters_are_not_errors(client, seeded):
    total = get_json(client, URL, _="1700000000", page="", page_size="")["count"]
    assert total == Jurisdiction.objects.count()


def test_facets_count_under_the_other_filters_and_mark_the_chosen(client, seeded):
    query = {"facet": "kind", "kind": "regional_bloc", "region": "south_eastern_asia"}
    data = get_json(client, URL, **query)
    assert codes(data) == ["ASEAN"]
    in_region = Jurisdiction.objects.filter(region="south_eastern_asia")
    assert data["facets"]["kind"] == [
        {
            "value": "national",
            "label": "National",
            "count": in_region.filter(kind="national").count(),
            "selected": False,
        },
        {"value": "regional_bloc", "label": "Regional bloc", "count": 1, "selected": True},
    ]


def test_facet_without_value_is_no_facet(client, seeded):
    assert "facets" not in get_json(client, URL, facet="")


def test_unknown_facet_answers_400_naming_the_allowed_ones(client, seeded):
    response = client.get(URL, {"facet": ["kind", "approch"]})
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "facet": [
                "“approch” is not a facet of this list. Allowed values: kind, region, approach, "
                "member_of, binding_law_in_force."
            ]
        }
    }


def test_unknown_facet_and_bad_filter_are_named_together(client, seeded):
    response = client.get(URL, {"facet": "nope", "kind": "state"})
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["facet", "kind"]


def test_facets_cost_one_query_each(client, seeded, django_assert_num_queries):
    plain = count_queries(client, URL)
    with django_assert_num_queries(plain + 2 + position_queries()):
        client.get(URL, {"facet": ["kind", "region"]})


@pytest.mark.parametrize("prefix", [prefix for prefix, _ in filtered_lists()])
def test_updated_since_takes_any_iso_offset(client, seeded, prefix):
    """ISO 8601 allows offsets PostgreSQL refuses (past ±15:59): read in UTC, they filter."""
    response = client.get(f"{API}{prefix}/", {"updated_since": "2020-01-13T05:27:28-17:31"})
    assert response.status_code == 200, response.content[:300]
    # Past the year 9999 once in UTC: a bad value, named.
    response = client.get(f"{API}{prefix}/", {"updated_since": "9999-12-31T23:59:59-01:00"})
    assert response.status_code == 400
    assert "updated_since" in response.json()["errors"]
