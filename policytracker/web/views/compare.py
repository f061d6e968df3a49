"""`/compare/`: two to six jurisdictions side by side, on a day (today without `as_of`).

Every count is aggregated in SQL, so the page costs the same few queries whatever the number
of instruments, and every count links to the instrument list that shows the same rows: the links
carry the instrument list's own parameters, and a count here is what that list counts."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.views.generic import TemplateView

from instruments.filters import CompareFilterSet
from instruments.models import Instrument
from instruments.vocabulary import (
    FORCE_PLURALS,
    Force,
    InstrumentStatus,
    InstrumentType,
    types_of_force,
)
from jurisdictions.models import Jurisdiction, Membership
from jurisdictions.querysets import membership_on
from jurisdictions.vocabulary import Approach, Region
from policytracker.core.dates import DatePrecision
from policytracker.core.params import BadParameters
from policytracker.web.views.known_at import refuse_known_at_on_lists


@dataclass
class Cell:
    """One count in a table: the number, the instrument list showing those rows ("" when there
    is none to show), what it counts (for screen readers, which read a bare number out of
    context) and an optional note."""

    count: int
    url: str = ""
    description: str = ""
    note: str = ""


@dataclass
class Row:
    label: str
    cells: list
    note: str = ""


@dataclass
class Column:
    jurisdiction: Jurisdiction
    url: str
    parties: list = field(default_factory=list)

    @property
    def approach_label(self):
        return Approach(self.jurisdiction.as_of_approach).label

    @property
    def approach_known_to(self):
        """The unit ("month", "year") the approach's date is known to when it is partial, or
        "" when it is known to the day (or there is none)."""
        if not self.jurisdiction.as_of_partial:
            return ""
        return DatePrecision(self.jurisdiction.as_of_approach_precision).label.lower()

    @property
    def memberships(self):
        return self.jurisdiction.memberships_on_day


class Comparison:
    """What `/compare/` shows for the jurisdictions of a valid CompareFilterSet.

    Instruments count on the `as_of` day when one is given (those that existed then, with their
    status then), and all of them with their recorded status otherwise: the same rows the
    instrument list shows for the same parameters."""

    def __init__(self, filterset):
        self.as_of = filterset.as_of
        self.day = filterset.day
        order = [item.pk for item in filterset.jurisdictions]
        memberships = (
            Membership.objects.filter(membership_on(self.day, role=None))
            .select_related("bloc")
            .order_by("bloc__name", "started_on")
        )
        annotated = {
            item.pk: item
            for item in filterset.qs.prefetch_related(
                Prefetch("memberships", queryset=memberships, to_attr="memberships_on_day")
            )
        }
        self.jurisdictions = [annotated[pk] for pk in order]
        self.columns = [
            Column(item, reverse("web:jurisdiction-detail", args=[item.code]))
            for item in self.jurisdictions
        ]
        self.span = len(self.columns) + 1
        base = Instrument.objects.as_of(self.as_of) if self.as_of else Instrument.objects.all()
        self.status_column = "as_of_status" if self.as_of else "status"
        # A country's column counts what its sub-national jurisdictions issued too, as the
        # list its cells link to (`?jurisdiction=US`) selects them.
        issued = base.filter(Q(jurisdiction__in=order) | Q(jurisdiction__parent__in=order))
        issued = issued.order_by()
        party_to = base.filter(parties__in=order).order_by()
        self.count_groups = self._count_groups(issued)
        self._add_parties(party_to)
        self.topic_rows = self._topic_rows(
            issued, ("jurisdiction_id", "jurisdiction__parent_id"), "jurisdiction"
        )
        self.party_topic_rows = self._topic_rows(party_to, ("parties",), "party", "as a party")

    def list_url(self, **params):
        """The instrument list filtered by `params` (and `as_of`, when given)."""
        query = list(params.items())
        if self.as_of:
            query.append(("as_of", self.as_of.isoformat()))
        return f"{reverse('web:instrument-list')}?{urlencode(query)}"

    def _row(self, label, count_of, params_of=None, note="", role=""):
        """A row with one cell per column: `count_of(jurisdiction)` linking to the list with
        `params_of(jurisdiction)` (no link without them). `role` qualifies what a cell counts
        ("as a party")."""
        cells = []
        for jurisdiction in self.jurisdictions:
            count = count_of(jurisdiction)
            url = self.list_url(**params_of(jurisdiction)) if count and params_of else ""
            described = f"{label}: {jurisdiction.name}{f' {role}' if role else ''}"
            cells.append(Cell(count, url, described))
        return Row(label, cells, note)

    def _count_groups(self, issued):
        """Instruments issued, by binding, type and status. One grouped query."""
        counts = {pk: {} for pk in (item.pk for item in self.jurisdictions)}
        rows = issued.values(
            "jurisdiction_id",
            "jurisdiction__parent_id",
            "type",
            status_then=F(self.status_column),
        )
        for row in rows.annotate(n=Count("pk")):
            key = row["type"], row["status_then"] or ""
            # Its own column, and its country's when that is a column too.
            for column in (row["jurisdiction_id"], row["jurisdiction__parent_id"]):
                if column in counts:
                    counts[column][key] = counts[column].get(key, 0) + row["n"]

        def count(jurisdiction, kinds=None, status=None):
            return sum(
                n
                for (kind, step), n in counts[jurisdiction.pk].items()
                if (kinds is None or kind in kinds) and (status is None or step == status)
            )

        binding_types = set(types_of_force(Force.BINDING))
        voluntary_types = set(types_of_force(Force.VOLUNTARY))
        totals = [
            self._row("All", count, lambda j: {"jurisdiction": j.code}),
            self._row(
                FORCE_PLURALS[Force.BINDING],
                lambda j: count(j, binding_types),
                lambda j: {"jurisdiction": j.code, "binding": "true"},
            ),
            self._row(
                FORCE_PLURALS[Force.PENDING],
                lambda j: count(j, set(types_of_force(Force.PENDING))),
                lambda j: {"jurisdiction": j.code, "force": Force.PENDING},
            ),
            self._row(
                FORCE_PLURALS[Force.VOLUNTARY],
                lambda j: count(j, voluntary_types),
                lambda j: {"jurisdiction": j.code, "binding": "false"},
            ),
        ]
        by_type = [
            self._row(
                label,
                lambda j, value=value: count(j, {value}),
                lambda j, value=value: {"jurisdiction": j.code, "type": value},
                note="binds only if enacted" if value == InstrumentType.DRAFT_BILL else "",
            )
            for value, label in InstrumentType.choices
        ]
        by_status = [
            self._row(
                label,
                lambda j, value=value: count(j, status=value),
                # The list has no parameter for "no status", so that count links nowhere.
                (lambda j, value=value: {"jurisdiction": j.code, "status": value})
                if value
                else None,
            )
            for value, label in [*InstrumentStatus.choices, ("", "Not stated")]
        ]
        status_label = "By status that day" if self.as_of else "By status (as recorded)"
        return [
            {"label": "Instruments issued", "rows": totals},
            {"label": "By type", "rows": by_type},
            {
                "label": status_label,
                "rows": [row for row in by_status if any(cell.count for cell in row.cells)],
            },
        ]

    def _add_parties(self, party_to):
        columns = {column.jurisdiction.pk: column for column in self.columns}
        texts = (
            party_to.select_related("jurisdiction")
            .annotate(party_id=F("parties"))
            .order_by("title", "pk")
        )
        for text in texts:
            columns[text.party_id].parties.append(text)

    def _topic_rows(self, queryset, groups, parameter, role=""):
        """Topic × jurisdiction counts: one row per topic that any column's texts cover, each
        cell linking to the instrument list with `parameter` (jurisdiction or party) and the
        topic. A text counts in the column of each of `groups` (paths to a jurisdiction: the
        issuer and its country, or a party). One grouped query."""
        counts = {}
        names = {}
        rows = (
            queryset.filter(topics__isnull=False)
            .values(*groups, topic_slug=F("topics__slug"), topic_name=F("topics__name"))
            .annotate(n=Count("pk", distinct=True))
        )
        for row in rows:
            for column in {row[group] for group in groups}:
                if column is not None:
                    key = row["topic_slug"], column
                    counts[key] = counts.get(key, 0) + row["n"]
            names[row["topic_slug"]] = row["topic_name"]
        return [
            self._row(
                name,
                lambda j, slug=slug: counts.get((slug, j.pk), 0),
                lambda j, slug=slug: {parameter: j.code, "topic": slug},
                role=role,
            )
            for slug, name in sorted(names.items(), key=lambda item: item[1].casefold())
        ]


def picker_groups(selected):
    """The jurisdictions to pick from, grouped by region in the vocabulary's order, each with
    whether it is `selected` (a list of codes). One query."""
    chosen = set(selected)
    by_region = {}
    for jurisdiction in Jurisdiction.objects.order_by("name"):
        jurisdiction.selected = jurisdiction.code in chosen
        by_region.setdefault(jurisdiction.region, []).append(jurisdiction)
    groups = [
        {"label": label, "slug": value, "jurisdictions": by_region[value]}
        for value, label in Region.choices
        if value in by_region
    ]
    if "" in by_region:
        groups.append({"label": "Region not stated", "slug": "", "jurisdictions": by_region[""]})
    return groups


def names_in_prose(names):
    """Names joined as in a sentence: "A", "A and B", "A, B and C"."""
    names = list(names)
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


class CompareView(TemplateView):
    """The picker alone until two jurisdictions are given; then the comparison below it."""

    template_name = "web/compare.html"

    def get(self, request, *args, **kwargs):
        refuse_known_at_on_lists(request.GET)
        self.filterset = CompareFilterSet(
            request.GET, queryset=Jurisdiction.objects.all(), request=request
        )
        if not self.filterset.is_valid():
            raise BadParameters(self.filterset.errors)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        comparison = Comparison(filterset) if filterset.complete else None
        compare_url = reverse("web:compare")
        if comparison:
            title = "Compare " + names_in_prose(j.name for j in comparison.jurisdictions)
            breadcrumbs = [
                {"label": "Compare", "url": compare_url},
                {"label": ", ".join(j.code for j in comparison.jurisdictions), "url": ""},
            ]
        else:
            title = "Compare jurisdictions"
            breadcrumbs = [{"label": "Compare", "url": ""}]
        context.update(
            title=title,
            breadcrumbs=breadcrumbs,
            comparison=comparison,
            picker=picker_groups(filterset.codes),
            given=filterset.jurisdictions,
            as_of=filterset.as_of,
            day=filterset.day,
            min_jurisdictions=CompareFilterSet.MIN_JURISDICTIONS,
            max_jurisdictions=CompareFilterSet.MAX_JURISDICTIONS,
        )
        return context
