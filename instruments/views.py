from django.db.models import Count
from django.utils import timezone
from django.views.generic import TemplateView

from instruments.models import Event, Instrument, Source
from instruments.querysets import binding_condition
from jurisdictions.models import Jurisdiction


class IndexView(TemplateView):
    """Plain index of every record, until the browsing pages land."""

    template_name = "instruments/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        binding = binding_condition()
        context["counts"] = Instrument.objects.aggregate(
            total=Count("id"),
            binding=Count("id", filter=binding),
            voluntary=Count("id", filter=~binding),
        )
        # as_of(today) says since when each current approach holds.
        context["jurisdictions"] = (
            Jurisdiction.objects.for_listing()
            .as_of(timezone.localdate())
            .annotate(
                binding_count=Count("instruments", filter=binding_condition("instruments__")),
                voluntary_count=Count("instruments", filter=~binding_condition("instruments__")),
            )
            .order_by("region", "name")
        )
        context["instruments"] = Instrument.objects.for_listing().order_by(
            "jurisdiction__name", "title"
        )
        context["events"] = Event.objects.for_listing().chronological()
        context["sources"] = Source.objects.annotate(citation_count=Count("citations")).order_by(
            "title"
        )
        return context
