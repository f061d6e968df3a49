"""Search results with the matched words marked: `{{ text|highlight:q }}`, `{{ text|excerpt:q }}`.

The text is escaped piece by piece and only the `<mark>` tags around matches are ours, so
neither a record's text nor the search itself can inject markup. A word is marked when it
starts with a word of the search (after `search_prefix`, so "sandbox" marks "sandboxes"),
whatever the database, case ignored.
"""

import re
from functools import lru_cache

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from policytracker.core.search import search_terms, word_prefix_pattern

register = template.Library()

# Characters an excerpt shows by default; quotes are shown longer.
EXCERPT_LENGTH = 220


@lru_cache(maxsize=64)
def match_pattern(q):
    """Regular expression matching the words the search `q` marks, or None if it marks none."""
    terms = sorted(search_terms(q or ""), key=len, reverse=True)
    if not terms:
        return None
    words = "|".join(word_prefix_pattern(term) for term in terms)
    return re.compile(rf"(?:{words})\w*", re.IGNORECASE)


def highlight_text(text, q):
    """`text` escaped, with each word matching the search `q` wrapped in `<mark>`."""
    text = "" if text is None else str(text)
    pattern = match_pattern(q)
    if pattern is None:
        return escape(text)
    pieces = []
    end = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[end : match.start()]))
        pieces.append(format_html("<mark>{}</mark>", match.group()))
        end = match.end()
    pieces.append(escape(text[end:]))
    return mark_safe("".join(pieces))  # every piece is escaped above


def excerpt_text(text, q, length=EXCERPT_LENGTH):
    """About `length` characters of `text` around its first word matching `q` (the start when
    none does), cut at spaces, with "…" where text is left out; highlighted and escaped."""
    text = " ".join(("" if text is None else str(text)).split())
    if len(text) <= length:
        return highlight_text(text, q)
    pattern = match_pattern(q)
    match = pattern.search(text) if pattern else None
    start = 0
    if match and match.end() > length * 2 // 3:
        start = max(0, min(match.start() - length // 3, len(text) - length))
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < match.start() else start
    end = start + length
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    window = text[start:end].strip(" ,;:")
    return format_html(
        "{}{}{}",
        "…" if start > 0 else "",
        highlight_text(window, q),
        "…" if end < len(text) else "",
    )


@register.filter
def highlight(text, q):
    """`{{ record.title|highlight:query }}`: the text, escaped, with the words matching the
    search marked."""
    return highlight_text(text, q)


@register.filter
def excerpt(text, q):
    """`{{ record.summary|excerpt:query }}`: a short passage around the first match, escaped,
    with the words matching the search marked."""
    return excerpt_text(text, q)


@register.filter
def long_excerpt(text, q):
    """Like `excerpt`, with room for a whole quoted sentence or two."""
    return excerpt_text(text, q, length=EXCERPT_LENGTH * 2)


@register.filter
def matches_search(text, q):
    """True when `text` contains a word the search `q` marks."""
    pattern = match_pattern(q)
    return bool(text and pattern and pattern.search(str(text)))
