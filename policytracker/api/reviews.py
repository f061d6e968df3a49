"""Review of API writes: an editor who may not publish gets `202 Accepted` and a revision that a
reviewer publishes (`instruments.revisions`), never a change readers see at once.

The write runs in full first, exactly as a reviewer's would (validation, rules, services,
`If-Match`), inside a transaction that is rolled back: a bad write answers its 4xx as ever, and
only a valid one is kept, with its `If-Match`, for publication."""

from django.db import transaction
from django.urls import reverse
from rest_framework import status as http_status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from instruments.models import RevisionChannel, RevisionKind
from instruments.revisions import reviewed, revision_submit


class ReviewedWritesMixin:
    """Mixed into every writable viewset, before its writes."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in SAFE_METHODS or not reviewed(request):
            return
        name = request.method.lower()
        handler = getattr(self, name, None)
        if handler is not None:
            setattr(self, name, self._reviewed(handler))

    def _reviewed(self, handler):
        def submit(request, *args, **kwargs):
            key = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            model = self.get_queryset().model
            before = None
            if key is not None:
                before = model._default_manager.filter(**{self.lookup_field: key}).first()
            with transaction.atomic():
                response = handler(request, *args, **kwargs)
                transaction.set_rollback(True)
            if not 200 <= response.status_code < 300:
                return response
            if key is None:
                kind = RevisionKind.CREATE
            elif request.method == "DELETE" and self.action == "destroy":
                kind = RevisionKind.DELETE
            else:
                kind = RevisionKind.UPDATE
            data = request.data
            if hasattr(data, "dict"):
                data = data.dict()  # a form's fields, from the browsable API
            title = ""
            if isinstance(response.data, dict):
                title = next(
                    (
                        str(response.data[name])
                        for name in ("title", "name", "code", "slug")
                        if response.data.get(name)
                    ),
                    "",
                )
            revision = revision_submit(
                author=request.user,
                channel=RevisionChannel.API,
                kind=kind,
                model=model,
                object_id=before.pk if before is not None else None,
                title=title or (str(before) if before is not None else str(key or "")),
                method=request.method,
                path=request.path,
                data=data,
                if_match=request.META.get("HTTP_IF_MATCH", ""),
            )
            review_url = request.build_absolute_uri(
                reverse("admin:instruments_revision_change", args=[revision.pk])
            )
            return Response(
                {
                    "revision": revision.pk,
                    "state": revision.state,
                    "kind": revision.kind,
                    "record": revision.title,
                    "review_url": review_url,
                    "message": "Accepted for review: the change was checked and waits for a "
                    "reviewer. Until it is published, reads show the record as it was.",
                },
                status=http_status.HTTP_202_ACCEPTED,
                headers={"Location": review_url},
            )

        return submit
