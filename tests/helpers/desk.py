"""The editors' desk in tests: China's AI content labelling measures as an editor adds them (the
values and quotes are the seed's own, from its sources), and the people who add and publish."""

from django.contrib.auth.models import Group

from instruments.models import Instrument
from policytracker.core.api.throttling import EDITORS_GROUP, REVIEWERS_GROUP
from tests.helpers.writes import User

LABELLING = {
    "slug": "cn-ai-content-labelling-measures",
    "title": "Measures for Labeling AI-Generated Synthetic Content",
    "short_name": "AI Content Labelling Measures",
    "jurisdiction": "CN",
    "type": "binding_law",
    "adopted_on": "2025-03-14",
    "effective_on": "2025-09-01",
    "issuing_body": "Cyberspace Administration of China, Ministry of Industry and Information "
    "Technology, Ministry of Public Security and National Radio and Television Administration",
    "topics": ["content-labelling", "transparency"],
}
DRAFT_STEP = {
    "status": "draft",
    "date": "2024-09-14",
    "note": "Draft released for public comment",
    "citation": {
        "source": "cn-sipoch-china-ai-legal-framework",
        "quote": "the Measures for Labelling Artificial Intelligence-Generated Synthesised "
        "Content (Draft for Public Comments), released on 14 September 2024.",
        "locator": "1 Legal and enforcement framework",
        "fields": ["status", "date"],
    },
}
IN_EFFECT_STEP = {
    "status": "in_effect",
    "date": "2025-09-01",
    "note": "Took effect",
    "citation": {
        "source": "cn-sesec-labelling-measures",
        "quote": "The Measures are jointly developed and issued by the Cyberspace Administration "
        "of China (CAC) and the Ministry of Industry and Information Technology (MIIT) and will "
        "take effect on September 1, 2025.",
        "locator": "first paragraph",
        "fields": ["status", "date"],
    },
}
RECORD_CITATION = {
    "source": "cn-justai-labelling-measures",
    "quote": "On 14 March 2025, China released the Measures for the Labelling of Artificial "
    "Intelligence-Generated and Synthetic Content (Measures), a regulatory framework aimed at "
    "standardising labelling requirements for AI-generated content.",
    "locator": "first paragraph",
    "fields": ["title", "adopted_on"],
}
EFFECT_CITATION = {
    "source": "cn-justai-labelling-measures",
    "quote": "Following the release of a draft in September 2024, the finalised Measures are set "
    "to take effect on 1 September 2025.",
    "locator": "first paragraph",
    "fields": ["effective_on"],
}
PASSWORD = "a long pass phrase for tests"


def without_labelling_measures():
    """The seed without the measures, so that an editor can add them as new."""
    Instrument.objects.filter(slug=LABELLING["slug"]).delete()


def person(username, *groups, staff=True):
    """A user who signs in with `PASSWORD`, in `groups` ("editors", "reviewers")."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=staff)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def reviewer(username="rosa"):
    return person(username, EDITORS_GROUP, REVIEWERS_GROUP)


def step_payload(step):
    """A step of `status_timeline` as the API takes it."""
    return {
        "status": step["status"],
        "date": step["date"],
        "note": step["note"],
        "citations": [step["citation"]],
    }


def labelling_payload(**changes):
    """The whole record, its timeline and its citations, as one API request."""
    return {
        **LABELLING,
        "status_timeline": [step_payload(DRAFT_STEP), step_payload(IN_EFFECT_STEP)],
        "citations": [RECORD_CITATION, EFFECT_CITATION],
        **changes,
    }
