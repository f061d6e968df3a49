"""Filters over instruments, events, actors, topics, sources and citations, shared by the HTML
lists and the API (see `policytracker.core.filters` for what every FilterSet guarantees)."""

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear

from instruments.models import Actor, Citation, Event, Instrument, Source, Topic
from instruments.querysets import with_binding_laws
from instruments.vocabulary import (
    FORCE_OF_TYPE,
    FORCE_PLURALS,
    ActorKind,
    CitedRecordKind,
    EventKind,
    Force,
    InstrumentStatus,
    InstrumentType,
    SourceKind,
)
from jurisdictions.filters import CodeFilter, IncludeSubnationalFilter, JurisdictionFilterSet
from jurisdictions.models import Jurisdiction
from jurisdictions.querysets import member_of_partial, membership_on
from jurisdictions.vocabulary import Kind, Region
from policytracker.core.filters import (
    AsOfFilter,
    AsOfFilterSet,
    FacetSpec,
    IsoDateFilter,
    KeyFilter,
    NullsLastOrderingFilter,
    SearchFilter,
    SearchFilterSet,
    TrueFalseFilter,
    UpdatedSinceFilter,
    VocabularyFilter,
    YearFilter,
    repeats_rows,
)


class BindingFilter(TrueFalseFilter):
    """`binding=true`: binding laws; `binding=false`: voluntary frameworks and declarations.
    Draft bills are in neither: they bind only if enacted (`force=pending`)."""

    def __init__(self, *args, **kwargs):
        labels = (FORCE_PLURALS[Force.BINDING], FORCE_PLURALS[Force.VOLUNTARY])
        super().__init__(*args, labels=labels, **kwargs)

    def apply(self, qs, value):
        return qs.binding(value)


class InForceFilter(TrueFalseFilter):
    """`in_force=true`: in effect on the `as_of` day (today without it); `false`: not."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, labels=("In force", "Not in force"), **kwargs)

    def apply(self, qs, value):
        return qs.in_force(value, day=self.parent.as_of)


class TopicFilter(KeyFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Topic.objects.all())
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": "“%(value)s” is not a topic in the tracker (topics go by slug)."},
        )
        super().__init__(*args, **kwargs)


def _status_column(filterset):
    return "as_of_status" if filterset.as_of else "status"


def _binding_fold(instrument_type):
    """`binding`'s value for a type: a draft bill has none (it is in neither)."""
    force = FORCE_OF_TYPE.get(instrument_type)
    return {Force.BINDING: "true", Force.VOLUNTARY: "false"}.get(force)


def _force_fold(instrument_type):
    return FORCE_OF_TYPE.get(instrument_type)


FORCE_CHOICES = tuple((force, FORCE_PLURALS[force]) for force in Force.values)


def _instrument_member_restrict(queryset, filterset):
    return queryset.filter(membership_on(filterset.day, "jurisdiction__memberships__"))


LAW_IN_FORCE_CHOICES = (
    ("true", "A binding AI law in force"),
    ("false", "No binding AI law in force"),
)


class BindingLawInForceFilter(TrueFalseFilter):
    """`binding_law_in_force=true`: jurisdictions with at least one binding law of their own in
    effect on the `as_of` day (today without it); `false`: those with none."""

    def __init__(self, *args, **kwargs):
        labels = tuple(label for _, label in LAW_IN_FORCE_CHOICES)
        super().__init__(*args, labels=labels, **kwargs)

    def apply(self, qs, value):
        return qs.filter(binds_by_law=value)


def _yes_no_fold(value):
    return "true" if value else "false"


class JurisdictionLawFilterSet(JurisdictionFilterSet):
    """`JurisdictionFilterSet` with what the instruments say of each jurisdiction: whether a
    binding AI law of its own is in force on the `as_of` day (today without it), and since
    when (`with_binding_laws`). The filters of `/jurisdictions/` and `/api/v1/jurisdictions/`."""

    binding_law_in_force = BindingLawInForceFilter(
        label="Binding AI law in force",
        help_text="true: jurisdictions with at least one binding AI law of their own in effect "
        "on the `as_of` day (today without it); false: none. Read from the instruments, not "
        "from the approach label.",
    )

    facet_specs = {
        **JurisdictionFilterSet.facet_specs,
        "binding_law_in_force": FacetSpec(
            "binds_by_law",
            choices=(
                ("true", "A binding AI law in force"),
                ("false", "No binding AI law in force"),
            ),
            fold=_yes_no_fold,
            multiple=False,
        ),
    }

    class Meta(JurisdictionFilterSet.Meta):
        pass

    def prepare(self, queryset):
        return with_binding_laws(super().prepare(queryset), self.day)


class IssuerFilter(CodeFilter):
    """The issuing jurisdiction of an instrument; a country's code also selects what its
    sub-national jurisdictions issued, so `US` is the federal texts and the states' (which
    `include_subnational=false` takes out again)."""

    def filter(self, qs, value):
        if not value:
            return qs
        # The issuers' keys, read first (a handful): one `IN` on the instruments' own column
        # reads the (jurisdiction, type) index, where a condition on the issuer's parent would
        # join every instrument to its jurisdiction first.
        chosen = tuple(sorted(jurisdiction.pk for jurisdiction in value))
        cached = getattr(self, "_issuers", None)
        if cached is None or cached[0] != chosen:
            # Read once per request: the facets apply this filter again for every count.
            issuers = Jurisdiction.objects.filter(Q(pk__in=chosen) | Q(parent__in=chosen))
            self._issuers = cached = (chosen, list(issuers.values_list("pk", flat=True)))
        return qs.filter(jurisdiction__in=cached[1])


def _count_issuers(instruments, filterset):
    """(code, name, count) of the instruments each jurisdiction issued, a country's count
    including its sub-national jurisdictions' (as `IssuerFilter` selects them). A sub-national
    one is named after its country ("United States: California"), so that, ordered by name, it
    follows the country."""
    grouped = instruments.order_by().values_list("jurisdiction_id")
    issued = dict(
        grouped.annotate(n=Count("pk", distinct=repeats_rows(grouped))).values_list(
            "jurisdiction_id", "n"
        )
    )
    rows = Jurisdiction.objects.filter(
        Q(pk__in=issued.keys()) | Q(subdivisions__in=issued.keys())
    ).distinct()
    counts = {}
    for pk, code, name, parent_id, parent_name in rows.values_list(
        "pk", "code", "name", "parent_id", "parent__name"
    ):
        label = f"{parent_name}: {name}" if parent_id else name
        counts[pk] = [code, label, issued.get(pk, 0)]
    for pk, parent_id in rows.filter(parent__isnull=False).values_list("pk", "parent_id"):
        if parent_id in counts:
            counts[parent_id][2] += issued.get(pk, 0)
    return [tuple(row) for row in counts.values()]


class InstrumentFilterSet(AsOfFilterSet):
    """Filters of `/instruments/` and `/api/v1/instruments/`. Repeat a parameter for several
    values (any of them matches); different parameters all apply."""

    binding = BindingFilter(
        label="Binding",
        help_text="true: binding laws; false: voluntary frameworks and declarations. Draft "
        "bills are in neither (`force=pending`).",
    )
    force = VocabularyFilter(
        choices=FORCE_CHOICES,
        method="filter_force",
        label="Legal force",
        help_text="binding: binding laws; pending: draft bills, which bind only if enacted; "
        "voluntary: frameworks and declarations.",
    )
    in_force = InForceFilter(
        label="In force",
        help_text="true: in effect on the `as_of` day (today without it); false: not.",
    )
    type = VocabularyFilter(field_name="type", choices=InstrumentType.choices, label="Type")
    status = VocabularyFilter(
        choices=InstrumentStatus.choices,
        method="filter_status",
        label="Status",
        help_text="The status on the `as_of` day (the recorded status without it).",
    )
    jurisdiction = IssuerFilter(
        label="Jurisdiction",
        help_text="The issuing jurisdiction; a country's code also selects what its sub-national "
        "jurisdictions issued (`US` includes `US-CA`) unless `include_subnational=false`.",
    )
    region = VocabularyFilter(
        field_name="jurisdiction__region",
        choices=Region.choices,
        label="Region",
        help_text="The issuing jurisdiction's region.",
    )
    member_of = CodeFilter(
        method="filter_member_of",
        kinds=[Kind.REGIONAL_BLOC, Kind.INTERNATIONAL],
        label="Issued by members of",
        help_text="The issuing jurisdiction was a full member of the bloc on the `as_of` day "
        "(today without it).",
    )
    include_subnational = IncludeSubnationalFilter(path="jurisdiction__")
    topic = TopicFilter(field_name="topics__slug", label="Topic")
    party = CodeFilter(
        field_name="parties__code",
        label="Party",
        help_text="A jurisdiction that signed or endorsed the text.",
    )
    year = YearFilter(
        field_name="adopted_on", lookup_expr="year", label="Year adopted", help_text="YYYY"
    )
    adopted_after = IsoDateFilter(
        field_name="adopted_on",
        lookup_expr="gte",
        label="Adopted on or after",
    )
    adopted_before = IsoDateFilter(
        field_name="adopted_on",
        lookup_expr="lte",
        label="Adopted on or before",
    )
    q = SearchFilter()
    as_of = AsOfFilter()
    updated_since = UpdatedSinceFilter()
    ordering = NullsLastOrderingFilter(
        fields=(
            ("title", "title"),
            ("adopted_on", "adopted_on"),
            ("jurisdiction__name", "jurisdiction"),
        ),
        label="Sort",
    )

    facet_specs = {
        "binding": FacetSpec(
            "type",
            choices=(
                ("true", FORCE_PLURALS[Force.BINDING]),
                ("false", FORCE_PLURALS[Force.VOLUNTARY]),
            ),
            fold=_binding_fold,
            multiple=False,
        ),
        "force": FacetSpec("type", choices=FORCE_CHOICES, fold=_force_fold),
        "type": FacetSpec("type", choices=tuple(InstrumentType.choices)),
        "status": FacetSpec(_status_column, choices=tuple(InstrumentStatus.choices)),
        "jurisdiction": FacetSpec(None, counter=_count_issuers, order="label"),
        "region": FacetSpec("jurisdiction__region", choices=tuple(Region.choices)),
        "member_of": FacetSpec(
            "jurisdiction__memberships__bloc__code",
            label="jurisdiction__memberships__bloc__name",
            restrict=_instrument_member_restrict,
            order="label",
        ),
        "topic": FacetSpec("topics__slug", label="topics__name", order="label"),
        "party": FacetSpec("parties__code", label="parties__name", order="label"),
        "year": FacetSpec(ExtractYear("adopted_on"), order="-value", multiple=False),
    }

    class Meta:
        model = Instrument
        fields = []

    def filter_force(self, queryset, name, values):
        return queryset.force(*values) if values else queryset

    def filter_status(self, queryset, name, values):
        field = "as_of_status" if self.as_of else "status"
        return queryset.filter(**{f"{field}__in": values}) if values else queryset

    def filter_member_of(self, queryset, name, blocs):
        if not blocs:
            return queryset
        codes = [bloc.code for bloc in blocs]
        return (
            queryset.filter(
                membership_on(self.day, "jurisdiction__memberships__"),
                jurisdiction__memberships__bloc__in=blocs,
            )
            .distinct()
            .annotate(member_of_partial=member_of_partial(self.day, codes, "jurisdiction_id"))
        )


class EventJurisdictionFilter(CodeFilter):
    """Events a jurisdiction hosted, co-hosted or took part in."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(
            Q(host__in=value) | Q(co_hosts__in=value) | Q(participants__in=value)
        ).distinct()


def _count_event_jurisdictions(events, filterset):
    """(code, name, count) of the events each jurisdiction hosted, co-hosted or joined."""
    involved = (
        events.filter(
            Q(host=OuterRef("pk")) | Q(co_hosts=OuterRef("pk")) | Q(participants=OuterRef("pk"))
        )
        .order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    rows = (
        Jurisdiction.objects.annotate(n=Coalesce(Subquery(involved), 0))
        .filter(n__gt=0)
        .values_list("code", "name", "n")
    )
    return list(rows)


class EventFilterSet(AsOfFilterSet):
    """Filters of `/events/` and `/api/v1/events/`."""

    kind = VocabularyFilter(field_name="kind", choices=EventKind.choices, label="Kind")
    jurisdiction = EventJurisdictionFilter(
        label="Jurisdiction", help_text="Host, co-host or participant."
    )
    year = YearFilter(field_name="date", lookup_expr="year", label="Year")
    date_after = IsoDateFilter(
        field_name="date",
        lookup_expr="gte",
        label="On or after",
    )
    date_before = IsoDateFilter(
        field_name="date",
        lookup_expr="lte",
        label="On or before",
    )
    q = SearchFilter()
    as_of = AsOfFilter(help_text="Only what had happened by this day (YYYY-MM-DD).")
    updated_since = UpdatedSinceFilter()
    ordering = NullsLastOrderingFilter(fields=(("date", "date"), ("title", "title")), label="Sort")

    facet_specs = {
        "kind": FacetSpec("kind", choices=tuple(EventKind.choices)),
        "jurisdiction": FacetSpec(None, counter=_count_event_jurisdictions, order="label"),
        "year": FacetSpec(ExtractYear("date"), order="-value", multiple=False),
    }

    class Meta:
        model = Event
        fields = []


class ActorFilterSet(SearchFilterSet):
    """Filters of `/api/v1/actors/`."""

    jurisdiction = CodeFilter(
        field_name="jurisdiction__code",
        label="Jurisdiction",
        help_text="The jurisdiction the actor serves or belongs to.",
    )
    kind = VocabularyFilter(field_name="kind", choices=ActorKind.choices, label="Kind")
    updated_since = UpdatedSinceFilter(
        help_text="Only records changed at or after this time (ISO 8601)."
    )
    ordering = NullsLastOrderingFilter(
        fields=(("name", "name"), ("jurisdiction__name", "jurisdiction")), label="Sort"
    )

    facet_specs = {
        "kind": FacetSpec("kind", choices=tuple(ActorKind.choices)),
        "jurisdiction": FacetSpec("jurisdiction__code", label="jurisdiction__name", order="label"),
    }

    class Meta:
        model = Actor
        fields = []


class TopicFilterSet(SearchFilterSet):
    """Filters of `/api/v1/topics/`."""

    updated_since = UpdatedSinceFilter(
        help_text="Only records changed at or after this time (ISO 8601)."
    )
    ordering = NullsLastOrderingFilter(fields=(("name", "name"), ("slug", "slug")), label="Sort")

    class Meta:
        model = Topic
        fields = []


class SourceFilterSet(SearchFilterSet):
    """Filters of `/api/v1/sources/` (whose rows carry `citation_count` and `record_count`)."""

    kind = VocabularyFilter(field_name="kind", choices=SourceKind.choices, label="Kind")
    updated_since = UpdatedSinceFilter(
        help_text="Only records changed at or after this time (ISO 8601)."
    )
    ordering = NullsLastOrderingFilter(
        fields=(
            ("title", "title"),
            ("published_on", "published_on"),
            ("citation_count", "citation_count"),
            ("record_count", "record_count"),
        ),
        label="Sort",
    )

    facet_specs = {"kind": FacetSpec("kind", choices=tuple(SourceKind.choices))}

    class Meta:
        model = Source
        fields = []


class SourceFilter(KeyFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Source.objects.all())
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": "“%(value)s” is not a source in the tracker (sources go by slug)."},
        )
        super().__init__(*args, **kwargs)


def _cited_record_kind():
    """The kind of record a citation backs, as an expression (a citation backs exactly one)."""
    return models.Case(
        *(
            models.When(**{f"{kind}__isnull": False}, then=Value(kind))
            for kind in CitedRecordKind.values
        ),
        output_field=models.CharField(),
    )


class CitationFilterSet(SearchFilterSet):
    """Filters of `/api/v1/citations/`."""

    source = SourceFilter(field_name="source__slug", label="Source")
    record = VocabularyFilter(
        choices=CitedRecordKind.choices,
        method="filter_record",
        label="Record kind",
        help_text="The kind of record the quote backs.",
    )
    updated_since = UpdatedSinceFilter(
        help_text="Only records changed at or after this time (ISO 8601)."
    )

    facet_specs = {
        "source": FacetSpec("source__slug", label="source__title", order="label"),
        "record": FacetSpec(_cited_record_kind(), choices=tuple(CitedRecordKind.choices)),
    }

    class Meta:
        model = Citation
        fields = []

    def filter_record(self, queryset, name, kinds):
        return queryset.backing(kinds) if kinds else queryset


class CompareFilterSet(AsOfFilterSet):
    """Parameters of `/compare/`: `jurisdiction` (a code, repeated for each column, in the order
    the columns take; case-insensitive, a repeated code counts once) and `as_of`.

    Fewer than two codes is not an error: the page offers the picker instead. More than six is,
    since the columns no longer fit side by side."""

    MIN_JURISDICTIONS = 2
    MAX_JURISDICTIONS = 6

    jurisdiction = CodeFilter(
        method="filter_jurisdiction",
        label="Jurisdictions",
        help_text="Two to six jurisdiction codes, one per column, in the order given.",
    )
    as_of = AsOfFilter(help_text="Compare them as they stood on this day (YYYY-MM-DD).")

    class Meta:
        model = Jurisdiction
        fields = []

    @property
    def errors(self):
        if self._errors is None:
            errors = super().errors
            count = len(self.codes)
            if "jurisdiction" not in errors and count > self.MAX_JURISDICTIONS:
                errors["jurisdiction"] = [
                    f"Compare {self.MIN_JURISDICTIONS} to {self.MAX_JURISDICTIONS} "
                    f"jurisdictions at a time; {count} were given."
                ]
        return self._errors

    @property
    def codes(self):
        """The codes given, upper-cased, each once, in the order given."""
        codes = (value.strip().upper() for value in self.active_values("jurisdiction"))
        return list(dict.fromkeys(code for code in codes if code))

    @property
    def jurisdictions(self):
        """The jurisdictions given, in the order given (no query: validation fetched them)."""
        if not self.is_valid():
            return []
        by_code = {item.code: item for item in self.form.cleaned_data.get("jurisdiction") or ()}
        return [by_code[code] for code in self.codes if code in by_code]

    @property
    def complete(self):
        """Enough jurisdictions given for a comparison."""
        return len(self.codes) >= self.MIN_JURISDICTIONS

    def prepare(self, queryset):
        # Every jurisdiction exists on every day; `as_of` decides which approach it shows.
        return queryset.as_of(self.day)

    def filter_jurisdiction(self, queryset, name, value):
        return queryset.filter(pk__in=[item.pk for item in value]) if value else queryset
