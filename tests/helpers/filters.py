"""FilterSets applied to a query string in tests: the instruments or jurisdictions they keep."""

from django.http import QueryDict

from instruments.filters import InstrumentFilterSet
from instruments.models import Instrument
from jurisdictions.filters import JurisdictionFilterSet
from jurisdictions.models import Jurisdiction


def instruments(query):
    filterset = InstrumentFilterSet(QueryDict(query), queryset=Instrument.objects.for_listing())
    assert filterset.is_valid(), filterset.errors
    return filterset


def slugs(query):
    return sorted(instrument.slug for instrument in instruments(query).qs)


def filtered(query):
    filterset = JurisdictionFilterSet(QueryDict(query), queryset=Jurisdiction.objects.all())
    assert filterset.is_valid(), filterset.errors
    return filterset


def codes(query):
    return sorted(jurisdiction.code for jurisdiction in filtered(query).qs)


def position_queries():
    """The queries a list's facets add on PostgreSQL before counting: reading the database's
    position, under which the counts are kept (`policytracker.core.facet_cache`)."""
    from django.db import connection

    return 1 if connection.vendor == "postgresql" else 0
