"""What every write through the API shares (`policytracker.core.api.writes`): a bad or unknown
field answers 400 naming it, and a record read and written back is accepted unchanged."""

import pytest
from django.urls import reverse

from instruments.models import Instrument
from tests.helpers.writes import NEW_INSTRUMENT, detail, errors, read, snapshot, write


def test_a_record_read_and_written_back_is_accepted_unchanged(seeded, as_editor):
    url = detail("instrument", "vn-law-on-artificial-intelligence")
    record, etag = read(as_editor, url)
    before = Instrument.objects.get(slug="vn-law-on-artificial-intelligence")

    response = write(as_editor, "put", url, record, etag=etag)

    assert response.status_code == 200, response.content
    after = Instrument.objects.get(pk=before.pk)
    assert (after.title, after.status, after.adopted_on, after.jurisdiction_id) == (
        before.title,
        before.status,
        before.adopted_on,
        before.jurisdiction_id,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"jurisdiction": "ZZ"}, "jurisdiction"),
        ({"jurisdiction": 1}, "jurisdiction"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"type": "regulation"}, "type"),
        ({"adopted_on": "May 2024"}, "adopted_on"),
        ({"adopted_on": "2024-02-30"}, "adopted_on"),
        ({"adopted_on": "2024-05", "adopted_on_precision": "day"}, "adopted_on_precision"),
        ({"sumary": "typo"}, "sumary"),
        ({"slug": "not a slug"}, "slug"),
        # The model's own rules, from full_clean: a bill still in draft is not in effect.
        ({"type": "draft_bill", "status": "in_effect"}, "status"),
    ],
)
def test_bad_input_answers_400_naming_the_field(vocabulary, as_editor, change, field):
    before = snapshot()

    response = write(
        as_editor, "post", reverse("api:instrument-list"), {**NEW_INSTRUMENT, **change}
    )

    assert field in errors(response)
    assert snapshot() == before


def test_an_unknown_field_suggests_the_right_one(vocabulary, as_editor):
    response = write(as_editor, "post", reverse("api:instrument-list"), {"titel": "x"})
    assert "Did you mean “title”?" in errors(response)["titel"][0]
