"""Template tags of the admin's own pages: the "Duplicate" link of a change page and the
data health counts of the front page."""

from django import template

from instruments.admin_actions import duplicate_url as _duplicate_url
from instruments.admin_health import data_health_summary as _data_health_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def duplicate_url(context, model_admin, obj):
    """`{% duplicate_url adminform.model_admin original as url %}`: the add page prefilled as a
    copy of `obj`, where its admin offers the "Duplicate" action to this user; else ""."""
    request = context.get("request")
    if request is None or "duplicate_record" not in model_admin.get_actions(request):
        return ""
    return _duplicate_url(model_admin, request, obj)


@register.simple_tag
def data_health_summary():
    """`{% data_health_summary as health %}`: {"problems": n, "review": n}, the counts the data
    health page shows (read at most every few minutes)."""
    return _data_health_summary()
