"""Read-side query building for the instruments app: every list calls its `for_listing()`."""

from django.db import models


def binding_condition(path=""):
    """Q matching binding instruments; `path` reaches them from another model ("instruments__")."""
    from instruments.models.instruments import BINDING_TYPES

    return models.Q(**{f"{path}type__in": sorted(BINDING_TYPES)})


class InstrumentQuerySet(models.QuerySet):
    def binding(self, value=True):
        """Binding texts (binding laws and draft bills) or, with `value=False`, the rest."""
        return self.filter(binding_condition()) if value else self.exclude(binding_condition())

    def voluntary(self):
        """Voluntary frameworks and declarations: nothing that binds."""
        return self.binding(False)

    def in_effect(self):
        """Instruments whose current status is `in_effect`."""
        return self.filter(status="in_effect")

    def for_jurisdiction(self, code):
        """Instruments issued by the jurisdiction `code` (case-insensitive)."""
        return self.filter(jurisdiction__code=code.upper())

    def for_listing(self):
        """Everything a list of instruments shows, in a fixed number of queries."""
        return self.select_related("jurisdiction").prefetch_related("topics", "parties")


class StatusChangeQuerySet(models.QuerySet):
    def chronological(self, newest_first=False):
        """Oldest first (or newest first); the newest is the current status. Changes on the same
        day follow the life cycle (adopted before in effect)."""
        from instruments.models.instruments import STATUS_SEQUENCE

        step = models.Case(
            *(models.When(status=status, then=rank) for rank, status in enumerate(STATUS_SEQUENCE)),
            output_field=models.IntegerField(),
        )
        if newest_first:
            return self.order_by("-date", step.desc(), "-id")
        return self.order_by("date", step, "id")


class EventQuerySet(models.QuerySet):
    def chronological(self):
        """Newest first, undated events last."""
        return self.order_by(models.F("date").desc(nulls_last=True), "title")

    def for_listing(self):
        return self.select_related("host").prefetch_related("participants", "actors", "instruments")


class CitationQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("source")
