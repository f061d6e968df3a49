"""The site-wide pages: home, errors."""

import datetime
import re

import pytest
from django.urls import reverse

from instruments.models import Instrument
from tests.factories import (
    EventFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    StatusChangeFactory,
)

pytestmark = pytest.mark.django_db


def test_home_shows_counts_approaches_then_and_now(seeded, client):
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["counts"] == {
        "total": Instrument.objects.count(),
        "binding": Instrument.objects.binding().count(),
        "pending": Instrument.objects.force("pending").count(),
        "voluntary": Instrument.objects.binding(False).count(),
    }
    rows = {row["jurisdiction"].code: row for row in response.context["then_and_now"]["rows"]}
    assert (rows["VN"]["then"].as_of_approach, rows["VN"]["jurisdiction"].as_of_approach) == (
        "voluntary",
        "risk_based",
    )
    assert rows["VN"]["changed"]
    assert rows["TW"]["changed"]
    assert not rows["CN"]["changed"]
    assert "PH" not in rows  # never assessed, then or now
    assert "US-CA" not in rows  # nor is a sub-national jurisdiction
    assert "Then and now: 8 August 2025 and today" in html
    in_between = response.context["then_and_now"]["in_between"]
    changed = {item["step"].instrument.slug for item in in_between if item["is_status_change"]}
    assert {"vn-law-on-artificial-intelligence", "tw-ai-basic-act"} <= changed
    # Dates at their precision, never a made-up day: what is known only to the month or year
    # (Japan's assessment of May 2026, Malaysia's of June 2026) shows as such. "1 January"
    # alone no longer tells: many laws took effect on 1 January 2026, to the day.
    partial = [item["step"] for item in in_between if item["step"].date_precision != "day"]
    assert {step.date.isoformat() for step in partial} >= {"2026-05-01", "2026-06-01"}
    for step in partial:
        shown = step.date.strftime("%Y-%m" if step.date_precision == "month" else "%Y")
        assert f'<time datetime="{shown}">' in html
    assert '<time datetime="2026-05">May 2026</time>' in html
    for shown, label in re.findall(r'<time datetime="([-0-9]{4,10})">([^<]+)</time>', html):
        # "2026-05-01": "1 May 2026"; "2026-05": "May 2026"; "2026": "2026"
        assert len(label.split()) == {10: 3, 7: 2, 4: 1}[len(shown)], (shown, label)


def test_who_binds_by_law_nests_the_states_under_their_country(seeded, client):
    html = " ".join(client.get(reverse("web:home")).content.decode().split())
    then = html.split('<h3 id="bound-2025-08-08">')[1].split("These jurisdictions")[0]
    assert then.startswith(" On 8 August 2025: 8 jurisdictions (3 of them sub-national) </h3>")
    # Countries and blocs by name; the states are listed under the US, not beside it.
    assert re.findall(r'<li> <a href="/jurisdictions/([A-Z-]+)/">', then) == [
        "CN",
        "EU",
        "JP",
        "KR",
        "US",
    ]
    assert (
        '<li> <a href="/jurisdictions/US/">United States</a> <span class="muted">(2 laws; the '
        'first in force since <time datetime="2024-02-08">8 February 2024</time>)</span> '
        '<span class="muted">and in 3 of its sub-national jurisdictions:</span> <ul> '
        '<li><a href="/jurisdictions/US-CA/">California</a> <span class="muted">(1 law; in '
        'force since <time datetime="2025-01-01">1 January 2025</time>)</span> </li> '
        '<li><a href="/jurisdictions/US-IL/">Illinois</a> <span class="muted">(1 law; in force '
        'since <time datetime="2025-08-01">1 August 2025</time>)</span> </li> '
        '<li><a href="/jurisdictions/US-UT/">Utah</a> <span class="muted">(4 laws; the first in '
        'force since <time datetime="2024-05-01">1 May 2024</time>)</span> </li> </ul> </li> '
        "</ul>"
    ) in then
    # Today (4 December 2026): Connecticut, New York and Texas too, California with 6 laws.
    today = html.split("Who binds AI by law")[1].split('<h3 id="bound-2025-08-08">')[0]
    assert "15 jurisdictions (6 of them sub-national) </h3>" in today
    assert '<span class="muted">and in 6 of its sub-national jurisdictions:</span>' in today
    nested = today.split("and in 6 of its sub-national jurisdictions:</span> <ul>")[1]
    nested = nested.split("</ul>")[0]
    assert re.findall(r'<li><a href="/jurisdictions/([A-Z-]+)/">', nested) == [
        *("US-CA", "US-CT", "US-IL", "US-NY", "US-TX", "US-UT"),
    ]
    assert (
        '<a href="/jurisdictions/US-CA/">California</a> <span class="muted">(6 laws; the first '
        'in force since <time datetime="2025-01-01">1 January 2025</time>)</span>'
    ) in nested
    assert (
        '<a href="/jurisdictions/US-NY/">New York</a> <span class="muted">(2 laws; the first '
        'in force since <time datetime="2025-11-05">5 November 2025</time>)</span>'
    ) in nested
    # A state with no law in force is not listed: Colorado's AI Act was superseded before it
    # took effect, and SB 26-189 takes effect on 1 January 2027.
    assert "US-CO" not in html.split("Who binds AI by law")[1].split("</section>")[0]


def test_who_binds_by_law_counts_a_country_and_its_bound_state(empty, client):
    land = JurisdictionFactory(code="XN", name="Nationland", kind="national")
    bound = JurisdictionFactory(code="XN-A", name="Astate", kind="subnational", parent=land)
    JurisdictionFactory(code="XN-B", name="Bstate", kind="subnational", parent=land)
    for jurisdiction in (land, bound):
        law = InstrumentFactory(jurisdiction=jurisdiction, type="binding_law")
        StatusChangeFactory(instrument=law, status="in_effect", date=datetime.date(2024, 1, 1))
    response = client.get(reverse("web:home"))
    (today,) = response.context["bound_by_law"]
    assert (today["count"], today["subnational"]) == (2, 1)
    assert [
        (entry["jurisdiction"].code, [state.code for state in entry["states"]])
        for entry in today["entries"]
    ] == [("XN", ["XN-A"])]
    html = " ".join(response.content.decode().split())
    section = html.split("Who binds AI by law")[1].split("</section>")[0]
    assert "2 jurisdictions (1 of them sub-national) </h3>" in section
    assert (
        '<a href="/jurisdictions/XN/">Nationland</a> <span class="muted">(1 law; in force since '
        '<time datetime="2024-01-01">1 January 2024</time>)</span> <span class="muted">and in 1 '
        'of its sub-national jurisdictions:</span> <ul> <li><a href="/jurisdictions/XN-A/">'
        'Astate</a> <span class="muted">(1 law; in force since <time datetime="2024-01-01">'
        "1 January 2024</time>)</span> </li> </ul>"
    ) in section
    assert "Bstate" not in section
    assert "no national law" not in section


def test_home_counts_binding_and_voluntary(empty, client):
    InstrumentFactory(type="binding_law")
    InstrumentFactory(type="draft_bill", status="draft")
    InstrumentFactory(type="declaration")
    response = client.get(reverse("web:home"))
    # A draft bill binds only if enacted: it is counted apart, never as binding.
    assert response.context["counts"] == {"total": 3, "binding": 1, "pending": 1, "voluntary": 1}
    assert response.context["then_and_now"] is None  # no dated article to compare with


@pytest.mark.parametrize("size", [2, 12])
def test_home_query_count_does_not_grow(empty, client, django_assert_num_queries, size):
    for _ in range(size):
        instrument = InstrumentFactory()
        event = EventFactory(host=instrument.jurisdiction)
        event.instruments.add(instrument)
        event.co_hosts.add(JurisdictionFactory())
        MembershipFactory(member=instrument.jurisdiction)
    # counts, jurisdictions (+memberships, +blocs), events, the founding article's date
    with django_assert_num_queries(8):
        assert client.get(reverse("web:home")).status_code == 200


def test_unknown_page_is_a_proper_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Not found" in response.content
    assert b"Skip to content" in response.content


def test_bad_host_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert b"Bad request" in response.content


def test_server_error_page_renders_alone(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html


def test_what_happened_in_between_is_one_list_in_date_order_in_plain_words(seeded, client):
    response = client.get(reverse("web:home"))
    in_between = response.context["then_and_now"]["in_between"]
    days = [item["step"].date for item in in_between]
    assert days == sorted(days)
    # Status changes and assessments are interleaved by date, not listed kind after kind.
    kinds = [item["is_status_change"] for item in in_between]
    assert True in kinds
    assert False in kinds
    html = " ".join(response.content.decode().split())
    # Vietnam's AI law was adopted, then entered into force (a law; a framework takes effect).
    assert "Law on Artificial Intelligence</a> (Vietnam) was adopted." in html
    assert "Law on Artificial Intelligence</a> (Vietnam) entered into force." in html
    in_between_html = html[html.index("What happened in between") :]
    assert "became" not in in_between_html
    # A source saying since when an approach held dates a move, not an assessment.
    assert "Vietnam</a> moved to a" in html
    assert "Taiwan</a> moved to a" in html
    assert 'assessed <a href="/jurisdictions/VN/">' not in in_between_html
    assert 'assessed <a href="/jurisdictions/TW/">' not in in_between_html
    # One that does not say since when is an assessment (the US, 26 March 2026).
    assert 'a source assessed <a href="/jurisdictions/US/">United States</a> as' in in_between_html


def test_a_status_change_is_told_in_plain_words(empty):
    from policytracker.web.templatetags.tracker import status_phrase
    from tests.factories import StatusChangeFactory

    law = StatusChangeFactory(instrument__type="binding_law", status="in_effect")
    framework = StatusChangeFactory(
        instrument__type="voluntary_framework", status="in_effect", instrument__status=""
    )
    assert status_phrase(law) == "entered into force"
    assert status_phrase(framework) == "took effect"
    assert status_phrase(StatusChangeFactory(status="adopted")) == "was adopted"
