"""Review before publication: an editor's change waits as a `Revision` until a reviewer publishes
it, and nothing public (pages, API, feeds, the change feed) shows it before.

A change is checked in full when the editor submits it: the admin page or the API request runs
as it would for a reviewer (forms, model validation, the rules of `instruments.rules`, the
services), inside a transaction that is then rolled back, so the editor sees every error at
once and a revision is only ever a change that was valid. What is kept is the request itself
(the form's fields, or the JSON and its `If-Match`). Publishing replays that request through
the same view, as its author, with the record's version the author saw: a record changed by
someone else meanwhile refuses it (the admin's version check, the API's `If-Match`), so a
publication never overwrites a change the author did not see. The preview a reviewer reads is
the same replay, rolled back, read from the history entries it writes.

A revision is published only if every record it adds or changes is cited: a record without a
citation, or a date or status no citation names, keeps it from publication (`check_data`'s
`uncited` and `uncited-date`), so a value reaches readers with its source.

Users with the `instruments.publish_revision` permission (the `reviewers` group, superusers)
publish as they save.
"""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.http import Http404, HttpRequest, QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from instruments.models import Revision, RevisionChannel, RevisionKind, RevisionState
from policytracker.core.dates import DatePrecision, PartialDate

PUBLISH_PERMISSION = "instruments.publish_revision"
# Where files uploaded with a revision wait for it to be published.
UPLOADS = "revisions"
_FILES_KEY = "__files__"


class RevisionRefused(Exception):
    """A revision that cannot be published as it stands: `messages` say why."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("; ".join(messages))


def may_publish(user: Any) -> bool:
    """Whether `user`'s changes are published as they are saved."""
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def is_replay(request: Any) -> bool:
    """Whether `request` is a revision being previewed or published."""
    return getattr(request, "_replaying_revision", None) is not None


def reviewed(request: Any) -> bool:
    """Whether a change made by `request` must wait for a reviewer."""
    return not is_replay(request) and not may_publish(request.user)


# -- submitting --------------------------------------------------------------------------------


def admin_form_data(request: HttpRequest) -> dict[str, Any]:
    """The fields an admin page posted, as {name: [value, ...]}, with its uploads stored aside
    until publication."""
    data: dict[str, Any] = {
        name: values for name, values in request.POST.lists() if name != "csrfmiddlewaretoken"
    }
    files = {}
    for name, upload in request.FILES.items():
        stored = default_storage.save(f"{UPLOADS}/{upload.name}", upload)
        files[name] = {"path": stored, "name": upload.name, "type": upload.content_type}
    if files:
        data[_FILES_KEY] = files
    return data


@transaction.atomic
def revision_submit(
    *,
    author: Any,
    channel: str,
    kind: str,
    model: type[models.Model],
    object_id: object,
    title: str,
    method: str,
    path: str,
    data: Any,
    if_match: str = "",
) -> Revision:
    """Keep a change `author` made (and that was found valid) for a reviewer."""
    return Revision.objects.create(
        author=author,
        channel=channel,
        kind=kind,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id="" if object_id is None else str(object_id),
        title=str(title)[:300],
        method=method.upper(),
        path=path,
        data=data,
        if_match=if_match or "",
    )


@transaction.atomic
def revision_withdraw(*, revision: Revision, user: Any) -> Revision:
    """The author takes back a change still waiting for review."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != RevisionState.PENDING:
        raise RevisionRefused([_no_longer_pending(revision)])
    if revision.author_id != user.pk:
        raise RevisionRefused(["Only its author may withdraw a change."])
    revision.state = RevisionState.WITHDRAWN
    revision.save(update_fields=["state"])
    return revision


@transaction.atomic
def revision_reject(*, revision: Revision, reviewer: Any, note: str = "") -> Revision:
    """A reviewer turns a change down, saying why."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != RevisionState.PENDING:
        raise RevisionRefused([_no_longer_pending(revision)])
    if not may_publish(reviewer):
        raise RevisionRefused(["Only a reviewer may reject a change."])
    revision.state = RevisionState.REJECTED
    revision.reviewer, revision.reviewed_at, revision.review_note = reviewer, timezone.now(), note
    revision.save(update_fields=["state", "reviewer", "reviewed_at", "review_note"])
    return revision


def _no_longer_pending(revision: Revision) -> str:
    return f"It is no longer waiting for review: {revision.get_state_display().lower()}."


# -- replaying ---------------------------------------------------------------------------------


@dataclass
class Replay:
    """What replaying a revision did: whether the view accepted it, its error messages, the
    record an addition made, and (in a preview) the changes it wrote."""

    ok: bool
    messages: list[str] = field(default_factory=list)
    object_id: str = ""
    changes: list[RecordChange] = field(default_factory=list)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class RecordChange:
    """One record a revision adds, changes or deletes, with its fields' old and new values."""

    kind: str  # the record's kind, e.g. "status change"
    record: str
    action: str  # "added", "changed", "deleted"
    fields: list[FieldChange] = field(default_factory=list)
    key: object = None  # (model, primary key): one record


def _inner_request(revision: Revision, outer: HttpRequest) -> HttpRequest:
    request = HttpRequest()
    request.method = revision.method
    request.path = request.path_info = revision.path
    request.META["SCRIPT_NAME"] = ""
    for name in (
        "HTTP_HOST",
        "SERVER_NAME",
        "SERVER_PORT",
        "SCRIPT_NAME",
        "wsgi.url_scheme",
        "REMOTE_ADDR",
    ):
        if name in outer.META:
            request.META[name] = outer.META[name]
    if outer.is_secure():
        request.META["HTTP_X_FORWARDED_PROTO"] = "https"
    if revision.channel == RevisionChannel.ADMIN:
        data = dict(revision.data)
        files = data.pop(_FILES_KEY, {})
        post = QueryDict(mutable=True)
        for name, values in data.items():
            post.setlist(name, values)
        request.POST = post
        for name, stored in files.items():
            with default_storage.open(stored["path"], "rb") as handle:
                request.FILES[name] = SimpleUploadedFile(
                    stored["name"], handle.read(), stored.get("type") or ""
                )
        request.META["CONTENT_TYPE"] = "multipart/form-data; boundary=unused"
    else:
        body = b"" if revision.data is None else json.dumps(revision.data).encode()
        request.META["CONTENT_TYPE"] = "application/json"
        request.META["CONTENT_LENGTH"] = str(len(body))
        request._stream = io.BytesIO(body)  # type: ignore[attr-defined]
        request._read_started = False  # type: ignore[attr-defined]
        request.META["HTTP_ACCEPT"] = "application/json"
        if revision.if_match:
            request.META["HTTP_IF_MATCH"] = revision.if_match
    request.user = revision.author
    request.session = getattr(outer, "session", None)  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    # Checked when it was submitted, by the author's own signed-in request.
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    request._replaying_revision = revision  # type: ignore[attr-defined]
    return request


def _response_messages(response: Any, request: HttpRequest) -> list[str]:
    messages: list[str] = []
    context = getattr(response, "context_data", None) or {}
    errors = context.get("errors")
    if errors:
        for error_list in errors:
            messages.extend(str(message) for message in error_list)
    if context.get("protected") or context.get("perms_lacking"):
        protected = context.get("protected") or []
        messages.append(
            "Other records still depend on it: " + ", ".join(str(item) for item in protected[:10])
            if protected
            else "The author may no longer delete it."
        )
    data = getattr(response, "data", None)
    if isinstance(data, dict):
        detail = data.get("errors", data.get("detail", data))
        messages.append(json.dumps(detail, ensure_ascii=False, default=str)[:2000])
    if response.status_code == 412:
        messages.append(
            "The record changed after the author read it: the author must read it again."
        )
    if response.status_code == 403:
        messages.append("Its author may no longer make this change.")
    if not messages:
        messages.append(f"The change could not be made (status {response.status_code}).")
    return messages


def _replay(revision: Revision, outer: HttpRequest) -> Replay:
    """Run the revision's request through its view, as its author. Call inside a transaction
    (the caller commits or rolls back)."""
    request = _inner_request(revision, outer)
    try:
        match = resolve(revision.path)
    except Resolver404:
        return Replay(False, [f"The address {revision.path} no longer exists."])
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = request
    started = timezone.now()
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except (PermissionDenied, Http404):
        # What the request handler would have answered 403 or 404.
        return Replay(False, ["Its author may no longer make this change, or the record is gone."])
    finally:
        context.request = previous
    if revision.channel == RevisionChannel.ADMIN:
        # A save redirects to the list or the record; a redirect to the sign-in page means the
        # author may no longer use the admin, and nothing was saved.
        ok = response.status_code in (301, 302, 303) and not response.url.startswith(
            reverse("admin:login")
        )
        if response.status_code in (301, 302, 303) and not ok:
            return Replay(False, ["Its author may no longer use the admin."])
    else:
        ok = 200 <= response.status_code < 300
    if not ok:
        return Replay(False, _response_messages(response, request))
    object_id = ""
    if revision.kind == RevisionKind.CREATE:
        object_id = _created_by_replay(revision, started)
    return Replay(True, object_id=object_id or "")


def _created_by_replay(revision: Revision, started: Any) -> str:
    """The key of the record of the revision's kind that its replay added (from its history)."""
    model = revision.model
    history = getattr(model, "history", None) if model is not None else None
    if history is None:
        return ""
    entry = (
        history.model.objects.filter(history_type="+", history_date__gte=started)
        .order_by("-history_id")
        .first()
    )
    return "" if entry is None else str(getattr(entry, model._meta.pk.attname))


def _touched(history_models: list[type[models.Model]], marks: dict[Any, int]) -> dict[Any, set]:
    """{model: {pk, ...}} of the records the history entries after `marks` add or change."""
    touched: dict[Any, set] = {}
    for model in history_models:
        entries = model.objects.filter(history_id__gt=marks[model]).exclude(history_type="-")
        record_model = model.instance_type  # type: ignore[attr-defined]
        pk = record_model._meta.pk.attname
        touched.setdefault(record_model, set()).update(entries.values_list(pk, flat=True))
    return touched


def _uncited(touched: dict[Any, set]) -> list[str]:
    from instruments.data_checks import uncited_values

    return [
        f"A value with no citation cannot be published: {problem.record} {problem.message}."
        for problem in uncited_values(touched)
    ]


def _marks(history_models: list[type[models.Model]]) -> dict[Any, int]:
    return {
        model: model.objects.aggregate(last=models.Max("history_id"))["last"] or 0
        for model in history_models
    }


def _history_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in ("instruments", "jurisdictions")
        and model.__name__.startswith("Historical")
        # A record's own history, not the rows of its many-to-many links' histories.
        and any(field.name == "history_type" for field in model._meta.fields)
    ]


def _replay_cited(
    revision: Revision,
    request: HttpRequest,
    history_models: list[type[models.Model]],
    marks: dict[Any, int],
) -> Replay:
    """`_replay`, refused when a record it adds or changes would be published uncited."""
    result = _replay(revision, request)
    if result.ok and revision.kind != RevisionKind.DELETE:
        result.messages = _uncited(_touched(history_models, marks))
        result.ok = not result.messages
    return result


def revision_preview(*, revision: Revision, request: HttpRequest) -> Replay:
    """What publishing `revision` now would write, record by record, field by field, or why it
    cannot be published; nothing is kept."""
    history_models = _history_models()
    with transaction.atomic():
        marks = _marks(history_models)
        result = _replay_cited(revision, request, history_models, marks)
        if result.ok:
            for model in history_models:
                for entry in model.objects.filter(history_id__gt=marks[model]).order_by(
                    "history_id"
                ):
                    result.changes.append(_describe(entry))
            result.changes = fold(result.changes)
        transaction.set_rollback(True)
    return result


@transaction.atomic
def revision_publish(*, revision: Revision, reviewer: Any, request: HttpRequest) -> Revision:
    """Publish `revision`: make its change, as its author, and record who reviewed it. Raises
    `RevisionRefused` (and writes nothing) when it cannot be made as it stands."""
    if not may_publish(reviewer):
        raise RevisionRefused(["Only a reviewer may publish a change."])
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != RevisionState.PENDING:
        raise RevisionRefused([_no_longer_pending(revision)])
    history_models = _history_models()
    with transaction.atomic():
        result = _replay_cited(revision, request, history_models, _marks(history_models))
        if not result.ok:
            transaction.set_rollback(True)
    if not result.ok:
        raise RevisionRefused(result.messages)
    revision.state = RevisionState.PUBLISHED
    revision.reviewer, revision.reviewed_at = reviewer, timezone.now()
    revision.published_object_id = result.object_id
    revision.save(update_fields=["state", "reviewer", "reviewed_at", "published_object_id"])
    _discard_uploads(revision)
    return revision


def _discard_uploads(revision: Revision) -> None:
    if revision.channel != RevisionChannel.ADMIN or not isinstance(revision.data, dict):
        return
    for stored in revision.data.get(_FILES_KEY, {}).values():
        default_storage.delete(stored["path"])


# -- describing --------------------------------------------------------------------------------

_BOOKKEEPING = {"id", "created_at", "updated_at"}


def _value(model_field: Any, value: object, precision: str = "") -> str:
    if value in (None, "", [], {}):
        return "—"
    if precision and isinstance(value, datetime.date):
        return str(PartialDate(value, precision))
    if isinstance(value, datetime.date):
        return str(PartialDate(value, DatePrecision.DAY))
    if value is True or value is False:
        return "Yes" if value else "No"
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field is not None and model_field.is_relation and model_field.many_to_one:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if isinstance(value, list):
        names = []
        for item in value:
            if isinstance(item, dict) and model_field is not None and model_field.many_to_many:
                target = model_field.related_model
                key = next((item[name] for name in item if name == target._meta.model_name), None)
                related = target._default_manager.filter(pk=key).first() if key else None
                names.append(str(related) if related else str(key))
            else:
                names.append(str(item))
        return ", ".join(names)
    return str(value)


def _precision_of(model: Any, name: str) -> str | None:
    """The name of the precision kept beside the date `name` of `model`, if there is one."""
    try:
        model._meta.get_field(f"{name}_precision")
    except Exception:
        return None
    return f"{name}_precision"


def _describe(entry: Any) -> RecordChange:
    model = entry.instance_type
    kind = str(model._meta.verbose_name)
    action = {"+": "added", "~": "changed", "-": "deleted"}[entry.history_type]
    record = str(entry.instance)
    fields: list[FieldChange] = []
    previous = entry.prev_record if entry.history_type == "~" else None

    def shown(field: Any, row: Any) -> str:
        precision = _precision_of(model, field.name)
        return _value(
            field,
            getattr(row, field.attname, None),
            getattr(row, precision, "") if precision else "",
        )

    if previous is not None:
        changed = set()
        for change in entry.diff_against(previous).changes:
            name = change.field.removesuffix("_precision")
            if name in _BOOKKEEPING or name in changed:
                continue
            changed.add(name)
            model_field = model._meta.get_field(name)
            label = str(model_field.verbose_name).capitalize()
            if model_field.many_to_many:
                fields.append(
                    FieldChange(
                        label, _value(model_field, change.old), _value(model_field, change.new)
                    )
                )
            else:
                fields.append(
                    FieldChange(label, shown(model_field, previous), shown(model_field, entry))
                )
    elif entry.history_type == "+":
        for model_field in model._meta.concrete_fields:
            if model_field.name in _BOOKKEEPING or model_field.primary_key:
                continue
            if model_field.name.endswith("_precision") and _precision_of(
                model, model_field.name.removesuffix("_precision")
            ):
                continue
            value = getattr(entry, model_field.attname, None)
            if value in (None, "", [], {}, False):
                continue
            label = str(model_field.verbose_name).capitalize()
            fields.append(FieldChange(label, "", shown(model_field, entry)))
    return RecordChange(
        kind, record, action, fields, key=(model, getattr(entry, model._meta.pk.attname))
    )


def fold(changes: list[RecordChange]) -> list[RecordChange]:
    """One entry per record: a record added and then given its links in the same change reads
    as one addition."""
    folded: dict[object, RecordChange] = {}
    for change in changes:
        earlier = folded.get(change.key)
        if earlier is None:
            folded[change.key] = change
            continue
        if earlier.action == "added" and change.action == "changed":
            for field in change.fields:
                earlier.fields = [f for f in earlier.fields if f.label != field.label]
                earlier.fields.append(FieldChange(field.label, "", field.new))
        else:
            folded[(change.key, len(folded))] = change
    return list(folded.values())
