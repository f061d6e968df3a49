"""Backups restore exactly (`manage.py export_data` / `import_data`, `policytracker.core.backups`):
read into an empty database, the site answers every API request as before, byte for byte (the
same records, history, ETags and change-feed cursors), and a record made after the restore never
takes the key, nor the history, of one deleted before the backup. A backup that cannot be read
writes nothing and says why."""

import gzip
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection

from instruments.management.commands.export_data import BACKED_UP_APPS
from instruments.models import Instrument
from jurisdictions.models import Jurisdiction
from policytracker.core.backups import BackupError, backed_up_models, restore_backup, write_backup
from tests.factories import InstrumentFactory
from tests.helpers.api_snapshot import snapshot
from tests.helpers.databases import manage, run_python
from tests.helpers.fingerprint import fingerprint

pytestmark = pytest.mark.django_db


# The same, for a process of its own.
SETTLED = {"CHANGES_SETTLE_SECONDS": "0"}


@pytest.fixture
def settled(settings):
    """The change feed shows every change at once, so that two snapshots read apart in time
    see the same entries."""
    settings.CHANGES_SETTLE_SECONDS = 0


def empty_every_backed_up_table():
    """What a new, migrated database holds of the backed-up apps: the groups alone."""
    with connection.cursor() as cursor:
        for model in reversed(backed_up_models(BACKED_UP_APPS)):
            if model._meta.label not in {"auth.Group", "auth.Group_permissions"}:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def withdrawn_bill():
    """A record made and deleted: the highest key of its table, and a history, before the
    backup."""
    instrument = InstrumentFactory(
        slug="withdrawn-bill",
        title="Withdrawn bill",
        jurisdiction=Jurisdiction.objects.get(code="EU"),
    )
    key = instrument.pk
    instrument.delete()
    assert not Instrument.objects.filter(pk__gte=key).exists()
    return key


def test_a_backup_read_into_an_empty_database_holds_every_row_as_it_was(
    seeded, settled, client, tmp_path
):
    deleted = withdrawn_bill()
    tables = backed_up_models(BACKED_UP_APPS)
    before = fingerprint(tables)
    record = client.get("/api/v1/instruments/eu-ai-act/")
    changes = client.get("/api/v1/changes/?page_size=50").json()
    path = tmp_path / "backup.jsonl.gz"
    counts = write_backup(path, BACKED_UP_APPS)
    assert counts["instruments.Instrument"] == Instrument.objects.count()
    assert counts["instruments.HistoricalInstrument"] > counts["instruments.Instrument"]

    empty_every_backed_up_table()
    assert not Instrument.objects.exists()
    read = restore_backup(path)
    assert read == {label: count for label, count in counts.items() if count}
    # Every row of every table, to the microsecond (the whole API is compared in the test of
    # the commands below).
    assert fingerprint(tables) == before
    again = client.get("/api/v1/instruments/eu-ai-act/")
    assert again["ETag"] == record["ETag"]
    assert again.content == record.content
    assert client.get("/api/v1/changes/?page_size=50").json() == changes

    # A new record takes a key after every key the backup's history names.
    fresh = InstrumentFactory(slug="fresh-bill", jurisdiction=Jurisdiction.objects.get(code="EU"))
    assert fresh.pk > deleted
    assert [row.history_type for row in fresh.history.all()] == ["+"]


def test_nothing_is_written_from_a_backup_cut_short(seeded, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    write_backup(path, BACKED_UP_APPS)
    whole = gzip.decompress(path.read_bytes())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(whole[: len(whole) // 2]))
    empty_every_backed_up_table()
    groups = sorted(Group.objects.values_list("name", flat=True))
    with pytest.raises(BackupError, match="cannot be read to its end"):
        restore_backup(cut)
    assert not Instrument.objects.exists()
    assert not Jurisdiction.objects.exists()
    assert sorted(Group.objects.values_list("name", flat=True)) == groups


def test_a_backup_is_read_only_into_an_empty_database(seeded, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    write_backup(path, BACKED_UP_APPS)
    count = Instrument.objects.count()
    with pytest.raises(
        CommandError, match=r"holds rows of .*jurisdictions.Jurisdiction.*Nothing was written"
    ):
        call_command("import_data", str(path))
    assert Instrument.objects.count() == count


def test_a_backup_made_at_other_migrations_is_refused_naming_them(seeded, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    write_backup(path, BACKED_UP_APPS)
    lines = gzip.decompress(path.read_bytes()).decode().split("\n")
    header = json.loads(lines[0])
    header["migrations"]["instruments"].append("0099_future")
    future = tmp_path / "future.jsonl.gz"
    future.write_bytes(gzip.compress("\n".join([json.dumps(header), *lines[1:]]).encode()))
    empty_every_backed_up_table()
    with pytest.raises(
        BackupError, match=r"migrations this database lacks: \{'instruments': \['0099_future'\]\}"
    ):
        restore_backup(future)


@pytest.mark.parametrize(
    "content",
    [b"", b"not gzip", gzip.compress(b'{"format": "other"}\n')],
    ids=["empty", "not-gzip", "other"],
)
def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path, content):
    path = tmp_path / "file.jsonl.gz"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_data", str(path))


def test_export_refuses_a_folder_and_leaves_no_partial_file(db, tmp_path):
    with pytest.raises(CommandError, match="is a folder"):
        call_command("export_data", str(tmp_path))
    call_command("export_data", str(tmp_path / "backup.jsonl.gz"))
    assert [p.name for p in tmp_path.iterdir()] == ["backup.jsonl.gz"]


def test_every_table_of_the_data_is_in_the_backup():
    labels = {model._meta.label for model in backed_up_models(BACKED_UP_APPS)}
    for label in ("jurisdictions", "instruments"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            assert model._meta.label in labels
    assert {"auth.User", "auth.User_groups", "authtoken.Token", "admin.LogEntry"} <= labels
    # Each database numbers these itself; they are named by natural key.
    assert "auth.Permission" not in labels


def test_a_new_database_restored_with_the_commands_answers_as_the_original(
    seeded, settled, client, tmp_path, new_database, django_db_blocker
):
    """The way an operator restores: a new database, `migrate`, `import_data`; then the site,
    in a process of its own, answers every API request as the original did."""
    deleted = withdrawn_bill()
    before = snapshot(client)
    path = tmp_path / "backup.jsonl.gz"
    call_command("export_data", str(path))

    manage(new_database, "migrate", "--noinput", "-v0")
    assert "Read " in manage(new_database, "import_data", str(path))
    after = json.loads(run_python(new_database, "-m", "tests.helpers.api_snapshot", **SETTLED))
    assert after == json.loads(json.dumps(before))

    made = manage(
        new_database, "shell", "--no-imports", "-v0", "-c",
        "from instruments.models import Instrument; from jurisdictions.models import Jurisdiction;"
        "i = Instrument.objects.create(slug='fresh-bill', title='Fresh bill', type='draft_bill',"
        " status='proposed', jurisdiction=Jurisdiction.objects.get(code='EU'));"
        "print(i.pk, [h.history_type for h in i.history.all()])",
    )  # fmt: skip
    key, history = made.strip().splitlines()[-1].split(" ", 1)
    assert int(key) > deleted
    assert history == "['+']"


def test_an_export_that_fails_leaves_no_file(seeded, tmp_path, monkeypatch):
    from policytracker.core import backups

    def broken(model, stream, using):
        stream.write("half a row")
        raise OSError("the disk is full")

    monkeypatch.setattr(backups, "_write_rows", broken)
    with pytest.raises(CommandError, match="the disk is full"):
        call_command("export_data", str(tmp_path / "backup.jsonl.gz"))
    assert list(tmp_path.iterdir()) == []
