"""Near-duplicate titles: before a new instrument or event is saved, the records (and the additions
waiting for review) whose title is nearly the same, so that an editor adds a second record for
one text only on purpose."""

import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from instruments.models import Revision, RevisionKind

# How alike two normalised titles must be to be flagged (difflib's ratio).
THRESHOLD = 0.86
_WORD = re.compile(r"\w+")
_COMMON = {
    "the", "and", "for", "with", "from", "into", "law", "act", "bill", "on", "of", "in",
    "artificial", "intelligence", "national", "measures", "framework", "guidelines",
}  # fmt: skip


@dataclass(frozen=True)
class Similar:
    title: str
    key: str  # the record's slug, or "revision N" for an addition waiting for review
    ratio: float
    record: object = None


def normalised(title):
    text = unicodedata.normalize("NFKC", title or "").casefold()
    return " ".join(_WORD.findall(text))


def similar_titles(model, title, *, exclude_pk=None, exclude_revision=None, limit=3):
    """Up to `limit` records of `model` (and additions of one waiting for review, but
    `exclude_revision`) whose title is nearly `title`, most alike first."""
    wanted = normalised(title)
    if len(wanted) < 4:
        return []
    words = sorted(
        {word for word in wanted.split() if len(word) > 3 and word not in _COMMON},
        key=len,
        reverse=True,
    )[:3]
    # Only records sharing one of the title's rarest words are compared: a bounded read.
    condition = Q(title__iexact=title.strip())
    for word in words:
        condition |= Q(title__icontains=word)
    candidates = model._default_manager.filter(condition)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    found = []
    for record in candidates.only("pk", "title", "slug")[:500]:
        ratio = difflib.SequenceMatcher(None, wanted, normalised(record.title)).ratio()
        if ratio >= THRESHOLD:
            found.append(Similar(record.title, record.slug, ratio, record))
    pending = Revision.objects.pending().filter(
        kind=RevisionKind.CREATE, content_type=ContentType.objects.get_for_model(model)
    )
    if exclude_revision is not None:
        pending = pending.exclude(pk=exclude_revision.pk)
    for revision in pending.only("pk", "title")[:200]:
        ratio = difflib.SequenceMatcher(None, wanted, normalised(revision.title)).ratio()
        if ratio >= THRESHOLD:
            found.append(Similar(revision.title, f"revision {revision.pk}", ratio))
    found.sort(key=lambda item: -item.ratio)
    return found[:limit]


def similar_titles_message(found, *, confirm):
    """What an editor is told about `found`, and how to `confirm` it is not a duplicate."""
    named = "; ".join(f"“{item.title}” ({item.key})" for item in found)
    return (
        f"A record with a nearly identical title exists or waits for review: {named}. If this "
        f"is a different text, {confirm}."
    )
