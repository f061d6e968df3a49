"""The Atom feed of created, changed and deleted records, read from `instruments.history`."""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from instruments.history import Change, latest_changes
from instruments.records import KINDS


@dataclass(frozen=True)
class _Item:
    change: Change
    # Who mints the entry ids (the host the feed is served from): a tag URI needs one.
    authority: str


class UpdatesFeed(Feed):
    """The 50 latest changes to any record, newest first: one entry per history row."""

    feed_type = Atom1Feed
    title = "Policy Tracker: updates"
    subtitle = "Records created, changed and deleted in the Policy Tracker, newest first."
    author_name = "Policy Tracker"
    limit = 50

    def link(self):
        return reverse("web:home")

    def get_object(self, request, *args, **kwargs):
        # The feed instance is shared by every request, so the host travels with the items.
        domain, _ = split_domain_port(request.get_host())
        return domain or "localhost"

    def items(self, authority):
        return [_Item(change, authority) for change in latest_changes(self.limit)]

    def item_title(self, item):
        change = item.change
        title = f"{change.action.capitalize()}: {change.title}"
        if change.changed_fields:
            title += f" ({', '.join(change.changed_fields)})"
        return title

    def item_description(self, item):
        # Atom's summary is HTML (`type="html"`), which a reader renders: every text of the
        # record in it (a citation's key holds its quote, verbatim) is escaped as text here,
        # then once more as XML by the feed's writer.
        return escape(self.item_summary_text(item))

    def item_summary_text(self, item):
        """The entry's summary as plain text."""
        change = item.change
        text = f"{KINDS[change.kind].label} “{change.key}” {change.action}."
        if change.action == "changed":
            if change.changed_fields:
                text += f" Fields changed: {', '.join(change.changed_fields)}."
            else:
                text += " Saved again; no field changed."
        return text

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
