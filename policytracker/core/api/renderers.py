"""CSV for every list of the API.

Written here rather than taken from a package because the format is ours to fix: the columns
are the serializer's fields, flattened the one way described below, so the CSV of a list always
has the same columns as its JSON; rows are streamed, so a download of the whole data set never
sits in memory; and cells are made safe to open in a spreadsheet. The CSV packages for DRF
render a finished list in memory and take their columns from the rows they happen to receive.

Flattening (`row_cells`):
- a nested object becomes one column per field, `parent.child` (`jurisdiction.code`); an
  object that is null leaves its columns empty, so the columns never depend on the rows;
- a list of values is one cell, the values joined with `;` (`ai-safety;transparency`);
- a list of objects is one cell, one line per object, its non-empty values in field order
  joined with ` | ` (`EU AI Act | “quote” | Article 5`; `ASEAN | member | 1984`);
- null is an empty cell, true and false are `true` and `false`, as in JSON.

A cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or
a carriage return) gets a leading `'`, which spreadsheets show as text.

Two column sets (`columns=`): `api` (the default) is the one above, headed by field names;
`sheet` is for reading in a spreadsheet (`sheet_columns`): headed by readable names ("Legal
force", "Jurisdiction code"), each vocabulary by its label alone, no precision columns (a date is
written at its precision already) and no API address. `bom=1` starts the file with a UTF-8 byte
order mark, which Excel needs to read non-Latin text as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

LIST_SEPARATOR = ";"
OBJECT_LIST_SEPARATOR = "\n"
OBJECT_FIELD_SEPARATOR = " | "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Enough rows to keep the number of writes to the client low, small enough to start at once.
FLUSH_BYTES = 64 * 1024


def columns(serializer: serializers.Serializer[Any], prefix: str = "") -> list[str]:
    """The CSV header of `serializer`: its readable fields in order, nested objects as
    `parent.child`."""
    names: list[str] = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.Serializer):
            names.extend(columns(field, f"{prefix}{name}."))
        else:
            names.append(prefix + name)
    return names


def _readable(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def _label(field: serializers.Field[Any, Any, Any, Any], name: str) -> str:
    label = field.label if isinstance(field.label, str) and field.label else _readable(name)
    return label[:1].upper() + label[1:]


def sheet_columns(
    serializer: serializers.Serializer[Any], prefix: str = "", heading: str = ""
) -> list[tuple[str, str]]:
    """The `sheet` column set of `serializer`: (readable header, `columns` name) pairs. A value
    whose `<name>_label` is a column too is given by the label alone, under the value's name;
    precision columns and the API address (`url`) are left out; nested objects are headed
    "<parent> <child>" ("Jurisdiction code")."""
    fields = {name: field for name, field in serializer.fields.items() if not field.write_only}
    pairs: list[tuple[str, str]] = []
    for name, field in fields.items():
        if name.endswith("_precision") or name == "url" or f"{name}_label" in fields:
            continue
        shown = name.removesuffix("_label") if name.endswith("_label") else name
        label = _label(fields.get(shown, field), shown)
        header = f"{heading} {label[:1].lower()}{label[1:]}" if heading else label
        if isinstance(field, serializers.Serializer):
            pairs.extend(sheet_columns(field, f"{prefix}{name}.", header))
        else:
            pairs.append((header, prefix + name))
    return pairs


def text(value: object) -> str:
    """One JSON value as the text of a cell (before neutralising)."""
    # Most cells are text already: answered before any other test, row after row.
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return OBJECT_FIELD_SEPARATOR.join(
            cell for cell in (text(item) for item in value.values()) if cell
        )
    if isinstance(value, list | tuple):
        if any(isinstance(item, dict) for item in value):
            return OBJECT_LIST_SEPARATOR.join(text(item) for item in value)
        return LIST_SEPARATOR.join(text(item) for item in value)
    return str(value)


def neutralise(cell: str) -> str:
    """`cell` made safe from spreadsheet formula injection."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def column_paths(header: Iterable[str]) -> list[tuple[str, ...]]:
    """Each column of `header` (from `columns`) as the keys leading to its value."""
    return [tuple(column.split(".")) for column in header]


def path_cells(row: Mapping[str, Any], paths: Iterable[tuple[str, ...]]) -> list[str]:
    """The cells of one serialized row under `paths` (from `column_paths`)."""
    cells: list[str] = []
    top = row if isinstance(row, dict) else {}
    for path in paths:
        value: object = top.get(path[0])
        for key in path[1:]:
            value = value.get(key) if isinstance(value, dict) else None
        # Most values are text already, and most text needs nothing done.
        cell = value if type(value) is str else text(value)
        cells.append("'" + cell if cell.startswith(FORMULA_STARTS) else cell)
    return cells


def row_cells(row: Mapping[str, Any], header: Iterable[str]) -> list[str]:
    """The cells of one serialized row under `header` (from `columns`)."""
    return path_cells(row, column_paths(header))


class CSVRenderer(BaseRenderer):
    """`?format=csv` or `Accept: text/csv`.

    Lists do not go through `render`: the view streams them with `stream` (see
    `policytracker.core.api.views.ListViewSet`). `render` serves anything else asked for as CSV
    (e.g. the API root): a list of objects, a page of them, or a single object as one row."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def stream(
        self,
        serializer: serializers.Serializer[Any],
        instances: Iterable[Any],
        *,
        sheet: bool = False,
        bom: bool = False,
    ) -> Iterator[str]:
        """CSV text, a header and one row per instance, in pieces of about `FLUSH_BYTES`: the
        `api` column set, or with `sheet` the `sheet` one; with `bom`, after a byte order
        mark."""
        if sheet:
            pairs = sheet_columns(serializer)
            header = [heading for heading, _ in pairs]
            names = [name for _, name in pairs]
        else:
            header = names = columns(serializer)
        # Split once: a long download has tens of thousands of rows to cut the same way.
        paths = column_paths(names)
        represent = serializer.to_representation
        buffer = io.StringIO()
        if bom:
            buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(header)
        for instance in instances:
            writer.writerow(path_cells(represent(instance), paths))
            if buffer.tell() >= FLUSH_BYTES:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]
        rows = [
            row if isinstance(row, dict) else {"value": row}
            for row in (data if isinstance(data, list) else [data])
        ]
        header: list[str] = []
        for row in rows:
            for column in flat_keys(row):
                if column not in header:
                    header.append(column)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(row_cells(row, header) for row in rows)
        return buffer.getvalue().encode(self.charset)


def flat_keys(row: Mapping[Any, object], prefix: str = "") -> list[str]:
    """The `parent.child` names of a serialized row's values."""
    names: list[str] = []
    for key, value in row.items():
        if isinstance(value, dict):
            names.extend(flat_keys(value, f"{prefix}{key}."))
        else:
            names.append(prefix + str(key))
    return names
