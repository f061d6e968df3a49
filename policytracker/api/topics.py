"""Topics in the API: the obligations and themes instruments are filed under."""

from django.db.models import Prefetch

from instruments.filters import (
    TopicFilterSet,
)
from instruments.models import (
    Instrument,
    Topic,
)
from policytracker.api.references import (
    related_keys,
)
from policytracker.api.reviews import ReviewedWritesMixin
from policytracker.core.api.fields import (
    RecordUrlField,
)
from policytracker.core.api.serializers import ModelSerializer
from policytracker.core.api.views import RecordViewSet
from policytracker.core.api.writes import (
    EditorWritesMixin,
    WriteSerializer,
)


class TopicSerializer(ModelSerializer):
    """An obligation or theme instruments are filed under. Topics have no page of their own:
    `html_url` is the instruments page filtered by the topic."""

    url = RecordUrlField("api:topic-detail", "slug")
    html_url = RecordUrlField("web:instrument-list", "slug", parameter="topic")

    class Meta:
        model = Topic
        fields = ["slug", "name", "description", "url", "html_url", "updated_at"]
        read_only_fields = fields


class TopicDetailSerializer(TopicSerializer):
    """A topic at its own address: the list's fields, then the instruments filed under it,
    by title."""

    instruments = related_keys("slug", help_text="Slugs of the instruments under it, by title.")

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "instruments"]
        read_only_fields = fields


class TopicWriteSerializer(WriteSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name", "description"]


class TopicWritesMixin(ReviewedWritesMixin, EditorWritesMixin):
    write_serializer_class = TopicWriteSerializer


class TopicViewSet(TopicWritesMixin, RecordViewSet):
    """The obligations and themes instruments are filed under, by name.

    A topic's own address (`/api/v1/topics/<slug>/`) adds the instruments filed under it.

    The filters are listed in the README; a bad value or a misspelt parameter answers 400
    naming it. `format=csv` downloads every matching row."""

    queryset = Topic.objects.order_by("name", "pk")
    serializer_class = TopicSerializer
    detail_serializer_class = TopicDetailSerializer
    filterset_class = TopicFilterSet
    lookup_field = "slug"
    csv_filename = "topics.csv"

    def get_detail_queryset(self):
        return (
            super()
            .get_detail_queryset()
            .prefetch_related(
                Prefetch("instruments", queryset=Instrument.objects.order_by("title", "pk"))
            )
        )
