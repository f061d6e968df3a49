"""How instruments, events, actors, topics, sources and citations read in the API (see
`jurisdictions.api.serializers` for the conventions every serializer follows).

A record's list serializer gives its row in the list and its CSV columns; the detail
serializer, at the record's own address, gives the same fields and then more. The to-many
relations of a list row are read from the plain lists `listed_<name>` its viewset sets on
every row (`related_values`)."""

from rest_framework import serializers

from instruments.models import (
    Actor,
    Citation,
    Event,
    Instrument,
    InstrumentIdentifier,
    Source,
    StatusChange,
    Topic,
)
from instruments.vocabulary import (
    ActorKind,
    CitedRecordKind,
    EventKind,
    IdentifierScheme,
    InstrumentStatus,
    InstrumentType,
    RelationKind,
    SourceKind,
)
from jurisdictions.api.serializers import (
    CitationRefSerializer,
    JurisdictionRefSerializer,
    LabelField,
    PartialDateField,
    RecordUrlField,
    VocabularyField,
    address_maker,
)
from jurisdictions.dates import DatePrecision


def key_list(source, **kwargs):
    """Codes or slugs, read from a list of them (`related_values`)."""
    return serializers.ListField(
        child=serializers.CharField(), read_only=True, source=source, **kwargs
    )


def related_keys(slug_field, **kwargs):
    """The codes or slugs of the to-many relation of the field's name, read from its manager
    (on a record's own address, where the relation is prefetched)."""
    return serializers.SlugRelatedField(slug_field=slug_field, many=True, read_only=True, **kwargs)


class RelatedSerializer(serializers.Serializer):
    """One relation seen from the instrument listed: `out` reads "this <kind> slug", `in`
    reads "slug <kind> this"."""

    kind = VocabularyField(RelationKind.choices)
    direction = serializers.CharField(read_only=True, help_text="`out` or `in`.")
    slug = serializers.CharField(read_only=True)


class RelatedListField(serializers.ListField):
    """The instrument's relations to others in both directions, outgoing first, then by kind
    and slug."""

    def __init__(self, **kwargs):
        kwargs.update(child=RelatedSerializer(), source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, instance):
        relations = [
            {"kind": relation["kind"], "direction": direction, "slug": relation["slug"]}
            for direction, listed in (
                ("out", instance.listed_relations_out),
                ("in", instance.listed_relations_in),
            )
            for relation in listed
        ]
        relations.sort(key=lambda item: (item["direction"] != "out", item["kind"], item["slug"]))
        return super().to_representation(relations)


class AsOfStatusSerializer(serializers.Serializer):
    """The instrument's status on the `as_of` day of the list; null when the list was not
    asked `as_of` (the key is always there, so CSV columns do not depend on the query)."""

    date = serializers.SerializerMethodField(help_text="The `as_of` day asked.")
    status = VocabularyField(InstrumentStatus.choices, source="as_of_status")
    status_label = LabelField(InstrumentStatus.choices, source="as_of_status")
    since = PartialDateField(
        date="as_of_status_on",
        precision="as_of_status_precision",
        help_text="Date of the status change the status rests on; null for an undated status.",
    )
    since_precision = VocabularyField(DatePrecision.choices, source="as_of_status_precision")
    partial = serializers.BooleanField(
        source="as_of_partial",
        read_only=True,
        help_text="True when the answer rests on a date known only to the month or year.",
    )

    def get_date(self, instance) -> str:
        return self.context["as_of"].isoformat()

    def to_representation(self, instance):
        if self.context.get("as_of") is None:
            return None
        return super().to_representation(instance)


class StatusStepSerializer(serializers.ModelSerializer):
    """One step of an instrument's status timeline: from `date` (at its precision) it had
    `status`, on the word of its citations."""

    date = PartialDateField()
    date_precision = VocabularyField(DatePrecision.choices)
    status = VocabularyField(InstrumentStatus.choices)
    status_label = LabelField(InstrumentStatus.choices, source="status")
    citations = CitationRefSerializer(many=True, read_only=True)

    class Meta:
        model = StatusChange
        fields = ["date", "date_precision", "status", "status_label", "note", "citations"]
        read_only_fields = fields


class IdentifierSerializer(serializers.ModelSerializer):
    scheme = VocabularyField(IdentifierScheme.choices)
    scheme_label = LabelField(IdentifierScheme.choices, source="scheme")

    class Meta:
        model = InstrumentIdentifier
        fields = ["scheme", "scheme_label", "value"]
        read_only_fields = fields


class InstrumentSerializer(serializers.ModelSerializer):
    """An instrument as a list shows it. Its topics, parties, relations and citations are read
    from the lists `InstrumentViewSet` sets on each row (`listed_<name>`)."""

    jurisdiction = JurisdictionRefSerializer(read_only=True)
    type = VocabularyField(InstrumentType.choices)
    type_label = LabelField(InstrumentType.choices, source="type")
    binding = serializers.BooleanField(
        read_only=True, help_text="True for binding laws and draft bills."
    )
    status = VocabularyField(InstrumentStatus.choices, help_text="The current status.")
    status_label = LabelField(InstrumentStatus.choices, source="status")
    introduced_on = PartialDateField()
    introduced_on_precision = VocabularyField(DatePrecision.choices)
    adopted_on = PartialDateField()
    adopted_on_precision = VocabularyField(DatePrecision.choices)
    effective_on = PartialDateField()
    effective_on_precision = VocabularyField(DatePrecision.choices)
    topics = key_list("listed_topics", help_text="Slugs of its topics.")
    parties = key_list(
        "listed_parties", help_text="Codes of the jurisdictions that signed or endorsed it."
    )
    related = RelatedListField()
    citations = CitationRefSerializer(many=True, read_only=True, source="listed_citations")
    as_of = AsOfStatusSerializer(source="*", read_only=True, allow_null=True)
    url = RecordUrlField("api:instrument-detail", "slug")
    html_url = RecordUrlField("instruments:instrument-detail", "slug")

    class Meta:
        model = Instrument
        fields = [
            "slug",
            "title",
            "original_title",
            "short_name",
            "jurisdiction",
            "type",
            "type_label",
            "binding",
            "status",
            "status_label",
            "introduced_on",
            "introduced_on_precision",
            "adopted_on",
            "adopted_on_precision",
            "effective_on",
            "effective_on_precision",
            "issuing_body",
            "summary",
            "topics",
            "parties",
            "related",
            "citations",
            "as_of",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class InstrumentDetailSerializer(InstrumentSerializer):
    """An instrument at its own address: the list's fields (`as_of` is null: a record is shown
    as it stands), then its status timeline oldest first, each step with its citations, its
    official identifiers and the events that concern it."""

    status_timeline = StatusStepSerializer(many=True, read_only=True, source="status_changes")
    identifiers = IdentifierSerializer(many=True, read_only=True)
    events = related_keys("slug", help_text="Slugs of the events about it, newest first.")

    class Meta(InstrumentSerializer.Meta):
        fields = [*InstrumentSerializer.Meta.fields, "status_timeline", "identifiers", "events"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    kind = VocabularyField(EventKind.choices)
    kind_label = LabelField(EventKind.choices, source="kind")
    date = PartialDateField()
    date_precision = VocabularyField(DatePrecision.choices)
    host = JurisdictionRefSerializer(read_only=True, allow_null=True)
    co_hosts = key_list("listed_co_hosts", help_text="Codes of the co-hosts.")
    participants = key_list("listed_participants", help_text="Codes of the participants.")
    actors = key_list("listed_actors", help_text="Slugs of the actors involved.")
    instruments = key_list("listed_instruments", help_text="Slugs of the instruments concerned.")
    url = RecordUrlField("api:event-detail", "slug")
    html_url = RecordUrlField("instruments:event-detail", "slug")

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "kind",
            "kind_label",
            "date",
            "date_precision",
            "location",
            "host",
            "co_hosts",
            "participants",
            "actors",
            "instruments",
            "summary",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class EventDetailSerializer(EventSerializer):
    """An event at its own address: the list's fields, then the date of the report it is
    known from and the citations of its fields."""

    citations = CitationRefSerializer(many=True, read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "reported_on", "citations"]
        read_only_fields = fields


class ActorSerializer(serializers.ModelSerializer):
    """A person or organisation. Actors have no page of their own: `html_url` is their
    jurisdiction's page, which lists them (null without a jurisdiction)."""

    kind = VocabularyField(ActorKind.choices)
    kind_label = LabelField(ActorKind.choices, source="kind")
    jurisdiction = JurisdictionRefSerializer(read_only=True, allow_null=True)
    url = RecordUrlField("api:actor-detail", "slug")
    html_url = RecordUrlField("instruments:jurisdiction-detail", "jurisdiction.code")

    class Meta:
        model = Actor
        fields = [
            "slug",
            "name",
            "kind",
            "kind_label",
            "role",
            "jurisdiction",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class ActorDetailSerializer(ActorSerializer):
    """An actor at its own address: the list's fields, then the events it took part in,
    newest first, and the citations of its fields."""

    events = related_keys("slug", help_text="Slugs of its events, newest first.")
    citations = CitationRefSerializer(many=True, read_only=True)

    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "events", "citations"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    """An obligation or theme instruments are filed under. Topics have no page of their own:
    `html_url` is the instruments page filtered by the topic."""

    url = RecordUrlField("api:topic-detail", "slug")
    html_url = RecordUrlField("instruments:instrument-list", "slug", parameter="topic")

    class Meta:
        model = Topic
        fields = ["slug", "name", "description", "url", "html_url", "updated_at"]
        read_only_fields = fields


class TopicDetailSerializer(TopicSerializer):
    """A topic at its own address: the list's fields, then the instruments filed under it,
    by title."""

    instruments = related_keys("slug", help_text="Slugs of the instruments under it, by title.")

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "instruments"]
        read_only_fields = fields


class SourceSerializer(serializers.ModelSerializer):
    """A source the tracker cites, with how often and for how many records.
    `external_url` is where the source itself is published (the model's `url`: in the API
    `url` is always the record's own address)."""

    external_url = serializers.CharField(
        source="url", read_only=True, help_text="Address of the source; empty if it gives none."
    )
    kind = VocabularyField(SourceKind.choices)
    kind_label = LabelField(SourceKind.choices, source="kind")
    citation_count = serializers.IntegerField(read_only=True, help_text="Its citations.")
    record_count = serializers.IntegerField(
        read_only=True, help_text="The distinct records those citations back."
    )
    url = RecordUrlField("api:source-detail", "slug")
    html_url = RecordUrlField("instruments:source-detail", "slug")

    class Meta:
        model = Source
        fields = [
            "slug",
            "title",
            "author",
            "publisher",
            "external_url",
            "published_on",
            "kind",
            "kind_label",
            "citation_count",
            "record_count",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class SourceDetailSerializer(SourceSerializer):
    """A source at its own address: the list's fields, then the address of its citations
    (the citations list filtered by it)."""

    citations_url = RecordUrlField("api:citation-list", "slug", parameter="source")

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "citations_url"]
        read_only_fields = fields


class SourceRefSerializer(serializers.ModelSerializer):
    """A source where a citation names it: slug and title."""

    class Meta:
        model = Source
        fields = ["slug", "title"]
        read_only_fields = fields


# Where the record a citation backs is shown in the API and on the site: a status change on
# its instrument, an approach assessment on its jurisdiction, an actor on its jurisdiction's
# page (actors have no page). (kind → (API view, key path), (page view, key path)).
_CITED_ADDRESSES = {
    CitedRecordKind.JURISDICTION: (
        ("api:jurisdiction-detail", "code"),
        ("instruments:jurisdiction-detail", "code"),
    ),
    CitedRecordKind.INSTRUMENT: (
        ("api:instrument-detail", "slug"),
        ("instruments:instrument-detail", "slug"),
    ),
    CitedRecordKind.EVENT: (("api:event-detail", "slug"), ("instruments:event-detail", "slug")),
    CitedRecordKind.ACTOR: (
        ("api:actor-detail", "slug"),
        ("instruments:jurisdiction-detail", "jurisdiction.code"),
    ),
    CitedRecordKind.STATUS_CHANGE: (
        ("api:instrument-detail", "instrument.slug"),
        ("instruments:instrument-detail", "instrument.slug"),
    ),
    CitedRecordKind.APPROACH_ASSESSMENT: (
        ("api:jurisdiction-detail", "jurisdiction.code"),
        ("instruments:jurisdiction-detail", "jurisdiction.code"),
    ),
}
_KIND_LABELS = dict(CitedRecordKind.choices)


class CitedAddressField(serializers.URLField):
    """The address of the record a citation backs (see `_CITED_ADDRESSES`): in the API, or
    with `page` on the site. Null where there is none (an actor without a jurisdiction)."""

    def __init__(self, *, page, **kwargs):
        self.which = 1 if page else 0
        self.makers = {}
        kwargs.update(source="*", read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, citation):
        view_name, path = _CITED_ADDRESSES[citation.record_kind][self.which]
        key = citation.record
        for name in path.split("."):
            key = getattr(key, name)
            if key is None:
                return None
        if view_name not in self.makers:
            self.makers[view_name] = address_maker(view_name, self.context.get("request"))
        return self.makers[view_name](key)


class CitedRecordSerializer(serializers.Serializer):
    """The record a citation backs: its kind, its key (a code or slug; for a status change or
    an approach assessment, its natural key joined with `/`: `instrument/status/date`,
    `jurisdiction/date`), its name, and its address in the API (for a status change or an
    approach assessment, its instrument's or jurisdiction's, which show it)."""

    kind = VocabularyField(CitedRecordKind.choices)
    kind_label = LabelField(CitedRecordKind.choices, source="kind")
    key = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    url = CitedAddressField(page=False)

    def to_representation(self, citation):
        kind, record = citation.record_kind, citation.record
        return {
            "kind": kind,
            "kind_label": _KIND_LABELS[kind],
            "key": "/".join(str(part) for part in record.natural_key()),
            "title": str(record),
            "url": self.fields["url"].to_representation(citation),
        }


class CitationSerializer(serializers.ModelSerializer):
    """A quote from a source and the record it backs. `url` is the citation's own address,
    where editors change or delete it (see `CitationViewSet`); `html_url` is the page that
    shows the quote, the record's (an actor's is its jurisdiction's page; null without one).
    `updated_at` is when the citation last changed, from its change history (citations keep no
    timestamp of their own)."""

    source = SourceRefSerializer(read_only=True)
    fields = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The fields of the record the quote backs; empty: the record as a whole.",
    )
    record = CitedRecordSerializer(source="*", read_only=True)
    url = RecordUrlField("api:citation-detail", "id")
    html_url = CitedAddressField(page=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Citation
        fields = [
            "source",
            "quote",
            "locator",
            "note",
            "fields",
            "checked_on",
            "record",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields
