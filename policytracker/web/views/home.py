from django.db.models import Q
from django.utils import timezone
from django.views.generic import TemplateView

from instruments.history import last_change_time
from instruments.models import Event, Instrument, Source, StatusChange
from instruments.querysets import jurisdictions_bound_by_law, with_instrument_counts
from jurisdictions.models import ApproachAssessment, Jurisdiction
from jurisdictions.vocabulary import Approach, Kind


class HomeView(TemplateView):
    """What the tracker covers: counts binding vs voluntary, jurisdictions by approach, then and
    now (the founding article's day beside today), the latest events."""

    template_name = "web/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["today"] = today
        context["counts"] = Instrument.objects.force_counts()
        jurisdictions = list(
            with_instrument_counts(Jurisdiction.objects.for_listing().as_of(today)).order_by(
                "region", "name"
            )
        )
        context["jurisdictions"] = jurisdictions
        context["approach_overview"] = [
            {
                "approach": approach,
                "label": label,
                "jurisdictions": [j for j in jurisdictions if j.as_of_approach == approach],
            }
            for approach, label in Approach.choices
        ]
        founding = Source.objects.founding_date()
        context["bound_by_law"] = [
            {"day": day, "is_today": day == today, **self.bound_by_law(day)}
            for day in ([today, founding] if founding and founding < today else [today])
        ]
        context["last_updated"] = last_change_time()
        context["events"] = Event.objects.select_related("host").chronological()[:5]
        context["then_and_now"] = self.then_and_now(founding, today)
        return context

    @staticmethod
    def bound_by_law(day):
        """The answer `?binding_law_in_force=true` gives on `day`, grouped for reading:
        `count` jurisdictions with a binding AI law of their own in force (`subnational` of
        them sub-national), and `entries`, by name, one per country, bloc or body that has
        such a law or whose sub-national jurisdictions do: the jurisdiction (annotated by
        `with_binding_laws`), whether it binds by law itself, and its sub-national jurisdictions
        that do."""
        rows = jurisdictions_bound_by_law(day).filter(
            Q(binds_by_law=True) | Q(subdivisions_binding_by_law__gt=0)
        )
        rows = sorted(rows, key=lambda row: row.name)
        states = [row for row in rows if row.kind == Kind.SUBNATIONAL and row.binds_by_law]
        entries = [
            {
                "jurisdiction": row,
                "states": [state for state in states if state.parent_id == row.pk],
            }
            for row in rows
            if row.kind != Kind.SUBNATIONAL
        ]
        return {
            "count": sum(1 for row in rows if row.binds_by_law),
            "subnational": len(states),
            "entries": entries,
        }

    def then_and_now(self, then, today):
        """Each assessed jurisdiction's approach on the founding article's day beside today's,
        and what changed in between (approach assessments and status changes dated after it).
        `then` is the founding article's date; None until an article source with a date is
        loaded."""
        if then is None or then >= today:
            return None
        before = {j.code: j for j in Jurisdiction.objects.as_of(then)}
        rows = []
        for now in Jurisdiction.objects.as_of(today).order_by("region", "name"):
            past = before[now.code]
            if past.as_of_approach == now.as_of_approach == Approach.NOT_ASSESSED:
                continue
            rows.append(
                {
                    "jurisdiction": now,
                    "then": past,
                    "changed": past.as_of_approach != now.as_of_approach,
                }
            )
        changes = list(
            StatusChange.objects.filter(date__gt=then, date__lte=today)
            .select_related("instrument__jurisdiction")
            .chronological()
        )
        assessments = list(
            ApproachAssessment.objects.filter(date__gt=then, date__lte=today)
            .select_related("jurisdiction")
            .chronological()
        )
        # One list in date order: on a day, a status change before the assessment it prompted.
        events = [(change.date, 0, change) for change in changes] + [
            (assessment.date, 1, assessment) for assessment in assessments
        ]
        return {
            "then": then,
            "rows": rows,
            "in_between": [
                {"step": step, "is_status_change": kind == 0}
                for _, kind, step in sorted(events, key=lambda item: item[:2])
            ],
        }
