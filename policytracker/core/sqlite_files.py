"""Tables written into a new SQLite file, the way Datasette serves them.

`SQLiteFile` makes the file: each `SQLiteTable` created with its columns and constraints, rows
inserted as they are read (in chunks, so memory stays flat whatever the size), then, once
every row is in, each table's indexes and its full-text table (FTS5 over the columns a search
reads, kept in the table as its content, the way `sqlite-utils enable-fts` builds it, so
Datasette finds it), and the statistics SQLite plans with (`ANALYZE`). The file is written in
one transaction with no journal: a file cut short is never mistaken for a finished one by its
writer, which removes it.

`datasette_table` gives a table's part of Datasette's metadata (which table searches it).
Both the benchmark's copy of the instruments and the data releases write through it.

Knows no model of the project.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any


def quoted(name: str) -> str:
    """`name` as an SQLite identifier."""
    return "[" + name.replace("]", "]]") + "]"


@dataclass(frozen=True)
class SQLiteTable:
    """One table of the file.

    - `columns`: (name, declaration) pairs, e.g. ("slug", "TEXT NOT NULL UNIQUE");
    - `constraints`: table constraints written after them (`PRIMARY KEY (a, b)`, `FOREIGN KEY
      …`);
    - `indexes`: the columns of each index, built once the rows are in;
    - `fts_columns`: the columns its full-text table indexes (none: no full-text table).
    """

    name: str
    columns: Sequence[tuple[str, str]]
    constraints: Sequence[str] = ()
    indexes: Sequence[Sequence[str]] = ()
    fts_columns: Sequence[str] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def fts_table(self) -> str | None:
        """Its full-text table's name (`<table>_fts`), or None without one."""
        return f"{self.name}_fts" if self.fts_columns else None

    @property
    def rowid_column(self) -> str:
        """The column that is the table's rowid: its `INTEGER PRIMARY KEY`, else `rowid`."""
        for name, declaration in self.columns:
            if declaration.upper().startswith("INTEGER PRIMARY KEY"):
                return name
        return "rowid"

    def create_sql(self) -> str:
        parts = [f"{quoted(name)} {declaration}" for name, declaration in self.columns]
        parts.extend(self.constraints)
        return f"CREATE TABLE {quoted(self.name)} ({', '.join(parts)})"

    def insert_sql(self) -> str:
        names = ", ".join(quoted(name) for name in self.column_names)
        marks = ", ".join("?" * len(self.columns))
        return f"INSERT INTO {quoted(self.name)} ({names}) VALUES ({marks})"


def datasette_table(table: SQLiteTable) -> dict[str, str]:
    """The table's part of Datasette's metadata: which table searches it, and by which column
    its rows are found there (empty without a full-text table)."""
    if table.fts_table is None:
        return {}
    return {"fts_table": table.fts_table, "fts_pk": table.rowid_column}


class SQLiteFile:
    """A new SQLite file at `path` (one there is replaced), written in one transaction.

    Used as a context manager: the tables are finished (indexes, full-text tables), the
    transaction committed and the file analysed when the block ends without an error; on an
    error the file is closed and removed."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.unlink(missing_ok=True)
        self.tables: list[SQLiteTable] = []
        self.database = sqlite3.connect(self.path, isolation_level=None)
        # One transaction, nothing to roll back to but an empty file.
        self.database.execute("PRAGMA journal_mode = OFF")
        self.database.execute("PRAGMA synchronous = OFF")
        self.database.execute("BEGIN")

    def __enter__(self) -> SQLiteFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.finish()
        else:
            self.database.close()
            self.path.unlink(missing_ok=True)

    def create(self, table: SQLiteTable) -> None:
        self.database.execute(table.create_sql())
        self.tables.append(table)

    def insert(self, table: SQLiteTable, rows: Iterable[Sequence[Any]]) -> int:
        """Insert `rows` (each a value per column, in order); how many were inserted."""
        listed = list(rows)
        self.database.executemany(table.insert_sql(), listed)
        return len(listed)

    def finish(self) -> None:
        try:
            for table in self.tables:
                self._index(table)
            self.database.execute("COMMIT")
            self.database.execute("ANALYZE")
        finally:
            self.database.close()

    def _index(self, table: SQLiteTable) -> None:
        for columns in table.indexes:
            name = f"idx_{table.name}_{'_'.join(columns)}"
            listed = ", ".join(quoted(column) for column in columns)
            self.database.execute(f"CREATE INDEX {quoted(name)} ON {quoted(table.name)} ({listed})")
        if table.fts_table is None:
            return
        fts, content = quoted(table.fts_table), quoted(table.name)
        searched = ", ".join(quoted(column) for column in table.fts_columns)
        # Its rows are the table's by rowid (an `INTEGER PRIMARY KEY` is the rowid).
        self.database.execute(
            f"CREATE VIRTUAL TABLE {fts} USING FTS5 ({searched}, content={content})"
        )
        self.database.execute(
            f"INSERT INTO {fts} (rowid, {searched}) SELECT rowid, {searched} FROM {content}"
        )
        self.database.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")
