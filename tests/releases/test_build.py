"""`manage.py release` (`policytracker.releases.builder`): a release of the seed is a valid
Frictionless Data Package, its SQLite file and JSON say what the API says, its checksums match
its files, it is cited by its number and day, and a build that fails leaves nothing."""

import datetime
import hashlib
import json
import shutil
import sqlite3
import subprocess
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone
from frictionless import Package

from instruments.models import Citation, Event, Instrument, StatusChange
from instruments.records import KINDS
from jurisdictions.models import Jurisdiction
from policytracker.core.dates import partial_date
from policytracker.releases import builder
from policytracker.releases.builder import ReleaseError, build_release
from policytracker.releases.store import CHECKSUMS, MANIFEST, all_releases
from policytracker.releases.tables import TABLES
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def api_list(client, name):
    """Every row of the API's list `name`, page after page."""
    rows, url = [], f"/api/v1/{name}/?page_size=200"
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows


def open_sqlite(release):
    database = sqlite3.connect(release.path / builder.SQLITE)
    database.row_factory = sqlite3.Row
    return database


def partial(day, precision):
    """A date of the SQLite file, at its precision, as the API writes it ("2024-05")."""
    if not day:
        return None
    return partial_date(datetime.date.fromisoformat(day), precision).isoformat()


def test_a_release_of_the_seed_is_a_valid_data_package(release):
    report = Package(str(release.path / builder.DATAPACKAGE)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    descriptor = json.loads((release.path / builder.DATAPACKAGE).read_text())
    assert descriptor["version"] == str(release.number)
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert list(resources) == [table.name for table in TABLES]
    instruments = {field["name"]: field for field in resources["instruments"]["schema"]["fields"]}
    assert instruments["type"]["constraints"]["enum"] == [
        "binding_law",
        "voluntary_framework",
        "draft_bill",
        "declaration",
        "policy",
    ]
    assert "`binding_law`: Binding law" in instruments["type"]["description"]
    assert instruments["adopted_on"]["type"] == "date"
    assert instruments["title"]["constraints"] == {"required": True}
    assert resources["instruments"]["schema"]["primaryKey"] == ["slug"]
    assert {
        "fields": ["jurisdiction"],
        "reference": {"resource": "jurisdictions", "fields": ["code"]},
    } in resources["instruments"]["schema"]["foreignKeys"]
    # A jurisdiction's parent is another row of the same table.
    assert {
        "fields": ["parent"],
        "reference": {"resource": "", "fields": ["code"]},
    } in resources["jurisdictions"]["schema"]["foreignKeys"]


def test_a_broken_package_does_not_validate(release, tmp_path):
    """The validation above can fail: a vocabulary value the package does not list, and a
    topic no table holds, are each caught."""
    copy = tmp_path / "copy"
    shutil.copytree(release.path, copy)
    jurisdictions = (copy / "jurisdictions.csv").read_text(encoding="utf-8")
    assert ",national," in jurisdictions
    (copy / "jurisdictions.csv").write_text(jurisdictions.replace(",national,", ",country,", 1))
    links = (copy / "instrument_topics.csv").read_text(encoding="utf-8").splitlines()
    links.append(f"{links[1].split(',')[0]},no-such-topic")
    (copy / "instrument_topics.csv").write_text("\r\n".join(links) + "\r\n")
    report = Package(str(copy / builder.DATAPACKAGE)).validate()
    errors = {(task.name, error.type) for task in report.tasks for error in task.errors}
    assert ("jurisdictions", "constraint-error") in errors
    assert ("instrument_topics", "foreign-key") in errors


def test_every_kind_of_record_and_every_link_has_a_table(release):
    kinds = {table.kind for table in TABLES if table.kind}
    assert kinds == set(KINDS.names())
    many = [
        field
        for model in (Instrument, Event)
        for field in model._meta.get_fields()
        if isinstance(field, models.ManyToManyField)
    ]
    assert many
    assert {table.model for table in TABLES if not table.kind} == {
        field.remote_field.through for field in many
    }


def test_the_sqlite_file_holds_every_row_of_every_table(release):
    database = open_sqlite(release)
    for table in TABLES:
        stored = database.execute(f"SELECT COUNT(*) FROM [{table.name}]").fetchone()[0]
        assert stored == table.model._default_manager.count() == release.tables[table.name]
        columns = [row["name"] for row in database.execute(f"PRAGMA table_info([{table.name}])")]
        header = (release.path / table.filename).read_text(encoding="utf-8").splitlines()[0]
        assert columns == header.split(",") == [column.name for column in table.columns]


def test_no_database_key_is_published(release):
    database = open_sqlite(release)
    for table in TABLES:
        for row in database.execute(f"PRAGMA table_info([{table.name}])"):
            assert row["name"] not in {"id", "pk"}
            assert not row["name"].endswith("_id")
    records = json.loads((release.path / builder.RECORDS).read_text(encoding="utf-8"))
    assert records["left_out"] == {"citations": ["url"]}
    assert "/api/v1/citations/" not in (release.path / builder.RECORDS).read_text()
    first = Citation.objects.order_by("pk").first()
    cited = {
        (row["source"], row["record_kind"], row["record_key"], row["quote"])
        for row in database.execute("SELECT * FROM citations")
    }
    key = "/".join(str(part) for part in first.record.natural_key())
    assert (first.source.slug, first.record_kind, key, first.quote) in cited


def test_rows_say_what_the_api_says(release, client):
    database = open_sqlite(release)

    def rows(table, key):
        return {row[key]: dict(row) for row in database.execute(f"SELECT * FROM [{table}]")}

    def linked(table, left, right):
        found = {}
        for row in database.execute(f"SELECT * FROM [{table}]"):
            found.setdefault(row[left], set()).add(row[right])
        return found

    instruments = rows("instruments", "slug")
    topics, parties = (
        linked("instrument_topics", "instrument", "topic"),
        linked("instrument_parties", "instrument", "party"),
    )
    identifiers = {}
    for row in database.execute("SELECT * FROM instrument_identifiers"):
        identifiers.setdefault(row["instrument"], set()).add((row["scheme"], row["value"]))
    answered = client.get("/api/v1/instruments/", {"page_size": 200}).json()["results"]
    assert answered
    for api in answered:
        row = instruments[api["slug"]]
        for name in ("title", "original_title", "short_name", "type", "force", "issuing_body"):
            assert row[name] == api[name], (api["slug"], name)
        assert row["summary"] == api["summary"]
        assert (row["status"] or None) == api["status"]
        assert row["jurisdiction"] == api["jurisdiction"]["code"]
        for name in ("introduced_on", "adopted_on", "effective_on"):
            assert partial(row[name], row[f"{name}_precision"]) == api[name], (api["slug"], name)
            assert (row[f"{name}_precision"] or None) == api[f"{name}_precision"]
        assert row["updated_at"] == api["updated_at"]
        assert topics.get(api["slug"], set()) == set(api["topics"])
        assert parties.get(api["slug"], set()) == set(api["parties"])
        assert identifiers.get(api["slug"], set()) == {
            (item["scheme"], item["value"]) for item in api["identifiers"]
        }

    jurisdictions = rows("jurisdictions", "code")
    memberships = {}
    for row in database.execute("SELECT * FROM memberships"):
        memberships.setdefault(row["member"], []).append(row)
    for api in client.get("/api/v1/jurisdictions/", {"page_size": 200}).json()["results"]:
        row = jurisdictions[api["code"]]
        for name in ("name", "local_name", "kind", "approach", "approach_summary", "parent"):
            assert (row[name] or None) == (api[name] or None), (api["code"], name)
        assert (row["region"] or None) == api["region"]
        assert row["updated_at"] == api["updated_at"]
        assert sorted(
            (row["bloc"], row["role"], partial(row["started_on"], row["started_on_precision"]))
            for row in memberships.get(api["code"], [])
        ) == sorted((item["bloc"], item["role"], item["start"]) for item in api["memberships"])

    events = rows("events", "slug")
    links = {
        name: linked(f"event_{name}", "event", column)
        for name, column in (
            ("co_hosts", "co_host"),
            ("participants", "participant"),
            ("actors", "actor"),
            ("instruments", "instrument"),
        )
    }
    for api in client.get("/api/v1/events/", {"page_size": 200}).json()["results"]:
        row = events[api["slug"]]
        for name in ("title", "kind", "location", "summary", "updated_at"):
            assert row[name] == api[name], (api["slug"], name)
        assert partial(row["date"], row["date_precision"]) == api["date"]
        assert row["host"] == (api["host"]["code"] if api["host"] else None)
        for name, found in links.items():
            assert found.get(api["slug"], set()) == set(api[name]), (api["slug"], name)

    sources = rows("sources", "slug")
    for api in client.get("/api/v1/sources/", {"page_size": 200}).json()["results"]:
        row = sources[api["slug"]]
        for name in ("title", "author", "publisher", "kind", "published_on", "updated_at"):
            assert (row[name] or None) == (api[name] or None), (api["slug"], name)
        assert (row["url"] or None) == (api["external_url"] or None)

    for name, key in (("actors", "slug"), ("topics", "slug")):
        stored = rows(name, key)
        for api in client.get(f"/api/v1/{name}/", {"page_size": 200}).json()["results"]:
            row = stored[api[key]]
            assert row["name"] == api["name"]
            assert row["updated_at"] == api["updated_at"]
            if name == "actors":
                assert row["jurisdiction"] == (
                    api["jurisdiction"]["code"] if api["jurisdiction"] else None
                )

    citations = {
        (row["source"], row["record_kind"], row["record_key"], row["quote"] or ""): dict(row)
        for row in database.execute("SELECT * FROM citations")
    }
    for api in client.get("/api/v1/citations/", {"page_size": 200}).json()["results"]:
        key = (api["source"]["slug"], api["record"]["kind"], api["record"]["key"], api["quote"])
        row = citations[key]
        assert (row["locator"] or "") == api["locator"]
        assert json.loads(row["fields"]) == api["fields"]
        assert row["checked_on"] == api["checked_on"]
        assert json.loads(row["unverified_fields"]) == api["unverified_fields"]


def test_timelines_say_what_the_records_pages_in_the_api_say(release, client):
    database = open_sqlite(release)
    busiest = (
        Instrument.objects.annotate(steps=models.Count("status_changes"))
        .filter(steps__gt=1)
        .order_by("-steps", "slug")[:5]
    )
    assert busiest
    for instrument in busiest:
        api = client.get(f"/api/v1/instruments/{instrument.slug}/").json()
        stored = database.execute(
            "SELECT * FROM status_changes WHERE instrument = ? ORDER BY date", [instrument.slug]
        ).fetchall()
        assert [
            (partial(row["date"], row["date_precision"]), row["status"], row["note"])
            for row in stored
        ] == [(step["date"], step["status"], step["note"]) for step in api["status_timeline"]]
    for code in Jurisdiction.objects.filter(approach_assessments__isnull=False).values_list(
        "code", flat=True
    )[:5]:
        api = client.get(f"/api/v1/jurisdictions/{code}/").json()
        stored = database.execute(
            "SELECT * FROM approach_assessments WHERE jurisdiction = ? ORDER BY date", [code]
        ).fetchall()
        assert [
            (partial(row["date"], row["date_precision"]), row["approach"], row["summary"])
            for row in stored
        ] == [
            (step["date"], step["approach"], step["summary"]) for step in api["approach_timeline"]
        ]


def test_the_json_is_every_record_as_the_api_lists_it(release, client):
    records = json.loads((release.path / builder.RECORDS).read_text(encoding="utf-8"))
    assert records["release"] == str(release.number)
    assert list(records["resources"]) == [
        "instruments",
        "events",
        "jurisdictions",
        "actors",
        "topics",
        "sources",
        "citations",
    ]
    for name, stored in records["resources"].items():
        answered = api_list(client, name)
        if name == "citations":
            for row in answered:
                row.pop("url")
        assert stored == answered, name


def test_the_checksums_match_the_files(release):
    listed = {}
    for line in (release.path / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        checksum, name = line.split("  ")
        listed[name] = checksum
    on_disk = {path.name for path in release.path.iterdir()}
    assert set(listed) == on_disk - {CHECKSUMS}
    for name, checksum in listed.items():
        assert hashlib.sha256((release.path / name).read_bytes()).hexdigest() == checksum
    manifest = json.loads((release.path / MANIFEST).read_text(encoding="utf-8"))
    for item in manifest["files"]:
        path = release.path / item["name"]
        assert item["bytes"] == path.stat().st_size
        assert item["sha256"] == listed[item["name"]]
    assert {item["name"] for item in manifest["files"]} == on_disk - {CHECKSUMS, MANIFEST}
    checked = subprocess.run(
        ["sha256sum", "--check", "--strict", CHECKSUMS],
        cwd=release.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (release.path / "topics.csv").write_text("changed\n")
    checked = subprocess.run(
        ["sha256sum", "--check", "--quiet", CHECKSUMS],
        cwd=release.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 1
    assert "topics.csv: FAILED" in checked.stdout


def test_the_release_is_numbered_dated_and_cited(release):
    today = timezone.localdate()
    number = f"{today.year}.{today.month}.1"
    assert str(release.number) == number
    assert release.path.name == number
    manifest = release.manifest
    assert manifest["date"] == today.isoformat()
    assert manifest["url"] == f"http://testserver/data/{number}/"
    day = f"{today.day} {today:%B %Y}"
    assert release.citation == (
        f"Policy Tracker data, release {number} ({day}). http://testserver/data/{number}/"
    )
    counted = {table.name: table.model._default_manager.count() for table in TABLES}
    assert manifest["tables"] == counted
    assert manifest["changes"]["first"] is True
    built = datetime.datetime.fromisoformat(manifest["built_at"])
    assert abs(timezone.now() - built) < datetime.timedelta(minutes=5)
    cff = yaml.safe_load((release.path / builder.CITATION).read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "dataset"
    assert cff["version"] == number
    assert cff["date-released"] == today.isoformat()
    assert cff["url"] == manifest["url"]
    assert cff["license"] == "CC-BY-4.0"
    assert cff["authors"] == [{"name": "Policy Tracker editors"}]
    assert release.citation in cff["message"]
    changelog = (release.path / builder.CHANGELOG).read_text(encoding="utf-8")
    assert changelog.startswith(f"# Policy Tracker data, release {number} ({day})")
    assert "This is the first release" in changelog
    metadata = json.loads((release.path / builder.DATASETTE_METADATA).read_text())
    assert metadata["title"] == f"Policy Tracker data, release {number}"
    assert metadata["source_url"] == manifest["url"]
    assert metadata["license"] == "CC BY 4.0"
    tables = metadata["databases"]["policytracker"]["tables"]
    assert tables["instruments"]["fts_table"] == "instruments_fts"
    assert "Binding law" in tables["instruments"]["columns"]["type"]
    assert tables["instruments"]["facets"] == ["type", "force", "status", "jurisdiction"]


def test_the_next_release_counts_what_changed_since(release):
    instrument = Instrument.objects.get(slug="vn-law-on-artificial-intelligence")
    instrument.title = "Law on Artificial Intelligence of Viet Nam"
    instrument.save()
    TopicFactory(slug="release-test-topic", name="Release test topic")
    event = Event.objects.order_by("slug").first()
    event.delete()
    step = StatusChange.objects.filter(instrument=instrument).order_by("date").first()
    step.note = step.note + " (checked)"
    step.save()
    second = build_release()
    today = timezone.localdate()
    assert str(second.number) == f"{today.year}.{today.month}.2"
    changes = second.changes
    assert changes["first"] is False
    assert changes["previous"] == str(release.number)
    assert changes["since"] == release.changes["until"]
    counts = changes["counts"]
    assert counts["instrument"] == {"created": 0, "changed": 1, "deleted": 0}
    assert counts["topic"] == {"created": 1, "changed": 0, "deleted": 0}
    assert counts["event"] == {"created": 0, "changed": 0, "deleted": 1}
    assert counts["status_change"] == {"created": 0, "changed": 1, "deleted": 0}
    # The event's citations went with it.
    assert counts["citation"]["deleted"] == release.tables["citations"] - second.tables["citations"]
    assert changes["total"] == sum(sum(counted.values()) for counted in counts.values())
    changelog = (second.path / builder.CHANGELOG).read_text(encoding="utf-8")
    assert f"Changes since release {release.number}" in changelog
    assert "Instrument changed: Law on Artificial Intelligence of Viet Nam" in changelog
    # The fields by their labels, as the history names them.
    assert "(`vn-law-on-artificial-intelligence`); fields: title\n" in changelog.lower()
    assert "Topic created: Release test topic (`release-test-topic`)" in changelog
    assert f"Event deleted: {event.title}" in changelog
    assert "| Instruments | 0 | 1 | 0 |" in changelog
    assert second.tables["topics"] == release.tables["topics"] + 1
    assert second.tables["events"] == release.tables["events"] - 1
    database = open_sqlite(second)
    (title,) = database.execute(
        "SELECT title FROM instruments WHERE slug = 'vn-law-on-artificial-intelligence'"
    ).fetchone()
    assert title == "Law on Artificial Intelligence of Viet Nam"
    assert not database.execute("SELECT 1 FROM events WHERE slug = ?", [event.slug]).fetchall()
    # A third release with nothing done in between says so.
    third = build_release()
    assert str(third.number) == f"{today.year}.{today.month}.3"
    assert third.changes["total"] == 0
    assert "No record was created, changed or deleted" in (
        third.path / builder.CHANGELOG
    ).read_text(encoding="utf-8")
    assert [str(item.number) for item in all_releases()] == [
        str(third.number),
        str(second.number),
        str(release.number),
    ]


def test_a_release_in_a_new_month_starts_again_at_1(release):
    today = timezone.localdate()
    later = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    following = build_release(day=later)
    assert str(following.number) == f"{later.year}.{later.month}.1"
    assert following.changes["previous"] == str(release.number)


def test_a_build_that_fails_midway_leaves_nothing(seeded, releases, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the history could not be read")

    # After the tables, the SQLite file and the JSON are written.
    monkeypatch.setattr(builder, "changes_between", fail)
    with pytest.raises(RuntimeError):
        build_release()
    assert list(releases.iterdir()) == []
    monkeypatch.undo()
    made = build_release()
    today = timezone.localdate()
    assert str(made.number) == f"{today.year}.{today.month}.1"
    assert [path.name for path in releases.iterdir()] == [str(made.number)]


def test_a_folder_that_is_not_a_whole_release_is_not_one(release, releases):
    (releases / ".building-abc").mkdir()
    (releases / "2026.12.40").mkdir()  # no manifest
    (releases / "notes.txt").write_text("kept by hand")
    assert [str(item.number) for item in all_releases()] == [str(release.number)]


def test_the_site_address_must_be_one(seeded, releases, settings):
    settings.SITE_URL = ""
    with pytest.raises(ReleaseError, match="Set SITE_URL"):
        build_release()
    for bad in ("ftp://tracker.example.org", "tracker.example.org", "https://x.org/data/"):
        with pytest.raises(ReleaseError, match="is not the address of a site"):
            build_release(origin=bad)
    with pytest.raises(ReleaseError, match="does not answer at tracker.example.org: add it"):
        build_release(origin="https://tracker.example.org")
    with pytest.raises(CommandError, match="Set SITE_URL"):
        call_command("release")
    assert not releases.exists() or list(releases.iterdir()) == []


def test_the_command_says_what_it_made(seeded, releases):
    out = StringIO()
    call_command("release", "--site-url", "http://testserver/", stdout=out)
    (made,) = all_releases()
    text = out.getvalue()
    assert text.startswith(f"Release {made.number}: {len(made.files)} files, ")
    assert "The first release" in text
    assert f"Cite it as: {made.citation}" in text
    assert made.url == f"http://testserver/data/{made.number}/"


def test_a_build_waits_for_writes_to_settle_and_lists_each_change_once(
    release, settings, monkeypatch
):
    """Changes are listed up to the start of a build, whose data is read once writes stamped
    before it have had `CHANGES_SETTLE_SECONDS` to commit: a change made during that wait is in
    the release's data, and listed by the next release."""
    settings.CHANGES_SETTLE_SECONDS = 3
    waited = []

    def wait(seconds):
        waited.append(seconds)
        TopicFactory(slug="made-while-waiting", name="Made while waiting")

    monkeypatch.setattr(builder.time, "sleep", wait)
    second = build_release()
    assert waited == [3]
    assert second.tables["topics"] == release.tables["topics"] + 1
    assert second.changes["total"] == 0
    monkeypatch.undo()
    settings.CHANGES_SETTLE_SECONDS = 0
    third = build_release()
    assert third.changes["counts"]["topic"]["created"] == 1
    assert third.tables["topics"] == second.tables["topics"]
    assert "(`made-while-waiting`)" in (third.path / builder.CHANGELOG).read_text()
