"""The names the pages give a record's fields, by record kind (`CitedRecordKind`): what a
citation says it backs ("backs In effect from"), in the words of the page it sits on, not the
column names. A test holds every label here to the page that shows the field."""

FIELD_LABELS = {
    "jurisdiction": {
        "code": "Code",
        "name": "Name",
        "local_name": "Local-language name",
        "kind": "Kind",
        "region": "Region",
        "approach": "Approach",
        "approach_summary": "Approach",
        "memberships": "Memberships",
        "member_links": "Members",
        "actors": "Actors",
    },
    "instrument": {
        "title": "Title",
        "original_title": "Original title",
        "short_name": "Short name",
        "jurisdiction": "Jurisdiction",
        "type": "Type",
        "status": "Status",
        "introduced_on": "Introduced",
        "adopted_on": "Adopted",
        "effective_on": "In effect from",
        "issuing_body": "Issued by",
        "parties": "Parties",
        "topics": "Topics",
        "identifiers": "Identifiers",
        "summary": "Summary",
        "related": "Related instruments",
        "status_changes": "Status timeline",
    },
    "event": {
        "title": "Title",
        "kind": "Kind",
        "date": "Date",
        "reported_on": "Reported on",
        "location": "Location",
        "host": "Host",
        "co_hosts": "Co-hosts",
        "participants": "Participants",
        "actors": "Actors",
        "instruments": "Related instruments",
        "summary": "Summary",
    },
    "actor": {"name": "Name", "kind": "Kind", "role": "Role", "jurisdiction": "Jurisdiction"},
    "status_change": {"status": "Status", "date": "Date", "note": "Note"},
    "approach_assessment": {
        "approach": "Approach",
        "summary": "Summary",
        "assessed_on": "Source of",
        "holds_from": "Since",
        "date": "Date",
        "note": "Note",
    },
}


def field_label(kind, name):
    """The page's name for the field `name` of a record of `kind`; the name itself, made
    readable, for one no page shows."""
    return FIELD_LABELS.get(kind, {}).get(name) or name.replace("_", " ").capitalize()
