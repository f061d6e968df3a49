"""Template tags: the search results' highlighting and excerpts."""

from policytracker.web.templatetags.search import excerpt_text, highlight_text


def test_highlight_marks_words_starting_with_a_search_word():
    assert highlight_text("Sandboxes and a sandbox-driven plan", "sandbox") == (
        "<mark>Sandboxes</mark> and a <mark>sandbox</mark>-driven plan"
    )


def test_highlight_escapes_the_text_and_never_the_marks_into_it():
    html = highlight_text('<b>Sandbox</b> rules & "R&D" amp', "sandbox amp b")
    assert html == (
        "&lt;<mark>b</mark>&gt;<mark>Sandbox</mark>&lt;/<mark>b</mark>&gt; rules &amp; "
        "&quot;R&amp;D&quot; <mark>amp</mark>"
    )


def test_highlight_of_markup_in_the_search_is_escaped():
    assert highlight_text("a <script> tag", "<script>") == "a &lt;<mark>script</mark>&gt; tag"
    assert highlight_text("<i>x</i>", "") == "&lt;i&gt;x&lt;/i&gt;"


def test_excerpt_centres_on_the_first_match_and_cuts_at_spaces():
    text = " ".join(["filler"] * 80) + " the sandbox clause " + " ".join(["tail"] * 80)
    html = excerpt_text(text, "sandbox", length=100)
    assert html.startswith("…filler")
    assert html.endswith("tail…")
    assert "<mark>sandbox</mark>" in html
    assert len(html) < 160
    assert excerpt_text("Short <text>.", "text") == "Short &lt;<mark>text</mark>&gt;."


def test_citations_name_fields_as_their_page_does(seeded, client):
    from django.urls import reverse

    from instruments.field_labels import FIELD_LABELS

    pages = {
        "instrument": reverse("web:instrument-detail", args=["eu-ai-act"]),
        "event": reverse("web:event-detail", args=["ai-seoul-summit-2024"]),
        "jurisdiction": reverse("web:jurisdiction-detail", args=["CN"]),
    }
    shown_without_a_label = {"Title", "Original title", "Name", "Source of", "Since"}
    for kind, url in pages.items():
        html = client.get(url).content.decode()
        for label in set(FIELD_LABELS[kind].values()) - shown_without_a_label:
            if kind == "jurisdiction" and label in ("Members", "Actors", "Memberships"):
                continue  # shown only where there are some (a bloc's members, CN has no bloc)
            assert label in html, (kind, label)
    html = client.get(pages["instrument"]).content.decode()
    assert "<em>In effect from</em>" in html
    assert "<code>effective_on</code>" not in html
