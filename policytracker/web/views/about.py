from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.db.models import Max
from django.views.generic import TemplateView

from instruments.history import last_change_time
from instruments.known_at import first_history_day
from instruments.models import Citation, Event, Instrument, Source
from instruments.vocabulary import (
    FORCE_PLURALS,
    STATUS_DEFINITIONS,
    TYPE_DEFINITIONS,
    InstrumentStatus,
    InstrumentType,
)
from jurisdictions.models import CoverageReview, Jurisdiction
from jurisdictions.vocabulary import (
    APPROACH_DEFINITIONS,
    COVERAGE_CATEGORIES,
    COVERAGE_SOURCE_KINDS,
    Approach,
    Kind,
)


def data_version():
    """The released version of the tracker whose data a reader cites."""
    try:
        return version("policytracker")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return ""


class AboutView(TemplateView):
    """`/about/`: the methodology. What is tracked, every label defined from the vocabularies the
    data uses, how approaches are assessed, `as_of` and partial dates, the two clocks (`as_of`
    and `known_at`), sources and citations, the licence and how to cite, how to report an
    error, and when the data last changed."""

    template_name = "web/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        citations = Citation.objects.count()
        quotes = Citation.objects.exclude(quote="").count()
        context.update(
            approaches=[(label, APPROACH_DEFINITIONS[value]) for value, label in Approach.choices],
            types=[(label, TYPE_DEFINITIONS[value]) for value, label in InstrumentType.choices],
            statuses=[
                (label, STATUS_DEFINITIONS[value]) for value, label in InstrumentStatus.choices
            ],
            force_plurals=FORCE_PLURALS,
            counts={
                "jurisdictions": Jurisdiction.objects.count(),
                "instruments": Instrument.objects.count(),
                "events": Event.objects.count(),
                "sources": Source.objects.count(),
                "citations": citations,
                "quotes": quotes,
                "references": citations - quotes,
                "subnational": Jurisdiction.objects.filter(kind=Kind.SUBNATIONAL).count(),
            },
            coverage_categories=list(COVERAGE_CATEGORIES.values()),
            coverage_sources=list(COVERAGE_SOURCE_KINDS.values()),
            coverage={
                "reviewed": Jurisdiction.objects.filter(coverage_reviews__isnull=False)
                .distinct()
                .count(),
                "latest": CoverageReview.objects.aggregate(latest=Max("reviewed_on"))["latest"],
            },
            last_updated=last_change_time(),
            first_history=first_history_day(),
            version=data_version(),
            report_errors_to=settings.REPORT_ERRORS_TO,
            breadcrumbs=[{"label": "About and methodology", "url": None}],
        )
        return context
