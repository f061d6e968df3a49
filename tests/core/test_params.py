"""How a page or a page size that cannot be served is refused, in one wording for both the
pages and the API."""

import pytest
from django.core.paginator import Paginator

from policytracker.core.params import BadParameters, page_of, page_size


def test_page_of_reads_numbers_last_and_nothing():
    paginator = Paginator(list(range(25)), 10)
    assert page_of(paginator, None).number == 1
    assert page_of(paginator, " ").number == 1
    assert page_of(paginator, "2").number == 2
    assert page_of(paginator, "last").number == 3


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "“0” is not allowed. Enter a page number (1 or more) or “last”."),
        ("abc", "“abc” is not allowed. Enter a page number (1 or more) or “last”."),
        ("²", "“²” is not allowed. Enter a page number (1 or more) or “last”."),
        ("-1", "“-1” is not allowed. Enter a page number (1 or more) or “last”."),
        ("4", "There is no page 4: this list has 3 pages at this page size."),
        ("9" * 30, f"“{'9' * 30}” is not allowed. Enter a page number (1 or more) or “last”."),
    ],
)
def test_a_page_that_is_not_one_names_page(raw, message):
    with pytest.raises(BadParameters) as error:
        page_of(Paginator(list(range(25)), 10), raw)
    assert error.value.errors == {"page": [message]}


def test_an_empty_list_has_one_page():
    paginator = Paginator([], 10)
    assert page_of(paginator, "1").number == 1
    with pytest.raises(BadParameters) as error:
        page_of(paginator, "2")
    assert error.value.errors == {
        "page": ["There is no page 2: this list has 1 page at this page size."]
    }


@pytest.mark.parametrize("raw", ["0", "201", "x", "1.5", " -3"])
def test_a_page_size_out_of_range_names_page_size(raw):
    with pytest.raises(BadParameters) as error:
        page_size(raw, default=50, maximum=200)
    (message,) = error.value.errors["page_size"]
    assert message.endswith("Enter a whole number from 1 to 200.")


def test_page_size_defaults_when_not_given():
    assert page_size(None, default=50, maximum=200) == 50
    assert page_size("", default=50, maximum=200) == 50
    assert page_size("200", default=50, maximum=200) == 200
