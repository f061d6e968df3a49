"""How a change to a field reads: its old and new values in words, running text compared word
by word. The record pages' edit history and the Atom feeds say it the same way."""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join

from instruments.history import Change, FieldChange

NOT_STATED = "not stated"
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    """A run of text in a word diff: kept (`op` "same"), removed ("old") or added ("new")."""

    op: str
    text: str


def shown(value, label=None):
    """A field's value (or its label, where readers name it otherwise) in words."""
    value = value if label is None else label
    if value is None or value == "" or value == []:
        return NOT_STATED
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def word_diff(old, new):
    """`old` and `new` texts as kept, removed and added runs of words (whitespace kept with the
    words around it), in reading order."""
    before, after = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    pieces = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(Piece("old", "".join(before[a1:a2])))
        if b2 > b1:
            pieces.append(Piece("new", "".join(after[b1:b2])))
    return pieces


def shown_fields(change: Change):
    """The fields of a change as readers are told them: a date's precision goes with the date
    (whose words already say it: "March 2026"), unless the precision alone changed."""
    names = {field.name for field in change.fields}
    return [
        field
        for field in change.fields
        if not (
            field.name.endswith("_precision") and field.name.removesuffix("_precision") in names
        )
    ]


def compared_word_by_word(field: FieldChange):
    """Whether a change is better read as a word diff: running text, set before and after,
    and reworded rather than replaced (at least half its words kept); a short value, or one
    replaced outright, reads better old and new whole."""
    if not (field.text and isinstance(field.old, str) and isinstance(field.new, str)):
        return False
    before, after = field.old.split(), field.new.split()
    if not before or not after or len(before) + len(after) <= 8:
        return False
    return difflib.SequenceMatcher(a=before, b=after, autojunk=False).ratio() >= 0.5


def field_sentence(field: FieldChange):
    """One field's change in plain words: "Status: Adopted → In effect"."""
    if compared_word_by_word(field):
        return f"{field.label}: reworded"
    return (
        f"{field.label}: {shown(field.old, field.old_label)} → {shown(field.new, field.new_label)}"
    )


def field_html(field: FieldChange):
    """One field's change as HTML: the old value struck through (<del>), the new one marked
    (<ins>), running text word by word."""
    if compared_word_by_word(field):
        runs = format_html_join(
            "",
            "{}",
            (
                (
                    piece.text
                    if piece.op == "same"
                    else format_html(
                        "<{0}>{1}</{0}>", "del" if piece.op == "old" else "ins", piece.text
                    ),
                )
                for piece in word_diff(field.old, field.new)
            ),
        )
        return format_html("{}: {}", field.label, runs)
    return format_html(
        "{}: <del>{}</del> → <ins>{}</ins>",
        field.label,
        shown(field.old, field.old_label),
        shown(field.new, field.new_label),
    )


def change_sentence(change: Change, kind_label: str):
    """What happened, in a sentence: "Instrument changed. Status: Adopted → In effect." """
    if change.action == "changed":
        if not change.fields:
            return f"{kind_label} “{change.title}” saved again; no field changed."
        return (
            f"{kind_label} “{change.title}” changed. "
            + "; ".join(field_sentence(field) for field in shown_fields(change))
            + "."
        )
    return f"{kind_label} “{change.title}” {'added' if change.action == 'created' else 'removed'}."
