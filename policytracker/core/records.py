"""Kinds of record, and which page shows a record.

Every record with a page says where it is with `get_absolute_url()`. A record shown on another
record's page (a status change on its instrument's, an approach assessment on its
jurisdiction's) is `ShownOnParentPage`: its address is its parent's page, at the section that
lists it. A `RecordKinds` registry names each kind of record once (its model, its label, the
path to the record that shows it, the list page that stands for it), for the code that lists
records of several kinds: citations, sources, search, feeds and the API's serializers.

Knows no model of the project: the domain declares its kinds (`instruments.records`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.utils.text import capfirst


class ShownOnParentPage:
    """Mixin for a model whose records have no page of their own: `get_absolute_url()` is the
    page of the record at `page_parent` (a foreign key's name), at the section `page_anchor`
    (an element id on that page); None when there is no parent."""

    page_parent: str = ""
    page_anchor: str = ""

    def get_absolute_url(self) -> str | None:
        parent = getattr(self, self.page_parent)
        if parent is None:
            return None
        return parent_page(parent.get_absolute_url(), self.page_anchor)


def parent_page(url: str | None, anchor: str) -> str | None:
    """The page `url` at the section `anchor` (None stays None)."""
    if url is None:
        return None
    return f"{url}#{anchor}" if anchor else url


@dataclass(frozen=True)
class RecordKind:
    """One kind of record.

    - `kind`: its name wherever records of several kinds are listed ("status_change");
    - `model`: its model;
    - `related`: the relations a list of such records reads beside each (with
      `select_related`) to name it and build its address, e.g. ("instrument",);
    - `parent`: the relation to the record it belongs to and is shown in (a status change's
      instrument), "" for a record that stands alone;
    - `list_url_name`: the list page that stands for it when its own page is gone.
    """

    kind: str
    model: type[models.Model]
    related: tuple[str, ...] = ()
    parent: str = ""
    list_url_name: str = ""

    @property
    def label(self) -> str:
        """ "Status change": the model's name, as a heading or a label shows it."""
        return str(capfirst(self.model._meta.verbose_name))

    @property
    def plural(self) -> str:
        """ "Status changes"."""
        return str(capfirst(self.model._meta.verbose_name_plural))


class RecordKinds:
    """The kinds of record, in a fixed order, found by name or by model."""

    def __init__(self, kinds: list[RecordKind]) -> None:
        self._kinds = list(kinds)
        self._by_kind = {kind.kind: kind for kind in self._kinds}
        self._by_model = {kind.model: kind for kind in self._kinds}

    def __iter__(self) -> Iterator[RecordKind]:
        return iter(self._kinds)

    def __getitem__(self, kind: str) -> RecordKind:
        return self._by_kind[kind]

    def __contains__(self, kind: object) -> bool:
        return kind in self._by_kind

    def names(self) -> tuple[str, ...]:
        return tuple(self._by_kind)

    def of_model(self, model: type[models.Model]) -> RecordKind:
        return self._by_model[model]

    def of(self, record: models.Model) -> RecordKind:
        return self._by_model[type(record)]
