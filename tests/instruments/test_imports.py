"""Importing a spreadsheet of instruments or events with their citations (instruments.imports):
the dry run's report, the all-or-nothing apply, errors naming their column, the command and the
admin page."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from instruments.admin_import import SESSION_KEY
from instruments.imports import Change, RowAction, import_file
from instruments.models import Citation, Event, Instrument, StatusChange
from tests.factories import (
    InstrumentFactory,
    JurisdictionFactory,
    SourceFactory,
    TopicFactory,
)
from tests.helpers.admin import admin_url
from tests.helpers.writes import make_user, snapshot

pytestmark = pytest.mark.django_db

COLUMNS = [
    "slug",
    "title",
    "jurisdiction",
    "type",
    "status",
    "adopted_on",
    "effective_on",
    "topics",
    "parties",
    "status_changes",
    "citation_source",
    "citation_quote",
    "citation_locator",
    "citation_fields",
    "citation_note",
]

ACT = {
    "slug": "xa-ai-act",
    "title": "Xanadu AI Act",
    "jurisdiction": "xa",
    "type": "binding_law",
    "adopted_on": "2024-05-21",
    "effective_on": "2025-01",
    "topics": "test-topic",
    "parties": "",
    "status_changes": "2024-05-21 adopted; 2025-01 in_effect",
    "citation_source": "test-source",
    "citation_quote": "The Act was adopted on 21 May 2024.",
    "citation_locator": "section 1",
    "citation_fields": "type; adopted_on; status_changes",
}
# A second citation of the same record: its slug and the citation columns only.
ACT_SECOND_CITATION = {
    "slug": "xa-ai-act",
    "citation_source": "test-source",
    "citation_quote": "It applies from January 2025.",
    "citation_fields": "effective_on",
}
GUIDE = {
    "slug": "xa-ai-guide",
    "title": "Xanadu AI Guidelines",
    "jurisdiction": "XA",
    "type": "Voluntary framework",  # a label is read as its value
    "status": "in_effect",
    "adopted_on": "2023",
    "parties": "XA; XB",
    "citation_source": "test-source",
    "citation_quote": "The guidelines are voluntary.",
    "citation_fields": "type",
}


def csv_file(*rows, columns=COLUMNS):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def run(*rows, apply=False, kind="instruments", columns=COLUMNS):
    return import_file(csv_file(*rows, columns=columns), "records.csv", kind=kind, apply=apply)


@pytest.fixture
def records(db):
    """The related records the rows name by key."""
    return {
        "jurisdiction": JurisdictionFactory(code="XA", name="Xanadu"),
        "party": JurisdictionFactory(code="XB", name="Xbloc"),
        "topic": TopicFactory(slug="test-topic"),
        "source": SourceFactory(slug="test-source"),
    }


def test_clean_import_creates_instruments_with_timeline_and_citations(records):
    report = run(ACT, ACT_SECOND_CITATION, GUIDE, apply=True)

    assert not report.has_errors, [row.errors for row in report.rows]
    assert report.applied
    assert [(row.number, row.slug, row.action) for row in report.rows] == [
        (2, "xa-ai-act", RowAction.CREATE),
        (3, "xa-ai-act", RowAction.CREATE),
        (4, "xa-ai-guide", RowAction.CREATE),
    ]
    act = Instrument.objects.get(slug="xa-ai-act")
    assert (act.title, act.jurisdiction.code, act.type) == ("Xanadu AI Act", "XA", "binding_law")
    assert (act.adopted_on, act.adopted_on_precision) == (datetime.date(2024, 5, 21), "day")
    assert (act.effective_on, act.effective_on_precision) == (datetime.date(2025, 1, 1), "month")
    # The status follows the timeline the file gives.
    assert act.status == "in_effect"
    assert list(act.status_changes.chronological().values_list("status", "date_precision")) == [
        ("adopted", "day"),
        ("in_effect", "month"),
    ]
    assert list(act.topics.values_list("slug", flat=True)) == ["test-topic"]
    citations = {c.quote: c for c in act.citations.all()}
    assert set(citations) == {ACT["citation_quote"], ACT_SECOND_CITATION["citation_quote"]}
    first = citations[ACT["citation_quote"]]
    assert (first.source, first.locator) == (records["source"], "section 1")
    assert first.fields == ["type", "adopted_on", "status_changes"]
    assert citations[ACT_SECOND_CITATION["citation_quote"]].fields == ["effective_on"]

    guide = Instrument.objects.get(slug="xa-ai-guide")
    assert (guide.type, guide.status, guide.adopted_on_precision) == (
        "voluntary_framework",
        "in_effect",
        "year",
    )
    assert set(guide.parties.values_list("code", flat=True)) == {"XA", "XB"}
    assert not guide.status_changes.exists()
    assert guide.citations.get().fields == ["type"]
    assert report.summary() == "3 created, 0 updated, 0 unchanged, 0 with errors"


def test_dry_run_writes_nothing(records):
    before = snapshot()
    report = run(ACT, ACT_SECOND_CITATION, GUIDE)

    assert not report.has_errors
    assert not report.applied
    assert [row.action for row in report.rows] == [RowAction.CREATE] * 3
    assert Change("status_changes", "", "2024-05-21 adopted; 2025-01 in_effect") in (
        report.rows[0].changes
    )
    assert snapshot() == before
    assert not Instrument.objects.filter(slug__in=["xa-ai-act", "xa-ai-guide"]).exists()
    assert report.summary() == "3 to create, 0 to update, 0 unchanged, 0 with errors"


def test_an_update_shows_its_diff_and_a_second_import_changes_nothing(records):
    run(ACT, ACT_SECOND_CITATION, apply=True)
    changed = {
        **ACT,
        "title": "Xanadu Artificial Intelligence Act",
        "topics": "",
        "status_changes": "2024-05-21 adopted; 2025-01 in_effect; 2026-06-30 repealed",
        "citation_locator": "section 2",
    }
    before = snapshot()

    report = run(changed, ACT_SECOND_CITATION)

    assert snapshot() == before
    first, second = report.rows
    assert first.action == RowAction.UPDATE
    assert first.changes == [
        Change("title", "Xanadu AI Act", "Xanadu Artificial Intelligence Act"),
        Change("status", "in_effect", "repealed"),
        Change("topics", "test-topic", ""),
        Change(
            "status_changes",
            "2024-05-21 adopted; 2025-01 in_effect",
            "2024-05-21 adopted; 2025-01 in_effect; 2026-06-30 repealed",
        ),
        Change("citation_locator", "section 1", "section 2"),
    ]
    assert (second.action, second.changes) == (RowAction.UNCHANGED, [])

    assert run(changed, ACT_SECOND_CITATION, apply=True).applied
    act = Instrument.objects.get(slug="xa-ai-act")
    assert (act.title, act.status) == ("Xanadu Artificial Intelligence Act", "repealed")
    assert not act.topics.exists()
    assert act.citations.get(quote=ACT["citation_quote"]).locator == "section 2"

    again = run(changed, ACT_SECOND_CITATION, apply=True)
    assert [row.action for row in again.rows] == [RowAction.UNCHANGED] * 2
    assert again.summary() == "0 created, 0 updated, 2 unchanged, 0 with errors"


def test_columns_left_out_of_the_file_leave_their_fields_alone(records):
    instrument = InstrumentFactory(
        slug="xa-partial", title="Old title", summary="Kept.", jurisdiction=records["jurisdiction"]
    )
    report = run(
        {"slug": "xa-partial", "title": "New title"}, columns=["slug", "title"], apply=True
    )

    assert report.rows[0].changes == [Change("title", "Old title", "New title")]
    instrument.refresh_from_db()
    assert (instrument.title, instrument.summary) == ("New title", "Kept.")


BAD_ROWS = {
    "a bad date": ({**GUIDE, "slug": "xa-bad", "adopted_on": "2024-13"}, "adopted_on"),
    "an unknown jurisdiction": ({**GUIDE, "slug": "xa-bad", "jurisdiction": "ZZ"}, "jurisdiction"),
    "an unknown source": (
        {**GUIDE, "slug": "xa-bad", "citation_source": "no-such-source"},
        "citation_source",
    ),
    "a type/status contradiction": (
        {**GUIDE, "slug": "xa-bad", "type": "draft_bill", "status": "in_effect"},
        "status",
    ),
    "an unknown citation field": (
        {**GUIDE, "slug": "xa-bad", "citation_fields": "type; colour"},
        "citation_fields",
    ),
    "a status step in the future": (
        {**ACT, "slug": "xa-bad", "status_changes": "2099-01-01 adopted"},
        "status_changes",
    ),
    "an unreadable status step": (
        {**ACT, "slug": "xa-bad", "status_changes": "adopted on 2024-05-21"},
        "status_changes",
    ),
    "a status the timeline contradicts": (
        {**ACT, "slug": "xa-bad", "status": "adopted"},
        "status",
    ),
    "an unknown type": ({**GUIDE, "slug": "xa-bad", "type": "law"}, "type"),
    "a missing title": ({**GUIDE, "slug": "xa-bad", "title": ""}, "title"),
}


@pytest.mark.parametrize(("row", "column"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_row_is_an_error_naming_its_column_and_nothing_is_written(records, row, column):
    before = snapshot()
    report = run(ACT, ACT_SECOND_CITATION, row, apply=True)

    good, second, bad = report.rows
    assert bad.action == RowAction.ERROR
    assert bad.errors
    assert bad.errors[0].startswith(f"{column}: "), bad.errors
    # The good rows are not written either: all or nothing.
    assert (good.action, second.action) == (RowAction.CREATE, RowAction.CREATE)
    assert not report.applied
    assert snapshot() == before
    assert "1 with errors" in report.summary()


def test_a_quote_given_twice_for_one_record_is_an_error_on_the_second_row(records):
    before = snapshot()
    report = run(ACT, {**ACT_SECOND_CITATION, "citation_quote": ACT["citation_quote"]}, GUIDE)

    first, repeated, guide = report.rows
    assert repeated.action == RowAction.ERROR
    assert repeated.errors == [
        "citation_quote: Row 2 already gives this quote from “test-source” for “xa-ai-act”: "
        "one citation per source and quote."
    ]
    # Its record is not imported with it; the other record would be.
    assert first.action == RowAction.ERROR
    assert first.errors == ["Not imported: row 3 has errors for “xa-ai-act”."]
    assert guide.action == RowAction.CREATE
    assert snapshot() == before


def test_a_repeated_row_gives_only_citation_columns(records):
    report = run(ACT, {**ACT_SECOND_CITATION, "title": "Another title"})

    assert report.rows[1].errors == [
        "title: A repeated row of “xa-ai-act” adds a citation only: write the record's values "
        "on its first row (row 2)."
    ]


def test_a_row_without_a_slug_is_an_error(records):
    report = run({**GUIDE, "slug": ""})

    assert report.rows[0].errors[0].startswith("slug: ")


def test_an_unknown_column_is_named_with_the_likely_one(records):
    data = csv_file(GUIDE, columns=[*COLUMNS, "adopted"]).replace(b"\r\n", b",x\r\n", 1)
    report = import_file(data, "records.csv", kind="instruments")

    assert report.file_errors[0] == "Unknown column “adopted”. Did you mean “adopted_on”?"
    assert report.has_errors
    assert not report.rows


def test_a_csv_from_a_spreadsheet_reads_with_its_bom_and_semicolons(records):
    text = "slug;title;jurisdiction;type;parties\r\nxa-ai-guide;Guide;XA;declaration;XA, XB\r\n"
    text = text.replace("XA, XB", '"XA; XB"')
    report = import_file(("\ufeff" + text).encode(), "sheet.CSV", kind="instruments", apply=True)

    assert not report.has_errors, report.rows[0].errors
    parties = Instrument.objects.get(slug="xa-ai-guide").parties
    assert set(parties.values_list("code", flat=True)) == {"XA", "XB"}


def test_a_file_that_is_not_utf8_is_refused(records):
    data = csv_file({**GUIDE, "title": "Décret"}).decode().encode("cp1252")
    report = import_file(data, "records.csv", kind="instruments")

    assert report.file_errors == [
        "The file is not UTF-8 text: save it as “CSV UTF-8” (or as an Excel workbook)."
    ]


def test_an_excel_workbook_is_read_at_the_precision_its_cells_show(records):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["slug", "title", "jurisdiction", "type", "adopted_on", "effective_on"])
    sheet.append(["xa-ai-guide", "Guide", "XA", "policy", datetime.date(2024, 5, 1), 2025])
    sheet["E2"].number_format = "yyyy-mm"
    out = io.BytesIO()
    workbook.save(out)

    report = import_file(out.getvalue(), "records.xlsx", kind="instruments", apply=True)

    assert not report.has_errors, report.rows[0].errors
    guide = Instrument.objects.get(slug="xa-ai-guide")
    assert (guide.adopted.isoformat(), guide.effective.isoformat()) == ("2024-05", "2025")


EVENT_COLUMNS = [
    "slug",
    "title",
    "kind",
    "date",
    "host",
    "participants",
    "location",
    "instruments",
    "citation_source",
    "citation_quote",
    "citation_fields",
]
SUMMIT = {
    "slug": "xa-ai-summit",
    "title": "Xanadu AI Summit",
    "kind": "summit",
    "date": "2025-06",
    "host": "XA",
    "participants": "XA; XB",
    "location": "Xanadu City",
    "instruments": "",
    "citation_source": "test-source",
    "citation_quote": "Ministers met in Xanadu City in June 2025.",
    "citation_fields": "date; location",
}


def test_events_import_with_their_citations(records):
    law = InstrumentFactory(slug="xa-law", jurisdiction=records["jurisdiction"])
    report = run({**SUMMIT, "instruments": "xa-law"}, kind="events", columns=EVENT_COLUMNS)
    assert [row.action for row in report.rows] == [RowAction.CREATE]

    report = run(
        {**SUMMIT, "instruments": "xa-law"}, kind="events", columns=EVENT_COLUMNS, apply=True
    )

    assert report.applied
    summit = Event.objects.get(slug="xa-ai-summit")
    assert (summit.when.isoformat(), summit.host.code, summit.location) == (
        "2025-06",
        "XA",
        "Xanadu City",
    )
    assert list(summit.instruments.all()) == [law]
    assert summit.citations.get().fields == ["date", "location"]


def test_an_event_naming_an_unknown_instrument_is_an_error(records):
    before = snapshot()
    report = run(
        SUMMIT,
        {**SUMMIT, "slug": "xa-other", "citation_quote": "", "instruments": "no-such-law"},
        kind="events",
        columns=EVENT_COLUMNS,
        apply=True,
    )

    assert report.rows[1].errors == ["instruments: No instrument with the slug “no-such-law”."]
    assert snapshot() == before


def test_instrument_columns_are_refused_for_events(records):
    report = run(ACT, kind="events")

    assert "Unknown column “jurisdiction”." in report.file_errors


# -- the command --------------------------------------------------------------------------------


def test_the_command_reports_a_dry_run_and_applies(records, tmp_path):
    path = tmp_path / "instruments.csv"
    path.write_bytes(csv_file(ACT, ACT_SECOND_CITATION, GUIDE))
    out = io.StringIO()

    call_command("import_records", str(path), "--kind", "instruments", stdout=out)

    assert "row 2  xa-ai-act  create" in out.getvalue()
    assert "    status_changes: (empty) → 2024-05-21 adopted; 2025-01 in_effect" in out.getvalue()
    assert "3 to create, 0 to update, 0 unchanged, 0 with errors. Dry run" in out.getvalue()
    assert not Instrument.objects.filter(slug="xa-ai-act").exists()

    call_command("import_records", str(path), "--kind", "instruments", "--apply", stdout=out)

    assert Instrument.objects.filter(slug__in=["xa-ai-act", "xa-ai-guide"]).count() == 2


def test_the_command_fails_on_errors_and_writes_nothing(records, tmp_path):
    path = tmp_path / "instruments.csv"
    path.write_bytes(csv_file(GUIDE, {**GUIDE, "slug": "xa-bad", "jurisdiction": "ZZ"}))
    out = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_records", str(path), "--kind", "instruments", "--apply", stdout=out)

    assert "    jurisdiction: No jurisdiction has the code “ZZ”." in out.getvalue()
    assert "1 to create, 0 to update, 0 unchanged, 1 with errors" in out.getvalue()
    assert not Instrument.objects.filter(slug="xa-ai-guide").exists()


# -- the admin page -----------------------------------------------------------------------------


def upload(client, model, *rows, columns=COLUMNS):
    data = csv_file(*rows, columns=columns)
    return client.post(
        admin_url(model, "import"), {"file": SimpleUploadedFile("records.csv", data)}
    )


def test_the_admin_page_uploads_shows_the_report_and_applies(records, admin_client, admin_user):
    changelist = admin_client.get(admin_url(Instrument, "changelist")).content.decode()
    assert f'href="{admin_url(Instrument, "import")}"' in changelist
    assert admin_client.get(admin_url(Instrument, "import")).status_code == 200
    before = snapshot()

    response = upload(admin_client, Instrument, ACT, ACT_SECOND_CITATION, GUIDE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Dry run of the file: 3 to create, 0 to update, 0 unchanged, 0 with errors" in page
    assert "2024-05-21 adopted; 2025-01 in_effect" in page
    assert 'name="apply"' in page
    assert snapshot() == before

    digest = response.context["digest"]
    response = admin_client.post(admin_url(Instrument, "import"), {"apply": "1", "digest": digest})

    assert response.status_code == 302
    assert response["Location"] == admin_url(Instrument, "changelist")
    act = Instrument.objects.get(slug="xa-ai-act")
    assert act.citations.count() == 2
    assert StatusChange.objects.filter(instrument=act).count() == 2
    # The history says who imported it.
    assert act.history.earliest().history_user == admin_user
    assert SESSION_KEY not in admin_client.session


def test_the_admin_page_shows_errors_and_offers_no_apply(records, admin_client):
    bad = {**GUIDE, "slug": "xa-bad", "adopted_on": "2024-13"}
    response = upload(admin_client, Instrument, GUIDE, bad)

    page = response.content.decode()
    assert "1 with errors" in page
    assert "adopted_on: &#x27;2024-13&#x27; is not a date of the form" in page
    assert 'name="apply"' not in page
    assert SESSION_KEY not in admin_client.session


def test_the_admin_applies_only_the_file_it_showed(records, admin_client):
    upload(admin_client, Instrument, GUIDE)
    response = admin_client.post(admin_url(Instrument, "import"), {"apply": "1", "digest": "x"})

    assert response.status_code == 302
    assert response["Location"] == admin_url(Instrument, "import")
    assert not Instrument.objects.filter(slug="xa-ai-guide").exists()


def test_the_admin_imports_events(records, admin_client):
    changelist = admin_client.get(admin_url(Event, "changelist")).content.decode()
    assert f'href="{admin_url(Event, "import")}"' in changelist
    response = upload(admin_client, Event, SUMMIT, columns=EVENT_COLUMNS)
    digest = response.context["digest"]
    admin_client.post(admin_url(Event, "import"), {"apply": "1", "digest": digest})

    assert Event.objects.filter(slug="xa-ai-summit").exists()
    assert Citation.objects.filter(event__slug="xa-ai-summit").count() == 1


def test_the_admin_import_needs_add_and_change_permissions(records, client):
    staff = make_user("stella", staff=True)
    client.force_login(staff)

    assert client.get(admin_url(Instrument, "import")).status_code == 403
    assert upload(client, Instrument, GUIDE).status_code == 403
    assert not Instrument.objects.filter(slug="xa-ai-guide").exists()


def test_the_import_button_shows_only_to_those_who_may_import(records, client):
    staff = make_user("vera", staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_instrument"))
    client.force_login(staff)

    changelist = client.get(admin_url(Instrument, "changelist"))

    assert changelist.status_code == 200
    assert admin_url(Instrument, "import") not in changelist.content.decode()
