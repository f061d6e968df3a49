"""A copy of the data kept from the change feed's field-level diffs alone ends equal to the
server: replayed from the start, and resumed with a cursor after edits of every sort (a field,
a many-to-many field, a timeline step added, a citation deleted, a record renamed, a record
deleted)."""

import datetime

import pytest
from django.urls import reverse

from instruments.history import _BY_MODEL, _KINDS, _Names, _plain, _published_fields
from instruments.models import Citation, Instrument, Topic
from instruments.services import instrument_change_status
from jurisdictions.models import Jurisdiction

CHANGES = reverse("api:change-list")
TOP_LEVEL = {"jurisdiction", "topic", "instrument", "actor", "event", "source"}


@pytest.fixture(autouse=True)
def _settled(settings):
    settings.CHANGES_SETTLE_SECONDS = 0


class Copy:
    """What a client keeps: {(kind, natural key): {field: (value, refers_to)}}, built from the
    feed's entries and nothing else."""

    def __init__(self):
        self.records = {}
        self.cursor = None

    def sync(self, client):
        params = {"page_size": 200}
        if self.cursor:
            params["cursor"] = self.cursor
        while True:
            answer = client.get(CHANGES, params).json()
            for entry in answer["results"]:
                self.apply(entry)
            self.cursor = answer["cursor"]
            params["cursor"] = self.cursor
            if not answer["has_more"]:
                return

    def apply(self, entry):
        kind, key = entry["kind"], tuple(entry["natural_key"])
        if entry["action"] == "deleted":
            del self.records[(kind, key)]
            return
        if entry["action"] == "created":
            self.records[(kind, key)] = {
                field["name"]: (field["new"], field["refers_to"]) for field in entry["fields"]
            }
            return
        if entry["previous_key"] is not None:
            old = entry["previous_key"]
            self.records[(kind, key)] = self.records.pop((kind, (old,)))
            if kind in TOP_LEVEL:
                self.rename(kind, old, key[0])
        record = self.records[(kind, key)]
        for field in entry["fields"]:
            assert record[field["name"]][0] == field["old"], (kind, key, field)
            record[field["name"]] = (field["new"], field["refers_to"])

    def rename(self, kind, old, new):
        """A record's key changed: so do its children's keys, and every value naming it."""
        renamed = {}
        for (record_kind, key), fields in self.records.items():
            key = tuple(new if part == old else part for part in key)
            for name, (value, refers_to) in list(fields.items()):
                if refers_to is None or value is None:
                    continue
                if isinstance(value, list):
                    value = sorted(self.renamed(item, old, new) for item in value)
                else:
                    value = self.renamed(value, old, new)
                fields[name] = (value, refers_to)
            renamed[(record_kind, key)] = fields
        self.records = renamed

    @staticmethod
    def renamed(key, old, new):
        """A key naming a record by its parents' keys (joined with /), with `old` renamed."""
        return "/".join(new if part == old else part for part in key.split("/"))

    def values(self):
        return {
            record: {name: value for name, (value, _) in fields.items()}
            for record, fields in self.records.items()
        }


def server_state():
    """Every record the feed describes, read from the live tables (not the history)."""
    names = _Names()
    rows = []
    for spec in _KINDS:
        for row in spec.model._base_manager.all():
            names.know(row)
            rows.append((spec, row))
    for spec, row in rows:
        names.want(spec.refs(row))
    names.fetch()
    state = {}
    for spec, row in rows:
        fields = {}
        for field in _published_fields(spec):
            if field.many_to_many:
                related = field.related_model
                fields[field.name] = sorted(
                    "/".join(_BY_MODEL[related].key(item, names))
                    for item in getattr(row, field.name).all()
                )
            elif field.is_relation:
                pk = getattr(row, field.attname)
                fields[field.name] = (
                    None if pk is None else "/".join(names.key(field.related_model, pk))
                )
            else:
                fields[field.name] = _plain(getattr(row, field.attname))
        key = tuple(str(part) for part in spec.key(row, names))
        state[(spec.kind, key)] = fields
    return state


def edit_everything():
    act = Instrument.objects.get(slug="kr-ai-framework-act")
    act.summary = act.summary + " Amended wording for the sync test."
    act.save()
    act.topics.add(Topic.objects.exclude(pk__in=act.topics.all()).first())
    instrument_change_status(
        instrument=Instrument.objects.get(slug="ph-hb-2827"),
        status="proposed",
        date=datetime.date(2025, 6, 2),
    )
    Citation.objects.filter(instrument__slug="kr-ai-framework-act").first().delete()
    renamed = Instrument.objects.get(slug="seoul-declaration-2024")
    renamed.slug = "seoul-declaration"
    renamed.save()
    jurisdiction = Jurisdiction.objects.get(code="VN")
    jurisdiction.name = "Viet Nam"
    jurisdiction.save()
    gone = Instrument.objects.filter(
        relations_in__isnull=True, relations_out__isnull=True, events__isnull=True
    )
    gone.exclude(
        slug__in=["kr-ai-framework-act", "ph-hb-2827", "seoul-declaration"]
    ).last().delete()


def test_a_copy_built_from_the_diffs_ends_equal_to_the_server(seeded, client):
    copy = Copy()
    copy.sync(client)
    assert copy.values() == server_state()

    edit_everything()
    copy.sync(client)
    assert copy.values() == server_state()

    # The same, replayed from the start in one go.
    fresh = Copy()
    fresh.sync(client)
    assert fresh.values() == copy.values()


def test_a_change_carries_old_and_new_values_with_labels(seeded, client):
    copy = Copy()
    copy.sync(client)
    instrument_change_status(
        instrument=Instrument.objects.get(slug="ph-hb-2827"),
        status="proposed",
        date=datetime.date(2025, 6, 2),
    )
    entries = client.get(CHANGES, {"cursor": copy.cursor}).json()["results"]
    step = next(entry for entry in entries if entry["kind"] == "status_change")
    assert step["action"] == "created"
    by_name = {field["name"]: field for field in step["fields"]}
    assert by_name["status"]["new"] == "proposed"
    assert by_name["status"]["new_label"] == "Proposed"
    assert by_name["instrument"]["new"] == "ph-hb-2827"
    assert by_name["instrument"]["refers_to"] == "instrument"
    assert by_name["date"]["new"] == "2025-06-02"
    assert by_name["date"]["new_label"] == "2 June 2025"
    assert all(field["old"] is None for field in step["fields"])
    bill = next(entry for entry in entries if entry["kind"] == "instrument")
    assert bill["action"] == "changed"
    status = {field["name"]: field for field in bill["fields"]}["status"]
    assert status["new"] == "proposed"
    assert status["new_label"] == "Proposed"
    assert bill["changed_fields"] == [field["name"] for field in bill["fields"]]
