"""The admin's "Data health" page: what `manage.py check_data` finds, grouped by check, each
problem with links to the admin pages where it is fixed.

Two sections. "Problems" are the checks `check_data` fails on (`run_checks`), counted as it
counts them. "To review" are what it lists as warnings (quotes that share no word with a field
they back; citations not checked in the last `stale_days` days), with two more an editor acts
on from here: coverage reviews that are overdue (`instruments.coverage`) and citations marked
unverified since a value they back changed, unless the checks already report those."""

from dataclasses import dataclass, field

from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from instruments.coverage import coverage_report
from instruments.data_checks import Problem, quotes_sharing_no_word, run_checks, stale_citations
from instruments.models import CITED_RECORDS, Citation
from jurisdictions.models import CoverageReview
from policytracker.core.params import BadParameters, whole_number

# Who may see the page: an editor who may view instruments (the admin's own rule for staff
# comes first, in `admin_view`).
PERMISSION = "instruments.view_instrument"
# Citations not checked against their source for longer than this are listed for review
# (`check_data --stale-days`); the page's `stale_days` parameter changes it.
STALE_DAYS = 365
# What `check_data` calls a citation marked unverified since a value it backs changed; until it
# reports them, this page reads them itself (`unverified_citations`).
UNVERIFIED = "unverified-citation"
# The admin's front page shows the counts, read at most this often: the checks take a few
# hundred queries. The page itself always runs them, and refreshes the counts.
SUMMARY_CACHE_KEY = "instruments:data-health-summary"
SUMMARY_SECONDS = 300

# Each check's heading and what fixing it takes, in the order the page lists them. A check the
# table does not name yet is listed after these, under its own name.
CHECKS = {
    "uncited": ("Records without a citation", "Add a citation on the record's page."),
    UNVERIFIED: (
        "Citations unverified since the value changed",
        "Confirm the quote still states the new value (and clear the mark), or replace it.",
    ),
    "uncited-date": (
        "Dates and statuses no citation names",
        "Name the field in the citation that states it, or add one that does.",
    ),
    "empty-quote": ("Article citations without a quote", "Copy the sentence from the article."),
    "no-locator": ("Article citations without a locator", "Say where in the article it is."),
    "reference-without-reason": (
        "Citations with no quote and no note",
        "Add the quote, or a note saying why there is none.",
    ),
    "unknown-field": (
        "Citations naming fields the record does not have",
        "Correct the citation's fields.",
    ),
    "empty-field": (
        "Citations backing fields the record leaves empty",
        "Fill in the field, or take it off the citation.",
    ),
    "type-status": (
        "Statuses contradicting the type",
        "Correct the type or the status (or the status timeline).",
    ),
    "stale-status": (
        "Statuses out of step with the status timeline",
        "Save the instrument again: its status follows the latest change.",
    ),
    "stale-approach": (
        "Approaches out of step with the approach timeline",
        "Save the jurisdiction again: its approach follows the latest assessment.",
    ),
    "coverage-contradiction": (
        "Coverage reviews contradicting the records",
        "Correct the review's finding, or the records it contradicts.",
    ),
    "quote-not-found": (
        "Quotes not found in the source's text",
        "Copy the quote again, character for character.",
    ),
    "quote-shares-no-word": (
        "Quotes sharing no word with a field they back",
        "Confirm the quote states the value, or move the field to a citation that does.",
    ),
    "stale-citation": (
        "Citations not checked recently",
        "Check the quote against the source and set the day it was checked.",
    ),
    "coverage-overdue": (
        "Coverage reviews overdue",
        "Review what the tracker holds of the jurisdiction and record a new coverage review.",
    ),
}


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass
class Row:
    """One problem, with the admin page of what it is about (`url`, None where the admin has
    none or the check did not say) and further pages that help fix it."""

    problem: Problem
    url: str | None
    more: list[Link] = field(default_factory=list)


@dataclass
class Group:
    check: str
    title: str
    advice: str
    rows: list[Row]
    # A warning `check_data` lists, or something for an editor to look at, not a failure.
    review: bool = False

    @property
    def count(self):
        return len(self.rows)

    @property
    def anchor(self):
        return f"check-{self.check}"


@dataclass
class Report:
    problems: list[Group]
    review: list[Group]
    stale_days: int

    @property
    def groups(self):
        return [*self.problems, *self.review]

    @property
    def problem_count(self):
        return sum(group.count for group in self.problems)

    @property
    def review_count(self):
        return sum(group.count for group in self.review)


def admin_change_url(obj):
    """The admin change page of `obj`, or None if its model has no admin."""
    if obj is None or not admin.site.is_registered(type(obj)):
        return None
    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


# Checks whose problem a new coverage review of the jurisdiction fixes.
NEW_REVIEW_FIXES = {"coverage-overdue", "coverage-contradiction"}


def _row(problem):
    obj = problem.obj
    more = []
    if isinstance(obj, Citation) and obj.record is not None:
        url = admin_change_url(obj.record)
        if url:
            more.append(Link(f"the {obj.record_kind.replace('_', ' ')} it backs", url))
    if problem.check in NEW_REVIEW_FIXES and obj is not None:
        jurisdiction = obj.jurisdiction if isinstance(obj, CoverageReview) else obj
        add = reverse("admin:jurisdictions_coveragereview_add")
        query = urlencode({"jurisdiction": jurisdiction.pk, "reviewed_on": timezone.localdate()})
        more.append(Link("record a new review", f"{add}?{query}"))
    return Row(problem, admin_change_url(obj), more)


def _groups(problems, *, review=False):
    by_check = {}
    for problem in problems:
        by_check.setdefault(problem.check, []).append(problem)
    order = list(CHECKS)
    checks = sorted(by_check, key=lambda c: (order.index(c) if c in order else len(order), c))
    return [
        Group(check, *CHECKS.get(check, (check, "")), [_row(p) for p in by_check[check]], review)
        for check in checks
    ]


def unverified_citations():
    """Citations marked unverified since a value they back changed (`unverified_since`)."""
    citations = (
        Citation.objects.filter(unverified_since__isnull=False)
        .select_related("source", *CITED_RECORDS)
        .order_by("unverified_since", "pk")
    )
    for citation in citations:
        changed = ", ".join(citation.unverified_fields or []) or "a value it backs"
        yield Problem(
            UNVERIFIED,
            f"citation {citation.pk} of {citation.source.slug}",
            f"unverified since {citation.unverified_since}: {changed} changed "
            f"(backs {citation.record})",
            citation,
        )


def overdue_coverage(today=None):
    """Jurisdictions whose coverage review is overdue (`coverage_report`), as problems about
    their latest review, or the jurisdiction itself when it was never reviewed."""
    for line in coverage_report(today):
        if line.overdue:
            yield Problem(
                "coverage-overdue",
                f"jurisdiction {line.jurisdiction.code}",
                f"coverage review overdue: {line.overdue}",
                line.review or line.jurisdiction,
            )


def data_health(stale_days=STALE_DAYS, today=None):
    """The page's `Report`: `check_data`'s problems and, for review, its warnings, overdue
    coverage reviews and unverified citations (unless the checks report those already)."""
    problems = run_checks()
    review = [
        *quotes_sharing_no_word(),
        *stale_citations(stale_days, today=today),
        *overdue_coverage(today),
    ]
    if not any(problem.check == UNVERIFIED for problem in problems):
        review.extend(unverified_citations())
    report = Report(_groups(problems), _groups(review, review=True), stale_days)
    if stale_days == STALE_DAYS and today is None:
        cache.set(SUMMARY_CACHE_KEY, _summary(report), SUMMARY_SECONDS)
    return report


def _summary(report):
    return {"problems": report.problem_count, "review": report.review_count}


def data_health_summary():
    """{"problems": n, "review": n}: the page's counts, at most `SUMMARY_SECONDS` old."""
    summary = cache.get(SUMMARY_CACHE_KEY)
    if summary is None:
        summary = _summary(data_health())
    return summary


def stale_days_parameter(request):
    """The `stale_days` query parameter: a whole number of days, `STALE_DAYS` without one."""
    raw = request.GET.get("stale_days", "").strip()
    if not raw:
        return STALE_DAYS
    days = whole_number(raw)
    if days is None or days > 36500:
        raise BadParameters({"stale_days": [f"“{raw}” is not a number of days from 0 to 36500."]})
    return days


def data_health_view(request):
    """`/admin/data-health/`: the `Report`, for staff who may view instruments."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    report = data_health(stale_days_parameter(request))
    context = {
        **admin.site.each_context(request),
        "title": "Data health",
        "subtitle": None,
        "report": report,
        "checked_at": timezone.localtime(),
    }
    return TemplateResponse(request, "admin/data_health.html", context)


# Signed-in staff only (others go to the admin's login page), never cached, CSRF-protected.
data_health_page = admin.site.admin_view(data_health_view)
