"""Editor writes of instruments, events, actors, topics, sources and citations, and the status
changes of instruments (see `jurisdictions.api.writes` for the conventions every write
follows)."""

from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from instruments.models import (
    Actor,
    Citation,
    Event,
    Instrument,
    Source,
    StatusChange,
    Topic,
)
from instruments.models.citations import CITED_RECORDS
from instruments.services import instrument_change_status, instrument_sync_status
from instruments.vocabulary import InstrumentStatus
from jurisdictions.api.writes import (
    TIMELINE_ERROR_NAMES,
    EditorWritesMixin,
    KeyField,
    PartialDateInput,
    StrictInput,
    WriteSerializer,
    model_errors,
    validated,
)
from jurisdictions.models import Jurisdiction


def jurisdiction_key(**kwargs):
    return KeyField("code", queryset=Jurisdiction.objects.all(), upper_case=True, **kwargs)


def key_list(slug_field, model, **kwargs):
    return KeyField(
        slug_field,
        queryset=model._default_manager.all(),
        many=True,
        upper_case=model is Jurisdiction,
        **kwargs,
    )


class InstrumentWriteSerializer(WriteSerializer):
    """An instrument. Its `status` can be written while it has no status timeline; once it
    has one, the status follows the latest change (`status-changes`), as in the admin."""

    jurisdiction = jurisdiction_key()
    topics = key_list("slug", Topic, required=False)
    parties = key_list("code", Jurisdiction, required=False)
    introduced_on = PartialDateInput()
    adopted_on = PartialDateInput()
    effective_on = PartialDateInput()

    class Meta:
        model = Instrument
        fields = [
            "slug",
            "title",
            "original_title",
            "short_name",
            "jurisdiction",
            "type",
            "status",
            "introduced_on",
            "adopted_on",
            "effective_on",
            "issuing_body",
            "summary",
            "topics",
            "parties",
        ]

    def validate_status(self, value):
        instrument = self.instance
        if (
            instrument is not None
            and value != instrument.status
            and instrument.status_changes.exists()
        ):
            # The same value may come back unchanged in a record read and written back.
            raise ValidationError(
                "Follows the instrument's latest status change: record the change with a POST "
                "to its `status-changes`."
            )
        return value

    def after_save(self, instance):
        instrument_sync_status(instrument=instance)


class EventWriteSerializer(WriteSerializer):
    date = PartialDateInput()
    host = jurisdiction_key(required=False, allow_null=True)
    co_hosts = key_list("code", Jurisdiction, required=False)
    participants = key_list("code", Jurisdiction, required=False)
    actors = key_list("slug", Actor, required=False)
    instruments = key_list("slug", Instrument, required=False)

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "kind",
            "date",
            "reported_on",
            "location",
            "host",
            "co_hosts",
            "participants",
            "actors",
            "instruments",
            "summary",
        ]


class ActorWriteSerializer(WriteSerializer):
    jurisdiction = jurisdiction_key(required=False, allow_null=True)

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "role", "jurisdiction"]


class TopicWriteSerializer(WriteSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name", "description"]


class SourceWriteSerializer(WriteSerializer):
    # Reads name the source's own address `external_url`: `url` is its address in the API.
    external_url = serializers.URLField(
        source="url",
        required=False,
        allow_blank=True,
        max_length=Source._meta.get_field("url").max_length,
    )

    class Meta:
        model = Source
        fields = ["slug", "title", "author", "publisher", "external_url", "published_on", "kind"]


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


class StatusChangeInput(StrictInput, serializers.Serializer):
    """A status change to record: the status the instrument moved to, and from when."""

    status = serializers.ChoiceField(InstrumentStatus.choices)
    date = PartialDateInput(
        required=True, allow_null=False, help_text="From when (YYYY, YYYY-MM or YYYY-MM-DD)."
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=StatusChange._meta.get_field("note").max_length,
    )


class InstrumentWritesMixin(EditorWritesMixin):
    write_serializer_class = InstrumentWriteSerializer
    timeline_inputs = {"status_changes": StatusChangeInput}

    @action(detail=True, methods=["post"], url_path="status-changes")
    def status_changes(self, request, *args, **kwargs):
        """Record a status change (`If-Match`: the instrument's `ETag`); the instrument's
        `status` follows its latest one. Answers 201 with the instrument as it now reads, and
        its new `ETag`."""

        def write(instrument):
            step = validated(self.input_serializer(data=request.data))
            with model_errors(TIMELINE_ERROR_NAMES):
                instrument_change_status(
                    instrument=instrument,
                    status=step["status"],
                    date=step["date"].date,
                    date_precision=step["date"].precision,
                    note=step.get("note", ""),
                )

        return self.timeline_write(write)


class EventWritesMixin(EditorWritesMixin):
    write_serializer_class = EventWriteSerializer


class ActorWritesMixin(EditorWritesMixin):
    write_serializer_class = ActorWriteSerializer


class TopicWritesMixin(EditorWritesMixin):
    write_serializer_class = TopicWriteSerializer


class SourceWritesMixin(EditorWritesMixin):
    write_serializer_class = SourceWriteSerializer


class CitationWritesMixin(EditorWritesMixin):
    """Citations have no key of their own: one is written at `citations/<id>/`, the `id` a
    read of the list gives (and a create's `Location`)."""

    write_serializer_class = CitationWriteSerializer
