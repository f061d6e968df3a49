"""Examples in the API's OpenAPI schema (see `policytracker.core.api.schema` for the rest of it).

They are added to the finished schema (`SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`) rather
than through the views: drf-spectacular rebuilds a list's example from one row and the
pagination's own examples, which would not show `facets`. A test checks every example against
the schema, so one that drifts from the serializers fails the suite.
"""

from django.urls import reverse

INSTRUMENT = {
    "slug": "vn-law-on-artificial-intelligence",
    "title": "Law on Artificial Intelligence",
    "original_title": "Luật Trí tuệ nhân tạo",
    "short_name": "AI Law",
    "jurisdiction": {"code": "VN", "name": "Vietnam"},
    "region": "south_eastern_asia",
    "region_label": "South-eastern Asia",
    "type": "binding_law",
    "type_label": "Binding law",
    "force": "binding",
    "force_label": "Binding law",
    "binding": True,
    "status": "in_effect",
    "status_label": "In effect",
    "status_since": "2026-03-01",
    "status_since_precision": "day",
    "introduced_on": None,
    "introduced_on_precision": None,
    "adopted_on": "2025-12-10",
    "adopted_on_precision": "day",
    "effective_on": "2026-03-01",
    "effective_on_precision": "day",
    "issuing_body": "National Assembly",
    "identifiers": [
        {
            "scheme": "law_number",
            "scheme_label": "Official law or act number",
            "value": "Law No. 134/2025/QH15",
        }
    ],
    "summary": "Vietnam's binding, risk-based AI law: 8 chapters and 35 articles, with Chapter "
    "II on the risk-based classification and management of AI systems.",
    "topics": ["risk-tiers"],
    "parties": [],
    "related": [],
    "citations": [
        {
            "source": "Law No. 134/2025/QH15 dated December 10, 2025 of the National Assembly "
            "on Artificial Intelligence",
            "quote": "",
            "locator": "",
        }
    ],
    "as_of": None,
    "url": "https://policytracker.example/api/v1/instruments/vn-law-on-artificial-intelligence/",
    "html_url": "https://policytracker.example/instruments/vn-law-on-artificial-intelligence/",
    "updated_at": "2026-03-01T09:00:00Z",
}

INSTRUMENT_LIST_EXAMPLES = {
    "BindingInAseanMembers": {
        "summary": "binding=true&member_of=ASEAN&facet=type&page_size=2",
        "description": "Binding laws of ASEAN members, with how many there are of each type.",
        "value": {
            "count": 1,
            "count_exact": True,
            "next": None,
            "previous": None,
            "facets": {
                "type": [
                    {
                        "value": "binding_law",
                        "label": "Binding law",
                        "count": 1,
                        "selected": False,
                    }
                ]
            },
            "results": [INSTRUMENT],
        },
    }
}


def add_examples(result, generator, request, public):
    """Postprocessing hook: the examples above, on the operations they show."""
    json_content = (
        result["paths"]
        .get(reverse("api:instrument-list"), {})
        .get("get", {})
        .get("responses", {})
        .get("200", {})
        .get("content", {})
        .get("application/json")
    )
    if json_content is not None:
        json_content.setdefault("examples", {}).update(INSTRUMENT_LIST_EXAMPLES)
    return result
