"""How lists count their rows (`policytracker.core.counting`): exactly up to
`LIST_EXACT_COUNT_LIMIT`, past it PostgreSQL's estimate, said as "about" on the pages and with
`count_exact: false` in the API, while paging stays exact."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instruments.models import Instrument
from policytracker.core.counting import CappedCountPaginator, about
from tests.helpers.api import assert_bad_parameter, get_json
from tests.helpers.filters import instruments

API = reverse("api:instrument-list")
PAGE = reverse("web:instrument-list")
LIMIT = 5


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL estimates a count")
    # The test database's statistics, as autovacuum keeps them in a running database.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Instrument._meta.db_table}")


@pytest.fixture
def low_limit(settings):
    settings.LIST_EXACT_COUNT_LIMIT = LIMIT


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (0, 0),
        (7, 7),
        (99, 99),
        (100, 100),
        (1_234, 1_200),
        (1_250, 1_200),
        (1_251, 1_300),
        (123_456, 120_000),
        (999_999, 1_000_000),
    ],
)
def test_an_estimate_is_shown_to_two_significant_figures(number, shown):
    assert about(number) == shown


def test_a_list_under_the_limit_is_counted_exactly(client, seeded):
    data = get_json(client, API, page_size=10)
    assert (data["count"], data["count_exact"]) == (Instrument.objects.count(), True)
    html = client.get(PAGE).content.decode()
    assert f"{Instrument.objects.count():,} instruments" in html
    assert "about" not in html.split('class="result-summary"')[1][:80]


def test_sqlite_counts_exactly_past_the_limit(client, seeded, low_limit):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite keeps no statistics to estimate from")
    data = get_json(client, API, page_size=10)
    assert (data["count"], data["count_exact"]) == (Instrument.objects.count(), True)


def test_past_the_limit_the_api_gives_an_estimate_and_says_so(client, seeded, postgres, low_limit):
    total = Instrument.objects.count()
    data = get_json(client, API, page_size=50)
    assert data["count_exact"] is False
    assert data["count"] == about(data["count"])
    assert total / 2 <= data["count"] <= total * 2


def test_past_the_limit_pages_still_cover_the_list_once(client, seeded, postgres, low_limit):
    seen, data = [], get_json(client, API, page_size=50)
    while True:
        seen += [row["slug"] for row in data["results"]]
        if data["next"] is None:
            break
        data = client.get(data["next"]).json()
    assert len(seen) == len(set(seen))
    assert set(seen) == set(Instrument.objects.values_list("slug", flat=True))


def test_the_last_page_is_found_by_counting_exactly(client, seeded, postgres, low_limit):
    total = Instrument.objects.count()
    last = get_json(client, API, page_size=50, page="last")
    assert (last["count"], last["count_exact"]) == (total, True)
    assert last["next"] is None
    assert len(last["results"]) == total - 50 * ((total - 1) // 50)


def test_a_page_past_the_end_is_refused_with_the_exact_number_of_pages(
    client, seeded, postgres, low_limit
):
    pages = -(-Instrument.objects.count() // 50)
    assert_bad_parameter(client, API, f"page={pages + 1}&page_size=50", "page")
    errors = client.get(API, {"page": pages + 1, "page_size": 50}).json()["errors"]
    assert f"this list has {pages} pages" in errors["page"][0]


def test_the_count_reads_no_more_rows_than_the_limit(seeded, postgres, low_limit):
    paginator = CappedCountPaginator(Instrument.objects.order_by("pk"), 10)
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count_exact is False
    counted = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"]]
    assert len(counted) == 1
    assert f"LIMIT {LIMIT + 1}" in counted[0]


def test_the_page_says_about_and_keeps_its_next_link(client, seeded, postgres, low_limit):
    response = client.get(PAGE)
    paginator = response.context["paginator"]
    assert paginator.count_exact is False
    html = " ".join(response.content.decode().split())
    assert f"about {paginator.count:,} instruments, showing 1–25" in html
    assert f"Page 1 of about {paginator.num_pages}" in html
    assert f"Download all of these rows (about {paginator.count:,}):" in html
    assert 'rel="next"' in html
    # The last page, asked by its number, says the exact count.
    total = Instrument.objects.count()
    last = client.get(PAGE, {"page": "last"})
    assert last.context["paginator"].count_exact is True
    assert f"{total:,} instruments" in " ".join(last.content.decode().split())


def test_an_estimate_short_of_the_rows_counted_says_more_than(seeded, postgres, monkeypatch):
    monkeypatch.setattr("policytracker.core.counting.estimated_rows", lambda rows: 3)
    paginator = CappedCountPaginator(Instrument.objects.order_by("pk"), 2, exact_limit=LIMIT)
    assert (paginator.count, paginator.count_exact) == (LIMIT + 1, False)
    assert paginator.count_text == f"more than {LIMIT}"
    assert paginator.pages_text == f"more than {LIMIT // 2}"
    assert paginator.page(1).has_next()


def test_a_text_search_past_the_limit_says_more_than(client, seeded, postgres, low_limit):
    # The planner keeps no statistics of words: no estimate is given for a search.
    data = get_json(client, API, q="ai", page_size=10)
    total = Instrument.objects.search("ai").count()
    assert total > LIMIT
    assert (data["count"], data["count_exact"]) == (LIMIT + 1, False)
    html = " ".join(client.get(PAGE, {"q": "ai"}).content.decode().split())
    assert f"more than {LIMIT} instruments" in html


def test_a_chosen_facet_value_gives_the_exact_count(client, seeded, postgres, low_limit):
    # The filter panel counts "Binding laws" exactly anyway: the list says that figure.
    binding = Instrument.objects.filter(type="binding_law").count()
    assert binding > LIMIT
    response = client.get(PAGE, {"binding": "true"})
    assert response.context["paginator"].count_exact is True
    assert f"{binding:,} instruments" in " ".join(response.content.decode().split())
    data = get_json(client, API, binding="true", facet="binding")
    assert (data["count"], data["count_exact"]) == (binding, True)
    # Without the facet asked, the API estimates.
    assert get_json(client, API, binding="true")["count_exact"] is False


def test_a_page_far_past_the_estimate_is_refused_without_reaching_the_database(
    client, seeded, postgres, low_limit
):
    # 18 digits times 200 rows would overflow the database's OFFSET: counted exactly first.
    assert_bad_parameter(client, API, "page=999999999999999999&page_size=200", "page")
    response = client.get(PAGE, {"page": "999999999999999999"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "binding=true",
        "type=draft_bill&jurisdiction=US",
        "jurisdiction=US&include_subnational=false",
        "member_of=ASEAN&as_of=2025-08-08",
        "topic=sandboxes&binding=false",
        "status=in_effect&q=ai",
        "force=voluntary&year=2024",
    ],
)
def test_the_count_a_facet_gives_is_the_lists(seeded, query):
    filterset = instruments(query)
    known = filterset.count_from(filterset.facets())
    assert known is not None
    assert known == filterset.qs.count()
