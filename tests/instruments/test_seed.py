"""The seed fixtures and the `seed` command."""

import datetime
import json
import shutil
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from instruments.models import Actor, Citation, Event, Instrument, Source, StatusChange
from instruments.seeding import SEED_FILES
from jurisdictions.models import ApproachAssessment, Jurisdiction, Membership
from jurisdictions.querysets import membership_on
from jurisdictions.services import jurisdiction_change_approach
from tests.conftest import ARTICLE_SLUG, FIXTURES_DIR

pytestmark = pytest.mark.django_db

MODELS = [
    model
    for label in ("jurisdictions", "instruments")
    for model in apps.get_app_config(label).get_models()
]


def counts():
    return {model._meta.label: model._default_manager.count() for model in MODELS}


def test_fixtures_carry_no_primary_keys():
    for name in SEED_FILES:
        for record in json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8")):
            assert "pk" not in record, f"{name}: {record}"


def call_command_output(*args, **kwargs):
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def fixture_length(name):
    """How many records the fixture file `name` holds."""
    return len(json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8")))


def fixture_record_count(model=None):
    """How many records the fixtures hold (of `model`, an "app.model" label, if given)."""
    return sum(
        1
        for name in SEED_FILES
        for record in json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8"))
        if model is None or record["model"] == model
    )


def test_seed_into_an_empty_database_then_again_changes_nothing(empty):
    total = fixture_record_count()
    assert f"{total} created, 0 updated, 0 unchanged" in call_command_output("seed")
    after_first = counts()
    assert after_first["instruments.Instrument"] == fixture_record_count("instruments.instrument")
    # One history entry per record, timeline-derived values included.
    for model in (Instrument, Jurisdiction, Citation):
        assert model.history.count() == model.objects.count()
    assert f"0 created, 0 updated, {total} unchanged" in call_command_output("seed")
    assert counts() == after_first  # history tables included: nothing was re-saved


def test_seed_records_one_history_entry_per_record_with_its_links(seeded):
    # The session's seed created the records: one entry each, relations included.
    record = Instrument.history.filter(slug="cn-interim-measures-generative-ai").get()
    assert record.history_type == "+"
    assert record.history_change_reason == "seed from instruments.json"
    assert record.status == "in_effect"  # the status its timeline gives, in the one entry
    assert {link.topic.slug for link in record.topics.all()} == {
        "licensing",
        "content-labelling",
        "data-security",
    }


def test_every_seeded_object_passes_full_clean(seeded):
    for model in MODELS:
        if model.__name__.startswith("Historical") or model._meta.auto_created:
            continue
        for obj in model._default_manager.all():
            obj.full_clean()


def test_changed_fixture_updates_only_what_changed(seeded, tmp_path):
    shutil.copytree(FIXTURES_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "instruments.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    target = next(r for r in records if r["fields"].get("slug") == "eu-ai-act")
    target["fields"]["summary"] = "Changed summary."
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    out = call_command_output("seed", fixtures_dir=str(tmp_path))
    assert "0 created, 1 updated" in out
    assert Instrument.objects.get(slug="eu-ai-act").summary == "Changed summary."
    assert Instrument.history.filter(slug="eu-ai-act").count() == 2


def corrupt(tmp_path, name, mutate):
    shutil.copytree(FIXTURES_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / name
    records = json.loads(path.read_text(encoding="utf-8"))
    mutate(records)
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def set_field(slug, field, value):
    def mutate(records):
        for record in records:
            if record["fields"].get("slug") == slug:
                record["fields"][field] = value

    return mutate


def identifier_again_on(slug):
    """The file's first identifier given a second time, to `slug`: a value the database's
    unique constraint refuses, which the seed reports in the model's words."""

    def mutate(records):
        first = next(r for r in records if r["model"] == "instruments.instrumentidentifier")
        records.append({**first, "fields": {**first["fields"], "instrument": [slug]}})

    return mutate


@pytest.mark.parametrize(
    ("name", "mutate", "expected"),
    [
        (
            "instruments.json",
            identifier_again_on("eu-ai-act"),
            "Instrument identifier with this Scheme and Value already exists.",
        ),
        (
            "instruments.json",
            set_field("eu-ai-act", "type", "regulation"),
            "'eu-ai-act'): type: Value 'regulation' is not a valid choice.",
        ),
        (
            "instruments.json",
            set_field("eu-ai-act", "jurisdiction", ["ZZ"]),
            "'eu-ai-act'): refers to a Jurisdiction that does not exist: ['ZZ']",
        ),
        (
            "instruments.json",
            set_field("eu-ai-act", "topics", [["no-such-topic"]]),
            "refers to a Topic that does not exist",
        ),
        (
            "instruments.json",
            set_field("eu-ai-act", "effective_on", "2024-13-01"),
            "it is an invalid date. (value: 2024-13-01)",
        ),
        (
            "instruments.json",
            set_field("us-ban-chinese-ai-federal-use", "status", "in_effect"),
            "a draft bill cannot be in effect",
        ),
        (
            "events.json",
            set_field("ai-seoul-summit-2024", "date_precision", "century"),
            "'ai-seoul-summit-2024'",
        ),
        ("events.json", lambda records: records[0]["fields"].update(slug=""), "record 1"),
        ("events.json", lambda records: records[0].update(pk=7), "no primary keys"),
        # The appended record comes after every record the file holds.
        (
            "actors.json",
            lambda records: records.append(["not", "an", "object"]),
            f"record {fixture_length('actors.json') + 1} (not an object",
        ),
    ],
)
def test_corrupt_fixture_names_file_and_record_and_writes_nothing(
    empty, tmp_path, name, mutate, expected
):
    folder = corrupt(tmp_path, name, mutate)
    with pytest.raises(CommandError) as excinfo:
        call_command("seed", fixtures_dir=str(folder))
    message = str(excinfo.value)
    assert "Nothing was loaded" in message
    assert name in message
    assert expected in message
    assert set(counts().values()) == {0}


def test_corrupt_fixture_leaves_an_existing_seed_untouched(seeded, tmp_path):
    folder = corrupt(tmp_path, "sources.json", set_field(ARTICLE_SLUG, "title", "Retitled"))
    mutate = set_field("ai-seoul-summit-2024", "kind", "party")
    path = folder / "events.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    mutate(records)
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match="events.json"):
        call_command("seed", fixtures_dir=str(folder))
    assert counts() == before
    assert Source.objects.get(slug=ARTICLE_SLUG).title != "Retitled"


def test_unreadable_fixture_is_reported(empty, tmp_path):
    shutil.copytree(FIXTURES_DIR, tmp_path, dirs_exist_ok=True)
    (tmp_path / "topics.json").write_text('[{"model": "instruments.topic", ', encoding="utf-8")
    with pytest.raises(CommandError, match="topics.json: cannot read the file"):
        call_command("seed", fixtures_dir=str(tmp_path))
    assert counts()["instruments.Source"] == 0


# ---- what the seed must contain ------------------------------------------------------------

# The approaches the article states, as of its date (8 August 2025).
ARTICLE_APPROACHES = {
    "US": "light_touch",
    "CN": "binding",
    "SG": "voluntary",
    "JP": "transitioning",
    "KR": "risk_based",
    "TH": "voluntary",
    "VN": "voluntary",
    "TW": "voluntary",
    "ID": "voluntary",
    "ASEAN": "voluntary",
    "EU": "binding",
}
US_STATES = ["US-CA", "US-CO", "US-NY", "US-TX", "US-UT", "US-IL", "US-CT", "US-WA", "US-OR"]
# Current approaches: the article's, except where a later assessment replaced it, and those
# of jurisdictions assessed since.
APPROACHES = {
    **ARTICLE_APPROACHES,
    "JP": "light_touch",  # May 2026: no rules for high-impact models came
    "VN": "risk_based",  # its AI law took effect
    "TW": "transitioning",  # its AI Basic Act took effect
    "MY": "voluntary",
    "LA": "voluntary",
    **dict.fromkeys(["GB", "CA", "AU", "IN"], "light_touch"),
    **dict.fromkeys(
        ["BN", "KH", "MM", "PH", "TL", "OECD", "INTL", "UN", "FR", "DE", "IT", *US_STATES],
        "not_assessed",
    ),
}


def test_every_jurisdiction_is_expected(seeded):
    assert set(Jurisdiction.objects.values_list("code", flat=True)) == set(APPROACHES)


@pytest.mark.parametrize(("code", "approach"), APPROACHES.items())
def test_jurisdiction_approaches(seeded, code, approach):
    assert Jurisdiction.objects.get(code=code).approach == approach


def test_every_approach_the_article_states_is_an_assessment_of_its_date(seeded):
    on_article_date = ApproachAssessment.objects.filter(date=datetime.date(2025, 8, 8))
    assessed = {a.jurisdiction.code: a for a in on_article_date.select_related("jurisdiction")}
    assert set(assessed) == set(ARTICLE_APPROACHES)
    unquoted = []
    for code, assessment in assessed.items():
        assert assessment.approach == ARTICLE_APPROACHES[code]
        quotes = assessment.citations.filter(source__slug=ARTICLE_SLUG).exclude(quote="")
        if not any("approach" in c.fields for c in quotes):
            unquoted.append(code)
    assert unquoted == []  # each approach is backed by the article's words for it
    assert not ApproachAssessment.objects.filter(jurisdiction__approach="not_assessed").exists()


@pytest.mark.parametrize(
    ("code", "timeline", "sources"),
    [
        (
            "VN",
            [
                ("voluntary", "2025-08-08"),
                # The AI chapter of the Law on Digital Technology Industry took effect.
                ("risk_based", "2026-01-01"),
                ("risk_based", "2026-03-01"),
            ],
            {"luatvietnam-law-134-2025", "vna-six-new-laws-2026-03-01"},
        ),
        (
            "TW",
            [("voluntary", "2025-08-08"), ("transitioning", "2026-01-14")],
            {
                "leeandli-taiwan-ai-basic-act",
                "moda-taiwan-ai-basic-act",
                "tw-taiwannews-ai-basic-act-third-reading",
                "tw-intlailaw-ai-basic-law-principles",
            },
        ),
        (
            "JP",
            [("transitioning", "2025-08-08"), ("light_touch", "2026-05-01")],
            {
                "jp-ai-know-japan-ai-policy-2026",
                "jp-twobirds-ai-governance-steps-since-ai-act",
                "jp-japannews-ldp-ai-proposal-editorial-2026-05-11",
            },
        ),
    ],
)
def test_approach_timelines_since_the_article(seeded, code, timeline, sources):
    assessments = ApproachAssessment.objects.filter(jurisdiction__code=code).chronological()
    assert [(a.approach, a.date.isoformat()) for a in assessments] == timeline
    for assessment in assessments:
        assert assessment.citations.exists(), assessment
    latest = assessments.last()
    assert set(latest.citations.values_list("source__slug", flat=True)) == sources
    jurisdiction = Jurisdiction.objects.get(code=code)
    assert jurisdiction.approach_summary == latest.summary


# (jurisdiction, slug, words of its name, words the article uses for it, type)
INSTRUMENTS = [
    (
        "CN",
        "cn-interim-measures-generative-ai",
        "Interim Measures for Generative AI",
        "Interim Measures for Generative AI",
        "binding_law",
    ),
    (
        "SG",
        "sg-model-ai-governance-framework",
        "Model AI Governance Framework",
        "Model AI Governance Framework",
        "voluntary_framework",
    ),
    ("SG", "sg-ai-verify-toolkit", "AI Verify Toolkit", "AI Verify Toolkit", "voluntary_framework"),
    (
        "JP",
        "jp-ai-guidelines-for-business-2024",
        "AI Guidelines for Business",
        "AI Guidelines for Business",
        "voluntary_framework",
    ),
    # The article shortens the draft's name.
    (
        "JP",
        "jp-basic-law-responsible-ai-draft",
        "Basic Law for the Promotion of Responsible AI",
        "draft Basic Law for Responsible AI",
        "draft_bill",
    ),
    ("KR", "kr-ai-framework-act", "AI Framework Act", "AI Framework Act", "binding_law"),
    ("KR", "kr-pipa-automated-decisions", "PIPA amendments", "PIPA amendments", "binding_law"),
    (
        "ASEAN",
        "asean-guide-ai-governance-ethics",
        "AI Governance and Ethics",
        "AI governance and ethics",
        "voluntary_framework",
    ),
    ("OECD", "oecd-ai-principles", "OECD AI Principles", "OECD principles", "voluntary_framework"),
    ("INTL", "seoul-declaration-2024", "Seoul Declaration", "Seoul Declaration", "declaration"),
    # The article does not name the bill; the congressional sources do.
    (
        "US",
        "us-ban-chinese-ai-federal-use",
        "No Adversarial AI Act",
        "banning Chinese AI systems like DeepSeek from federal use",
        "draft_bill",
    ),
]


@pytest.mark.parametrize(("code", "slug", "name", "words", "type_"), INSTRUMENTS)
def test_instrument_classifications(seeded, code, slug, name, words, type_):
    instrument = Instrument.objects.get(slug=slug)
    assert instrument.jurisdiction.code == code
    assert instrument.type == type_
    assert name.lower() in f"{instrument.title} {instrument.short_name}".lower()
    quotes = instrument.citations.filter(source__slug=ARTICLE_SLUG).exclude(quote="")
    assert any(words.lower() in citation.quote.lower() for citation in quotes)


def test_the_ai_act_is_classified_on_its_own_text_and_linked_to_the_article_by_an_event(seeded):
    """The article speaks only of "the EU’s stringent AI regulations", which names no act: the
    regulation's own text backs the record, and the article ties it to Kratsios's statement."""
    act = Instrument.objects.get(slug="eu-ai-act")
    assert (act.jurisdiction.code, act.type) == ("EU", "binding_law")
    assert "AI Act" in f"{act.title} {act.short_name}"
    [own_text] = [
        c
        for c in act.citations.filter(source__slug="eu-gfmd-ai-act-official-documents")
        if "title" in c.fields
    ]
    assert "Regulation (EU) 2024/1689 of the European Parliament and of the Council" in (
        own_text.quote
    )
    statement = Event.objects.get(slug="kratsios-urges-asia-to-reject-eu-regulation")
    assert statement.instruments.filter(slug="eu-ai-act").exists()
    [quote] = [
        c
        for c in statement.citations.filter(source__slug=ARTICLE_SLUG)
        if "instruments" in c.fields
    ]
    assert "the EU’s stringent AI regulations" in quote.quote


# Since the article: (jurisdiction, slug, identifier or None, sources)
SINCE_THE_ARTICLE = [
    (
        "VN",
        "vn-law-on-artificial-intelligence",
        "Law No. 134/2025/QH15",
        {
            "luatvietnam-law-134-2025",
            "vna-six-new-laws-2026-03-01",
            "vn-digitalpolicyalert-ai-law-adopted",
            "vn-laodong-ai-law-passed",
            "vn-vietnamvn-ai-law-autonomy",
        },
    ),
    (
        "TW",
        "tw-ai-basic-act",
        None,
        {
            "leeandli-taiwan-ai-basic-act",
            "moda-taiwan-ai-basic-act",
            "tw-juchunko-ai-basic-act",
            "tw-moda-ai-basic-act-page",
            "tw-taiwannews-ai-basic-act-third-reading",
        },
    ),
    (
        "EU",
        "eu-digital-omnibus-ai",
        None,
        {
            "futureprep-digital-omnibus",
            "scl-digital-omnibus",
            "eu-council-omnibus-final-2026-06-29",
            "eu-dlapiper-digital-omnibus-on-ai-2026-07-02",
            "eu-epium-omnibus-deal",
            "eu-mue-omnibus-new-prohibited-practice",
            "eu-pubaffairs-council-omnibus-final",
            "eu-recordofrecord-council-seals-omnibus",
            "eu-thedailyscout-ai-rules-pushback",
            "eu-waydem-digital-omnibus-parliament",
            "eu-yrproject-digital-omnibus-file",
        },
    ),
]


@pytest.mark.parametrize(("code", "slug", "identifier", "sources"), SINCE_THE_ARTICLE)
def test_instruments_since_the_article(seeded, code, slug, identifier, sources):
    instrument = Instrument.objects.get(slug=slug)
    assert (instrument.jurisdiction.code, instrument.type) == (code, "binding_law")
    assert set(instrument.citations.values_list("source__slug", flat=True)) == sources
    assert instrument.topics.exists()
    assert list(instrument.identifiers.values_list("value", flat=True)) == (
        [identifier] if identifier else []
    )


def test_the_digital_omnibus_amends_the_ai_act_and_is_not_in_force(seeded):
    omnibus = Instrument.objects.get(slug="eu-digital-omnibus-ai")
    assert omnibus.relations_out.get().to_instrument.slug == "eu-ai-act"
    assert omnibus.relations_out.get().kind == "amends"
    assert (omnibus.status, omnibus.effective_on) == ("adopted", None)
    act = Instrument.objects.get(slug="eu-ai-act")
    assert "2 December 2027" in act.summary
    assert "2 August 2028" in act.summary
    # 2 August 2026 is when its transparency duties began to apply, no longer its high-risk
    # rules: no sentence gives that day for them.
    sentences = act.summary.split(". ")
    assert not any("2 August 2026" in s and "high-risk" in s for s in sentences)
    assert act.adopted_on == datetime.date(2024, 6, 13)
    assert act.identifiers.get(scheme="eli").value == "http://data.europa.eu/eli/reg/2024/1689/oj"


@pytest.mark.parametrize(
    "slug",
    [
        "sg-model-ai-governance-framework",
        "sg-ai-verify-toolkit",
        "jp-ai-guidelines-for-business-2024",
        "asean-guide-ai-governance-ethics",
        "oecd-ai-principles",
    ],
)
def test_voluntary_frameworks_in_use_are_in_effect_with_a_dated_change(seeded, slug):
    instrument = Instrument.objects.get(slug=slug)
    assert (instrument.type, instrument.status) == ("voluntary_framework", "in_effect")
    assert instrument.status_changes.filter(status="in_effect").exists()


@pytest.mark.parametrize(
    ("slug", "topic"),
    [
        ("sg-ai-verify-toolkit", "testing-and-assurance"),
        ("jp-ai-guidelines-for-business-2024", "ethics-principles"),
        ("jp-basic-law-responsible-ai-draft", "risk-tiers"),
        ("tw-ai-basic-act", "risk-tiers"),
    ],
)
def test_topics_that_fit_are_cited(seeded, slug, topic):
    instrument = Instrument.objects.get(slug=slug)
    assert instrument.topics.filter(slug=topic).exists()
    assert any("topics" in c.fields for c in instrument.citations.all())


def test_the_japanese_drafts_risk_tiers_quote_says_so(seeded):
    [citation] = [
        c
        for c in Citation.objects.filter(instrument__slug="jp-basic-law-responsible-ai-draft")
        if "topics" in c.fields
    ]
    assert "tiered system" in citation.quote
    assert "Japan’s evolving draft law" in citation.quote


def test_reference_sources_name_a_page_not_a_home_page(seeded):
    for source in Source.objects.exclude(url=""):
        address = urlsplit(source.url)
        # A page is named by its path, or on the site's root by a query that picks it
        # (WordPress's "/?p=53322"); a tracking parameter picks no page.
        picks = [name for name in parse_qs(address.query) if not name.startswith("utm_")]
        assert address.path.strip("/") or picks, source.url


def test_article_citations_are_checked(seeded):
    assert not Citation.objects.filter(source__slug=ARTICLE_SLUG, checked_on__isnull=True).exists()


def test_japanese_guidelines_are_dated_2024(seeded):
    # The article says "its 2024 AI Guidelines for Business"; version 1.0 itself gives the day.
    guidelines = Instrument.objects.get(slug="jp-ai-guidelines-for-business-2024")
    assert str(guidelines.adopted) == "19 April 2024"
    cover_page = guidelines.citations.filter(
        source__slug="jp-project-babel-ai-guidelines-business-v1"
    )
    [cover] = [c for c in cover_page if "adopted_on" in c.fields]
    assert "Ver1.0 April 19, 2024" in cover.quote


def test_seoul_declaration_parties(seeded):
    parties = Instrument.objects.get(slug="seoul-declaration-2024").parties.values_list(
        "code", flat=True
    )
    assert set(parties) == {"AU", "CA", "EU", "FR", "DE", "IT", "JP", "KR", "SG", "GB", "US"}


def test_japanese_draft_is_superseded_by_a_different_act(seeded):
    draft = Instrument.objects.get(slug="jp-basic-law-responsible-ai-draft")
    assert draft.status == "superseded"
    assert "became" not in draft.summary
    assert not draft.relations_out.exists()
    relation = draft.relations_in.get()
    assert (relation.kind, relation.from_instrument.slug) == ("supersedes", "jp-ai-promotion-act")
    act = relation.from_instrument
    assert (act.type, act.status, act.adopted_on.isoformat(), act.effective_on.isoformat()) == (
        "binding_law",
        "in_effect",
        "2025-05-28",
        "2025-06-04",
    )
    assert act.identifiers.get().value == "Act No. 53 of 2025"


@pytest.mark.parametrize(
    ("slug", "timeline"),
    [
        (
            "cn-interim-measures-generative-ai",
            [("adopted", "2023-07-13"), ("in_effect", "2023-08-15")],
        ),
        ("kr-ai-framework-act", [("adopted", "2024-12-26"), ("in_effect", "2026-01-22")]),
        (
            "jp-ai-promotion-act",
            [
                ("proposed", "2025-02-28"),
                ("adopted", "2025-05-28"),
                ("in_effect", "2025-06-04"),
                ("in_effect", "2025-09-01"),
            ],
        ),
        (
            "jp-basic-law-responsible-ai-draft",
            [("draft", "2024-02-16"), ("superseded", "2025-05-28")],
        ),
        ("kr-pipa-automated-decisions", [("adopted", "2023-03-14"), ("in_effect", "2024-03-15")]),
        ("eu-ai-act", [("adopted", "2024-06-13"), ("in_effect", "2024-08-01")]),
        ("eu-digital-omnibus-ai", [("proposed", "2025-11-19"), ("adopted", "2026-06-29")]),
        (
            "vn-law-on-artificial-intelligence",
            [("adopted", "2025-12-10"), ("in_effect", "2026-03-01")],
        ),
        ("tw-ai-basic-act", [("adopted", "2025-12-23"), ("in_effect", "2026-01-14")]),
        ("oecd-ai-principles", [("in_effect", "2019-05-22"), ("in_effect", "2024-05-03")]),
        ("seoul-declaration-2024", [("adopted", "2024-05-21")]),
        ("asean-guide-ai-governance-ethics", [("in_effect", "2024-02-02")]),
        (
            "sg-model-ai-governance-framework",
            [("in_effect", "2019-01-23"), ("in_effect", "2020-01-21")],
        ),
        ("sg-ai-verify-toolkit", [("in_effect", "2022-05-01"), ("in_effect", "2023-06-07")]),
        (
            "jp-ai-guidelines-for-business-2024",
            [("draft", "2024-01-19"), ("in_effect", "2024-04-19")],
        ),
        ("us-ban-chinese-ai-federal-use", [("proposed", "2025-06-25")]),
    ],
)
def test_status_timelines(seeded, slug, timeline):
    changes = StatusChange.objects.filter(instrument__slug=slug).chronological()
    assert [(c.status, c.date.isoformat()) for c in changes] == timeline
    assert Instrument.objects.get(slug=slug).status == timeline[-1][0]
    for change in changes:
        assert change.citations.exists()


def test_no_instrument_states_its_status_without_a_timeline(seeded):
    # The one bill that once did (us-ban-chinese-ai-federal-use) now has a dated timeline; the
    # instruments without one leave their status unstated.
    untimed = Instrument.objects.filter(status_changes__isnull=True)
    assert {i.slug: i.status for i in untimed} == dict.fromkeys(
        [
            "asean-defa",
            "de-bsi-generative-ai-models",
            "it-agid-ai-pa-guidelines",
            "jp-ai-appropriateness-guideline-2025",
            "kr-ai-basic-act-deferral-bill-2025",
            "la-national-ai-strategy",
            "ph-hb-2827",
            "tw-ai-action-plan-2",
            "us-ai-action-plan-2025",
            "us-national-policy-framework-ai-2026",
            "us-omb-m-25-21-m-25-22",
        ],
        "",
    )


def test_asean_membership_is_dated(seeded):
    members = Membership.objects.filter(bloc__code="ASEAN", role="member")
    assert members.filter(ended_on__isnull=True).count() == 11
    assert members.filter(started_on__lte=datetime.date(2025, 8, 8)).count() == 10
    assert not members.filter(member__code="TW").exists()
    timor = Membership.objects.filter(member__code="TL").order_by("started_on")
    assert [(m.role, str(m.start), str(m.end) if m.end else None) for m in timor] == [
        ("observer", "11 November 2022", "26 October 2025"),
        ("member", "26 October 2025", None),
    ]
    days = dict(
        Membership.objects.filter(role="member", bloc__code="ASEAN").values_list(
            "member__code", "started_on"
        )
    )
    assert days == {
        **dict.fromkeys(["ID", "MY", "PH", "SG", "TH"], datetime.date(1967, 8, 8)),
        "BN": datetime.date(1984, 1, 7),
        "VN": datetime.date(1995, 7, 28),
        "LA": datetime.date(1997, 7, 23),
        "MM": datetime.date(1997, 7, 23),
        "KH": datetime.date(1999, 4, 30),
        "TL": datetime.date(2025, 10, 26),
    }
    assert not Membership.objects.exclude(started_on_precision="day").exists()


def test_asean_has_ten_members_on_the_article_day_and_eleven_after_timor_leste_joined(seeded):
    from jurisdictions.models import Jurisdiction

    def members(day):
        return set(Jurisdiction.objects.member_of(["ASEAN"], day).values_list("code", flat=True))

    assert len(members(datetime.date(2025, 8, 8))) == 10
    assert "TL" not in members(datetime.date(2025, 10, 25))
    assert "TL" in members(datetime.date(2025, 10, 26))
    observers = Membership.objects.filter(membership_on(datetime.date(2025, 8, 8), role="observer"))
    assert [(m.member.code, m.bloc.code) for m in observers] == [("TL", "ASEAN")]
    # Every ASEAN membership is cited with a quote that states its day.
    for membership in Membership.objects.filter(bloc__code="ASEAN"):
        quotes = [c.quote for c in membership.member.citations.all() if "memberships" in c.fields]
        assert quotes, membership
        assert all(quotes), membership


def test_regions(seeded):
    regions = dict(Jurisdiction.objects.values_list("code", "region"))
    for code in ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"]:
        assert regions[code] == "south_eastern_asia"
    for code in ["CN", "JP", "KR", "TW"]:
        assert regions[code] == "eastern_asia"
    assert regions["US"] == "northern_america"
    assert regions["OECD"] == regions["INTL"] == "world"


def test_local_names_match_cldr(seeded):
    babel = pytest.importorskip("babel")
    locales = {
        "CN": "zh",
        "JP": "ja",
        "KR": "ko",
        "TW": "zh_Hant",
        "TH": "th",
        "VN": "vi",
        "KH": "km",
        "LA": "lo",
        "MM": "my",
        "PH": "fil",
        "SG": "ms",
        "DE": "de",
        "IT": "it",
    }
    named = dict(Jurisdiction.objects.exclude(local_name="").values_list("code", "local_name"))
    assert set(named) == set(locales)
    for code, locale in locales.items():
        assert named[code] == babel.Locale.parse(locale).territories[code]
        citation = Citation.objects.get(jurisdiction__code=code, source__slug="unicode-cldr")
        assert citation.fields == ["name", "local_name"]


def test_english_names_are_cldrs_and_codes_isos(seeded):
    babel = pytest.importorskip("babel")
    english = babel.Locale.parse("en").territories
    for jurisdiction in Jurisdiction.objects.filter(kind="national"):
        assert jurisdiction.name == english[jurisdiction.code]
        by_source = {c.source.slug: c.fields for c in jurisdiction.citations.all()}
        assert "name" in by_source["unicode-cldr"]
        assert "code" in by_source["iso-3166-1"]
        assert "name" not in by_source["iso-3166-1"]
    for code, source in [
        ("ASEAN", "asean-member-states"),
        ("EU", "eu-dataprivacymanager-eu-member-states"),  # quotes the name
    ]:
        backing = Citation.objects.filter(jurisdiction__code=code).select_related("source")
        assert [c.source.slug for c in backing if "name" in c.fields] == [source]


@pytest.mark.parametrize(
    ("slug", "kind", "actor", "instrument"),
    [
        (
            "kratsios-urges-asia-to-reject-eu-regulation",
            "statement",
            "michael-kratsios",
            "eu-ai-act",
        ),
        (
            "us-congress-push-to-ban-chinese-ai-from-federal-use",
            "proposed_ban",
            "us-congress",
            "us-ban-chinese-ai-federal-use",
        ),
        ("li-qiang-calls-for-international-ai-governance-body", "proposal", "li-qiang", None),
        ("ai-seoul-summit-2024", "summit", None, "seoul-declaration-2024"),
    ],
)
def test_events(seeded, slug, kind, actor, instrument):
    event = Event.objects.get(slug=slug)
    assert event.kind == kind
    if actor:
        assert event.actors.filter(slug=actor).exists()
    if instrument:
        assert event.instruments.filter(slug=instrument).exists()
    assert event.citations.exists()


def test_the_reported_push_is_dated_by_the_bills_introduction(seeded):
    event = Event.objects.get(slug="us-congress-push-to-ban-chinese-ai-from-federal-use")
    assert (event.date, event.date_precision) == (datetime.date(2025, 6, 25), "day")
    assert event.reported_on == datetime.date(2025, 8, 8)  # by the article


def test_undated_events_stay_undated(empty, tmp_path):
    # The seed holds no undated event any more: load the reported push without its date.
    def undate(records):
        set_field("us-congress-push-to-ban-chinese-ai-from-federal-use", "date", None)(records)
        set_field("us-congress-push-to-ban-chinese-ai-from-federal-use", "date_precision", "")(
            records
        )
        # ...and without the citations that back its date.
        records[:] = [
            record
            for record in records
            if record["fields"].get("event")
            != ["us-congress-push-to-ban-chinese-ai-from-federal-use"]
            or "date" not in record["fields"]["fields"]
        ]

    folder = corrupt(tmp_path, "events.json", undate)
    call_command_output("seed", fixtures_dir=str(folder))
    event = Event.objects.get(slug="us-congress-push-to-ban-chinese-ai-from-federal-use")
    assert event.date is None
    assert event.when is None
    assert event.reported_on == datetime.date(2025, 8, 8)


@pytest.mark.parametrize(
    ("slug", "date", "host", "co_hosts", "source", "quoted"),
    [
        (
            "kratsios-urges-asia-to-reject-eu-regulation",
            "2025-08-05",
            "KR",
            [],
            "anews-kratsios-2025-08-05",
            True,
        ),
        (
            "li-qiang-calls-for-international-ai-governance-body",
            "2025-07-26",
            "CN",
            [],
            "cn-deepnewz-waico-proposal",
            True,
        ),
        ("ai-seoul-summit-2024", "2024-05-21", "KR", ["GB"], "korea-net-seoul-declaration", True),
        (
            "asean-digital-ministers-meeting-2024",
            "2024-02-02",
            "SG",
            [],
            "digitalpolicyalert-asean-guide",
            False,
        ),
        (
            "timor-leste-joins-asean-2025",
            "2025-10-26",
            "MY",
            [],
            "asiaone-timor-leste-asean",
            False,
        ),
        (
            "us-congress-push-to-ban-chinese-ai-from-federal-use",
            "2025-06-25",
            "US",
            [],
            "us-congress-s2177-is",
            True,
        ),
    ],
)
def test_events_are_placed_and_dated(seeded, slug, date, host, co_hosts, source, quoted):
    event = Event.objects.get(slug=slug)
    assert (event.date.isoformat(), event.host.code) == (date, host)
    assert list(event.co_hosts.values_list("code", flat=True)) == co_hosts
    # A source may back other fields in citations of their own: one of its citations backs the
    # date, with a quote where the source has a sentence stating it.
    [backing] = [c for c in event.citations.filter(source__slug=source) if "date" in c.fields]
    assert bool(backing.quote) == quoted
    host_sources = {c.source.slug for c in event.citations.all() if "host" in c.fields}
    assert host_sources
    if slug.startswith("kratsios"):
        # The article names no place: the host was once recorded from nothing.
        assert ARTICLE_SLUG not in host_sources


def test_actors(seeded):
    actors = {
        a.slug: (a.kind, a.jurisdiction.code) for a in Actor.objects.select_related("jurisdiction")
    }
    assert actors == {
        "michael-kratsios": ("person", "US"),
        "li-qiang": ("person", "CN"),
        "us-congress": ("organisation", "US"),
        "xai": ("organisation", "US"),
        "xi-jinping": ("person", "CN"),
        "jp-ai-safety-institute": ("organisation", "JP"),
        "kr-national-ai-strategy-committee": ("organisation", "KR"),
        "gb-ai-security-institute": ("organisation", "GB"),
        "ca-evan-solomon": ("person", "CA"),
        "au-ai-safety-institute": ("organisation", "AU"),
    }


def test_the_article_source(seeded):
    article = Source.objects.get(slug=ARTICLE_SLUG)
    assert (article.author, article.publisher, article.url, article.kind) == (
        "Anish",
        "",
        "",
        "article",
    )
    assert article.published_on.isoformat() == "2025-08-08"
    assert article.title == "U.S.–Asia AI Tug-of-War: Flexible Governance vs. Over-Regulation"


def test_article_quotes_are_verbatim(seeded, article_text):
    quotes = Citation.objects.filter(source__slug=ARTICLE_SLUG).values_list("quote", flat=True)
    assert quotes
    for quote in quotes:
        assert quote
        assert quote in article_text


# ---- current values that follow a timeline --------------------------------------------------


def history_counts():
    return {model: model.history.count() for model in (Jurisdiction, Instrument)}


def test_reseeding_keeps_an_editors_newer_assessment_and_writes_no_history(seeded):
    vietnam = Jurisdiction.objects.get(code="VN")
    jurisdiction_change_approach(
        jurisdiction=vietnam,
        approach="hybrid",
        summary="Edited.",
        assessed_on=datetime.date(2026, 11, 1),
    )
    before = history_counts()
    assert "0 created, 0 updated" in call_command_output("seed")
    vietnam.refresh_from_db()
    assert (vietnam.approach, vietnam.approach_summary) == ("hybrid", "Edited.")
    assert history_counts() == before


def test_a_new_assessment_in_the_fixtures_moves_the_approach_once(seeded, tmp_path):
    def add(records):
        records += [
            {
                "model": "jurisdictions.approachassessment",
                "fields": {
                    "jurisdiction": ["TH"],
                    "approach": "hybrid",
                    "summary": "Mixed.",
                    "date": "2026-06-01",
                    "date_precision": "day",
                    "assessed_on": "2026-06-01",
                    "assessed_on_precision": "day",
                    "note": "",
                },
            }
        ]

    folder = corrupt(tmp_path, "jurisdictions.json", add)
    entries = Jurisdiction.history.filter(code="TH").count()
    assert "1 created, 0 updated" in call_command_output("seed", fixtures_dir=str(folder))
    thailand = Jurisdiction.objects.get(code="TH")
    assert (thailand.approach, thailand.approach_summary) == ("hybrid", "Mixed.")
    latest = Jurisdiction.history.filter(code="TH").latest()
    assert Jurisdiction.history.filter(code="TH").count() == entries + 1
    assert (latest.history_type, latest.approach) == ("~", "hybrid")


def test_an_approach_written_in_a_jurisdiction_fixture_is_not_taken(empty, tmp_path):
    def mutate(records):
        # Jurisdictions are keyed by code, not slug (`set_field` would change nothing).
        for record in records:
            if record["fields"].get("code") in ("BN", "VN"):
                record["fields"]["approach"] = "binding"

    folder = corrupt(tmp_path, "jurisdictions.json", mutate)
    call_command_output("seed", fixtures_dir=str(folder))
    # Brunei has no assessment: its approach follows the (empty) timeline, not the fixture.
    assert Jurisdiction.objects.get(code="BN").approach == "not_assessed"
    assert Jurisdiction.objects.get(code="VN").approach == "risk_based"


def test_a_fixture_status_is_kept_only_without_a_timeline(empty, tmp_path):
    def mutate(records):
        set_field("eu-ai-act", "status", "repealed")(records)
        # A pending bill without a timeline (the one the article reports now has one).
        set_field("ph-hb-2827", "status", "withdrawn")(records)

    folder = corrupt(tmp_path, "instruments.json", mutate)
    call_command_output("seed", fixtures_dir=str(folder))
    assert Instrument.objects.get(slug="eu-ai-act").status == "in_effect"
    assert Instrument.objects.get(slug="ph-hb-2827").status == "withdrawn"
