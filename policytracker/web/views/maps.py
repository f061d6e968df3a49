from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from instruments.filters import JurisdictionLawFilterSet
from instruments.models import Source
from jurisdictions.models import Jurisdiction
from jurisdictions.vocabulary import Kind
from policytracker.core.params import BadParameters
from policytracker.web.views.known_at import refuse_known_at_on_lists
from policytracker.web.world_map import build_map, world


class MapView(TemplateView):
    """`/map/`: the tracked jurisdictions on a world map, coloured and patterned by approach,
    on the `as_of` day beside today (without `as_of`: today beside the founding article's
    day), each shape linking to its page; the same in a table, and the blocs and bodies beside.
    Takes the jurisdiction list's filters (`region=`, `member_of=`…), which both maps apply."""

    template_name = "web/map.html"

    def get(self, request, *args, **kwargs):
        refuse_known_at_on_lists(request.GET)
        self.filterset = JurisdictionLawFilterSet(
            request.GET, queryset=Jurisdiction.objects.all(), request=request
        )
        if not self.filterset.is_valid():
            raise BadParameters(self.filterset.errors)
        return super().get(request, *args, **kwargs)

    def rows_on(self, day):
        data = self.request.GET.copy()
        data["as_of"] = day.isoformat()
        filterset = JurisdictionLawFilterSet(
            data, queryset=Jurisdiction.objects.select_related("parent")
        )
        return list(filterset.qs.order_by("name"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        as_of = self.filterset.as_of
        if as_of and as_of != today:
            days = [as_of, today]
        else:
            founding = Source.objects.founding_date()
            days = [today, founding] if founding and founding < today else [today]
        rows = {day: self.rows_on(day) for day in days}
        maps = [
            build_map(rows[day], day, day == today, lambda j: j.get_absolute_url()) for day in days
        ]
        # The table: one row per jurisdiction of the first map, its state on each day.
        by_pk = {day: {row.pk: row for row in rows[day]} for day in days}
        table = [
            {
                "jurisdiction": row,
                "cells": [{"day": day, "row": by_pk[day].get(row.pk)} for day in days],
            }
            for row in rows[days[0]]
        ]
        other_rows = [
            row
            for row in table
            if row["jurisdiction"].kind in (Kind.REGIONAL_BLOC, Kind.INTERNATIONAL)
        ]
        subnational_rows = [row for row in table if row["jurisdiction"].kind == Kind.SUBNATIONAL]
        context.update(
            maps=maps,
            days=days,
            today=today,
            as_of=as_of,
            world=world(),
            national_rows=[row for row in table if row["jurisdiction"].kind == Kind.NATIONAL],
            other_rows=other_rows,
            subnational_rows=subnational_rows,
            # What the map does not draw, listed below it: one section each, the same list.
            unmapped=[
                {
                    "id": "map-blocs",
                    "heading": "Blocs and international bodies",
                    "note": "Not drawn on the map: their approach on each day.",
                    "rows": other_rows,
                },
                {
                    "id": "map-subnational",
                    "heading": "Sub-national jurisdictions",
                    "note": "Not drawn on the map (its shapes are countries): their approach on "
                    "each day, under their country.",
                    "rows": subnational_rows,
                },
            ],
            jurisdictions_url=reverse("web:jurisdiction-list"),
            breadcrumbs=[{"label": "Map", "url": None}],
        )
        return context
