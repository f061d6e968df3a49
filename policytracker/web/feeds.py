"""Atom feeds of created, changed and deleted records, read from `instruments.history`: every
change (`/feeds/updates/`), the changes to the records any filtered list selects
(`/instruments/feed/?binding=true&member_of=ASEAN`, the same query string as the list's page),
and one record's (`/instruments/<slug>/feed/`). Entries say what changed in words, field by
field (`policytracker.web.diffs`)."""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from instruments.history import Change, latest_changes
from instruments.models import Event, Instrument, Source
from instruments.records import KINDS
from jurisdictions.models import Jurisdiction
from policytracker.core.params import BadParameters
from policytracker.web.diffs import change_sentence, field_html, shown_fields
from policytracker.web.views.base import followed_query
from policytracker.web.views.events import EventListView
from policytracker.web.views.instruments import InstrumentListView
from policytracker.web.views.jurisdictions import JurisdictionListView

ENTRIES = 50


@dataclass(frozen=True)
class _Subject:
    """What one request's feed is about: the feed instance is shared by every request, so what
    differs between them travels in this object."""

    # Who mints the entry ids (the host the feed is served from): a tag URI needs one.
    authority: str
    title: str
    subtitle: str
    link: str
    feed_path: str
    # The records whose changes it lists (and what their pages show with them); None: all.
    selection: QuerySet | None = None


@dataclass(frozen=True)
class _Item:
    change: Change
    authority: str


def _authority(request):
    domain, _ = split_domain_port(request.get_host())
    return domain or "localhost"


class ChangesFeed(Feed):
    """The newest changes of a subject (`get_object`), newest first: one entry per history
    row."""

    feed_type = Atom1Feed
    author_name = "Policy Tracker"

    def title(self, subject):
        return subject.title

    def subtitle(self, subject):
        return subject.subtitle

    def link(self, subject):
        return subject.link

    def feed_url(self, subject):
        return subject.feed_path

    def items(self, subject):
        changes = latest_changes(ENTRIES, within=subject.selection)
        return [_Item(change, subject.authority) for change in changes]

    def item_title(self, item):
        change = item.change
        title = f"{change.action.capitalize()}: {change.title}"
        if change.action == "changed" and change.fields:
            title += f" ({', '.join(field.label for field in shown_fields(change))})"
        return title

    def item_description(self, item):
        # Atom's summary is HTML (`type="html"`), which a reader renders: every text of the
        # record in it (a citation's key holds its quote, verbatim) is escaped here, then
        # once more as XML by the feed's writer.
        change = item.change
        sentence = format_html("<p>{}</p>", self.item_summary_text(item))
        if change.action != "changed" or not change.fields:
            return sentence
        fields = format_html_join(
            "", "<li>{}</li>", ((field_html(field),) for field in shown_fields(change))
        )
        return format_html("{}<ul>{}</ul>", sentence, fields)

    def item_summary_text(self, item):
        """The entry's summary as plain text: what happened, each changed field's old and new
        value in words."""
        change = item.change
        return change_sentence(change, KINDS[change.kind].label)

    def item_link(self, item):
        change = item.change
        if change.url:
            return change.url
        # The page of its record is gone (or it never had one): the list that held it.
        return reverse(KINDS[change.kind].list_url_name)

    def item_guid(self, item):
        # One id per history row, stable for as long as the row exists (RFC 4151 tag URI).
        change = item.change
        return f"tag:{item.authority},{change.time:%Y-%m-%d}:{change.kind}/{change.history_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.change.time

    def item_updateddate(self, item):
        return item.change.time

    def item_categories(self, item):
        return (item.change.kind, item.change.action)


class UpdatesFeed(ChangesFeed):
    """The 50 latest changes to any record."""

    def get_object(self, request, *args, **kwargs):
        return _Subject(
            authority=_authority(request),
            title="Policy Tracker: updates",
            subtitle="Records created, changed and deleted in the Policy Tracker, newest first.",
            link=reverse("web:home"),
            feed_path=reverse("web:feed-updates"),
        )


class ListFeed(ChangesFeed):
    """The changes to the records a list page selects, with the same query string (and the
    same 400 for a bad one)."""

    list_view: type = InstrumentListView
    list_url_name = "web:instrument-list"

    def get_object(self, request, *args, **kwargs):
        view = self.list_view()
        view.setup(request)
        view.filterset = view.filterset_class(
            request.GET, queryset=view.get_base_queryset(), request=request
        )
        if not view.filterset.is_valid():
            raise BadParameters(view.filterset.errors)
        query = followed_query(request.GET)
        noun = str(view.model._meta.verbose_name_plural)
        described = view.title_suffix(view.active_filters(), None)
        suffix = f"?{query}" if query else ""
        return _Subject(
            authority=_authority(request),
            title=f"Policy Tracker: {noun}{described}",
            subtitle=(
                f"Changes to the {noun} this list selects, and to what their pages show "
                "(timelines, citations…), newest first."
            ),
            link=f"{reverse(self.list_url_name)}{suffix}",
            feed_path=f"{request.path}{suffix}",
            selection=view.filterset.qs,
        )


class InstrumentListFeed(ListFeed):
    list_view = InstrumentListView


class EventListFeed(ListFeed):
    list_view = EventListView
    list_url_name = "web:event-list"


class JurisdictionListFeed(ListFeed):
    list_view = JurisdictionListView
    list_url_name = "web:jurisdiction-list"


class RecordFeed(ChangesFeed):
    """One record's changes, and those of what its page shows with it."""

    model: type = Instrument
    lookup = "slug"

    def get_object(self, request, *args, **kwargs):
        record = get_object_or_404(self.model, **{self.lookup: kwargs[self.lookup]})
        return _Subject(
            authority=_authority(request),
            title=f"Policy Tracker: {record}",
            subtitle=(
                f"Changes to this {self.model._meta.verbose_name} and to what its page shows "
                "(timeline, citations…), newest first."
            ),
            link=record.get_absolute_url(),
            feed_path=request.path,
            selection=self.model._base_manager.filter(pk=record.pk),
        )


class InstrumentFeed(RecordFeed):
    model = Instrument


class EventFeed(RecordFeed):
    model = Event


class JurisdictionFeed(RecordFeed):
    model = Jurisdiction
    lookup = "code"


class SourceFeed(RecordFeed):
    model = Source
