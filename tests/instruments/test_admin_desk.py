"""The admin's desk: "Duplicate" (an instrument's or an event's add form prefilled from it) and
the data health page (what `check_data` finds, each problem linked to where it is fixed)."""

import datetime
import re
from collections import Counter

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from instruments.admin_health import data_health
from instruments.data_checks import run_checks
from instruments.models import Citation, Event, Instrument
from jurisdictions.models import Jurisdiction
from tests.factories import (
    CitationFactory,
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    SourceFactory,
    TopicFactory,
)
from tests.helpers.admin import admin_url
from tests.helpers.writes import make_user

pytestmark = pytest.mark.django_db

DATA_HEALTH = reverse("admin-data-health")


def staff_client(*permissions):
    """A signed-in staff member holding `permissions` ("instruments.view_instrument")."""
    user = make_user("desk-" + "-".join(p.split(".")[1] for p in permissions), staff=True)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    client = Client()
    client.force_login(user)
    return client


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def duplicate(client, model, *objs):
    return client.post(
        admin_url(model, "changelist"),
        {"action": "duplicate_record", "_selected_action": [obj.pk for obj in objs]},
    )


@pytest.fixture
def law(seeded):
    """An instrument with a jurisdiction, parties, topics, a date known to the month, and a
    citation."""
    instrument = InstrumentFactory(
        title="Model AI Act",
        slug="model-ai-act",
        jurisdiction=Jurisdiction.objects.get(code="SG"),
        type="binding_law",
        status="adopted",
        adopted_on=datetime.date(2024, 5, 1),
        adopted_on_precision="month",
        issuing_body="Parliament of Singapore",
        summary="Regulates AI & more.",
    )
    instrument.topics.set(TopicFactory.create_batch(2))
    instrument.parties.set(Jurisdiction.objects.filter(code__in=["JP", "KR"]))
    CitationFactory(instrument=instrument)
    return instrument


# -- Duplicate ---------------------------------------------------------------------------------


def test_duplicate_opens_the_add_form_prefilled_with_the_instrument(law, admin_client):
    before = Instrument.objects.count()
    response = duplicate(admin_client, Instrument, law)
    assert response.status_code == 302
    assert response["Location"].startswith(admin_url(Instrument, "add") + "?")
    assert Instrument.objects.count() == before  # nothing saved yet

    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    initial = page.context["adminform"].form.initial
    assert initial["title"] == "Copy of Model AI Act"
    assert "slug" not in initial
    assert initial["jurisdiction"] == str(law.jurisdiction_id)
    assert (initial["type"], initial["status"]) == ("binding_law", "adopted")
    # Typed as precisely as it is known: the form sets the precision from it.
    assert initial["adopted_on"] == "2024-05"
    assert "introduced_on" not in initial
    assert initial["issuing_body"] == "Parliament of Singapore"
    assert initial["summary"] == "Regulates AI & more."
    assert sorted(initial["topics"]) == sorted(
        str(pk) for pk in law.topics.values_list("pk", flat=True)
    )
    assert sorted(initial["parties"]) == sorted(
        str(pk) for pk in law.parties.values_list("pk", flat=True)
    )
    [message] = messages_of(page)
    assert "Not copied: the slug" in message
    assert "status timeline" in message
    assert "citations" in message
    # The new record's citations start empty.
    assert 'name="citations-TOTAL_FORMS" value="0"' in page.content.decode()


def test_the_prefilled_form_saves_a_copy_without_the_citations(law, admin_client):
    page = admin_client.get(duplicate(admin_client, Instrument, law)["Location"])
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["slug"] = "model-ai-act-copy"
    for prefix in ("identifiers", "relations_out", "status_changes", "citations"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    response = admin_client.post(admin_url(Instrument, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    copy = Instrument.objects.get(slug="model-ai-act-copy")
    assert copy.title == "Copy of Model AI Act"
    assert (copy.jurisdiction, copy.type, copy.status) == (law.jurisdiction, law.type, law.status)
    assert (copy.adopted_on, copy.adopted_on_precision) == (law.adopted_on, "month")
    assert set(copy.topics.all()) == set(law.topics.all())
    assert set(copy.parties.all()) == set(law.parties.all())
    assert not copy.citations.exists()
    assert law.citations.count() == 1


def test_duplicate_prefills_an_event(seeded, admin_client):
    event = EventFactory(title="Summit", location="Seoul")
    event.co_hosts.set(Jurisdiction.objects.filter(code="GB"))
    event.participants.set(Jurisdiction.objects.filter(code__in=["SG", "JP"]))
    event.instruments.set(Instrument.objects.filter(slug="eu-ai-act"))
    page = admin_client.get(duplicate(admin_client, Event, event)["Location"])
    initial = page.context["adminform"].form.initial
    assert initial["title"] == "Copy of Summit"
    assert (initial["kind"], initial["location"]) == ("summit", "Seoul")
    assert initial["host"] == str(event.host_id)
    assert initial["date"] == "2024"
    assert len(initial["participants"]) == 2
    assert initial["instruments"] == [str(Instrument.objects.get(slug="eu-ai-act").pk)]
    assert "Not copied: the slug and citations" in messages_of(page)[0]


@pytest.mark.parametrize("model", [Instrument, Event], ids=["instrument", "event"])
def test_duplicate_refuses_several_records(seeded, admin_client, model):
    two = list(model.objects.order_by("pk")[:2])
    response = duplicate(admin_client, model, *two)
    assert response.status_code == 302
    assert response["Location"] == admin_url(model, "changelist")
    page = admin_client.get(response["Location"])
    assert messages_of(page) == [
        "Select exactly one record to duplicate: a copy starts from one record's values."
    ]


def test_the_change_page_links_to_the_same_copy(law, admin_client):
    html = admin_client.get(admin_url(Instrument, "change", law.pk)).content.decode()
    link = re.search(r'<li><a href="([^"]+)"[^>]*>Duplicate</a></li>', html)
    assert link, "no Duplicate link"
    assert link.group(1) == escape(duplicate(admin_client, Instrument, law)["Location"])


def test_an_editor_who_may_not_add_cannot_duplicate(law):
    client = staff_client("instruments.view_instrument", "instruments.change_instrument")
    html = client.get(admin_url(Instrument, "change", law.pk)).content.decode()
    assert ">Duplicate</a>" not in html
    changelist = client.get(admin_url(Instrument, "changelist")).content.decode()
    assert 'value="duplicate_record"' not in changelist


# -- Data health -------------------------------------------------------------------------------


def check_data_counts(capsys):
    """{check: number of problems} as `manage.py check_data` prints them."""
    with pytest.raises(CommandError):
        call_command("check_data")
    out = capsys.readouterr().out
    return Counter(re.findall(r"^\[([a-z-]+)\] ", out, re.MULTILINE))


def test_data_health_lists_an_uncited_record_with_a_link_to_fix_it(seeded, admin_client):
    uncited = InstrumentFactory(slug="uncited-law")
    response = admin_client.get(DATA_HEALTH)
    assert response.status_code == 200
    html = response.content.decode()
    change = admin_url(Instrument, "change", uncited.pk)
    assert f'<a href="{change}">instrument uncited-law</a>' in html
    assert admin_client.get(change).status_code == 200
    [group] = [g for g in response.context["report"].problems if g.check == "uncited"]
    assert group.title in html


def test_data_health_counts_are_check_datas(seeded, admin_client, capsys):
    InstrumentFactory(slug="uncited-law")  # its jurisdiction is uncited too
    CitationFactory(source=SourceFactory(kind="article"), quote="", locator="", note="")
    expected = check_data_counts(capsys)
    assert sum(expected.values()) >= 5
    report = admin_client.get(DATA_HEALTH).context["report"]
    assert {group.check: group.count for group in report.problems} == dict(expected)
    assert report.problem_count == sum(expected.values()) == len(run_checks())
    html = admin_client.get(DATA_HEALTH).content.decode()
    for group in report.problems:
        assert f'<a href="#{group.anchor}">{group.title}</a></td><td>{group.count}</td>' in html


def test_a_citation_problem_links_to_the_citation_and_the_record_it_backs(seeded, admin_client):
    instrument = InstrumentFactory(slug="law-with-bare-reference")
    citation = CitationFactory(instrument=instrument, quote="", note="")
    html = admin_client.get(DATA_HEALTH).content.decode()
    assert (
        f'<a href="{admin_url(Citation, "change", citation.pk)}">citation {citation.pk} of' in html
    )
    assert (
        f'<a href="{admin_url(Instrument, "change", instrument.pk)}">the instrument it backs'
        in html
    )


def test_citations_unverified_since_the_value_changed_are_listed(seeded, admin_client):
    citation = Citation.objects.filter(instrument__isnull=False).order_by("pk").first()
    Citation.objects.filter(pk=citation.pk).update(
        unverified_since=datetime.date(2026, 11, 30), unverified_fields=["status"]
    )
    response = admin_client.get(DATA_HEALTH)
    report = response.context["report"]
    [group] = [g for g in report.groups if g.check == "unverified-citation"]
    assert [row.problem.obj for row in group.rows] == [citation]
    assert [row.url for row in group.rows] == [admin_url(Citation, "change", citation.pk)]
    assert "Citations unverified since the value changed" in response.content.decode()


def test_an_overdue_coverage_review_links_to_a_new_review(seeded, admin_client):
    never = JurisdictionFactory(code="XA", name="Xanadu")
    report = admin_client.get(DATA_HEALTH).context["report"]
    [row] = [
        row
        for group in report.review
        if group.check == "coverage-overdue"
        for row in group.rows
        if row.problem.obj == never
    ]
    assert row.url == admin_url(Jurisdiction, "change", never.pk)
    [new_review] = row.more
    page = admin_client.get(new_review.url)
    assert page.status_code == 200
    assert page.context["adminform"].form.initial["jurisdiction"] == str(never.pk)


def test_stale_days_lists_citations_not_checked_since(seeded, admin_client):
    Citation.objects.update(checked_on=datetime.date(2020, 1, 1))
    count = Citation.objects.count()
    report = admin_client.get(DATA_HEALTH, {"stale_days": "30"}).context["report"]
    assert {g.check: g.count for g in report.review}["stale-citation"] == count
    assert admin_client.get(DATA_HEALTH, {"stale_days": "soon"}).status_code == 400


def test_the_admin_index_shows_the_counts(seeded, admin_client):
    InstrumentFactory(slug="uncited-law")
    report = data_health()
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{DATA_HEALTH}" class="section">Data health</a>' in html
    assert f"{report.problem_count}\n        problems found by check_data" in html


def test_anonymous_readers_are_sent_to_sign_in(seeded, client):
    response = client.get(DATA_HEALTH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_who_may_not_view_instruments_are_refused(seeded):
    client = staff_client("instruments.view_event")
    assert client.get(DATA_HEALTH).status_code == 403
    html = client.get(reverse("admin:index")).content.decode()
    assert "Data health" not in html


def test_staff_who_may_view_instruments_see_it(seeded):
    assert staff_client("instruments.view_instrument").get(DATA_HEALTH).status_code == 200
