"""The seed fixtures and the `seed` command."""

import json
import shutil
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from instruments.models import Actor, Citation, Event, Instrument, Source, StatusChange
from instruments.seeding import SEED_FILES
from jurisdictions.models import Jurisdiction, Membership
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


def fixture_record_count():
    return sum(
        len(json.loads((FIXTURES_DIR / name).read_text(encoding="utf-8"))) for name in SEED_FILES
    )


def test_seed_into_an_empty_database_then_again_changes_nothing(empty):
    total = fixture_record_count()
    assert f"{total} created, 0 updated, 0 unchanged" in call_command_output("seed")
    after_first = counts()
    assert after_first["instruments.Instrument"] == 13
    assert f"0 created, 0 updated, {total} unchanged" in call_command_output("seed")
    assert counts() == after_first  # history tables included: nothing was re-saved


def test_seed_records_one_history_entry_per_record_with_its_links(seeded):
    # The session's seed created the records: one entry each, relations included.
    record = Instrument.history.filter(slug="cn-interim-measures-generative-ai").get()
    assert record.history_type == "+"
    assert record.history_change_reason == "seed from instruments.json"
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


@pytest.mark.parametrize(
    ("name", "mutate", "expected"),
    [
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
        ("actors.json", lambda records: records.append(["not", "an", "object"]), "record 8"),
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

APPROACHES = {
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
    **dict.fromkeys(["BN", "KH", "LA", "MY", "MM", "PH", "TL", "OECD", "INTL"], "not_assessed"),
}


@pytest.mark.parametrize(("code", "approach"), APPROACHES.items())
def test_jurisdiction_approaches(seeded, code, approach):
    assert Jurisdiction.objects.get(code=code).approach == approach


# (jurisdiction, slug, words the article uses for it, type)
INSTRUMENTS = [
    (
        "CN",
        "cn-interim-measures-generative-ai",
        "Interim Measures for Generative AI",
        "binding_law",
    ),
    (
        "SG",
        "sg-model-ai-governance-framework",
        "Model AI Governance Framework",
        "voluntary_framework",
    ),
    ("SG", "sg-ai-verify-toolkit", "AI Verify Toolkit", "voluntary_framework"),
    (
        "JP",
        "jp-ai-guidelines-for-business-2024",
        "AI Guidelines for Business",
        "voluntary_framework",
    ),
    ("JP", "jp-basic-law-responsible-ai-draft", "Basic Law for Responsible AI", "draft_bill"),
    ("KR", "kr-ai-framework-act", "AI Framework Act", "binding_law"),
    ("KR", "kr-pipa-automated-decisions", "PIPA amendments", "binding_law"),
    (
        "ASEAN",
        "asean-guide-ai-governance-ethics",
        "AI Governance and Ethics",
        "voluntary_framework",
    ),
    ("OECD", "oecd-ai-principles", "OECD AI Principles", "voluntary_framework"),
    ("INTL", "seoul-declaration-2024", "Seoul Declaration", "declaration"),
    ("US", "us-ban-chinese-ai-federal-use", "ban Chinese AI systems", "draft_bill"),
    ("EU", "eu-ai-act", "AI Act", "binding_law"),
]


@pytest.mark.parametrize(("code", "slug", "words", "type_"), INSTRUMENTS)
def test_instrument_classifications(seeded, code, slug, words, type_):
    instrument = Instrument.objects.get(slug=slug)
    assert instrument.jurisdiction.code == code
    assert instrument.type == type_
    assert words.lower() in f"{instrument.title} {instrument.short_name}".lower()
    assert instrument.citations.filter(source__slug=ARTICLE_SLUG).exclude(quote="").exists()


def test_japanese_guidelines_are_dated_2024(seeded):
    assert str(Instrument.objects.get(slug="jp-ai-guidelines-for-business-2024").adopted) == "2024"


def test_seoul_declaration_parties(seeded):
    parties = Instrument.objects.get(slug="seoul-declaration-2024").parties.values_list(
        "code", flat=True
    )
    assert set(parties) == {"AU", "CA", "EU", "FR", "DE", "IT", "JP", "KR", "SG", "GB", "US"}


def test_japanese_draft_evolves_into_the_enacted_act(seeded):
    draft = Instrument.objects.get(slug="jp-basic-law-responsible-ai-draft")
    relation = draft.relations_out.get()
    assert (relation.kind, relation.to_instrument.slug) == ("evolves_into", "jp-ai-promotion-act")
    act = relation.to_instrument
    assert (act.type, act.status, act.adopted_on.isoformat()) == (
        "binding_law",
        "in_effect",
        "2025-05-28",
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
        ("jp-ai-promotion-act", [("adopted", "2025-05-28"), ("in_effect", "2025-09-01")]),
        ("eu-ai-act", [("in_effect", "2024-08-01")]),
        ("seoul-declaration-2024", [("adopted", "2024-05-21")]),
        ("asean-guide-ai-governance-ethics", [("adopted", "2024-02-02")]),
    ],
)
def test_status_timelines_from_reference_facts(seeded, slug, timeline):
    changes = StatusChange.objects.filter(instrument__slug=slug).chronological()
    assert [(c.status, c.date.isoformat()) for c in changes] == timeline
    assert Instrument.objects.get(slug=slug).status == timeline[-1][0]
    for change in changes:
        assert change.citations.exclude(source__slug=ARTICLE_SLUG).exists()


def test_asean_membership_is_dated(seeded):
    assert Jurisdiction.objects.members_of("ASEAN").count() == 11
    assert Jurisdiction.objects.members_of("ASEAN", year=2024).count() == 10
    assert not Jurisdiction.objects.members_of("ASEAN").filter(code="TW").exists()
    timor = Membership.objects.filter(member__code="TL").order_by("start_year")
    assert [(m.role, m.start_year, m.end_year) for m in timor] == [
        ("observer", 2022, 2025),
        ("member", 2025, None),
    ]
    years = dict(
        Membership.objects.filter(role="member", bloc__code="ASEAN").values_list(
            "member__code", "start_year"
        )
    )
    assert years == {
        **dict.fromkeys(["ID", "MY", "PH", "SG", "TH"], 1967),
        "BN": 1984,
        "VN": 1995,
        "LA": 1997,
        "MM": 1997,
        "KH": 1999,
        "TL": 2025,
    }


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
        assert citation.fields == ["local_name"]


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


def test_undated_events_stay_undated(seeded):
    event = Event.objects.get(slug="li-qiang-calls-for-international-ai-governance-body")
    assert event.date is None
    assert event.when is None
    assert "Shanghai" in event.location


def test_actors(seeded):
    actors = {
        a.slug: (a.kind, a.jurisdiction.code) for a in Actor.objects.select_related("jurisdiction")
    }
    assert actors == {
        "michael-kratsios": ("person", "US"),
        "li-qiang": ("person", "CN"),
        "us-congress": ("organisation", "US"),
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
