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
