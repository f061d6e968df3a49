"""Controlled vocabularies of the jurisdictions app and the rules over them.

Imports nothing from the project: models, querysets, filters and serializers import from here.
"""

from django.db import models


class Kind(models.TextChoices):
    """What sort of authority a jurisdiction is. Closed list: a new kind changes the pages."""

    NATIONAL = "national", "National"
    SUBNATIONAL = "subnational", "Sub-national"
    REGIONAL_BLOC = "regional_bloc", "Regional bloc"
    INTERNATIONAL = "international", "International"


class Approach(models.TextChoices):
    """Overall governance style as a dated source characterises it. New values may be added when
    a source describes a style none of these fits; `not_assessed` means no source says anything,
    and is what a jurisdiction without an approach assessment shows."""

    BINDING = "binding", "Binding"
    RISK_BASED = "risk_based", "Risk-based"
    TRANSITIONING = "transitioning", "Transitioning"
    VOLUNTARY = "voluntary", "Voluntary"
    LIGHT_TOUCH = "light_touch", "Light-touch"
    HYBRID = "hybrid", "Hybrid"
    NOT_ASSESSED = "not_assessed", "Not assessed"


# What each approach means, as the methodology page defines it.
APPROACH_DEFINITIONS = {
    Approach.BINDING: "Governs AI mainly through binding, AI-specific rules (laws, regulations, "
    "administrative measures) that apply now.",
    Approach.RISK_BASED: "Regulates AI by a binding framework that sorts AI systems by risk and "
    "sets duties by risk level.",
    Approach.TRANSITIONING: "Moving from soft guidance towards binding rules: a law is in "
    "preparation or adopted but its duties are not yet the main instrument.",
    Approach.VOLUNTARY: "Relies on voluntary guidelines, frameworks, sandboxes and testing tools "
    "rather than binding AI-specific rules.",
    Approach.LIGHT_TOUCH: "Favours minimal, innovation-first regulation and argues against "
    "binding AI-specific rules.",
    Approach.HYBRID: "Combines binding rules for some uses of AI with voluntary guidance for "
    "the rest, no one style dominating.",
    Approach.NOT_ASSESSED: "No source in the tracker characterises its approach: the tracker "
    "never guesses one.",
}

# Words a source uses to state each approach ("stringent regulations", "sandbox-driven"): the
# data check reads a quote backing an approach with them.
APPROACH_WORDS = {
    Approach.BINDING: ("binding", "regulation", "regulations", "rules", "mandates", "law"),
    Approach.RISK_BASED: ("risk", "risks", "tiered", "high-risk"),
    Approach.TRANSITIONING: ("transitioning", "moving", "toward", "towards", "shift"),
    Approach.VOLUNTARY: ("voluntary", "guidelines", "guidance", "soft", "sandbox"),
    Approach.LIGHT_TOUCH: ("light", "touch", "light-touch", "innovation-first", "minimal"),
    Approach.HYBRID: ("hybrid", "mix", "combines"),
}

# What an assessment may conclude: "not assessed" is the absence of one, never its finding.
ASSESSED_APPROACHES = [value for value in Approach.values if value != Approach.NOT_ASSESSED]


class CoverageResult(models.TextChoices):
    """What a coverage review found in one category. "Nothing found" is a finding (the category
    was searched and holds nothing); "not reviewed" is the absence of one. Closed list."""

    FOUND = "found", "Found"
    NOTHING_FOUND = "nothing_found", "Nothing found"
    NOT_REVIEWED = "not_reviewed", "Not reviewed"


# The categories a coverage review answers for, in the order pages list them: each is a result
# field of `CoverageReview` (with a `<name>_note` beside it) and a name its citations may back.
COVERAGE_CATEGORIES = {
    "law_in_force": "AI-specific law in force",
    "law_adopted": "AI law adopted, not yet in force",
    "bills": "Bills and drafts",
    "strategy": "National strategy or plan",
    "voluntary": "Voluntary frameworks and guidance",
    "sector_rules": "Sector rules (finance, health, …)",
    "international": "International commitments",
}

# The same as choices (value, label), for fields and the API schema.
COVERAGE_CATEGORY_CHOICES = tuple(COVERAGE_CATEGORIES.items())

# The kinds of source a review may have checked: each a yes/no field of `CoverageReview`.
COVERAGE_SOURCE_KINDS = {
    "checked_legislature": "Official gazette or legislature",
    "checked_government": "Ministry or regulator",
    "checked_tracker": "Law-firm or research tracker",
}


class Region(models.TextChoices):
    """UN M49 sub-regions (plus the regions "Europe" and "World" for blocs and international
    bodies). New M49 names may be added as the data set grows."""

    NORTHERN_AFRICA = "northern_africa", "Northern Africa"
    SUB_SAHARAN_AFRICA = "sub_saharan_africa", "Sub-Saharan Africa"
    LATIN_AMERICA_CARIBBEAN = "latin_america_caribbean", "Latin America and the Caribbean"
    NORTHERN_AMERICA = "northern_america", "Northern America"
    CENTRAL_ASIA = "central_asia", "Central Asia"
    EASTERN_ASIA = "eastern_asia", "Eastern Asia"
    SOUTH_EASTERN_ASIA = "south_eastern_asia", "South-eastern Asia"
    SOUTHERN_ASIA = "southern_asia", "Southern Asia"
    WESTERN_ASIA = "western_asia", "Western Asia"
    EASTERN_EUROPE = "eastern_europe", "Eastern Europe"
    NORTHERN_EUROPE = "northern_europe", "Northern Europe"
    SOUTHERN_EUROPE = "southern_europe", "Southern Europe"
    WESTERN_EUROPE = "western_europe", "Western Europe"
    EUROPE = "europe", "Europe"
    AUSTRALIA_NEW_ZEALAND = "australia_new_zealand", "Australia and New Zealand"
    MELANESIA = "melanesia", "Melanesia"
    MICRONESIA = "micronesia", "Micronesia"
    POLYNESIA = "polynesia", "Polynesia"
    WORLD = "world", "World"


class MembershipRole(models.TextChoices):
    """How a jurisdiction belongs to a bloc. New roles (e.g. dialogue partner) may be added."""

    MEMBER = "member", "Member"
    OBSERVER = "observer", "Observer"


# The language each jurisdiction's `local_name` is written in, as a BCP 47 tag for `lang`
# attributes (screen readers switch voice, browsers pick the right CJK glyphs). The tags follow
# the CLDR locales the seed's local names come from, so Singapore's “Singapura” is Malay (`ms`).
# A code missing here has no known local-name language and pages leave `lang` off. Add a code
# when a local name is added for it.
LOCAL_NAME_LANGUAGES = {
    "BN": "ms",
    "CN": "zh-Hans",
    "DE": "de",
    "FR": "fr",
    "ID": "id",
    "IT": "it",
    "JP": "ja",
    "KH": "km",
    "KR": "ko",
    "LA": "lo",
    "MM": "my",
    "MY": "ms",
    "PH": "fil",
    "SG": "ms",
    "TH": "th",
    "TL": "pt",
    "TW": "zh-Hant",
    "VN": "vi",
}


def local_language(code):
    """BCP 47 tag of the language of the local name of the jurisdiction `code`, or ""."""
    return LOCAL_NAME_LANGUAGES.get(code, "")
