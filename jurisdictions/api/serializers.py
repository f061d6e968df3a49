"""How jurisdictions read in the API, and the field types every serializer of the API shares.

Records appear by code or slug, never by primary key; a vocabulary value comes with its label
(`kind`, `kind_label`); a partial date is written at the precision its source states
("2024", "2024-05", "2024-05-21") beside its `<field>_precision`.
"""

from django.urls import reverse
from rest_framework import serializers

from jurisdictions.dates import DatePrecision, partial_date
from jurisdictions.models import Jurisdiction, Membership
from jurisdictions.vocabulary import Approach, Kind, MembershipRole, Region


class VocabularyField(serializers.ChoiceField):
    """A controlled-vocabulary value; null where the record leaves it empty (not stated)."""

    def __init__(self, choices, **kwargs):
        kwargs["read_only"] = True
        super().__init__(choices, **kwargs)

    def to_representation(self, value):
        return str(value) if value else None


class LabelField(serializers.Field):
    """The label of a vocabulary value, as the pages show it (`type_label` beside `type`)."""

    def __init__(self, choices, **kwargs):
        self.labels = {value: str(label) for value, label in choices}
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.labels.get(value, str(value)) if value else None


class PartialDateField(serializers.Field):
    """A date at the precision its source states ("2024", "2024-05" or "2024-05-21"); null
    when no date is stated. Reads the date attribute (the field's name unless `date` is given)
    and its precision (`<date>_precision` unless `precision` is given)."""

    def __init__(self, date=None, precision=None, **kwargs):
        self.date_attribute = date
        self.precision_attribute = precision
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance):
        date_name = self.date_attribute or self.field_name
        precision_name = self.precision_attribute or f"{date_name}_precision"
        value = partial_date(
            getattr(instance, date_name, None), getattr(instance, precision_name, "")
        )
        return value.isoformat() if value else None


class HtmlUrlField(serializers.Field):
    """The absolute address of the record's page on the site."""

    def __init__(self, view_name, lookup, **kwargs):
        self.view_name = view_name
        self.lookup = lookup
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance):
        url = reverse(self.view_name, args=[getattr(instance, self.lookup)])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class AsOfValue:
    """Mixin for a field of a row that may have been listed as of a day: it reads
    `as_of_<source>` when the row carries that annotation, else `<source>` itself."""

    def get_attribute(self, instance):
        name = f"as_of_{self.source}"
        if hasattr(instance, name):
            return getattr(instance, name)
        return super().get_attribute(instance)


class AsOfVocabularyField(AsOfValue, VocabularyField):
    pass


class AsOfLabelField(AsOfValue, LabelField):
    pass


class AsOfCharField(AsOfValue, serializers.CharField):
    pass


class JurisdictionRefSerializer(serializers.ModelSerializer):
    """A jurisdiction where another record names it: code and name."""

    class Meta:
        model = Jurisdiction
        fields = ["code", "name"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    bloc = serializers.SlugRelatedField(slug_field="code", read_only=True)
    role = VocabularyField(MembershipRole.choices)

    class Meta:
        model = Membership
        fields = ["bloc", "role", "start_year", "end_year"]
        read_only_fields = fields


class JurisdictionSerializer(serializers.ModelSerializer):
    """A jurisdiction as a list shows it. The approach is the one it had on the day the list
    describes (`as_of`, today without it), which the list's rows carry as annotations."""

    kind = VocabularyField(Kind.choices)
    kind_label = LabelField(Kind.choices, source="kind")
    region = VocabularyField(Region.choices)
    region_label = LabelField(Region.choices, source="region")
    approach = AsOfVocabularyField(Approach.choices)
    approach_label = AsOfLabelField(Approach.choices, source="approach")
    approach_summary = AsOfCharField(read_only=True)
    approach_since = PartialDateField(
        date="as_of_approach_on",
        precision="as_of_approach_precision",
        help_text="Date of the assessment the approach rests on; null when none is dated by then.",
    )
    approach_since_precision = VocabularyField(
        DatePrecision.choices, source="as_of_approach_precision", default=""
    )
    approach_partial = serializers.BooleanField(
        source="as_of_partial",
        default=False,
        read_only=True,
        help_text="True when that date is known only to the month or year.",
    )
    memberships = MembershipSerializer(many=True, read_only=True)
    html_url = HtmlUrlField("instruments:jurisdiction-detail", "code")

    class Meta:
        model = Jurisdiction
        fields = [
            "code",
            "name",
            "local_name",
            "kind",
            "kind_label",
            "region",
            "region_label",
            "approach",
            "approach_label",
            "approach_summary",
            "approach_since",
            "approach_since_precision",
            "approach_partial",
            "memberships",
            "html_url",
            "updated_at",
        ]
        read_only_fields = fields
