"""The jurisdictions list of the API, and the list view every resource of the API builds on."""

from django.http import StreamingHttpResponse
from rest_framework import mixins, viewsets
from rest_framework.renderers import JSONRenderer

from jurisdictions.api.renderers import CSVRenderer
from jurisdictions.api.serializers import JurisdictionSerializer
from jurisdictions.filters import JurisdictionFilterSet
from jurisdictions.models import Jurisdiction


class ListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A read-only list, filtered by its FilterSet, as paged JSON or as one CSV download.

    CSV is the whole filtered list, in the JSON order, streamed from the database in chunks
    of `csv_chunk_size` rows (each chunk costs one query per prefetched relation), so it never
    holds the list in memory. `page` and `page_size` do not apply to it and are not read: the
    site's "Download CSV" links carry the query string of the page the reader is on, page
    number included, and must still give every matching row.

    Subclasses set `queryset` (with its default order, ending in the primary key so pages never
    overlap), `serializer_class`, `filterset_class` and `csv_filename`."""

    csv_filename = None
    csv_chunk_size = 500

    def get_serializer_context(self):
        context = super().get_serializer_context()
        filterset = getattr(self, "filterset", None)
        context["as_of"] = getattr(filterset, "as_of", None)
        return context

    def list(self, request, *args, **kwargs):
        if isinstance(request.accepted_renderer, CSVRenderer):
            return self.csv_response(self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    def csv_response(self, queryset):
        renderer = self.request.accepted_renderer
        rows = queryset.iterator(chunk_size=self.csv_chunk_size)
        response = StreamingHttpResponse(
            renderer.stream(self.get_serializer(), rows),
            content_type=f"{renderer.media_type}; charset={renderer.charset}",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}"'
        return response

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # An error answers in JSON even to a CSV request: a download link that fails should
        # show the reader which parameter was wrong, not a one-cell spreadsheet.
        if isinstance(getattr(self.request, "accepted_renderer", None), CSVRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response


class JurisdictionViewSet(ListViewSet):
    """States, blocs and international bodies, by region and name, each with the approach it
    had on the `as_of` day (YYYY-MM-DD; today without it).

    The filters are those of the jurisdictions page (the Filters button lists them); a bad
    value or a misspelt parameter answers 400 naming it. `format=csv` downloads every matching
    row."""

    queryset = Jurisdiction.objects.for_listing().order_by("region", "name", "pk")
    serializer_class = JurisdictionSerializer
    filterset_class = JurisdictionFilterSet
    csv_filename = "jurisdictions.csv"
