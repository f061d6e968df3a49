"""A query parameter a page cannot use is a 400 page naming it, in the words the API uses."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("page", "api"),
    [
        ("web:instrument-list", "api:instrument-list"),
        ("web:jurisdiction-list", "api:jurisdiction-list"),
        ("web:event-list", "api:event-list"),
    ],
)
@pytest.mark.parametrize("value", ["99", "abc", "0"])
def test_a_bad_page_is_told_in_the_same_words_on_the_page_and_in_the_api(
    seeded, client, page, api, value
):
    # The API pages 50 rows at a time and the pages 25 or 100, so a page past the last has a
    # different count of pages in each; the sentence is the same.
    html = client.get(reverse(page), {"page": value})
    assert html.status_code == 400
    answer = client.get(reverse(api), {"page": value})
    assert answer.status_code == 400
    (message,) = answer.json()["errors"]["page"]
    if value == "99":
        assert "There is no page 99: this list has " in html.content.decode()
        assert message.startswith("There is no page 99: this list has ")
    else:
        assert message in html.content.decode()


def test_the_last_page_is_page_last(seeded, client):
    first = client.get(reverse("web:jurisdiction-list"))
    last = client.get(reverse("web:jurisdiction-list"), {"page": "last"})
    assert last.status_code == 200
    assert last.context["page_obj"].number == first.context["paginator"].num_pages


def test_a_lower_case_code_shows_as_chosen_with_its_name(seeded, client):
    response = client.get(reverse("web:instrument-list"), {"jurisdiction": "cn"})
    assert response.status_code == 200
    (chip,) = response.context["active_filters"]
    assert (chip.name, chip.value, chip.value_label) == ("jurisdiction", "cn", "China")
    (facet,) = [facet for facet in response.context["facets"] if facet.name == "jurisdiction"]
    assert [option.value for option in facet.selected] == ["CN"]
