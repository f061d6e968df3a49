"""Data checks behind `manage.py check_data`: what the database constraints cannot express."""

import dataclasses
import datetime
import re
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from instruments.coverage import review_contradictions
from instruments.models import CITED_RECORDS, Citation, Instrument, StatusChange
from instruments.models.citations import citable_fields, record_fields
from instruments.rules import date_order_errors, timeline_problems
from instruments.vocabulary import (
    TYPE_WORDS,
    SourceKind,
    status_words,
    timeline_status_conflict,
    type_status_conflict,
)
from jurisdictions.models import Jurisdiction
from jurisdictions.vocabulary import APPROACH_WORDS, COVERAGE_CATEGORIES


@dataclass(frozen=True)
class Problem:
    check: str
    record: str
    message: str
    # The record or citation to fix, where the check has it at hand (the data health page links
    # to its admin page); not part of what the problem says, so not compared either.
    obj: object = dataclasses.field(default=None, compare=False, repr=False)

    def __str__(self):
        return f"[{self.check}] {self.record}: {self.message}"


def _label(obj):
    return f"{obj._meta.verbose_name} {'/'.join(str(part) for part in obj.natural_key())}"


def _only(model, queryset, records):
    """`queryset` narrowed to the rows of `model` that `records` ({model: {pk, ...}}) names, or
    whole when `records` is None."""
    if records is None:
        return queryset
    return queryset.filter(pk__in=records.get(model, ()))


def uncited_records(records=None):
    """Every jurisdiction, instrument, event, actor, status change and approach assessment
    without a citation (of `records`, {model: {pk, ...}}, when given)."""
    for model in CITED_RECORDS.values():
        rows = model._default_manager.filter(citations__isnull=True)
        for obj in _only(model, rows, records).order_by("pk"):
            yield Problem("uncited", _label(obj), "has no citation", obj)


def empty_article_quotes():
    """Citations of an article that carry no quote: an article always has words to quote."""
    citations = Citation.objects.filter(source__kind=SourceKind.ARTICLE, quote="").select_related(
        "source"
    )
    for citation in citations.order_by("pk"):
        yield Problem(
            "empty-quote",
            f"citation {citation.pk} of {citation.source.slug}",
            f"cites an article without a quote (backs {citation.record})",
            citation,
        )


def article_citations_without_locator():
    """Citations of an article that do not say where in it the quote is."""
    citations = Citation.objects.filter(source__kind=SourceKind.ARTICLE, locator="")
    for citation in citations.select_related("source").order_by("pk"):
        yield Problem(
            "no-locator",
            f"citation {citation.pk} of {citation.source.slug}",
            f"cites an article without a locator (backs {citation.record})",
            citation,
        )


def _is_empty(record, name, fields):
    if name == "related":  # an instrument's alias for its relations either way
        return not (record.relations_out.exists() or record.relations_in.exists())
    field = fields[name]
    if field.many_to_many or field.one_to_many:
        accessor = field.get_accessor_name() if field.auto_created else field.name
        return not getattr(record, accessor).exists()
    return getattr(record, field.attname) in (None, "")


def citations_of_empty_fields():
    """Citations that back a field the record leaves empty: a quote cannot support nothing."""
    models = {name: record_fields(model) for name, model in CITED_RECORDS.items()}
    citations = Citation.objects.select_related("source", *CITED_RECORDS).order_by("pk")
    for citation in citations:
        kind, record = citation.record_kind, citation.record
        fields = models[kind]
        readable = {*fields, *getattr(CITED_RECORDS[kind], "citable_aliases", ())}
        # Names the record does not have are the unknown-field check's to report.
        names = citation.fields if isinstance(citation.fields, list) else []
        empty = [name for name in names if name in readable and _is_empty(record, name, fields)]
        if empty:
            yield Problem(
                "empty-field",
                f"citation {citation.pk} of {citation.source.slug}",
                f"backs fields the cited {kind.replace('_', ' ')} leaves empty: {', '.join(empty)}",
                citation,
            )


def unknown_cited_fields():
    """Citations whose `fields` name something the cited record does not have."""
    allowed = {name: citable_fields(model) for name, model in CITED_RECORDS.items()}
    for citation in Citation.objects.select_related("source").order_by("pk"):
        kind = citation.record_kind
        fields = citation.fields if isinstance(citation.fields, list) else [citation.fields]
        unknown = sorted(str(f) for f in fields if f not in allowed.get(kind, ()))
        if unknown:
            yield Problem(
                "unknown-field",
                f"citation {citation.pk} of {citation.source.slug}",
                f"names fields the cited {kind} does not have: {', '.join(unknown)}",
                citation,
            )


def type_status_contradictions():
    """Instruments (and status changes) whose status contradicts the instrument's type."""
    for instrument in Instrument.objects.exclude(status="").order_by("pk"):
        conflict = type_status_conflict(instrument.type, instrument.status)
        if conflict:
            yield Problem("type-status", _label(instrument), conflict, instrument)
    changes = StatusChange.objects.select_related("instrument").order_by("pk")
    for change in changes:
        conflict = timeline_status_conflict(change.instrument.type, change.status)
        if conflict:
            yield Problem("type-status", _label(change), f"in its timeline: {conflict}", change)


def timeline_and_date_order():
    """Instruments whose own dates are out of order (introduced, adopted, in effect), or whose
    status timeline breaks a rule of `instruments.rules` (a step back not marked as a reversal,
    a reversal that does not say what happened, a current status the type cannot have)."""
    instruments = Instrument.objects.prefetch_related("status_changes").order_by("pk")
    for instrument in instruments:
        for message in date_order_errors(
            instrument.introduced, instrument.adopted, instrument.effective
        ).values():
            yield Problem("date-order", _label(instrument), message, instrument)
        for problem in timeline_problems(instrument.type, instrument.timeline_steps()):
            if problem.rule != "type":  # `type_status_contradictions` says those
                yield Problem("timeline-order", _label(instrument), problem.message, instrument)


def unverified_citations():
    """Citations whose backed value changed since they were last checked: until an editor
    confirms them against the source (or replaces them), readers see them marked unverified."""
    citations = Citation.objects.filter(unverified_since__isnull=False).select_related("source")
    for citation in citations.order_by("pk"):
        changed = ", ".join(citation.unverified_fields) or "a value it backs"
        yield Problem(
            "unverified-citation",
            f"citation {citation.pk} of {citation.source.slug}",
            f"unverified since {citation.unverified_since.isoformat()}, when {changed} of "
            f"{citation.record} changed: check the quote against the source and confirm it, "
            "or replace it",
            citation,
        )


def stale_statuses():
    """Instruments whose status is not the one their latest status change records."""
    latest = (
        StatusChange.objects.filter(instrument=OuterRef("pk"))
        .chronological(newest_first=True)
        .values("status")[:1]
    )
    stale = (
        Instrument.objects.annotate(latest_status=Subquery(latest))
        .filter(latest_status__isnull=False)
        .exclude(status=F("latest_status"))
        .order_by("pk")
    )
    for instrument in stale:
        yield Problem(
            "stale-status",
            _label(instrument),
            f"status is {instrument.status or 'empty'!r} but the latest change says "
            f"{instrument.latest_status!r}",
            instrument,
        )


def stale_approaches():
    """Jurisdictions whose approach or its summary is not their latest assessment's (or, with
    no assessment, not "not assessed")."""
    # As of the last day there is, every assessment counts: the latest is the current one.
    latest = Jurisdiction.objects.as_of(datetime.date.max)
    stale = latest.filter(
        ~Q(approach=F("as_of_approach")) | ~Q(approach_summary=F("as_of_approach_summary"))
    ).order_by("code")
    for jurisdiction in stale:
        if jurisdiction.approach != jurisdiction.as_of_approach:
            message = (
                f"approach is {jurisdiction.approach!r} but the latest assessment says "
                f"{jurisdiction.as_of_approach!r}"
            )
        else:
            message = "approach summary is not the latest assessment's"
        yield Problem("stale-approach", _label(jurisdiction), message, jurisdiction)


def stale_citations(days, today=None):
    """Citations not checked against their source in the last `days` days, or never."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=days)
    citations = Citation.objects.filter(Q(checked_on__isnull=True) | Q(checked_on__lt=cutoff))
    for citation in citations.select_related("source").order_by("checked_on", "pk"):
        when = f"last checked {citation.checked_on}" if citation.checked_on else "never checked"
        yield Problem(
            "stale-citation",
            f"citation {citation.pk} of {citation.source.slug}",
            f"{when} (backs {citation.record})",
            citation,
        )


def quotes_not_in(source_slug, text):
    """Citations of `source_slug` whose quote is not found, character for character, in `text`."""
    citations = Citation.objects.filter(source__slug=source_slug).exclude(quote="").order_by("pk")
    for citation in citations:
        if citation.quote not in text:
            yield Problem(
                "quote-not-found",
                f"citation {citation.pk} of {source_slug}",
                f"quote not found verbatim in the source text (backs {citation.record}): "
                f"{citation.quote[:80]!r}",
                citation,
            )


# Words too common to show that a quote speaks of a value.
_COMMON_WORDS = frozenset(
    {
        *("the", "and", "for", "with", "from", "that", "this", "its", "their", "are", "was"),
        *("were", "has", "have", "been", "into", "over", "under", "not", "but", "all", "any"),
        *("per", "via"),
    }
)


def _words(text):
    """The words of `text` that can tie a quote to a value: lower case, three letters or more
    (numbers of any length), common words left out."""
    return {
        word
        for word in re.findall(r"\w+", str(text).casefold())
        if (len(word) >= 3 or word.isdigit()) and word not in _COMMON_WORDS
    }


# Endings a word sheds to meet its other forms: "ethical" and "ethics", "labeling" and "label".
_SUFFIXES = ("ations", "ation", "ical", "ings", "ing", "ies", "ed", "es", "al", "s")


def _stem(word):
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _share(value_words, quote_words):
    """Whether a quote's words meet a value's, in any of their forms ("China" and "Chinese")."""
    if value_words & quote_words:
        return True
    if {_stem(w) for w in value_words} & {_stem(w) for w in quote_words}:
        return True
    roots = {w[:-1] for w in value_words if len(w) >= 5 and w.isalpha()}
    return any(q.startswith(root) for q in quote_words for root in roots)


def _codes_in(text):
    """Upper-case two-letter words in `text` ("EU", "CN"), lower-cased: jurisdiction codes a
    quote may name a jurisdiction by."""
    return {word.casefold() for word in re.findall(r"\b[A-Z]{2}\b", text)}


def _date_words(value):
    return {str(value.year), value.strftime("%B").casefold(), value.isoformat(), str(value.day)}


def _value_words(record, name, field):
    """The words a reader would expect a quote backing the field `name` of `record` to share
    with it: its value, its label, a date's year, month and day, a related record's name."""
    if name == "related":
        related = [r.to_instrument for r in record.relations_out.all()] + [
            r.from_instrument for r in record.relations_in.all()
        ]
        return set().union(*(_words(str(item)) for item in related)) if related else set()
    if field.many_to_many or field.one_to_many:
        accessor = field.get_accessor_name() if field.auto_created else field.name
        words = set()
        for item in getattr(record, accessor).all():
            words |= _words(str(item))
            for attribute in ("name", "title", "code"):
                words |= _words(getattr(item, attribute, ""))
            for attribute in ("started_on", "ended_on", "date"):
                value = getattr(item, attribute, None)
                if isinstance(value, datetime.date):
                    words |= _date_words(value)
            for attribute in ("member", "bloc"):
                other = getattr(item, attribute, None)
                if other is not None:
                    words |= _words(other.name) | _words(other.code)
        return words
    value = getattr(record, field.name)
    if value in (None, "") or isinstance(value, bool):
        return set()  # a yes/no (which kinds of source a review checked) has no words to share
    words = _words(value)
    # A coverage review's finding is read with its note: "found" says little, the note says what.
    words |= _words(getattr(record, f"{name}_note", "") or "")
    if isinstance(value, datetime.date):
        words |= _date_words(value)
    if field.choices:
        words |= _words(dict(field.flatchoices).get(value, ""))
    if field.name == "status":
        instrument = getattr(record, "instrument", record)
        words |= set(status_words(value, getattr(instrument, "type", "")))
    if field.name == "approach":
        words |= set(APPROACH_WORDS.get(value, ()))
    if field.name == "type":
        words |= set(TYPE_WORDS.get(value, ()))
    if field.is_relation and value is not None:
        for attribute in ("name", "title"):
            words |= _words(getattr(value, attribute, ""))
        code = getattr(value, "code", "")
        if code:
            words.add(code.casefold())
    return words


def quotes_sharing_no_word():
    """Citations with a quote that shares no word with a field it backs: the quote may not
    state it, and a reviewer should confirm (or move the field to a citation that does). A
    date the source's own publication date states needs no word of the quote."""
    models = {name: record_fields(model) for name, model in CITED_RECORDS.items()}
    citations = (
        Citation.objects.exclude(quote="")
        # A status reads its instrument's type (`status_words`).
        .select_related("source", *CITED_RECORDS, "status_change__instrument")
        .order_by("pk")
    )
    for citation in citations:
        kind, record = citation.record_kind, citation.record
        fields = models[kind]
        quote = _words(citation.quote) | _date_words_in(citation.quote) | _codes_in(citation.quote)
        names = citation.fields if isinstance(citation.fields, list) else []
        unrelated = []
        for name in names:
            field = fields.get(name)
            if field is None and name != "related":
                continue  # unknown names are the unknown-field check's to report
            concrete = field is not None and getattr(field, "concrete", False)
            value = getattr(record, field.attname, None) if concrete else None
            if isinstance(value, datetime.date) and value == citation.source.published_on:
                continue
            words = _value_words(record, name, field)
            if words and not _share(words, quote):
                unrelated.append(name)
        if unrelated:
            yield Problem(
                "quote-shares-no-word",
                f"citation {citation.pk} of {citation.source.slug}",
                f"its quote shares no word with {', '.join(unrelated)} of the cited "
                f"{kind.replace('_', ' ')} {record}: confirm it states them",
                citation,
            )


_MONTHS = {
    datetime.date(2000, month, 1).strftime(form).casefold(): month
    for month in range(1, 13)
    for form in ("%B", "%b")
}


def _date_words_in(text):
    """Month names written short in `text` ("Oct 26", "Aug. 15") as their full names, so a
    quote that says "Oct" shares the word "october" with a date."""
    return {
        datetime.date(2000, _MONTHS[word], 1).strftime("%B").casefold()
        for word in re.findall(r"[a-z]+", text.casefold())
        if word in _MONTHS
    }


# The dates and statuses each kind of record states, which a citation must name in its `fields`.
_STATED = {
    "instrument": ("introduced_on", "adopted_on", "effective_on"),
    "event": ("date",),
    "status_change": ("status", "date"),
    "approach_assessment": ("assessed_on", "holds_from"),
}


def uncited_dates_and_statuses(records=None):
    """Dates and statuses no citation names: each one must be backed by a quote (or a
    reference) that states it. A citation with empty `fields` backs the whole record. Of
    `records` ({model: {pk, ...}}) when given."""
    for kind, names in _STATED.items():
        model = CITED_RECORDS[kind]
        rows = _only(model, model._default_manager.prefetch_related("citations"), records)
        for record in rows.order_by("pk"):
            citations = list(record.citations.all())
            if any(not citation.fields for citation in citations):
                continue
            named = {name for citation in citations for name in citation.fields}
            missing = [
                name
                for name in names
                if getattr(record, name) not in (None, "") and name not in named
            ]
            if missing:
                yield Problem(
                    "uncited-date",
                    _label(record),
                    f"no citation backs its {', '.join(missing)}",
                    record,
                )


def references_without_reason():
    """Citations without a quote whose note does not say why: a quote is the rule, and a
    reference (a code list's row, a page with no sentence stating the fact) says why it is
    the exception."""
    citations = Citation.objects.filter(quote="", note="").select_related("source")
    for citation in citations.order_by("pk"):
        yield Problem(
            "reference-without-reason",
            f"citation {citation.pk} of {citation.source.slug}",
            f"has no quote and no note saying why (backs {citation.record})",
            citation,
        )


def stale_timeline_dates():
    """Instruments whose stored timeline dates (`status_since`, `exists_from`...) are not what
    their timeline, own dates and sources say: a write that went around the models. Saving the
    instrument reads them afresh (or `Instrument.objects.refresh_timeline_dates()`, for all)."""
    for instrument in Instrument.objects.stale_timeline_dates().order_by("pk"):
        yield Problem(
            "timeline-dates",
            _label(instrument),
            "its stored timeline dates differ from its timeline, own dates and sources (what "
            "`as_of` and the lists read)",
            instrument,
        )


def coverage_contradictions():
    """Coverage reviews that found nothing in a category where the tracker holds records of it
    (see `instruments.coverage`)."""
    for review, category, count in review_contradictions():
        yield Problem(
            "coverage-contradiction",
            _label(review),
            f"finds nothing for {COVERAGE_CATEGORIES[category].lower()}, but the tracker holds "
            f"{count} such record{'s' if count != 1 else ''} on its day",
            review,
        )


def uncited_values(records):
    """What keeps `records` ({model: {pk, ...}}) from being published: a record without a
    citation, or a date or status of one that no citation names."""
    return [*uncited_records(records), *uncited_dates_and_statuses(records)]


def run_checks(source_texts=None):
    """All checks; `source_texts` maps a source slug to its full text."""
    problems = [
        *uncited_records(),
        *empty_article_quotes(),
        *article_citations_without_locator(),
        *unknown_cited_fields(),
        *citations_of_empty_fields(),
        *type_status_contradictions(),
        *timeline_and_date_order(),
        *unverified_citations(),
        *stale_statuses(),
        *stale_timeline_dates(),
        *stale_approaches(),
        *uncited_dates_and_statuses(),
        *references_without_reason(),
        *coverage_contradictions(),
    ]
    for slug, text in (source_texts or {}).items():
        problems.extend(quotes_not_in(slug, text))
    return problems
