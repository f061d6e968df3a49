"""The API's serializers represent a record exactly as DRF's own `to_representation` would:
on every list, record, page of the change feed and CSV of the seed, and on each way DRF reads
a value that the quick path leaves to it."""

import pytest
from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from instruments.models import Event, Instrument, Source
from jurisdictions.models import Jurisdiction
from policytracker.core.api.serializers import QuickRepresentation, Serializer

pytestmark = pytest.mark.django_db


def drf_representation(monkeypatch):
    """From here on, the API's serializers represent records with DRF's own method."""
    monkeypatch.setattr(
        QuickRepresentation,
        "to_representation",
        lambda self, instance: serializers.Serializer.to_representation(self, instance),
    )


def every_page(client, url):
    pages = []
    while url:
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content[:300]
        data = response.json()
        pages.append(data)
        # The change feed always names where to ask next; `has_more` says whether to.
        url = data.get("next") if data.get("has_more", True) else None
    return pages


LISTS = [
    "/api/v1/instruments/?page_size=100",
    "/api/v1/instruments/?page_size=100&as_of=2025-08-08&member_of=ASEAN",
    "/api/v1/instruments/?page_size=100&binding=true&facet=type&facet=status",
    "/api/v1/events/?page_size=100",
    "/api/v1/jurisdictions/?page_size=100",
    "/api/v1/jurisdictions/?page_size=100&as_of=2025-08-08",
    "/api/v1/actors/?page_size=100",
    "/api/v1/topics/?page_size=100",
    "/api/v1/sources/?page_size=100",
    "/api/v1/citations/?page_size=100",
    "/api/v1/changes/?page_size=100",
]


def records(client):
    """Every instrument, jurisdiction, event and source at its own address, and each list
    above, page by page, as JSON; and the instruments' CSV."""
    answers = {url: every_page(client, url) for url in LISTS}
    for model, key, prefix in (
        (Instrument, "slug", "/api/v1/instruments/"),
        (Jurisdiction, "code", "/api/v1/jurisdictions/"),
        (Event, "slug", "/api/v1/events/"),
        (Source, "slug", "/api/v1/sources/"),
    ):
        for value in model.objects.values_list(key, flat=True):
            response = client.get(f"{prefix}{value}/")
            assert response.status_code == 200, (prefix, value)
            answers[f"{prefix}{value}/"] = (response.json(), response["ETag"])
    csv = client.get("/api/v1/instruments/?format=csv&as_of=2025-08-08")
    answers["csv"] = b"".join(csv.streaming_content).decode()
    return answers


def test_the_api_answers_as_drfs_own_representation_would(seeded, client, monkeypatch, settings):
    # The change feed serves every change at once, so both reads end at the same one.
    settings.CHANGES_SETTLE_SECONDS = 0
    quick = records(client)
    drf_representation(monkeypatch)
    assert records(client) == quick


# -- each way of reading a value, against DRF's own -----------------------------------------


class Thing:
    name = "plain"
    nothing = None

    def __init__(self, **values):
        self.__dict__.update(values)

    def method(self):
        return "called"

    def needs(self, argument):
        return argument

    @property
    def missing_related(self):
        raise ObjectDoesNotExist

    @property
    def broken(self):
        raise AttributeError("inside a property")


class Inner(Serializer):
    name = serializers.CharField()


class Shapes(Serializer):
    name = serializers.CharField()
    through_none = serializers.CharField(source="nothing.name", allow_null=True)
    called = serializers.CharField(source="method")
    # A method that needs an argument is not called, by DRF either: its text is the method's.
    not_called = serializers.CharField(source="needs")
    defaulted = serializers.CharField(source="absent", default="the default")
    nullable = serializers.CharField(source="absent", allow_null=True)
    skipped = serializers.CharField(source="absent", required=False)
    related_gone = serializers.CharField(source="missing_related")
    from_mapping = serializers.CharField(source="mapping.key")
    mapping_method_name = serializers.CharField(source="mapping.items")
    whole = Inner(source="*")
    nested = Inner(source="child")
    nested_none = Inner(source="nothing", allow_null=True)
    listed = Inner(source="children", many=True)
    computed = serializers.SerializerMethodField()

    def get_computed(self, instance) -> str:
        return f"{instance.name}!"


def both(serializer_class, instance):
    quick = serializer_class(instance).data
    drf = serializers.Serializer.to_representation(serializer_class(), instance)
    return dict(quick), drf


def test_every_way_of_reading_a_value_gives_drfs_answer():
    thing = Thing(
        mapping={"key": "from the mapping", "items": "a key named items"},
        child=Thing(name="child"),
        children=[Thing(name="one"), Thing(name="two")],
    )
    quick, drf = both(Shapes, thing)
    assert quick == drf
    assert list(quick) == list(drf)
    assert quick["called"] == "called"
    assert quick["defaulted"] == "the default"
    assert quick["nullable"] is None
    assert "skipped" not in quick
    assert quick["related_gone"] is None
    assert quick["from_mapping"] == "from the mapping"
    assert quick["mapping_method_name"] == "a key named items"
    assert quick["whole"] == {"name": "plain"}
    assert quick["listed"] == [{"name": "one"}, {"name": "two"}]


def test_a_mapping_is_read_by_key_as_drf_reads_it():
    class Row(Serializer):
        name = serializers.CharField()
        items = serializers.CharField()

    row = {"name": "a dict", "items": "not the method"}
    quick, drf = both(Row, row)
    assert quick == drf == row


def test_what_drf_refuses_the_quick_path_refuses_in_drfs_words():
    class Refused(Serializer):
        value = serializers.CharField(source="broken")

    errors = []
    for represent in (
        lambda: Refused(Thing()).data,
        lambda: serializers.Serializer.to_representation(Refused(), Thing()),
    ):
        with pytest.raises(AttributeError, match="inside a property") as caught:
            represent()
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]
    assert "inside a property" in errors[0][1]


def test_a_mapping_without_the_key_or_holding_a_callable_reads_as_drf_reads_it():
    class Row(Serializer):
        name = serializers.CharField()
        defaulted = serializers.CharField(default="the default")
        skipped = serializers.CharField(required=False)
        made = serializers.CharField()

    row = {"name": "a dict", "made": lambda: "called by DRF"}
    quick, drf = both(Row, row)
    assert quick == drf
    assert quick == {"name": "a dict", "defaulted": "the default", "made": "called by DRF"}


def test_date_times_are_written_as_drfs_own_field_writes_them(settings):
    from datetime import UTC, datetime, timedelta, timezone

    from django.utils import timezone as django_timezone

    from policytracker.core.api.serializers import DateTimeField

    values = [
        datetime(2026, 12, 5, 16, 30, 1, 123456, tzinfo=UTC),
        datetime(2026, 12, 5, 16, 30, tzinfo=UTC),
        datetime(2026, 12, 5, 16, 30, tzinfo=timezone(timedelta(hours=9))),
        datetime(2026, 12, 5, 16, 30, tzinfo=UTC).replace(tzinfo=None),  # naive
        None,
    ]
    for zone in ("UTC", "Asia/Tokyo"):
        with django_timezone.override(zone):
            ours, theirs = DateTimeField(), serializers.DateTimeField()
            for value in values:
                assert ours.to_representation(value) == theirs.to_representation(value), (
                    zone,
                    value,
                )
    # The zone is read once, when the field first writes a value.
    with django_timezone.override("Asia/Tokyo"):
        field = DateTimeField()
        assert field.to_representation(values[0]).endswith("+09:00")
    assert field.to_representation(values[0]).endswith("+09:00")


def test_model_serializers_write_date_times_with_it():
    from instruments.models import Instrument
    from policytracker.core.api.serializers import DateTimeField, ModelSerializer

    class Stamped(ModelSerializer):
        class Meta:
            model = Instrument
            fields = ["updated_at"]

    assert type(Stamped().fields["updated_at"]) is DateTimeField
