"""Data checks behind `manage.py check_data`: what the database constraints cannot express."""

from dataclasses import dataclass

from django.db.models import F, OuterRef, Subquery

from instruments.models import Citation, Instrument, SourceKind, StatusChange
from instruments.models.citations import CITED_RECORDS, citable_fields
from instruments.models.instruments import type_status_conflict


@dataclass(frozen=True)
class Problem:
    check: str
    record: str
    message: str

    def __str__(self):
        return f"[{self.check}] {self.record}: {self.message}"


def _label(obj):
    return f"{obj._meta.verbose_name} {'/'.join(str(part) for part in obj.natural_key())}"


def uncited_records():
    """Every jurisdiction, instrument, event, actor and status change without a citation."""
    for model in CITED_RECORDS.values():
        for obj in model._default_manager.filter(citations__isnull=True).order_by("pk"):
            yield Problem("uncited", _label(obj), "has no citation")


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
            )


def type_status_contradictions():
    """Instruments (and status changes) whose status contradicts the instrument's type."""
    for instrument in Instrument.objects.exclude(status="").order_by("pk"):
        conflict = type_status_conflict(instrument.type, instrument.status)
        if conflict:
            yield Problem("type-status", _label(instrument), conflict)
    changes = StatusChange.objects.select_related("instrument").order_by("pk")
    for change in changes:
        conflict = type_status_conflict(change.instrument.type, change.status)
        if conflict:
            yield Problem("type-status", _label(change), f"in its timeline: {conflict}")


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
            )


def run_checks(source_texts=None):
    """All checks; `source_texts` maps a source slug to its full text."""
    problems = [
        *uncited_records(),
        *empty_article_quotes(),
        *unknown_cited_fields(),
        *type_status_contradictions(),
        *stale_statuses(),
    ]
    for slug, text in (source_texts or {}).items():
        problems.extend(quotes_not_in(slug, text))
    return problems
