"""A value and its citation stay tied: when a cited field of a record changes, the citations that
back that field are marked "unverified since the value changed" (`Citation.unverified_since`)
until an editor confirms them against their source or replaces them.

Every write path saves through the models (the admin, the API, the services, the imports), so
the marks are made here, on the models' signals, once for all of them. The seed, which loads
curated values with their citations together, writes with the marks suspended
(`marks_suspended`)."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.db.models.signals import m2m_changed, post_save, pre_save
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from instruments.models import CITED_RECORDS, Citation
from instruments.models.citations import citable_fields

_suspended = contextvars.ContextVar("citation_marks_suspended", default=False)

# Bookkeeping that no citation backs.
_IGNORED = {"created_at", "updated_at"}


@contextmanager
def marks_suspended():
    """Writes inside do not mark citations (the seed's own values come with their citations)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _kind_of(model):
    for kind, cited in CITED_RECORDS.items():
        if cited is model:
            return kind
    return None


def _compared_fields(model):
    """{attname: the name a citation gives it} for the fields whose change unverifies."""
    names = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in _IGNORED:
            continue
        name = field.name.removesuffix("_precision")
        if name in citable_fields(model):
            names[field.attname] = name
    return names


def mark_unverified(record, changed):
    """Mark the citations of `record` that back any of the field names `changed`. Returns how
    many were marked."""
    kind = _kind_of(type(record))
    if kind is None or not changed or _suspended.get():
        return 0
    today = timezone.localdate()
    marked = []
    for citation in Citation.objects.filter(**{kind: record}).order_by("pk"):
        backed = set(citation.fields if isinstance(citation.fields, list) else [])
        hit = sorted(backed & set(changed))
        if not hit:
            continue
        fields = sorted(set(citation.unverified_fields or []) | set(hit))
        if citation.unverified_since and fields == citation.unverified_fields:
            continue  # marked already, for these fields
        citation.unverified_since = citation.unverified_since or today
        citation.unverified_fields = fields
        marked.append(citation)
    if marked:
        # Not save(): the mark is bookkeeping, not an editor's change to the citation, and
        # must not set off the citation's own signals. But readers see it, so the history
        # records it (with no editor), and the change feed and the tracker's past versions
        # tell it.
        bulk_update_with_history(
            marked, Citation, ["unverified_since", "unverified_fields"], batch_size=500
        )
    return len(marked)


def _before_save(sender, instance, raw=False, **kwargs):
    if raw or _suspended.get() or instance.pk is None or instance._state.adding:
        return
    compared = _compared_fields(sender)
    stored = sender._default_manager.filter(pk=instance.pk).values(*compared).first()
    if stored is None:
        return
    instance._changed_cited_fields = {
        name for attname, name in compared.items() if stored[attname] != getattr(instance, attname)
    }


def _after_save(sender, instance, raw=False, **kwargs):
    changed = instance.__dict__.pop("_changed_cited_fields", None)
    if changed and not raw:
        mark_unverified(instance, changed)


def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    for field in type(instance)._meta.many_to_many:
        if field.remote_field.through is sender:
            if action != "post_clear" and not pk_set:
                return
            mark_unverified(instance, {field.name})
            return


def connect():
    for model in CITED_RECORDS.values():
        uid = f"citation-marks-{model._meta.label_lower}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _links_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-{field.name}",
            )
