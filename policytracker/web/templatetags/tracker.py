"""Template filters of the browsing pages."""

from django import template

from instruments.vocabulary import EventKind, InstrumentStatus, InstrumentType
from jurisdictions.vocabulary import Approach, Region

register = template.Library()


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value


@register.filter
def status_label(value):
    """`in_effect` → "In effect" (annotations such as `as_of_status` carry only the value)."""
    return _label(InstrumentStatus, value)


@register.filter
def approach_label(value):
    return _label(Approach, value)


@register.filter
def type_label(value):
    return _label(InstrumentType, value)


@register.filter
def region_label(value):
    return _label(Region, value)


@register.filter
def event_kind_label(value):
    return _label(EventKind, value)
