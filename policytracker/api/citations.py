"""Citations in the API: every quote the tracker rests on, with the record it backs."""

from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from instruments.filters import (
    CitationFilterSet,
)
from instruments.models import (
    CITED_RECORDS,
    Citation,
    Source,
)
from instruments.records import KINDS
from instruments.vocabulary import (
    CitedRecordKind,
)
from policytracker.api.references import PageUrlField
from policytracker.api.reviews import ReviewedWritesMixin
from policytracker.api.sources import SourceRefSerializer
from policytracker.core.api.fields import (
    LabelField,
    RecordUrlField,
    VocabularyField,
    address_maker,
)
from policytracker.core.api.serializers import ModelSerializer, Serializer
from policytracker.core.api.views import RecordViewSet
from policytracker.core.api.writes import (
    BadInput,
    EditorWritesMixin,
    KeyField,
    StrictInput,
    WriteSerializer,
    api_errors,
)

_KIND_LABELS = dict(CitedRecordKind.choices)


class CitedAddressField(serializers.URLField):
    """The address in the API of what a citation backs: the record's own, or, for a record
    that belongs to another (a status change to its instrument, an approach assessment to its
    jurisdiction: the registry's `parent`), that record's, which shows it."""

    def __init__(self, **kwargs):
        self.makers = {}
        kwargs.update(source="*", read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, citation):
        record = citation.record
        kind = KINDS.of(record)
        shown_in = getattr(record, kind.parent) if kind.parent else record
        view_name = f"api:{KINDS.of(shown_in).kind}-detail"
        if view_name not in self.makers:
            self.makers[view_name] = address_maker(view_name, self.context.get("request"))
        return self.makers[view_name](shown_in.natural_key()[0])


class CitedRecordSerializer(Serializer):
    """The record a citation backs: its kind, its key (a code or slug; for a status change or
    an approach assessment, its natural key joined with `/`: `instrument/status/date`,
    `jurisdiction/date`), its name, and its address in the API (for a status change or an
    approach assessment, its instrument's or jurisdiction's, which show it)."""

    kind = VocabularyField(CitedRecordKind.choices)
    kind_label = LabelField(CitedRecordKind.choices, source="kind")
    key = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    url = CitedAddressField()

    def to_representation(self, citation):
        kind, record = citation.record_kind, citation.record
        return {
            "kind": kind,
            "kind_label": _KIND_LABELS[kind],
            "key": "/".join(str(part) for part in record.natural_key()),
            "title": str(record),
            "url": self.fields["url"].to_representation(citation),
        }


class CitationSerializer(ModelSerializer):
    """A quote from a source and the record it backs. `url` is the citation's own address,
    where editors change or delete it (see `CitationViewSet`); `html_url` is the page that
    shows the quote: the record's (an actor's is its jurisdiction's page), or the source's
    where the record has none.
    `updated_at` is when the citation last changed, from its change history (citations keep no
    timestamp of their own)."""

    source = SourceRefSerializer(read_only=True)
    fields = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The fields of the record the quote backs; empty: the record as a whole.",
    )
    unverified_since = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="When a value the citation backs changed; until an editor checks the quote "
        "against the source again, the citation is unverified. Null: verified.",
    )
    unverified_fields = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The fields it backs whose value changed since it was last checked.",
    )
    record = CitedRecordSerializer(source="*", read_only=True)
    url = RecordUrlField("api:citation-detail", "id")
    html_url = PageUrlField()
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
            "unverified_since",
            "unverified_fields",
            "record",
            "url",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields


class CitedRecordField(serializers.Field):
    """The record a citation backs, as reads show it: `{"kind": ..., "key": ...}`, the key a
    code or slug, or for a status change or an approach assessment its natural key joined with
    `/` (`<instrument>/<status>/<date>`, `<jurisdiction>/<date>`)."""

    default_error_messages = {
        "invalid": 'Give the record as {{"kind": …, "key": …}}.',
        "kind": "“{kind}” is not a kind of record a citation backs: one of {kinds}.",
        "missing": "No {noun} has the key “{value}”.",
    }

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, Mapping) or not isinstance(data.get("key"), str):
            self.fail("invalid")
        kind, key = data.get("kind"), data["key"]
        if "\x00" in key:
            self.fail("invalid")
        if kind not in CITED_RECORDS:
            self.fail("kind", kind=kind, kinds=", ".join(CITED_RECORDS))
        model = CITED_RECORDS[kind]
        try:
            record = model._default_manager.get_by_natural_key(*key.split("/"))
        except (model.DoesNotExist, TypeError, ValueError, DjangoValidationError):
            self.fail("missing", noun=model._meta.verbose_name, value=key)
        return {str(name): record if name == kind else None for name in CITED_RECORDS}

    def to_representation(self, citation):
        kind = citation.record_kind
        if kind is None:
            return None
        return {"kind": kind, "key": "/".join(str(part) for part in citation.record.natural_key())}


class CitationWriteSerializer(WriteSerializer):
    """A citation: a quote from a source (by slug), and the record it backs."""

    source = KeyField("slug", queryset=Source.objects.all())
    record = CitedRecordField()
    fields = serializers.ListField(child=serializers.CharField(), required=False)

    # The model names the record by one field per kind; the payload by `record`.
    error_names = {NON_FIELD_ERRORS: "record", **dict.fromkeys(CITED_RECORDS, "record")}

    class Meta:
        model = Citation
        fields = ["source", "quote", "locator", "note", "fields", "checked_on", "record"]


class CitationInput(StrictInput, serializers.Serializer):
    """A citation written with the record it backs, in the same request (`citations` of a
    create, and of each step of a `status_timeline`): the source by slug, and what it states."""

    source = KeyField("slug", queryset=Source.objects.all())
    quote = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Copied character for character from the source.",
    )
    locator = serializers.CharField(
        required=False, allow_blank=True, max_length=Citation._meta.get_field("locator").max_length
    )
    note = serializers.CharField(required=False, allow_blank=True)
    fields = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The fields of the record the quote backs; empty: the record as a whole.",
    )
    checked_on = serializers.DateField(required=False, allow_null=True)


def create_citations(kind, record, items):
    """Create the citations `items` (validated `CitationInput`s) of `record`, a record of
    `kind`, each checked as a citation written alone is. Returns None, or, when any is refused,
    the errors as a list aligned with `items` (`{}` for each good one), for the caller to
    answer (its transaction then keeps none of them)."""
    errors, refused = [], False
    for item in items:
        citation = Citation(
            **{kind: record},
            source=item["source"],
            quote=item.get("quote", ""),
            locator=item.get("locator", ""),
            note=item.get("note", ""),
            fields=item.get("fields", []),
            checked_on=item.get("checked_on"),
        )
        try:
            citation.full_clean()
        except DjangoValidationError as error:
            errors.append(api_errors(error, {kind: "record"}))
            refused = True
            continue
        citation.save()
        errors.append({})
    return errors if refused else None


def cited_create_serializer(write_serializer, kind):
    """`write_serializer` for a create that also takes the record's `citations`: the record and
    every citation checked and written together, or nothing is."""

    class CitedCreate(write_serializer):
        citations = CitationInput(many=True, required=False)

        class Meta(write_serializer.Meta):
            fields = [*write_serializer.Meta.fields, "citations"]

        def create(self, validated_data):
            citations = validated_data.pop("citations", None) or []
            record = super().create(validated_data)
            errors = create_citations(kind, record, citations)
            if errors:
                raise BadInput({"citations": errors})
            return record

    CitedCreate.__name__ = CitedCreate.__qualname__ = write_serializer.__name__.replace(
        "Write", "Create"
    )
    return CitedCreate


class CitationWritesMixin(ReviewedWritesMixin, EditorWritesMixin):
    """Citations have no key of their own: one is written at `citations/<id>/`, the `id` a
    read of the list gives (and a create's `Location`)."""

    write_serializer_class = CitationWriteSerializer


class CitationViewSet(CitationWritesMixin, RecordViewSet):
    """Every quote the tracker rests on, by source title, each with the record it backs.

    A citation has no slug or code: its address (`url`, `/api/v1/citations/<id>/`) is built
    on its primary key, which holds as long as the database does (not across a fresh load of
    the data), and is there for editors to change or delete it. Read the citations of a
    record on the record itself (`citations`, and each step of a timeline), or find them here
    with `source`
    (a source's slug), `record` (the kind of record backed: jurisdiction, instrument, event,
    actor, status_change, approach_assessment; repeatable) and `q` (full-text search of the
    quotes and notes). `updated_since` reads `updated_at`, which for a citation comes from its
    change history.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `facet=<filter>` (repeatable) adds how many rows each value of a filter would
    give. `format=csv` downloads every matching row."""

    queryset = Citation.objects.for_listing().order_by("source__title", "pk")
    serializer_class = CitationSerializer
    filterset_class = CitationFilterSet
    lookup_field = "id"
    csv_filename = "citations.csv"


class CitedRecordFieldExtension(OpenApiSerializerFieldExtension):
    target_class = CitedRecordField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": [str(kind) for kind in CITED_RECORDS]},
                "key": {
                    "type": "string",
                    "description": "A code or slug; for a status change or an approach "
                    "assessment, its natural key joined with `/`.",
                },
            },
            "required": ["kind", "key"],
            "description": "The record the citation backs, as reads show it.",
        }
