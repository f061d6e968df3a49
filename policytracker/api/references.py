"""How one record of the API names another: a jurisdiction by code and name, a citation by its
source, quote and locator, related records by their codes or slugs (in reads and in writes)."""

from rest_framework import serializers

from jurisdictions.models import Jurisdiction
from policytracker.core.api.serializers import ModelSerializer, Serializer
from policytracker.core.api.writes import KeyField


class JurisdictionRefSerializer(ModelSerializer):
    """A jurisdiction where another record names it: code and name."""

    class Meta:
        model = Jurisdiction
        fields = ["code", "name"]
        read_only_fields = fields


class CitationRefSerializer(Serializer):
    """A citation where the record it backs shows it: the source's title, the quote and where
    in the source it is. The citations list (`/api/v1/citations/`) has every field of it.

    Reads `source_title`, `quote` and `locator` from a citation annotated with its source's
    title (`instruments.querysets.citations_prefetch`) or from a dict of them."""

    source = serializers.CharField(
        source="source_title", read_only=True, help_text="Title of the source."
    )
    quote = serializers.CharField(
        read_only=True, help_text="Copied character for character from the source."
    )
    locator = serializers.CharField(
        read_only=True, help_text="Where in the source: section heading or page."
    )


def listed_keys(source, **kwargs):
    """Codes or slugs, read from a list of them (`related_values`)."""
    return serializers.ListField(
        child=serializers.CharField(), read_only=True, source=source, **kwargs
    )


def related_keys(slug_field, **kwargs):
    """The codes or slugs of the to-many relation of the field's name, read from its manager
    (on a record's own address, where the relation is prefetched)."""
    return serializers.SlugRelatedField(slug_field=slug_field, many=True, read_only=True, **kwargs)


def jurisdiction_key(**kwargs):
    """A jurisdiction written by its code (any case)."""
    return KeyField("code", queryset=Jurisdiction.objects.all(), upper_case=True, **kwargs)


def key_inputs(slug_field, model, **kwargs):
    """Records of `model` written as a list of their codes or slugs."""
    return KeyField(
        slug_field,
        queryset=model._default_manager.all(),
        many=True,
        upper_case=model is Jurisdiction,
        **kwargs,
    )


class PageUrlField(serializers.URLField):
    """The absolute address of the page that shows a record (its `get_absolute_url()`); null
    where there is none (an actor without a jurisdiction). The site's origin is read once per
    response, not once per row."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True, allow_null=True)
        self.origin = None
        super().__init__(**kwargs)

    def to_representation(self, record):
        url = record.get_absolute_url()
        if url is None:
            return None
        if self.origin is None:
            request = self.context.get("request")
            self.origin = request.build_absolute_uri("/")[:-1] if request is not None else ""
        return self.origin + url
