"""Revisions: an editor's change waiting for a reviewer before readers see it."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class RevisionKind(models.TextChoices):
    CREATE = "create", "Add"
    UPDATE = "update", "Change"
    DELETE = "delete", "Delete"


class RevisionState(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn by its author"


class RevisionChannel(models.TextChoices):
    ADMIN = "admin", "Admin"
    API = "api", "API"


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=RevisionState.PENDING)


class Revision(models.Model):
    """A change an editor submitted (in the admin or through the API) that nothing public shows
    until a reviewer publishes it. It keeps the request that makes the change, validated when
    it was submitted, so that publishing it writes exactly what the editor saved, through the
    same forms, rules and services, as of the record's version the editor saw
    (`instruments.revisions`)."""

    kind = models.CharField(max_length=8, choices=RevisionKind, help_text="Add, change or delete.")
    state = models.CharField(
        max_length=12,
        choices=RevisionState,
        default=RevisionState.PENDING,
        help_text="Waiting for review, published, rejected or withdrawn.",
    )
    channel = models.CharField(
        max_length=8, choices=RevisionChannel, help_text="Where the editor made the change."
    )
    # PROTECT: a content type goes only with its model, which revisions must outlive.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, help_text="The kind of record it changes."
    )
    object_id = models.CharField(
        max_length=64, blank=True, help_text="The record it changes; empty for an addition."
    )
    title = models.CharField(max_length=300, help_text="The record's name when it was submitted.")
    method = models.CharField(max_length=8, help_text="The HTTP method of the change.")
    path = models.CharField(max_length=500, help_text="The address the change was made at.")
    data = models.JSONField(
        default=dict, blank=True, help_text="What the editor sent: the form's fields or the JSON."
    )
    if_match = models.CharField(
        max_length=200, blank=True, help_text="The API version the change was made against."
    )
    # PROTECT: who made a change is part of the record of it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="revisions_authored",
        help_text="The editor who made the change.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was submitted.")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions_reviewed",
        help_text="Who published or rejected it.",
    )
    reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was published or rejected."
    )
    review_note = models.TextField(blank=True, help_text="The reviewer's reason, if any.")
    published_object_id = models.CharField(
        max_length=64, blank=True, help_text="The record an addition created, once published."
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("publish_revision", "Can publish editors' changes")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RevisionKind.values), name="revision_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=RevisionState.values), name="revision_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=RevisionState.PENDING)
                | Q(state=RevisionState.WITHDRAWN)
                | Q(reviewer__isnull=False, reviewed_at__isnull=False),
                name="revision_reviewed_has_reviewer",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="revision_queue")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.content_type.name} “{self.title}”"

    @property
    def model(self):
        return self.content_type.model_class()
