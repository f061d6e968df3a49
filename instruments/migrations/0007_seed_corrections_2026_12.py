"""Seed corrections of 4 December 2026, for a database seeded before them (the seed adds and
updates, never deletes): two status steps the sources date otherwise (the AI Guidelines for
Business took effect on 19 April 2024, not "2024"; the LDP draft was a draft from 16 February
2024, not "proposed" in February), the citations that quoted citations replace (references
without a quote, and the article's citations of fields its words do not state), and the sources
no citation is left to. Rows already absent are skipped; the seed run that follows re-syncs each
instrument's status.

Reversing removes nothing and puts nothing back (the removed rows were wrong or replaced). It
notes the rows this would remove that are there at that moment, though (a record added since
can match a removed one): applying this again leaves those alone, so a reverse and a forward
change no data (`policytracker.core.migration_keeping`)."""

from django.db import migrations

from policytracker.core import migration_keeping as keeping

# (instrument slug, status, date) of each status step to remove.
STEPS = [
    ["jp-ai-guidelines-for-business-2024", "in_effect", "2024-01-01"],
    ["jp-basic-law-responsible-ai-draft", "proposed", "2024-02-01"],
]

# (source slug, kind of record, the record's natural key, quote) of each citation to remove.
CITATIONS = [
    ["ec-glossary-european-union", "jurisdiction", ["EU"], ""],
    [
        "us-asia-ai-governance-2025-08-08",
        "jurisdiction",
        ["INTL"],
        "The Seoul Declaration from the 2024 AI Seoul Summit signaled a shared vision of safe and inclusive AI",
    ],
    ["luatvietnam-law-134-2025", "approach_assessment", ["VN", "2026-03-01"], ""],
    ["vna-six-new-laws-2026-03-01", "approach_assessment", ["VN", "2026-03-01"], ""],
    ["cac-interim-measures", "instrument", ["cn-interim-measures-generative-ai"], ""],
    [
        "comparativeai-cn-interim-measures",
        "status_change",
        ["cn-interim-measures-generative-ai", "adopted", "2023-07-13"],
        "",
    ],
    [
        "comparativeai-cn-interim-measures",
        "status_change",
        ["cn-interim-measures-generative-ai", "in_effect", "2023-08-15"],
        "",
    ],
    [
        "pdpc-model-ai-governance-framework",
        "status_change",
        ["sg-model-ai-governance-framework", "in_effect", "2019-01-23"],
        "",
    ],
    [
        "pdpc-model-ai-governance-framework",
        "status_change",
        ["sg-model-ai-governance-framework", "in_effect", "2020-01-21"],
        "",
    ],
    ["ai-verify-foundation", "instrument", ["sg-ai-verify-toolkit"], ""],
    [
        "dataprotectionreport-ai-verify-foundation",
        "status_change",
        ["sg-ai-verify-toolkit", "in_effect", "2022-05-01"],
        "",
    ],
    [
        "us-asia-ai-governance-2025-08-08",
        "status_change",
        ["jp-ai-guidelines-for-business-2024", "in_effect", "2024-01-01"],
        "Japan is gradually transitioning from soft, ethical guidelines—like its 2024 AI Guidelines for Business",
    ],
    [
        "hoganlovells-apac-ai-monitor-japan",
        "status_change",
        ["jp-basic-law-responsible-ai-draft", "proposed", "2024-02-01"],
        "",
    ],
    [
        "hoganlovells-apac-ai-monitor-japan",
        "status_change",
        ["jp-ai-promotion-act", "in_effect", "2025-06-04"],
        "",
    ],
    [
        "cset-south-korea-ai-law-2025",
        "status_change",
        ["kr-ai-framework-act", "adopted", "2024-12-26"],
        "",
    ],
    [
        "cset-south-korea-ai-law-2025",
        "status_change",
        ["kr-ai-framework-act", "in_effect", "2026-01-22"],
        "",
    ],
    ["kimchang-pipa-automated-decisions", "instrument", ["kr-pipa-automated-decisions"], ""],
    ["asialaw-pipa-second-enforcement-decree", "instrument", ["kr-pipa-automated-decisions"], ""],
    ["draju-pipa-2024", "instrument", ["kr-pipa-automated-decisions"], ""],
    [
        "draju-pipa-2024",
        "status_change",
        ["kr-pipa-automated-decisions", "adopted", "2023-03-14"],
        "",
    ],
    [
        "asialaw-pipa-second-enforcement-decree",
        "status_change",
        ["kr-pipa-automated-decisions", "adopted", "2023-03-14"],
        "",
    ],
    [
        "draju-pipa-2024",
        "status_change",
        ["kr-pipa-automated-decisions", "in_effect", "2024-03-15"],
        "",
    ],
    [
        "kimchang-pipa-automated-decisions",
        "status_change",
        ["kr-pipa-automated-decisions", "in_effect", "2024-03-15"],
        "",
    ],
    ["dataguidance-oecd-ai-principles-update", "instrument", ["oecd-ai-principles"], ""],
    [
        "korea-net-seoul-declaration",
        "status_change",
        ["seoul-declaration-2024", "adopted", "2024-05-21"],
        "",
    ],
    ["eur-lex-ai-act", "instrument", ["eu-ai-act"], ""],
    ["futureprep-digital-omnibus", "instrument", ["eu-ai-act"], ""],
    ["eur-lex-ai-act", "status_change", ["eu-ai-act", "adopted", "2024-06-13"], ""],
    ["eur-lex-ai-act", "status_change", ["eu-ai-act", "in_effect", "2024-08-01"], ""],
    ["vna-six-new-laws-2026-03-01", "instrument", ["vn-law-on-artificial-intelligence"], ""],
    [
        "luatvietnam-law-134-2025",
        "status_change",
        ["vn-law-on-artificial-intelligence", "adopted", "2025-12-10"],
        "",
    ],
    [
        "luatvietnam-law-134-2025",
        "status_change",
        ["vn-law-on-artificial-intelligence", "in_effect", "2026-03-01"],
        "",
    ],
    [
        "vna-six-new-laws-2026-03-01",
        "status_change",
        ["vn-law-on-artificial-intelligence", "in_effect", "2026-03-01"],
        "",
    ],
    [
        "leeandli-taiwan-ai-basic-act",
        "status_change",
        ["tw-ai-basic-act", "adopted", "2025-12-23"],
        "",
    ],
    [
        "leeandli-taiwan-ai-basic-act",
        "status_change",
        ["tw-ai-basic-act", "in_effect", "2026-01-14"],
        "",
    ],
    [
        "moda-taiwan-ai-basic-act",
        "status_change",
        ["tw-ai-basic-act", "in_effect", "2026-01-14"],
        "",
    ],
    [
        "scl-digital-omnibus",
        "status_change",
        ["eu-digital-omnibus-ai", "proposed", "2025-11-19"],
        "",
    ],
    [
        "scl-digital-omnibus",
        "status_change",
        ["eu-digital-omnibus-ai", "adopted", "2026-06-29"],
        "",
    ],
    [
        "futureprep-digital-omnibus",
        "status_change",
        ["eu-digital-omnibus-ai", "adopted", "2026-06-29"],
        "",
    ],
    [
        "wam-china-global-ai-cooperation",
        "event",
        ["li-qiang-calls-for-international-ai-governance-body"],
        "",
    ],
    ["korea-net-seoul-declaration", "event", ["ai-seoul-summit-2024"], ""],
]

# Sources left without a citation by the removals above (removed only if nothing cites them).
SOURCES = [
    "cac-interim-measures",
    "ec-glossary-european-union",
    "wam-china-global-ai-cooperation",
]

LOOKUPS = {
    "jurisdiction": lambda key: {"jurisdiction__code": key[0]},
    "instrument": lambda key: {"instrument__slug": key[0]},
    "event": lambda key: {"event__slug": key[0]},
    "actor": lambda key: {"actor__slug": key[0]},
    "status_change": lambda key: {
        "status_change__instrument__slug": key[0],
        "status_change__status": key[1],
        "status_change__date": key[2],
    },
    "approach_assessment": lambda key: {
        "approach_assessment__jurisdiction__code": key[0],
        "approach_assessment__date": key[1],
    },
}


def corrected_rows(apps):
    """The rows to remove: citations, status steps, and sources (if nothing cites them)."""
    Citation = apps.get_model("instruments", "Citation")
    Source = apps.get_model("instruments", "Source")
    StatusChange = apps.get_model("instruments", "StatusChange")
    citations = [
        Citation.objects.filter(source__slug=source, quote=quote, **LOOKUPS[kind](key))
        for source, kind, key, quote in CITATIONS
    ]
    steps = [
        StatusChange.objects.filter(instrument__slug=slug, status=status, date=date)
        for slug, status, date in STEPS
    ]
    return citations, steps, Source.objects.filter(slug__in=SOURCES)


def remove_corrected_rows(apps, schema_editor):
    citations, steps, sources = corrected_rows(apps)
    spared = {
        queryset.model: keeping.take_spared(schema_editor, __name__, queryset.model)
        for queryset in (citations[0], steps[0], sources)
    }
    for queryset in citations + steps:
        queryset.exclude(pk__in=spared[queryset.model]).delete()
    sources.filter(citations__isnull=True).exclude(pk__in=spared[sources.model]).delete()


def spare_present_rows(apps, schema_editor):
    citations, steps, sources = corrected_rows(apps)
    keeping.spare(schema_editor, __name__, *citations, *steps, sources)


class Migration(migrations.Migration):
    dependencies = [("instruments", "0006_policy_type_coverage_citations")]

    operations = [
        migrations.RunPython(remove_corrected_rows, spare_present_rows),
    ]
