"""Where the API answers a request its schema allows with a refusal, on purpose: each decision
the schema runs (tests/api/test_schema_checks.py) accept, shown here on its own, with the
answer a client reads. The README lists them under "Where the API is stricter than its
schema"."""

import pytest

from tests.helpers.writes import errors, make_user, read, token_client, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(db):
    return token_client(make_user("decider", editor=True))


def test_a_filter_naming_a_record_the_tracker_does_not_hold_is_refused_naming_it(seeded, client):
    found = errors(client.get("/api/v1/instruments/", {"topic": "no-such-topic"}))
    assert found == {
        "topic": ["“no-such-topic” is not a topic in the tracker (topics go by slug)."]
    }
    found = errors(client.get("/api/v1/jurisdictions/", {"member_of": "ZZ"}))
    assert "“ZZ” is not the code of a bloc in the tracker" in found["member_of"][0]


def test_a_page_past_the_last_is_refused_naming_page(seeded, client):
    found = errors(client.get("/api/v1/topics/", {"page": 999}))
    assert found["page"][0].startswith("There is no page 999: this list has 1 page")
    found = errors(client.get("/api/v1/topics/", {"page": "99999999999999999999999"}))
    assert "is not allowed. Enter a page number (1 or more) or “last”." in found["page"][0]


def test_the_change_feed_reads_only_its_own_cursors_and_one_size(seeded, client):
    found = errors(client.get("/api/v1/changes/", {"cursor": "yesterday"}))
    assert found["cursor"][0].startswith("“yesterday” is not a cursor of this feed.")
    found = errors(client.get("/api/v1/changes/", {"page_size": 5, "limit": 5}))
    assert found == {"limit": ["Give `page_size` or `limit`, not both."]}


def test_a_write_is_held_to_the_records_rules_naming_each_field(seeded, editor_client):
    taken = editor_client.post(
        "/api/v1/topics/", {"slug": "transparency", "name": "Again"}, format="json"
    )
    assert errors(taken) == {"slug": ["topic with this slug already exists."]}
    unknown = editor_client.post(
        "/api/v1/topics/", {"slug": "new-topic", "name": "New", "colour": "red"}, format="json"
    )
    assert errors(unknown) == {"colour": ["Unknown field."]}
    nowhere = write(
        editor_client, "patch", "/api/v1/instruments/eu-ai-act/", {"jurisdiction": "ZZ"}
    )
    assert errors(nowhere) == {"jurisdiction": ["No jurisdiction has the code “ZZ”."]}


def test_a_change_to_a_record_needs_its_etag_in_if_match(seeded, editor_client):
    bare = editor_client.patch("/api/v1/topics/transparency/", {"name": "T"}, format="json")
    assert "If-Match" in errors(bare, 428)
    star = editor_client.patch(
        "/api/v1/topics/transparency/", {"name": "T"}, format="json", HTTP_IF_MATCH="*"
    )
    assert errors(star, 428)["If-Match"][0].startswith("`*` would let this write undo changes")
    # A record that does not exist is named first: a PUT does not make one.
    missing = editor_client.put(
        "/api/v1/topics/brand-new/",
        {"slug": "brand-new", "name": "Brand new"},
        format="json",
        HTTP_IF_MATCH='"an-etag"',
    )
    assert errors(missing, 404) == {"path": ["No topic has the slug “brand-new”."]}


def test_known_at_takes_a_day_the_tracker_has_a_history_of(seeded, client):
    """A day of the right format before the tracker's first history, or after today, is
    refused naming `known_at`: the schema's `date` cannot say a range that moves with the
    data. So is `as_of` beside it on a record with no status or approach to read."""
    found = errors(client.get("/api/v1/instruments/eu-ai-act/", {"known_at": "2000-01-01"}))
    assert found["known_at"][0].startswith("The tracker's history begins on")
    found = errors(client.get("/api/v1/instruments/eu-ai-act/", {"known_at": "9999-12-31"}))
    assert found["known_at"][0].startswith("9999-12-31 is in the future")
    today = client.get("/api/v1/events/ai-seoul-summit-2024/").json()["updated_at"][:10]
    found = errors(
        client.get(
            "/api/v1/events/ai-seoul-summit-2024/", {"known_at": today, "as_of": "2025-08-08"}
        )
    )
    assert set(found) == {"as_of", "known_at"}
    assert found["as_of"][0].startswith("Not read together")


def test_a_records_address_reads_only_format(seeded, client, editor_client):
    plain = client.get("/api/v1/topics/transparency/")
    tagged = client.get("/api/v1/topics/transparency/", {"utm_source": "newsletter"})
    assert tagged.status_code == 200
    assert tagged.content == plain.content
    _, etag = read(editor_client, "/api/v1/topics/automated-decision-rights/")
    gone = editor_client.delete(
        "/api/v1/topics/automated-decision-rights/?utm_source=x", HTTP_IF_MATCH=etag
    )
    assert gone.status_code in (204, 409), gone.content


def test_an_empty_parameter_reads_as_if_not_given(seeded, client):
    plain = client.get("/api/v1/topics/")
    for parameter in ("updated_since", "format", "q"):
        empty = client.get("/api/v1/topics/", {parameter: ""})
        assert empty.status_code == 200, parameter
        assert empty.json() == plain.json(), parameter
