"""Controlled vocabularies of the instruments app and the rules over them.

Imports nothing from the project: models, querysets, filters and serializers import from here.
"""

from django.db import models


class InstrumentType(models.TextChoices):
    """The five kinds of text the product is built around. Closed list: `binding` depends on it."""

    BINDING_LAW = "binding_law", "Binding law"
    VOLUNTARY_FRAMEWORK = "voluntary_framework", "Voluntary framework"
    DRAFT_BILL = "draft_bill", "Draft bill"
    DECLARATION = "declaration", "Declaration"
    POLICY = "policy", "Government policy"


class Force(models.TextChoices):
    """An instrument's legal force, derived from its type and never stored: a binding law binds;
    a draft bill is pending (it binds only if enacted); frameworks, declarations and
    government policies are voluntary (soft law: a policy binds only the government's own
    work). Whether a text is in force is its status on a day, not its force.
    Closed list."""

    BINDING = "binding", "Binding law"
    PENDING = "pending", "Bill (binds if enacted)"
    VOLUNTARY = "voluntary", "Voluntary"


FORCE_OF_TYPE = {
    InstrumentType.BINDING_LAW: Force.BINDING,
    InstrumentType.DRAFT_BILL: Force.PENDING,
    InstrumentType.VOLUNTARY_FRAMEWORK: Force.VOLUNTARY,
    InstrumentType.DECLARATION: Force.VOLUNTARY,
    InstrumentType.POLICY: Force.VOLUNTARY,
}

# How lists and facets name the instruments of each force, counted together.
FORCE_PLURALS = {
    Force.BINDING: "Binding laws",
    Force.PENDING: "Bills (bind if enacted)",
    Force.VOLUNTARY: "Voluntary texts",
}


# Words a source uses to state each type ("a regulation", "a bill", "guidelines"): the data check
# reads a quote backing a type with them.
TYPE_WORDS = {
    InstrumentType.BINDING_LAW: (
        "law",
        "act",
        "regulation",
        "regulations",
        "measures",
        "rules",
        "decree",
        "mandates",
        "binding",
        "statute",
        "amendment",
        "amendments",
    ),
    InstrumentType.DRAFT_BILL: ("bill", "draft", "legislation", "proposal", "proposes"),
    InstrumentType.VOLUNTARY_FRAMEWORK: (
        "framework",
        "guidelines",
        "guide",
        "guidance",
        "code",
        "toolkit",
        "voluntary",
        "principles",
    ),
    InstrumentType.DECLARATION: ("declaration", "statement", "principles", "agreement"),
    InstrumentType.POLICY: ("strategy", "plan", "roadmap", "order", "policy", "agenda"),
}


def types_of_force(*forces):
    """The instrument types of the given forces, in vocabulary order."""
    return [value for value in InstrumentType.values if FORCE_OF_TYPE[value] in forces]


# What each type means, as the methodology page defines it.
TYPE_DEFINITIONS = {
    InstrumentType.BINDING_LAW: "A law, regulation or administrative measure that binds those "
    "it applies to once in effect.",
    InstrumentType.VOLUNTARY_FRAMEWORK: "Guidance, a framework, a code or a testing toolkit that "
    "organisations may follow: soft law.",
    InstrumentType.DRAFT_BILL: "A bill or draft law before a legislature or government: it binds "
    "only if enacted, and then continues as a binding law.",
    InstrumentType.DECLARATION: "A statement of principles adopted by a group of states or "
    "bodies: voluntary.",
    InstrumentType.POLICY: "A government's strategy, plan, roadmap, executive order or policy "
    "statement: it directs the government's own work and imposes no duties on anyone outside "
    "it, so it counts with the voluntary texts.",
}


class InstrumentStatus(models.TextChoices):
    """Where an instrument stands. New values may be added; an empty status means the sources
    do not state one. A voluntary framework published and in use is `in_effect`; a declaration,
    once adopted, stays `adopted`."""

    PROPOSED = "proposed", "Proposed"
    DRAFT = "draft", "Draft"
    ADOPTED = "adopted", "Adopted"
    IN_EFFECT = "in_effect", "In effect"
    SUPERSEDED = "superseded", "Superseded"
    REPEALED = "repealed", "Repealed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# What each status means, as the methodology page defines it.
STATUS_DEFINITIONS = {
    InstrumentStatus.PROPOSED: "Introduced or announced, not yet adopted.",
    InstrumentStatus.DRAFT: "Published as a draft, for consultation or debate.",
    InstrumentStatus.ADOPTED: "Enacted or published, not yet in effect (a declaration, once "
    "adopted, stays adopted).",
    InstrumentStatus.IN_EFFECT: "Applies on the day: a law in force, a framework published and "
    "in use.",
    InstrumentStatus.SUPERSEDED: "Replaced by a later text (linked from it where recorded).",
    InstrumentStatus.REPEALED: "Revoked after having been in effect.",
    InstrumentStatus.WITHDRAWN: "Abandoned before adoption.",
}


# Words a source uses to state each status ("signed into law" states adoption, "came into
# force" that it is in effect), in English and in the other languages the seed quotes: the data
# check reads a quote backing a status with them (see `status_words`).
STATUS_WORDS = {
    InstrumentStatus.PROPOSED: (
        "proposed",
        "introduced",
        "filed",
        "tabled",
        "submitted",
        "presented",
        "began",  # "the parliamentary process began"
        "gesetzentwurf",  # de: bill
    ),
    InstrumentStatus.DRAFT: (
        "draft",
        "drafting",
        "consultation",
        "comment",
        "comments",
        "rancangan",  # id: draft
    ),
    InstrumentStatus.ADOPTED: (
        "adopted",
        "signed",
        "enacted",
        "passed",
        "approved",
        "approving",
        "promulgated",
        "issued",
        "published",
        "released",
        "notified",
        "endorsed",
        "signature",
        "became",  # "became law"
        "beschlossen",  # de: adopted
        "verabschiedet",  # de: passed
        "legge",  # it: (dated) law
        "pubblicata",  # it: published
    ),
    InstrumentStatus.IN_EFFECT: (
        "effect",
        "effective",
        "force",
        "applies",
        "apply",
        "applicable",
        "launched",
        "published",
        "released",
        "issued",
    ),
    InstrumentStatus.SUPERSEDED: (
        "superseded",
        "replaced",
        "replaces",
        "repealed",
        "replace",
        "repeals",
        "reenacts",
    ),
    InstrumentStatus.REPEALED: ("repealed", "revoked", "rescinded"),
    InstrumentStatus.WITHDRAWN: ("withdrawn", "died", "lapsed", "abandoned", "dropped"),
}


# A voluntary text or a policy is in effect once published and in use, so the words that state
# its adoption or launch state that too (never for a binding law: adopted is not in force).
_PUBLICATION_WORDS = (
    "adopted",
    "adoption",
    "approved",
    "approving",
    "launched",
    "launch",
    "announced",
    "introduced",
    "signed",
    "available",
    "beschlossen",  # de: adopted
    "verabschiedeten",  # de: adopted
    "lancée",  # fr: launched
    "luncurkan",  # id: launch
    "menantandatangani",  # id: signed (as the source spells it)
    "disponibile",  # it: available
)


def status_words(status, instrument_type):
    """The words that state `status` for an instrument of `instrument_type`."""
    words = STATUS_WORDS.get(status, ())
    if (
        status == InstrumentStatus.IN_EFFECT
        and FORCE_OF_TYPE.get(instrument_type) == Force.VOLUNTARY
    ):
        words = (*words, *_PUBLICATION_WORDS)
    return words


# Order of statuses that fall on the same day in a timeline (adopted and in effect on one date).
STATUS_SEQUENCE = [
    InstrumentStatus.PROPOSED,
    InstrumentStatus.DRAFT,
    InstrumentStatus.ADOPTED,
    InstrumentStatus.IN_EFFECT,
    InstrumentStatus.SUPERSEDED,
    InstrumentStatus.REPEALED,
    InstrumentStatus.WITHDRAWN,
]

# Statuses an instrument of a type can never have now: a bill still in draft is not in effect,
# and a law cannot be merely proposed (that is a draft bill).
TYPE_STATUS_CONFLICTS = {
    InstrumentType.DRAFT_BILL: frozenset({InstrumentStatus.IN_EFFECT, InstrumentStatus.REPEALED}),
    InstrumentType.BINDING_LAW: frozenset({InstrumentStatus.PROPOSED, InstrumentStatus.DRAFT}),
}

# Statuses a type can never have had. Every law was a bill before it was enacted, so a binding
# law's timeline may begin with `proposed` or `draft`; a bill that took effect would be a law.
TIMELINE_STATUS_CONFLICTS = {
    InstrumentType.DRAFT_BILL: TYPE_STATUS_CONFLICTS[InstrumentType.DRAFT_BILL],
}


def _conflict(conflicts, instrument_type, status):
    if status and status in conflicts.get(instrument_type, ()):
        return (
            f"a {InstrumentType(instrument_type).label.lower()} cannot be "
            f"{InstrumentStatus(status).label.lower()}"
        )
    return ""


def type_status_conflict(instrument_type, status):
    """A sentence saying why current `status` contradicts `instrument_type`, or "" if none."""
    return _conflict(TYPE_STATUS_CONFLICTS, instrument_type, status)


def timeline_status_conflict(instrument_type, status):
    """A sentence saying why a timeline step to `status` contradicts `instrument_type`, or ""."""
    return _conflict(TIMELINE_STATUS_CONFLICTS, instrument_type, status)


class RelationKind(models.TextChoices):
    """How one instrument relates to another (read "from <kind> to"). New kinds may be added."""

    AMENDS = "amends", "amends"
    SUPERSEDES = "supersedes", "supersedes"
    IMPLEMENTS = "implements", "implements"
    ALIGNED_WITH = "aligned_with", "is aligned with"
    EVOLVES_INTO = "evolves_into", "evolves into"


# How a relation reads from the other end ("the Omnibus amends the Act": "amended by").
RELATION_INVERSE_LABELS = {
    RelationKind.AMENDS: "amended by",
    RelationKind.SUPERSEDES: "superseded by",
    RelationKind.IMPLEMENTS: "implemented by",
    RelationKind.ALIGNED_WITH: "is aligned with",
    RelationKind.EVOLVES_INTO: "evolved from",
}

# Statuses in which an instrument no longer has legal force (schema.org `NotInForce`).
ENDED_STATUSES = frozenset(
    {InstrumentStatus.SUPERSEDED, InstrumentStatus.REPEALED, InstrumentStatus.WITHDRAWN}
)


class IdentifierScheme(models.TextChoices):
    """Official identifier schemes. New schemes may be added as jurisdictions are."""

    ELI = "eli", "European Legislation Identifier (ELI)"
    CELEX = "celex", "CELEX number"
    LAW_NUMBER = "law_number", "Official law or act number"
    BILL_NUMBER = "bill_number", "Bill number"


class EventKind(models.TextChoices):
    """What sort of event. New kinds may be added; `other` holds the rest meanwhile."""

    SUMMIT = "summit", "Summit"
    CONFERENCE = "conference", "Conference"
    STATEMENT = "statement", "Statement"
    PROPOSAL = "proposal", "Proposal"
    PROPOSED_BAN = "proposed_ban", "Proposed ban"
    LEGISLATIVE_ACTION = "legislative_action", "Legislative action"
    OTHER = "other", "Other"


class ActorKind(models.TextChoices):
    """Closed list."""

    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class SourceKind(models.TextChoices):
    """Closed list: `check_data` treats article sources strictly (every citation needs a quote
    and a locator)."""

    ARTICLE = "article", "Article"
    OFFICIAL = "official", "Official document"
    REFERENCE = "reference", "Reference"


class CitedRecordKind(models.TextChoices):
    """The kinds of record a citation can back: the names of `Citation`'s target fields, in
    the order `instruments.models.citations.CITED_RECORDS` maps them to their models. Grows
    only with a new target field."""

    JURISDICTION = "jurisdiction", "Jurisdiction"
    INSTRUMENT = "instrument", "Instrument"
    EVENT = "event", "Event"
    ACTOR = "actor", "Actor"
    STATUS_CHANGE = "status_change", "Status change"
    APPROACH_ASSESSMENT = "approach_assessment", "Approach assessment"
    COVERAGE_REVIEW = "coverage_review", "Coverage review"
