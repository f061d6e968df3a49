from django.db import models


class JurisdictionQuerySet(models.QuerySet):
    def national(self):
        """States and self-governing territories only."""
        return self.filter(kind="national")

    def with_approach(self, approach):
        """Jurisdictions whose overall approach is `approach`."""
        return self.filter(approach=approach)

    def members_of(self, bloc_code, *, year=None):
        """Jurisdictions that are full members of the bloc `bloc_code`, now or in `year`."""
        links = {"memberships__bloc__code": bloc_code, "memberships__role": "member"}
        if year is None:
            links["memberships__end_year__isnull"] = True
            return self.filter(**links).distinct()
        current = models.Q(memberships__end_year__isnull=True) | models.Q(
            memberships__end_year__gte=year
        )
        return self.filter(current, memberships__start_year__lte=year, **links).distinct()

    def for_listing(self):
        return self.prefetch_related("memberships__bloc")


class MembershipQuerySet(models.QuerySet):
    def current(self):
        """Memberships that have not ended."""
        return self.filter(end_year__isnull=True)
