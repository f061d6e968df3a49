"""Template filters and tags of the browsing pages.

The inclusion tags render the small fragments a page repeats many times (citation markers, dates,
badges, fact rows); each keeps its markup in `templates/includes/`, named in its decorator."""

from django import template
from django.urls import reverse

from instruments import known_at
from instruments.field_labels import field_label
from instruments.records import KINDS
from instruments.vocabulary import EventKind, InstrumentStatus, InstrumentType
from jurisdictions.vocabulary import Approach, Region
from policytracker.core.dates import partial_date
from policytracker.web.diffs import field_html, shown_fields

register = template.Library()


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value


@register.filter
def status_label(value):
    """`in_effect` → "In effect" (annotations such as `as_of_status` carry only the value)."""
    return _label(InstrumentStatus, value)


@register.filter
def approach_label(value):
    return _label(Approach, value)


@register.filter
def type_label(value):
    return _label(InstrumentType, value)


@register.filter
def region_label(value):
    return _label(Region, value)


@register.filter
def event_kind_label(value):
    return _label(EventKind, value)


@register.filter
def as_of_param(day, is_today=False):
    """`{{ as_of|as_of_param }}`: "&as_of=YYYY-MM-DD" to add to a link's query string for a
    list as of `day`; "" for none, or for today (`{{ day|as_of_param:is_today }}`)."""
    if not day or is_today:
        return ""
    return f"&as_of={day.isoformat()}"


@register.filter
def known_at_url(record, day):
    """`{{ object|known_at_url:entry.time }}`: the address of `record`'s page as the tracker
    published it at the end of `day` (a date, or a moment such as an edit-history entry's
    `time`, read as its UTC day), e.g. "/instruments/eu-ai-act/?known_at=2026-03-03"; "" for a
    record with no page of its own."""
    if record is None or not day:
        return ""
    return known_at.known_at_url(record, day) or ""


@register.filter
def backed_fields(citation):
    """The fields a citation backs, by the names its record's page gives them ("In effect
    from", not `effective_on`), each once, in the citation's order."""
    names = citation.fields if isinstance(citation.fields, list) else []
    return list(dict.fromkeys(field_label(citation.record_kind, name) for name in names))


@register.filter
def binding_law_since(jurisdiction):
    """The day (a `PartialDate`) since which a jurisdiction row read through
    `with_binding_laws` has had a binding AI law in force; None when no date says so."""
    return partial_date(
        getattr(jurisdiction, "binding_law_since", None),
        getattr(jurisdiction, "binding_law_since_precision", ""),
    )


@register.inclusion_tag("includes/_cite.html")
def cite(cites):
    """`{% cite provenance.fields.title %}`: the superscript citation markers `[1][2]` linking to
    the numbered citations (`NumberedCitation`s) in `cites`; nothing when there are none."""
    return {"cites": cites}


@register.inclusion_tag("includes/_date.html")
def stated_date(date):
    """`{% stated_date event.when %}`: the date (a `date` or a `PartialDate`) in a `<time>`
    element, or "not stated" when it is empty."""
    return {"date": date}


@register.inclusion_tag("includes/_approach.html")
def approach_badge(approach):
    """`{% approach_badge jurisdiction.as_of_approach %}`: the badge of a governance approach
    (an `Approach` value), labelled."""
    return {"approach": approach}


@register.inclusion_tag("includes/_binding.html")
def binding_badge(instrument):
    """`{% binding_badge instrument %}`: the badge of an instrument's legal force: "Binding",
    "Binds if enacted" (a draft bill) or "Voluntary"."""
    return {"instrument": instrument}


@register.inclusion_tag("includes/_field.html")
def field(label, value, cites=()):
    """`{% field "Status" instrument.get_status_display provenance.fields.status %}`: one row of a
    record's facts list (`<dl class="fields">`): the label, then the value with its citation
    markers, or "not stated" when the value is empty (0 is a value). `cites` may be left out
    for a value no citation backs."""
    return {"label": label, "value": value, "cites": cites}


@register.inclusion_tag("includes/_event_kind.html")
def event_kind_badge(style, label):
    """`{% event_kind_badge event.mark_style event.get_kind_display %}`: the badge of a kind of
    event, with the small shape the timeline draws for it (`style`: an entry of `EVENT_STYLES`
    in `policytracker.web.events_chart`, with its `key` and `path`)."""
    return {"style": style, "label": label}


@register.inclusion_tag("includes/_none.html")
def none_mark():
    """`{% none_mark %}`: an empty table cell's dash, read out as "none"."""
    return {}


@register.inclusion_tag("includes/_sort_header.html", takes_context=True)
def sort_header(context, label, key, css_class=""):
    """`{% sort_header "Jurisdiction" "name" %}`: a column heading linking to the list sorted by
    `key` (an `ordering` value of its FilterSet, as the API takes it), ascending, or descending
    when it is sorted by it already; `aria-sort` says how it is sorted now. The other
    parameters are kept; the page number is dropped (a new order starts at page 1)."""
    query = context["request"].GET.copy()
    current = query.get("ordering", "")
    direction = {key: "ascending", f"-{key}": "descending"}.get(current, "")
    query.pop("page", None)
    query["ordering"] = f"-{key}" if direction == "ascending" else key
    return {
        "label": label,
        "direction": direction,
        "query": query.urlencode(),
        "class": css_class,
    }


@register.inclusion_tag("includes/_approach_dated.html")
def approach_dated(holds, assessed):
    """`{% approach_dated row.as_of_approach_holds row.as_of_approach_assessed %}`: how an
    approach is dated: "since 1 March 2026" where a source says since when it has held, else
    "source of 8 August 2025" (when it was assessed, which is no start date); nothing without
    either."""
    return {"holds": holds, "assessed": assessed}


@register.inclusion_tag("includes/_membership_term.html")
def membership_term(membership):
    """`{% membership_term membership %}`: a membership's role and dates at their precision,
    "observer from 11 November 2022 to 26 October 2025"
    or "member since 28 July 1995"."""
    return {"membership": membership}


@register.inclusion_tag("includes/_history_action.html")
def history_action(action):
    """`{% history_action entry.action %}`: what an edit-history entry did ("created",
    "changed" or "deleted"), as a label styled by action."""
    return {"action": action}


@register.filter
def kind_label(kind):
    """`{{ entry.kind|kind_label }}`: a record kind's human name ("Status change")."""
    return KINDS[kind].label if kind in KINDS else kind


@register.filter
def record_kind(record):
    """`{{ object|record_kind }}`: the kind of a record ("instrument"), as history entries name
    it; "" for anything else."""
    try:
        return KINDS.of(record).kind
    except (KeyError, AttributeError, StopIteration):
        return ""


# The records with a feed of their own, and the field their address names them by.
_FEEDS = {
    "instrument": ("web:instrument-feed", "slug"),
    "jurisdiction": ("web:jurisdiction-feed", "code"),
    "event": ("web:event-feed", "slug"),
    "source": ("web:source-feed", "slug"),
}


@register.filter
def record_feed_url(record):
    """`{{ object|record_feed_url }}`: the address of the Atom feed of a record's changes; ""
    for a record with no feed of its own."""
    feed = _FEEDS.get(record_kind(record))
    if feed is None:
        return ""
    name, field = feed
    return reverse(name, args=[getattr(record, field)])


@register.filter
def fields_shown(change):
    """`{% for field in entry|fields_shown %}`: a change's fields as readers are told them (a
    date's precision with its date)."""
    return shown_fields(change)


@register.simple_tag
def field_change(field):
    """`{% field_change field %}`: one field of an edit-history entry, its old value struck
    through and its new one marked (running text word by word)."""
    return field_html(field)


@register.inclusion_tag("includes/_count_cell.html")
def count_cell(cell):
    """`{% count_cell cell %}`: one count of the compare tables (a `Cell`) as a table cell: a
    dash for none, else the number linking to the instrument list that shows those rows, with
    what it counts for screen readers, and its note."""
    return {"cell": cell}


# What a status change did, in plain words; a law enters into force, other texts take effect.
_STATUS_PHRASES = {
    InstrumentStatus.PROPOSED: "was proposed",
    InstrumentStatus.DRAFT: "was published in draft",
    InstrumentStatus.ADOPTED: "was adopted",
    InstrumentStatus.IN_EFFECT: "took effect",
    InstrumentStatus.SUPERSEDED: "was superseded",
    InstrumentStatus.REPEALED: "was repealed",
    InstrumentStatus.WITHDRAWN: "was withdrawn",
}


@register.simple_tag
def status_phrase(change):
    """`{% status_phrase change %}`: what a status change did, in plain words ("was adopted",
    "entered into force" for a binding law, "took effect" for another text)."""
    if (
        change.status == InstrumentStatus.IN_EFFECT
        and change.instrument.type == InstrumentType.BINDING_LAW
    ):
        return "entered into force"
    return _STATUS_PHRASES.get(change.status, f"became {change.get_status_display().lower()}")
