import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from instruments.filters import InstrumentFilterSet
from instruments.models import Instrument
from tests.factories import (
    ApproachAssessmentFactory,
    BlocFactory,
    InstrumentFactory,
    JurisdictionFactory,
    MembershipFactory,
    StatusChangeFactory,
    TopicFactory,
)

URL = reverse("web:compare")


def compare(client, *codes, **params):
    query = QueryDict(mutable=True)
    query.setlist("jurisdiction", list(codes))
    for name, value in params.items():
        query[name] = value
    return client.get(f"{URL}?{query.urlencode()}")


def columns(response):
    return {column.jurisdiction.code: column for column in response.context["comparison"].columns}


def counts(response, group_label):
    """{row label: [count per column]} of one group of the side-by-side table."""
    comparison = response.context["comparison"]
    group = next(g for g in comparison.count_groups if g["label"] == group_label)
    return {row.label: [cell.count for cell in row.cells] for row in group["rows"]}


def every_cell(comparison):
    for group in comparison.count_groups:
        for row in group["rows"]:
            yield from row.cells
    for row in [*comparison.topic_rows, *comparison.party_topic_rows]:
        yield from row.cells


def list_count(url):
    """What the instrument list counts for the query string of `url`."""
    parts = urlsplit(url)
    assert parts.path == reverse("web:instrument-list")
    filterset = InstrumentFilterSet(
        QueryDict(parts.query), queryset=Instrument.objects.for_listing()
    )
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


# -- the picker --------------------------------------------------------------------------------


def test_without_jurisdictions_the_picker_explains_itself(seeded, client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["comparison"] is None
    html = response.content.decode()
    assert "Pick two to six jurisdictions" in html
    assert '<form class="compare-form" method="get" action="/compare/">' in html
    # Grouped by region, each box labelled.
    assert "<legend>Eastern Asia</legend>" in html
    assert "<legend>South-eastern Asia</legend>" in html
    assert '<input type="checkbox" id="pick-CN" name="jurisdiction" value="CN">' in html
    assert '<label for="pick-CN">China <span class="muted">CN</span></label>' in html
    assert '<input id="pick-as_of" type="date" name="as_of" value=""' in html
    assert "<details" not in html
    assert response.context["breadcrumbs"] == [{"label": "Compare", "url": ""}]


def test_one_jurisdiction_shows_the_picker_with_it_ticked(seeded, client):
    response = compare(client, "cn", as_of="2025-08-08")
    assert response.status_code == 200
    assert response.context["comparison"] is None
    html = response.content.decode()
    assert 'value="CN" checked>' in html
    assert 'value="SG">' in html
    assert "China is picked: a comparison needs at least one more jurisdiction." in html
    assert 'name="as_of" value="2025-08-08"' in html


def test_a_repeated_code_counts_once(seeded, client):
    response = compare(client, "SG", "sg")
    assert response.status_code == 200
    assert response.context["comparison"] is None


# -- the comparison ----------------------------------------------------------------------------


def test_cn_sg_jp_side_by_side(seeded, client):
    response = compare(client, "CN", "sg", "JP", "cn")
    assert response.status_code == 200
    comparison = response.context["comparison"]
    # Columns in the order given, a repeated code once.
    assert [column.jurisdiction.code for column in comparison.columns] == ["CN", "SG", "JP"]
    by_code = columns(response)
    assert {code: c.jurisdiction.as_of_approach for code, c in by_code.items()} == {
        "CN": "binding",
        "SG": "voluntary",
        "JP": "light_touch",
    }
    # Japan's latest assessment is known only to the month.
    assert str(by_code["CN"].jurisdiction.as_of_approach_when) == "8 August 2025"
    assert str(by_code["JP"].jurisdiction.as_of_approach_when) == "May 2026"

    assert counts(response, "Instruments issued") == {
        "All": [13, 8, 5],
        "Binding laws": [8, 0, 1],
        "Bills (bind if enacted)": [0, 0, 1],
        "Voluntary texts": [5, 8, 3],
    }
    # The sector rules: China's NFRA banking and insurance guidelines and AI+ healthcare
    # opinions, Singapore's HSA guidelines on software medical devices.
    assert counts(response, "By type") == {
        "Binding law": [8, 0, 1],
        "Voluntary framework": [2, 7, 2],
        "Draft bill": [0, 0, 1],
        "Declaration": [0, 0, 0],
        "Government policy": [3, 1, 1],
    }
    # Recorded statuses: the Japanese draft was superseded by the act; Singapore's
    # proposed text has no dated step; no source states the status of Japan's 2025
    # appropriateness guideline.
    assert counts(response, "By status (as recorded)") == {
        "Proposed": [0, 1, 0],
        "Adopted": [2, 0, 1],
        "In effect": [11, 7, 2],
        "Superseded": [0, 0, 1],
        "Not stated": [0, 0, 1],
    }
    # Multilateral texts each is a party to, by title.
    assert [text.slug for text in by_code["JP"].parties] == [
        "intl-apec-digital-ai-ministerial-statement-2025",
        "intl-apec-ai-initiative-2025",
        "intl-bletchley-declaration",
        "intl-coe-framework-convention-ai",
        "intl-new-delhi-declaration-ai-impact",
        "seoul-declaration-2024",
        "intl-paris-ai-action-statement-2025",
    ]
    assert [text.slug for text in by_code["SG"].parties] == [
        "intl-apec-digital-ai-ministerial-statement-2025",
        "intl-apec-ai-initiative-2025",
        "intl-new-delhi-declaration-ai-impact",
        "seoul-declaration-2024",
        "intl-paris-ai-action-statement-2025",
    ]
    # China is no party to the Seoul Declaration nor to the Council of Europe convention.
    assert [text.slug for text in by_code["CN"].parties] == [
        "intl-apec-digital-ai-ministerial-statement-2025",
        "intl-apec-ai-initiative-2025",
        "intl-bletchley-declaration",
        "intl-new-delhi-declaration-ai-impact",
        "intl-paris-ai-action-statement-2025",
    ]
    assert [(m.bloc.code, m.role) for m in by_code["SG"].memberships] == [("ASEAN", "member")]
    assert by_code["CN"].memberships == []

    html = response.content.decode()
    assert "<title>Compare China, Singapore and Japan · Policy Tracker</title>" in html
    assert '<span class="local-name" lang="zh-Hans">中国</span>' in html
    # “Singapura” is the Malay name.
    assert '<span class="local-name" lang="ms">Singapura</span>' in html
    assert '<span class="local-name" lang="ja">日本</span>' in html
    assert f'<a href="{reverse("web:jurisdiction-detail", args=["SG"])}">Singapore</a>' in html
    assert '<span class="row-note">(binds only if enacted)</span>' in html
    assert (
        "Association of Southeast Asian Nations <code>ASEAN</code>: member since "
        '<time datetime="1967-08-08">8 August 1967</time>'
    ) in " ".join(html.split())
    assert "Seoul Declaration" in html
    assert "<details" in html
    assert 'value="SG" checked>' in html
    assert response.context["breadcrumbs"] == [
        {"label": "Compare", "url": URL},
        {"label": "CN, SG, JP", "url": ""},
    ]


def test_empty_cells_say_none(seeded, client):
    html = compare(client, "CN", "SG").content.decode()
    assert '<span aria-hidden="true">—</span><span class="visually-hidden">none</span>' in html


def test_as_of_reads_the_approach_instruments_and_statuses_of_that_day(seeded, client):
    then = compare(client, "VN", "JP", as_of="2025-08-08")
    now = compare(client, "VN", "JP")
    assert then.status_code == now.status_code == 200
    vietnam_then, vietnam_now = columns(then)["VN"], columns(now)["VN"]
    assert vietnam_then.jurisdiction.as_of_approach == "voluntary"
    assert vietnam_now.jurisdiction.as_of_approach == "risk_based"
    assert str(vietnam_now.jurisdiction.as_of_approach_when) == "1 March 2026"
    assert columns(then)["JP"].jurisdiction.as_of_approach == "transitioning"
    assert columns(now)["JP"].jurisdiction.as_of_approach == "light_touch"
    # Vietnam's AI law was adopted in December 2025, its decree in April 2026: not there on
    # 8 August 2025, when it had its 2021 strategy and the Law on Digital Technology Industry
    # (adopted in June 2025, in force from January 2026). Since then also the drafts of its
    # high-risk AI systems list and of the State Bank's AI banking circular (February 2026).
    assert counts(then, "Instruments issued")["All"] == [2, 3]
    assert counts(now, "Instruments issued")["All"] == [6, 5]
    assert counts(then, "By status that day") == {
        "Adopted": [1, 0],
        "In effect": [1, 2],
        "Superseded": [0, 1],
    }
    then_html = then.content.decode()
    assert 'As of <time datetime="2025-08-08">8 August 2025</time>' in then_html
    assert "Voluntary</span>" in then_html
    assert "Risk-based</span>" in now.content.decode()
    assert f'datetime="{timezone.localdate().isoformat()}"' in now.content.decode()


def test_approach_known_to_the_year_says_so(empty, client):
    first, second = JurisdictionFactory(code="XA"), JurisdictionFactory(code="XB")
    ApproachAssessmentFactory(
        jurisdiction=first, date=datetime.date(2024, 1, 1), date_precision="year"
    )
    ApproachAssessmentFactory(
        jurisdiction=second, date=datetime.date(2024, 5, 1), date_precision="month"
    )
    html = compare(client, "XA", "XB").content.decode()
    html = " ".join(html.split())
    assert 'source of <time datetime="2024">2024</time> (known to the year)' in html
    assert 'source of <time datetime="2024-05">May 2024</time> (known to the month)' in html
    assert "since" not in html.split("<main", 1)[1].split("Approach", 1)[1].split("</tr>", 1)[0]


def test_memberships_held_on_the_day(seeded, client):
    then = columns(compare(client, "TL", "SG", as_of="2023-06-01"))["TL"]
    now = columns(compare(client, "TL", "SG"))["TL"]
    assert [(m.bloc.code, m.role, str(m.end)) for m in then.memberships] == [
        ("ASEAN", "observer", "26 October 2025")
    ]
    assert [(m.bloc.code, m.role) for m in now.memberships] == [("ASEAN", "member")]
    html = " ".join(compare(client, "TL", "SG", as_of="2023-06-01").content.decode().split())
    assert "<code>ASEAN</code>: observer from <time" in html
    assert ">11 November 2022</time>" in html


def test_a_country_counts_the_instruments_of_its_sub_national_jurisdictions(seeded, client):
    # The US column counts the 17 federal instruments and the 33 of its states (California 9,
    # New York 5, Utah 5, Colorado, Oregon and Washington 3 each, Illinois and Texas 2 each,
    # Connecticut 1), as the `?jurisdiction=US` list its cells link to does.
    response = compare(client, "US", "EU")
    assert response.status_code == 200
    assert counts(response, "Instruments issued") == {
        "All": [50, 12],
        "Binding laws": [30, 2],
        "Bills (bind if enacted)": [7, 1],
        "Voluntary texts": [13, 9],
    }
    comparison = response.context["comparison"]
    group = next(g for g in comparison.count_groups if g["label"] == "Instruments issued")
    (us_all, _) = group["rows"][0].cells
    assert us_all.url == "/instruments/?jurisdiction=US"
    assert list_count(us_all.url) == 50
    # The topic matrix likewise: 6 of the 29 US texts on transparency are federal.
    rows = {row.label: row.cells for row in comparison.topic_rows}
    assert [cell.count for cell in rows["Transparency"]] == [29, 5]
    assert [cell.count for cell in rows["Sandboxes"]] == [6, 0]
    assert rows["Transparency"][0].url == "/instruments/?jurisdiction=US&topic=transparency"
    assert list_count(rows["Transparency"][0].url) == 29


# -- the topic matrix --------------------------------------------------------------------------


def test_topic_matrix_rows_and_links(seeded, client):
    response = compare(client, "CN", "KR", "JP")
    comparison = response.context["comparison"]
    rows = {row.label: [cell.count for cell in row.cells] for row in comparison.topic_rows}
    assert rows == {
        "AI safety": [4, 0, 2],
        "Automated-decision rights": [1, 1, 0],
        "Content labelling": [4, 2, 0],
        "Data security": [2, 0, 0],
        "Ethics principles": [2, 1, 1],
        "Human oversight": [0, 2, 0],
        "International cooperation": [2, 0, 1],
        "Licensing": [2, 0, 0],
        "Risk tiers": [2, 4, 1],
        "Sandboxes": [1, 0, 0],
        "Transparency": [3, 4, 1],
    }
    party_rows = {
        row.label: [cell.count for cell in row.cells] for row in comparison.party_topic_rows
    }
    assert party_rows == {
        "AI safety": [2, 2, 3],
        "Ethics principles": [1, 0, 1],
        "International cooperation": [5, 4, 7],
        "Risk tiers": [0, 0, 1],
    }
    html = response.content.decode()
    assert 'href="/instruments/?jurisdiction=CN&amp;topic=licensing"' in html
    assert 'href="/instruments/?party=KR&amp;topic=ai-safety"' in html
    assert "<caption" in html
    assert '<th scope="row">Licensing</th>' in html


@pytest.mark.parametrize("as_of", [None, "2025-08-08", "2024-06-01"])
def test_every_count_is_what_the_instrument_list_counts(seeded, client, as_of):
    params = {"as_of": as_of} if as_of else {}
    response = compare(client, "JP", "SG", "EU", "KR", "US", "VN", **params)
    assert response.status_code == 200
    checked = 0
    for cell in every_cell(response.context["comparison"]):
        if not cell.url:
            continue
        query = parse_qs(urlsplit(cell.url).query)
        assert query.get("as_of") == ([as_of] if as_of else None)
        assert list_count(cell.url) == cell.count, cell.url
        checked += 1
    assert checked > 20


# -- bad requests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        (
            "jurisdiction=CN&jurisdiction=SG&jurisdiction=JP&jurisdiction=KR&jurisdiction=TW"
            "&jurisdiction=VN&jurisdiction=TH",
            "jurisdiction",
            "Compare 2 to 6 jurisdictions at a time; 7 were given.",
        ),
        (
            "jurisdiction=CN&jurisdiction=ZZ",
            "jurisdiction",
            "“ZZ” is not the code of a jurisdiction in the tracker",
        ),
        (
            "jurisdiction=CN&jurisdiction=SG&as_of=2025-02-30",
            "as_of",
            "Enter a date as YYYY-MM-DD.",
        ),
        ("jurisdicton=CN&jurisdiction=SG", "jurisdicton", "Did you mean “jurisdiction”?"),
    ],
)
def test_bad_parameters_are_400s_naming_them(seeded, client, query, parameter, message):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    errors = response.context["errors"]
    assert message in " ".join(errors[parameter])
    html = response.content.decode()
    assert f"<code>{parameter}</code>" in html


def test_six_jurisdictions_are_fine(seeded, client):
    response = compare(client, "CN", "SG", "JP", "KR", "TW", "VN", "cn")
    assert response.status_code == 200
    assert len(response.context["comparison"].columns) == 6


# -- escaping ----------------------------------------------------------------------------------


def test_names_and_bad_values_are_escaped(empty, client):
    evil = JurisdictionFactory(code="XA", name="<script>alert(1)</script>", local_name="<b>x</b>")
    JurisdictionFactory(code="XB")
    InstrumentFactory(jurisdiction=evil).topics.add(TopicFactory(name="<i>topic</i>"))
    html = compare(client, "XA", "XB").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "&lt;i&gt;topic&lt;/i&gt;" in html
    bad = client.get(f"{URL}?jurisdiction=XA&jurisdiction=%3Cb%3Eoops")
    assert bad.status_code == 400
    assert "&lt;B&gt;OOPS" in bad.content.decode()
    assert "<B>OOPS" not in bad.content.decode()


# -- queries -----------------------------------------------------------------------------------


def build(size):
    """Two jurisdictions with `size` instruments each (topics, timelines, a shared multilateral
    text), memberships and approach assessments."""
    first, second = JurisdictionFactory(code="XA"), JurisdictionFactory(code="XB")
    bloc = BlocFactory()
    topics = TopicFactory.create_batch(3)
    for jurisdiction in (first, second):
        ApproachAssessmentFactory(jurisdiction=jurisdiction, date=datetime.date(2024, 1, 1))
        MembershipFactory(member=jurisdiction, bloc=bloc)
        for index in range(size):
            instrument = InstrumentFactory(
                jurisdiction=jurisdiction,
                type=["binding_law", "draft_bill", "voluntary_framework"][index % 3],
                status=["in_effect", "draft", "in_effect"][index % 3],
            )
            instrument.topics.set(topics[: 1 + index % 3])
            StatusChangeFactory(instrument=instrument, status=instrument.status)
    declaration = InstrumentFactory(
        jurisdiction=JurisdictionFactory(),
        type="declaration",
        adopted_on=datetime.date(2024, 1, 1),
        adopted_on_precision="day",
    )
    declaration.parties.set([first, second])
    declaration.topics.set(topics[:1])


@pytest.mark.parametrize("as_of", [None, "2025-08-08"])
@pytest.mark.parametrize("size", [2, 12])
def test_query_count_does_not_grow(empty, client, django_assert_num_queries, size, as_of):
    build(size)
    params = {"as_of": as_of} if as_of else {}
    # Validating the codes, the picker, the jurisdictions as of the day, their memberships,
    # the counts by type and status, the multilateral texts, and the two topic matrices.
    with django_assert_num_queries(8):
        response = compare(client, "XA", "XB", **params)
    assert response.status_code == 200
    assert counts(response, "Instruments issued")["All"] == [size, size]


def test_picker_query_count(empty, client, django_assert_num_queries):
    JurisdictionFactory.create_batch(5)
    with django_assert_num_queries(1):
        assert client.get(URL).status_code == 200
