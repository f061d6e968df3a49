"""The change feed of the API: every created, changed and deleted record, oldest first, for
clients that keep a copy of the data in sync. It reads `instruments.history`, as the Atom feed
does, so both always tell the same story."""

import datetime
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from instruments import history
from policytracker.core.api.pagination import MAX_PAGE_SIZE
from policytracker.core.api.serializers import Serializer
from policytracker.core.api.views import CSVDownloadMixin
from policytracker.core.filters import DATETIME_MESSAGE
from policytracker.core.params import (
    PAGE_SIZE_PARAMETER,
    BadParameters,
    allowed,
    page_size,
    unknown_parameters,
)

# Parameters that other lists take and this one does not, with what to use instead: a client
# that pages with `page=2` would otherwise read the first page again and again.
REFUSED = {
    "page": "This list is read by cursor, not by page number: follow `next`.",
    "updated_since": "Unknown parameter. Did you mean “since”?",
}
KNOWN = frozenset({"since", "cursor", "page_size", "limit", "kind", "format"})


@dataclass(frozen=True)
class Position:
    """Where a request reads the feed from, and how much of it."""

    since: datetime.datetime | None
    after: tuple | None
    kinds: tuple | None
    limit: int


class ChangeFeedForm(forms.Form):
    """The change feed's query string: `since`, `cursor`, `page_size` (or `limit`) and `kind`.

    Its errors are those of every list, `{parameter: [message, ...]}` (`errors_by_parameter`),
    also for parameters other lists take and this one refuses (`page`), and for a likely typo
    of a parameter name. An empty value (`since=`) counts as not given, as on every list."""

    # Each reads the parameter's last value, as given (a parameter may come several times).
    since = forms.CharField(required=False, strip=False)
    cursor = forms.CharField(required=False, strip=False)
    page_size = forms.CharField(required=False, strip=False)
    limit = forms.CharField(required=False, strip=False)
    kind = forms.Field(required=False)

    def __init__(self, params):
        given = {
            name: [value for value in params.getlist(name) if value.strip()] for name in params
        }
        self.given = {name: values for name, values in given.items() if values}
        data = {name: values[-1] for name, values in self.given.items() if name != "kind"}
        data["kind"] = [value.strip() for value in self.given.get("kind", ())]
        super().__init__(data)

    def clean_since(self):
        raw = self.cleaned_data["since"]
        if not raw:
            return None
        try:
            # Naive times are UTC, whatever zone the site's pages are shown in.
            with timezone.override(datetime.UTC):
                since = IsoDateTimeField().clean(raw)
            return since.astimezone(datetime.UTC)
        except forms.ValidationError:
            message = f"“{raw}” is not a date and time. {DATETIME_MESSAGE}"
            if " " in raw.strip():
                # A "+02:00" offset sent unescaped arrives as " 02:00".
                message += " In a URL, write the + of an offset as %2B."
            raise forms.ValidationError(message) from None
        except OverflowError:
            raise forms.ValidationError(f"“{raw}” is out of range.") from None

    def clean_cursor(self):
        raw = self.cleaned_data["cursor"]
        if not raw:
            return None
        try:
            return history.parse_cursor(raw.strip())
        except ValueError:
            raise forms.ValidationError(
                f"“{raw}” is not a cursor of this feed. Use the `cursor` (or follow the `next`) "
                "of an earlier answer."
            ) from None

    def _size(self, name):
        raw = self.cleaned_data[name]
        if not raw:
            return None
        try:
            return page_size(raw, default=api_settings.PAGE_SIZE, maximum=MAX_PAGE_SIZE)
        except BadParameters as error:
            raise forms.ValidationError(error.errors[PAGE_SIZE_PARAMETER]) from None

    def clean_page_size(self):
        # Given with `limit`, the error is said once, on `limit`.
        return None if "limit" in self.given else self._size("page_size")

    def clean_limit(self):
        if "page_size" in self.given and "limit" in self.given:
            raise forms.ValidationError("Give `page_size` or `limit`, not both.")
        return self._size("limit")

    def clean_kind(self):
        kinds = tuple(self.cleaned_data["kind"] or ())
        bad = [kind for kind in kinds if kind not in history.KINDS]
        if bad:
            raise forms.ValidationError(
                [
                    f"“{kind}” is not allowed. Allowed values: {allowed(history.KINDS)}."
                    for kind in bad
                ]
            )
        return kinds or None

    def errors_by_parameter(self):
        """{parameter: [message, ...]} for every parameter that cannot be used."""
        errors = {name: [message] for name, message in REFUSED.items() if name in self.given}
        unknown = unknown_parameters(self.given, KNOWN | set(REFUSED))
        errors.update({name: messages for name, messages in unknown.items() if name not in errors})
        for name, messages in self.errors.items():
            errors.setdefault(name, []).extend(messages)
        return errors

    def position(self):
        """The `Position` asked for; `BadParameters` naming every parameter that cannot be
        used."""
        errors = self.errors_by_parameter()
        if errors:
            raise BadParameters(errors)
        data = self.cleaned_data
        return Position(
            since=data["since"],
            after=data["cursor"],
            kinds=data["kind"],
            limit=data["page_size"] or data["limit"] or api_settings.PAGE_SIZE,
        )


class FieldChangeSerializer(Serializer):
    """What one change did to one field (an `instruments.history.FieldChange`)."""

    name = serializers.CharField(read_only=True, help_text="The field's name.")
    label = serializers.CharField(read_only=True, help_text="Its human name.")
    old = serializers.JSONField(
        read_only=True,
        help_text=(
            "The value before (null for a created record): text, a number, true/false, a date "
            "as YYYY-MM-DD, another record as its key, a many-to-many field as a list of keys."
        ),
    )
    new = serializers.JSONField(read_only=True, help_text="The value after, in the same terms.")
    old_label = serializers.JSONField(
        read_only=True,
        help_text=(
            "How readers name `old` where that differs from the value: a vocabulary value's "
            "label, a record's title (a list of them for a list of keys), a date at its "
            "precision; null otherwise."
        ),
    )
    new_label = serializers.JSONField(read_only=True, help_text="The same for `new`.")
    refers_to = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="For a field naming other records: their kind (keys change with their "
        "`previous_key`); null otherwise.",
    )


class ChangeSerializer(Serializer):
    """One entry of the feed (an `instruments.history.Change`)."""

    time = serializers.DateTimeField(read_only=True, help_text="When, in UTC.")
    # Plain text rather than a choice: the schema then names no enum of its own for them.
    kind = serializers.CharField(
        read_only=True, help_text=f"The record's kind: one of {allowed(history.KINDS)}."
    )
    key = serializers.CharField(
        read_only=True,
        help_text="The record's natural key as it was after the change, parts joined with /.",
    )
    action = serializers.CharField(
        read_only=True, help_text=f"One of {allowed(history.ACTIONS.values())}."
    )
    changed_fields = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="For `changed`: the fields whose value changed (empty: saved, nothing changed).",
    )
    fields = FieldChangeSerializer(
        many=True,
        read_only=True,
        help_text=(
            "Field by field, old and new values: for `changed`, those of `changed_fields`; "
            "for `created`, every field the record was created with; empty for `deleted`."
        ),
    )
    previous_key = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="For a `changed` entry that changed the key itself (a slug edited): the old key.",
    )
    natural_key = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The parts of `key`, unjoined (a quote in a citation's key may hold a /).",
    )
    title = serializers.CharField(read_only=True)
    resource_kind = serializers.SerializerMethodField(
        help_text=(
            "Kind of the API record that shows this one: itself (jurisdiction, topic, "
            "instrument, actor, event, source) or the record it belongs to. Null once gone."
        )
    )
    resource_key = serializers.SerializerMethodField(help_text="That record's current key.")
    url = serializers.SerializerMethodField(
        help_text="That record's address in the API; null once gone, or where it has none."
    )
    html_url = serializers.SerializerMethodField(
        help_text="The page that shows the record (its parent's for a child); null once gone."
    )
    cursor = serializers.SerializerMethodField(help_text="Resumes the feed right after this entry.")

    def get_resource_kind(self, change) -> str | None:
        return change.resource[0] if change.resource else None

    def get_resource_key(self, change) -> str | None:
        return change.resource[1] if change.resource else None

    def get_url(self, change) -> str | None:
        if not change.resource:
            return None
        kind, key = change.resource
        try:
            path = reverse(f"api:{kind}-detail", args=[key])
        except NoReverseMatch:
            return None
        return self.absolute(path)

    def get_html_url(self, change) -> str | None:
        return self.absolute(change.url) if change.url else None

    def get_cursor(self, change) -> str:
        return history.format_cursor(change.cursor)

    def absolute(self, path):
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema_serializer(many=False)
class ChangePageSerializer(Serializer):
    """One answer of the feed (not a list: it is read by cursor, not by page)."""

    next = serializers.URLField(
        read_only=True, help_text="This query from right after `cursor`: ask it next; never null."
    )
    cursor = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Marks the last entry of this answer (or the one given, if it has none).",
    )
    has_more = serializers.BooleanField(
        read_only=True,
        help_text="Whether more entries are there already; false: up to date, poll `next` later.",
    )
    results = ChangeSerializer(many=True, read_only=True)


def size_parameter(name):
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"Entries per answer, 1 to {MAX_PAGE_SIZE} (default "
        f"{api_settings.PAGE_SIZE}). Not read with `format=csv`.",
    )


@extend_schema_view(
    list=extend_schema(
        responses=ChangePageSerializer,
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description="Only changes at or after this time (ISO 8601; UTC without an offset).",
            ),
            OpenApiParameter(
                "cursor",
                str,
                description="From an earlier answer: only the entries after the one it marks.",
            ),
            size_parameter("page_size"),
            size_parameter("limit"),
            OpenApiParameter(
                "kind",
                {"type": "array", "items": {"type": "string", "enum": list(history.KINDS)}},
                description="Only records of these kinds; repeat the parameter for more.",
                explode=True,
            ),
        ],
    )
)
class ChangeViewSet(CSVDownloadMixin, viewsets.ViewSet):
    """Every created, changed and deleted record, oldest first, so a client can keep a copy of
    the data in sync. The Atom feed (`/feeds/updates/`) reads the same history.

    Parameters (a bad value, or a misspelt name, answers 400 naming it):

    - `since`: ISO 8601 date and time (`2025-08-08T10:00:00Z`; without an offset it is UTC):
      only changes at or after it. Without `since` or `cursor` the feed starts at the oldest
      change it holds.
    - `cursor`: from an earlier answer; only the entries after the one it marks. It is exact
      even among changes made in the same instant: no entry is skipped or repeated.
    - `page_size` (or `limit`): entries per answer, 1 to 200, default 50.
    - `kind`: only records of this kind (repeat it for more), one of: jurisdiction,
      membership, approach_assessment, topic, instrument, instrument_identifier,
      instrument_relation, status_change, actor, event, source, citation.

    The answer is `{"next", "cursor", "has_more", "results"}`, each result an entry: `time`,
    `kind`, `key`, `action` (`created`, `changed` or `deleted`), `changed_fields`,
    `previous_key`, `natural_key`, `title`, `resource_kind`, `resource_key`, `url` (API),
    `html_url` and its own `cursor`. `cursor` marks the last entry of the answer (the one
    given when the answer is empty; null while no entry has been served); `next` is this query
    with that cursor, never null.

    Keeping a copy in sync:

    1. Start with no cursor (or `since`) and follow `next` while `has_more` is true.
    2. Apply each entry in order. `deleted` of a jurisdiction, topic, instrument, actor,
       event or source: drop `key`; a `previous_key` of one of those: drop it (it was
       renamed). Then, when `url` is not null, fetch it and store the record under its own
       key: it is the record as it is now (or the one it belongs to, for a status change,
       citation, membership and the like). A relation also changes the `related` of the
       instrument named second in its `natural_key`. A fetch that answers 404 means the record
       is gone: a later entry says so.
    3. Save `cursor` (or `next`) with the copy; once `has_more` is false, wait and ask `next`
       again. An entry's own `cursor` resumes after it, should the client stop mid-answer.

    Changes younger than a few seconds (`CHANGES_SETTLE_SECONDS`) are held back until writes
    still in progress when they were made have committed, so a client never moves its cursor
    past a change it has not seen.

    `format=csv` downloads every entry from the position given, in one file (`page_size` does
    not apply); each row carries its `cursor`."""

    csv_filename = "changes.csv"

    def get_view_name(self):
        return "Changes"

    def list(self, request, *args, **kwargs):
        position = ChangeFeedForm(request.query_params).position()
        until = self.settled_before()
        if self.wants_csv():
            # Bounded, so that a download ends even while editors keep writing.
            serializer = ChangeSerializer(context={"request": request})
            return self.csv_response(
                serializer, self.every_entry(position, until or timezone.now())
            )
        # One more than asked, to tell whether the client is up to date.
        entries = history.changes(
            since=position.since,
            until=until,
            after=position.after,
            kinds=position.kinds,
            limit=position.limit + 1,
        )
        has_more = len(entries) > position.limit
        entries = entries[: position.limit]
        cursor = entries[-1].cursor if entries else position.after
        url = request.build_absolute_uri()
        next_url = (
            replace_query_param(url, "cursor", history.format_cursor(cursor)) if cursor else url
        )
        return Response(
            {
                "next": next_url,
                "cursor": history.format_cursor(cursor) if cursor else None,
                "has_more": has_more,
                "results": ChangeSerializer(entries, many=True, context={"request": request}).data,
            }
        )

    def settled_before(self):
        """The time before which every change is committed, or None to read up to now."""
        settle = settings.CHANGES_SETTLE_SECONDS
        if settle <= 0:
            return None
        return timezone.now() - datetime.timedelta(seconds=settle)

    def every_entry(self, position, until):
        """Every entry from `position` (its limit aside) to `until`, read a chunk at a time."""
        after = position.after
        while True:
            entries = history.changes(
                since=position.since,
                until=until,
                after=after,
                kinds=position.kinds,
                limit=self.csv_chunk_size,
            )
            yield from entries
            if len(entries) < self.csv_chunk_size:
                return
            after = entries[-1].cursor
