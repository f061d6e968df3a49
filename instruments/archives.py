"""A source's archived copy: the text an editor saved of it (pasted, or a file uploaded), where
its file is kept, and whether a quote is found in it.

A quote is compared with the archive after normalising only what copying a quote cannot keep:
any run of whitespace (a line break, a non-breaking space) counts as one space, and both are
put in Unicode NFC. Everything else is significant: typographic quotes and dashes are copied
character for character, so “ is not ", and – is not -."""

from __future__ import annotations

import codecs
import io
import logging
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import FileExtensionValidator
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from pypdf import PdfReader

if TYPE_CHECKING:
    from instruments.models import Source

logger = logging.getLogger(__name__)

ARCHIVE_EXTENSIONS = ["txt", "html", "htm", "pdf"]
ARCHIVE_MAX_BYTES = 20 * 1024 * 1024

validate_archive_extension = FileExtensionValidator(
    allowed_extensions=ARCHIVE_EXTENSIONS,
    message="An archived copy is a .txt, .html, .htm or .pdf file, whose text can be searched "
    "for quotes; “.%(extension)s” is not one of them.",
)


def validate_archive_size(file) -> None:
    if file.size > ARCHIVE_MAX_BYTES:
        raise ValidationError(
            f"The file is {file.size / 1024 / 1024:.1f} MB; an archived copy may be "
            f"{ARCHIVE_MAX_BYTES // 1024 // 1024} MB at most."
        )


@deconstructible(path="instruments.archives.ArchiveStorage")
class ArchiveStorage(FileSystemStorage):
    """MEDIA_ROOT, whose files the site never serves at a public address (a source's text may
    be copyrighted): the address of an archived copy is the admin's download, for editors."""

    def url(self, name):
        return reverse("admin:instruments_source_archived_copy", args=[name])


def archive_storage() -> ArchiveStorage:
    return ArchiveStorage()


# Elements whose content is never text of the page.
_HIDDEN = {"script", "style", "template", "noscript"}
# Elements that start a new line of text: the words either side are not joined.
_BREAKS = {
    *("address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt"),
    *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr"),
    *("li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "title", "tr"),
    *("ul",),
}


class _TextOfHTML(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_words(markup: str) -> str:
    """The text a reader sees of an HTML page: no tags, scripts or styles; entities decoded."""
    parser = _TextOfHTML()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def pdf_words(data: bytes) -> str:
    """The text of a PDF's pages: empty where it has none to read (a scanned image)."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def _html_encoding(data: bytes) -> str:
    """The encoding a saved page declares in its first bytes (`<meta charset>`), else UTF-8."""
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            pass
    return "utf-8-sig"


def _file_words(file) -> str | None:
    extension = PurePath(file.name).suffix.lower().lstrip(".")
    if extension not in ARCHIVE_EXTENSIONS:
        return None
    try:
        file.open("rb")
        try:
            data = file.read()
        finally:
            # A file just uploaded and not yet saved must stay open for saving.
            if getattr(file, "_committed", True):
                file.close()
            else:
                file.seek(0)
    except OSError:
        logger.warning("The archived copy %s cannot be opened", file.name, exc_info=True)
        return None
    if extension == "pdf":
        try:
            return pdf_words(data)
        # pypdf raises many kinds of error on a damaged file; any of them means "not readable",
        # and must not stop a citation from being saved.
        except Exception:
            logger.warning("The archived copy %s cannot be read as a PDF", file.name, exc_info=True)
            return None
    if extension in ("html", "htm"):
        return html_words(data.decode(_html_encoding(data), errors="replace"))
    return data.decode("utf-8-sig", errors="replace")


def archived_words(source: Source) -> str | None:
    """The text of `source`'s archived copy: the text an editor saved, else its file's; None
    when it has no archive, or none that can be read."""
    if source.archived_text.strip():
        return source.archived_text
    if not source.archived_file:
        return None
    words = _file_words(source.archived_file)
    return words if words and words.strip() else None


def normalise(text: str) -> str:
    """`text` in NFC, every run of whitespace one space: what a quote and an archive are
    compared in. Quotes and dashes are kept as they are."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def quote_in_archive(source: Source, quote: str) -> bool | None:
    """Whether `quote` is found in `source`'s archived copy (see `normalise`); None when the
    source has no archive that can be read, so nothing was checked."""
    words = archived_words(source)
    if words is None:
        return None
    return normalise(quote) in normalise(words)


def not_in_archive_message(source: Source) -> str:
    saved = ""
    if source.archived_on:
        day = source.archived_on
        saved = f" (saved {day.day} {day:%B %Y})"
    return (
        f"Not found in the archived copy of “{source.title}”{saved}: copy the quote character "
        "for character, or update the archive."
    )
