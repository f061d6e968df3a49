"""The "Edit" link a record's page shows an editor: to the record's change page in the admin,
for a signed-in staff member the admin lets change it; nothing for anyone else.

The tag reads `request.user`, which reads the session, so Django's `SessionMiddleware` marks
every page that uses it `Vary: Cookie`: a cache (a proxy's, or Django's own cache middleware)
keeps the copy a reader without a session gets apart from an editor's, and never serves a page
with the link to anyone without that editor's cookie."""

from django import template
from django.contrib import admin
from django.http import HttpRequest

from instruments.admin_health import admin_change_url as change_url

register = template.Library()


def admin_change_url(request: HttpRequest | None, obj) -> str | None:
    """The admin change page of `obj`, if the user of `request` may open the admin and change
    `obj` there (as the record's own admin decides); else None."""
    if request is None or obj is None:
        return None
    # Staff and active first (`has_permission`): the permission check queries the database.
    if not admin.site.has_permission(request) or not admin.site.is_registered(type(obj)):
        return None
    if not admin.site.get_model_admin(type(obj)).has_change_permission(request, obj):
        return None
    return change_url(obj)


@register.inclusion_tag("includes/_edit_link.html", takes_context=True)
def edit_link(context, obj):
    """`{% edit_link instrument %}`: the link to edit `obj` in the admin, for an editor who may
    (see `admin_change_url`); nothing for anyone else."""
    return {
        "edit_url": admin_change_url(context.get("request"), obj),
        "noun": obj._meta.verbose_name,
    }
