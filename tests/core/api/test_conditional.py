"""Conditional requests: `ETag` and `Last-Modified` on every record's reads, 304 when the
client's copy is current, and `If-Match` on every write to a record (428 without it, 412 when
stale; neither writes anything)."""

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.http import http_date, parse_http_date

from instruments.models import Citation, Instrument
from instruments.seeding import seed
from tests.conftest import FIXTURES_DIR
from tests.factories import CitationFactory, InstrumentFactory, TopicFactory
from tests.helpers.restore import remake_migration_data
from tests.helpers.writes import (
    detail,
    errors,
    make_user,
    read,
    snapshot,
    timeline_post,
    token_client,
    write,
)

SLUG = "vn-law-on-artificial-intelligence"
URL = detail("instrument", SLUG)
DETAILS = [
    detail("instrument", SLUG),
    detail("event", "ai-seoul-summit-2024"),
    detail("actor", "michael-kratsios"),
    detail("topic", "licensing"),
    detail("source", "us-asia-ai-governance-2025-08-08"),
    detail("jurisdiction", "SG"),
]


# Reads


@pytest.mark.parametrize("url", DETAILS)
def test_every_record_read_carries_a_strong_etag_and_last_modified(seeded, anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["ETag"].endswith('"')
    assert parse_http_date(response["Last-Modified"])

    again = anonymous.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == response["ETag"]


def test_a_citation_read_carries_an_etag(seeded, anonymous):
    url = detail("citation", Citation.objects.order_by("pk").first().pk)
    response = anonymous.get(url)
    assert response.status_code == 200
    assert anonymous.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_if_none_match_with_another_tag_reads_the_record(seeded, anonymous):
    response = anonymous.get(URL, HTTP_IF_NONE_MATCH='"something-else", W/"older"')
    assert response.status_code == 200
    assert response.json()["slug"] == SLUG


def test_if_modified_since_answers_304_when_nothing_is_newer(seeded, anonymous, as_editor):
    modified = anonymous.get(URL)["Last-Modified"]
    assert anonymous.get(URL, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    earlier = http_date(parse_http_date(modified) - 60)
    assert anonymous.get(URL, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_lists_carry_no_etag(seeded, anonymous):
    assert "ETag" not in anonymous.get(reverse("api:instrument-list"))


def test_each_format_has_its_own_tag(seeded, anonymous):
    as_json = anonymous.get(URL, HTTP_ACCEPT="application/json")["ETag"]
    as_csv = anonymous.get(URL, {"format": "csv"})["ETag"]
    assert as_json != as_csv
    assert anonymous.get(URL, {"format": "csv"}, HTTP_IF_NONE_MATCH=as_json).status_code == 200


def test_the_etag_changes_with_anything_the_record_shows(seeded, anonymous):
    instrument = Instrument.objects.get(slug=SLUG)
    before = anonymous.get(URL)["ETag"]
    # A citation added elsewhere changes what the instrument's read shows, and so its tag.
    CitationFactory(instrument=instrument, quote="A new quote.")
    after = anonymous.get(URL)["ETag"]
    assert after != before
    assert anonymous.get(URL, HTTP_IF_NONE_MATCH=before).status_code == 200
    # The same state reads with the same tag.
    assert anonymous.get(URL)["ETag"] == after


def test_last_modified_follows_what_hangs_off_the_record(seeded, anonymous):
    instrument = InstrumentFactory()
    url = detail("instrument", instrument.slug)
    Instrument.objects.filter(pk=instrument.pk).update(
        updated_at=instrument.updated_at.replace(year=2020)
    )
    instrument.history.update(history_date=instrument.updated_at.replace(year=2020))
    old = parse_http_date(anonymous.get(url)["Last-Modified"])
    CitationFactory(instrument=instrument)
    assert parse_http_date(anonymous.get(url)["Last-Modified"]) > old


# Writes


def test_a_write_without_if_match_answers_428_and_changes_nothing(seeded, as_editor):
    before = snapshot()
    response = write(as_editor, "patch", URL, {"summary": "Changed."}, etag=False)
    assert "If-Match" in errors(response, 428)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "data"), [("put", {"title": "T"}), ("patch", {"title": "T"}), ("delete", None)]
)
def test_every_write_to_a_record_needs_if_match(seeded, as_editor, method, data):
    before = snapshot()
    assert write(as_editor, method, URL, data, etag=False).status_code == 428
    assert write(as_editor, method, URL, data, etag='"stale"').status_code == 412
    assert snapshot() == before


@pytest.mark.parametrize(
    ("basename", "key", "suffix", "step"),
    [
        ("instrument", SLUG, "status-changes", {"status": "repealed", "date": "2025"}),
        (
            "jurisdiction",
            "SG",
            "approach-assessments",
            {"approach": "hybrid", "assessed_on": "2025"},
        ),
    ],
)
def test_a_timeline_step_needs_the_parents_if_match(seeded, as_editor, basename, key, suffix, step):
    before = snapshot()
    assert "If-Match" in errors(
        timeline_post(as_editor, basename, key, suffix, step, etag=False), 428
    )
    assert "If-Match" in errors(
        timeline_post(as_editor, basename, key, suffix, step, etag='"stale"'), 412
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("*", 428),  # would overwrite changes the client has not seen
        ("not-quoted", 400),
    ],
)
def test_if_match_must_name_the_tag_read(seeded, as_editor, header, status):
    before = snapshot()
    response = write(as_editor, "patch", URL, {"summary": "x"}, etag=header)
    assert "If-Match" in errors(response, status)
    assert snapshot() == before


def test_a_weak_tag_never_matches(seeded, as_editor):
    _, etag = read(as_editor, URL)
    response = write(as_editor, "patch", URL, {"summary": "x"}, etag=f"W/{etag}")
    assert response.status_code == 412


def test_a_write_with_the_current_tag_succeeds_and_returns_the_new_one(seeded, as_editor):
    record, etag = read(as_editor, URL)

    response = write(as_editor, "patch", URL, {"summary": "Changed."}, etag=etag)

    assert response.status_code == 200, response.content
    new = response["ETag"]
    assert new != etag
    assert read(as_editor, URL) == (response.json(), new)
    assert response["Last-Modified"]
    # The tag read before the write is stale now.
    before = snapshot()
    assert write(as_editor, "patch", URL, {"summary": "Again."}, etag=etag).status_code == 412
    assert snapshot() == before
    assert write(as_editor, "patch", URL, {"summary": "Again."}, etag=new).status_code == 200


def test_the_tag_of_any_format_names_the_same_state(seeded, as_editor):
    etag = as_editor.get(URL, {"format": "csv"})["ETag"]
    assert write(as_editor, "patch", URL, {"summary": "x"}, etag=etag).status_code == 200


def test_if_match_may_list_several_tags(seeded, as_editor):
    _, etag = read(as_editor, URL)
    response = write(as_editor, "patch", URL, {"summary": "x"}, etag=f'"old", {etag}')
    assert response.status_code == 200


def test_a_write_elsewhere_that_changes_the_record_makes_the_tag_stale(seeded, as_editor):
    _, etag = read(as_editor, URL)
    TopicFactory()  # unrelated: the tag still holds
    assert read(as_editor, URL)[1] == etag
    CitationFactory(instrument=Instrument.objects.get(slug=SLUG))
    assert write(as_editor, "patch", URL, {"summary": "x"}, etag=etag).status_code == 412


def test_a_timeline_step_changes_the_parents_tag(seeded, as_editor):
    _, etag = read(as_editor, detail("jurisdiction", "SG"))
    step = {"approach": "hybrid", "assessed_on": "2025"}
    response = timeline_post(
        as_editor, "jurisdiction", "SG", "approach-assessments", step, etag=etag
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] != etag
    again = {"approach": "voluntary", "assessed_on": "2025-02"}
    assert (
        timeline_post(
            as_editor, "jurisdiction", "SG", "approach-assessments", again, etag=etag
        ).status_code
        == 412
    )


def test_a_missing_record_answers_404_before_anything_else(seeded, as_editor):
    response = write(as_editor, "patch", detail("instrument", "no-such-law"), {}, etag='"x"')
    assert response.status_code == 404
    for url in (detail("citation", "abc"), detail("citation", 10**9)):
        assert write(as_editor, "delete", url, etag='"x"').status_code == 404
        assert as_editor.get(url).status_code == 404


def test_two_editors_one_after_the_other_cannot_undo_each_other(seeded, editor):
    first = token_client(editor)
    second = token_client(make_user("otto", editor=True))
    _, etag = read(first, URL)
    assert read(second, URL)[1] == etag

    assert write(first, "patch", URL, {"summary": "First."}, etag=etag).status_code == 200
    response = write(second, "patch", URL, {"summary": "Second."}, etag=etag)

    assert response.status_code == 412
    assert Instrument.objects.get(slug=SLUG).summary == "First."


# Two editors at the same moment, on PostgreSQL


@pytest.fixture(scope="module")
def restore_seed(django_db_blocker):
    """A transactional test empties the database when it ends; the rest of the suite reads
    the seed and the groups its migrations made, so they are made again once this module is
    done."""
    emptied = []
    yield emptied
    if emptied:
        with django_db_blocker.unblock():
            seed(FIXTURES_DIR)
            remake_migration_data()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks (select_for_update does nothing) and lets "
    "one writer in at a time, so two requests cannot race on it",
)
@pytest.mark.django_db(transaction=True)
def test_two_editors_racing_on_one_record_one_wins_the_other_gets_412(restore_seed, monkeypatch):
    restore_seed.append(True)
    # Each write dawdles between its check and its save, so that without the row lock both
    # would pass the check before either had written.
    full_clean = Instrument.full_clean

    def slow_full_clean(self, *args, **kwargs):
        time.sleep(0.3)
        return full_clean(self, *args, **kwargs)

    monkeypatch.setattr(Instrument, "full_clean", slow_full_clean)
    instrument = InstrumentFactory(summary="Original.")
    url = detail("instrument", instrument.slug)
    editors = [make_user(name, editor=True) for name in ("ann", "ben")]
    both_have_read = threading.Barrier(len(editors), timeout=30)
    results = {}

    def edit(user):
        try:
            client = token_client(user)
            _, etag = read(client, url)
            both_have_read.wait()
            response = write(client, "patch", url, {"summary": f"By {user.username}."}, etag=etag)
            results[user.username] = (etag, response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=[user]) for user in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 2, results
    (etag_a, status_a), (etag_b, status_b) = results.values()
    assert etag_a == etag_b  # both read the same version
    assert sorted([status_a, status_b]) == [200, 412]
    winner = next(name for name, (_, status) in results.items() if status == 200)
    instrument.refresh_from_db()
    assert instrument.summary == f"By {winner}."
    changes = instrument.history.filter(history_type="~")
    assert [change.history_user.username for change in changes] == [winner]
