"""Sources you can check: a source's archived copy (its text, and quotes checked against it
when a citation is saved), the staff-only download of it, and `manage.py check_sources`
against a server of the test's own on 127.0.0.1."""

import csv
import datetime
import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from instruments import archives
from instruments.archives import archived_words, quote_in_archive
from instruments.models import Source
from tests.factories import CitationFactory, InstrumentFactory, SourceFactory
from tests.helpers.admin import admin_url

pytestmark = pytest.mark.django_db

ARCHIVED_ON = datetime.date(2026, 12, 4)
# A line break inside the sentence, typographic quotes and an en dash, as a page has them.
ARTICLE = (
    "The Ministry said the law would be “risk-based” – and binding\n"
    "on every provider from 2026.\n\nA second paragraph."
)
EXACT_QUOTE = "the law would be “risk-based” – and binding on every provider from 2026."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def archived(name, content, **fields):
    """A saved source whose archived copy is the file `name` holding `content`."""
    return SourceFactory(
        title="Ministry statement",
        archived_file=SimpleUploadedFile(name, content),
        archived_on=ARCHIVED_ON,
        **fields,
    )


def citation(source, quote):
    return CitationFactory.build(source=source, quote=quote, instrument=InstrumentFactory())


def pdf_with(*lines):
    """A one-page PDF showing `lines` in Helvetica, one under another."""
    shown = b" T* ".join(
        b"(" + line.encode("cp1252").replace(b"(", rb"\(").replace(b")", rb"\)") + b") Tj"
        for line in lines
    )
    content = b"BT /F1 12 Tf 14 TL 72 720 Td " + shown + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# -- the archive's text -----------------------------------------------------------------------


def test_no_archive_has_no_text():
    source = SourceFactory()
    assert archived_words(source) is None
    assert quote_in_archive(source, "anything") is None


def test_the_saved_text_comes_before_the_file():
    source = archived("copy.txt", b"The file's words.", archived_text="The pasted words.")
    assert archived_words(source) == "The pasted words."
    source.archived_text = "  \n "
    assert archived_words(source) == "The file's words."


def test_a_text_file_is_read_as_utf8_with_replacement(media_root):
    source = archived("copy.txt", ARTICLE.encode() + b" Bad byte: \xff.")
    assert source.archived_file.name.startswith("sources/")
    assert (media_root / source.archived_file.name).exists()
    words = archived_words(Source.objects.get(pk=source.pk))
    assert words.startswith("The Ministry said the law would be “risk-based” – and binding\n")
    assert words.endswith("Bad byte: \ufffd.")


def test_an_html_file_is_read_without_tags_scripts_or_styles():
    page = (
        "<!doctype html><html><head><title>Statement</title>"
        "<style>p { color: red }</style><script>var secret = 'risk-based';</script></head>"
        "<body><p>The Ministry said the law would be &ldquo;<em>risk</em>-based&rdquo; &ndash;"
        " and binding\n   on every provider from 2026.</p><p>A second</p><p>paragraph.</p>"
        "</body></html>"
    )
    source = archived("copy.html", page.encode())
    words = archived_words(source)
    assert "secret" not in words
    assert "color" not in words
    assert quote_in_archive(source, EXACT_QUOTE) is True
    # Paragraphs are not run together.
    assert quote_in_archive(source, "A second paragraph.") is True
    assert quote_in_archive(source, "secondparagraph") is False


def test_an_html_file_is_read_in_the_encoding_it_declares():
    page = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    page += "<p>Le Conseil d’État a rendu son avis.</p>"
    source = archived("copy.html", page.encode("cp1252"))
    assert quote_in_archive(source, "Le Conseil d’État a rendu son avis.") is True


def test_an_htm_file_is_html_too():
    source = archived("copy.HTM", b"<p>One&nbsp;two</p><p>three</p>")
    assert quote_in_archive(source, "One two three") is True


def test_a_pdf_file_is_read():
    source = archived(
        "copy.pdf",
        pdf_with(
            "The Ministry said the law would be “risk-based” – and binding",
            "on every provider from 2026.",
        ),
    )
    assert "risk-based" in archived_words(source)
    assert quote_in_archive(source, EXACT_QUOTE) is True
    assert quote_in_archive(source, 'the law would be "risk-based"') is False


def test_a_damaged_pdf_cannot_be_read_and_is_not_checked():
    source = archived("copy.pdf", b"%PDF-1.4 this is not a PDF at all")
    assert archived_words(source) is None
    assert quote_in_archive(source, "anything") is None


def test_a_missing_file_is_not_checked(media_root):
    source = archived("copy.txt", b"Words.")
    (media_root / source.archived_file.name).unlink()
    assert quote_in_archive(source, "anything") is None


# -- quotes checked on save ---------------------------------------------------------------------


def test_an_exact_quote_is_accepted():
    source = SourceFactory(archived_text=ARTICLE, archived_on=ARCHIVED_ON)
    citation(source, EXACT_QUOTE).full_clean()
    # Whitespace is not what a quote copies: a non-breaking space is a space.
    citation(source, EXACT_QUOTE.replace(" ", "\u00a0", 1)).full_clean()


def test_nfc_and_nfd_compare_equal():
    source = SourceFactory(archived_text="Le Conseil d’État a rendu son avis.")
    assert quote_in_archive(source, "Conseil d’E\u0301tat") is True


@pytest.mark.parametrize(
    "changed",
    [
        'the law would be "risk-based" – and binding',  # straight quotes for typographic ones
        "the law would be “risk-based” - and binding",  # a hyphen for the en dash
        "the law would be “risk based” – and binding",  # a word changed
    ],
)
def test_a_changed_quote_is_refused_with_the_message(changed):
    source = SourceFactory(
        title="Ministry statement", archived_text=ARTICLE, archived_on=ARCHIVED_ON
    )
    with pytest.raises(ValidationError) as excinfo:
        citation(source, changed).full_clean()
    assert excinfo.value.message_dict["quote"] == [
        "Not found in the archived copy of “Ministry statement” (saved 4 December 2026): "
        "copy the quote character for character, or update the archive."
    ]


def test_a_changed_quote_is_refused_against_the_file_too():
    source = archived("copy.txt", ARTICLE.encode())
    with pytest.raises(ValidationError, match="Not found in the archived copy"):
        citation(source, "the law would be binding").full_clean()


def test_no_archive_no_check():
    source = SourceFactory()
    citation(source, "Whatever the source said.").full_clean()


def test_a_citation_without_a_quote_is_not_checked():
    source = SourceFactory(archived_text=ARTICLE)
    CitationFactory.build(
        source=source, quote="", note="A code list.", instrument=InstrumentFactory()
    ).full_clean()


def test_an_unreadable_archive_does_not_stop_a_citation():
    source = archived("copy.pdf", b"not a pdf")
    citation(source, "Whatever the source said.").full_clean()


# -- the file itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["copy.docx", "copy.exe", "copy"])
def test_other_kinds_of_file_are_refused(name):
    source = SourceFactory.build(archived_file=SimpleUploadedFile(name, b"words"))
    with pytest.raises(ValidationError) as excinfo:
        source.full_clean()
    (message,) = excinfo.value.message_dict["archived_file"]
    assert message.startswith("An archived copy is a .txt, .html, .htm or .pdf file")


def test_a_file_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(archives, "ARCHIVE_MAX_BYTES", 2 * 1024 * 1024)
    big = SimpleUploadedFile("copy.txt", b"x" * (3 * 1024 * 1024))
    source = SourceFactory.build(archived_file=big)
    with pytest.raises(ValidationError) as excinfo:
        source.full_clean()
    assert excinfo.value.message_dict["archived_file"] == [
        "The file is 3.0 MB; an archived copy may be 2 MB at most."
    ]


# -- the admin ----------------------------------------------------------------------------------


def test_the_admin_shows_the_archive_and_downloads_it_for_staff_only(admin_client, client):
    source = archived("copy.html", b"<p>Archived words.</p>")
    listing = admin_client.get(admin_url(Source, "changelist"), {"q": source.slug})
    assert listing.status_code == 200
    assert "Archived copy" in listing.content.decode()
    assert "icon-yes.svg" in listing.content.decode()
    page = admin_client.get(admin_url(Source, "change", source.pk)).content.decode()
    assert "Archived copy" in page
    download = admin_url(Source, "archived_copy", source.archived_file.name)
    # The file's link on the form leads to the download, not to a public address.
    assert f'href="{download}"' in page
    answer = admin_client.get(download)
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment")
    assert b"".join(answer.streaming_content) == b"<p>Archived words.</p>"
    # Anyone else is sent to sign in; a name no source has is not served.
    assert client.get(download).status_code == 302
    other = admin_url(Source, "archived_copy", "sources/2026/12/other.txt")
    assert admin_client.get(other).status_code == 404
    assert client.get("/media/" + source.archived_file.name).status_code == 404


# -- check_sources ------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    release = threading.Event()

    def answer(self, status, location=None):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self.route(head=True)

    def do_GET(self):
        self.route(head=False)

    def route(self, head):
        self.server.requests.append((self.command, self.path, self.headers["User-Agent"]))
        match self.path:
            case "/ok" | "/new" | "/elsewhere":
                self.answer(200)
            case "/old":
                self.answer(301, "/new")
            case "/permanent-then-temporary":
                self.answer(308, "/old-temporary")
            case "/old-temporary":
                self.answer(302, "/elsewhere")
            case "/to-ftp":
                self.answer(301, "ftp://127.0.0.1/file")
            case "/gone":
                self.answer(410)
            case "/no-head":
                self.answer(405 if head else 200)
            case "/broken":
                self.answer(500)
            case "/slow":
                self.release.wait(5)
                self.answer(200)
            case _:
                self.answer(404)

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    Handler.release.clear()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd
    Handler.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def addresses(empty, server, closed_port, monkeypatch):
    """Sources (and no others) at each kind of address the server answers."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    base, _ = server
    paths = {
        "a-ok": "/ok",
        "b-moved": "/old",
        "c-missing": "/missing",
        "d-gone": "/gone",
        "e-no-head": "/no-head",
        "f-slow": "/slow",
        "g-broken": "/broken",
        "h-temporary": "/permanent-then-temporary",
        "i-to-ftp": "/to-ftp",
    }
    for slug, path in paths.items():
        SourceFactory(slug=slug, url=base + path, kind="article")
    SourceFactory(slug="j-refused", url=f"http://127.0.0.1:{closed_port}/", kind="official")
    SourceFactory(slug="k-no-address", url="", kind="reference")
    return base


def run(*args):
    """Run check_sources; return (exit code, output)."""
    out = io.StringIO()
    try:
        # Long enough for a loaded machine to answer the quick addresses, short of the slow
        # one's five seconds.
        call_command("check_sources", "--timeout", "2", *args, stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, out.getvalue()


def results(output):
    """slug → result, from the table."""
    table = {}
    for line in output.splitlines()[1:-1]:
        slug, _, result = line.split(maxsplit=2)
        table[slug] = result
    return table


def test_check_sources_reports_every_address(addresses, server):
    started = time.monotonic()
    code, output = run()
    # Every address at once: the slow one costs its timeout, not the sum of all of them.
    assert time.monotonic() - started < 4.5
    assert code == 0
    assert output.splitlines()[0].split() == ["slug", "address", "result"]
    assert results(output) == {
        "a-ok": "ok",
        "b-moved": f"moved → {addresses}/new",
        "c-missing": "gone (404)",
        "d-gone": "gone (410)",
        "e-no-head": "ok",
        "f-slow": "timeout",
        "g-broken": "error 500",
        # Moved for good to /old-temporary, which today sends readers elsewhere.
        "h-temporary": f"moved → {addresses}/old-temporary",
        "i-to-ftp": "unreachable: redirected to a non-http(s) address (ftp://127.0.0.1/file)",
        "j-refused": "unreachable: Connection refused",
        "k-no-address": "no address",
    }
    assert output.splitlines()[-1] == (
        "10 addresses checked: 2 ok, 2 moved, 2 gone, 1 error, 1 timeout, 2 unreachable; "
        "1 source without an address."
    )
    _, httpd = server
    asked = [(method, path) for method, path, _ in httpd.requests]
    # HEAD first, GET only where HEAD was refused, and HEAD kept after a redirect.
    assert ("HEAD", "/no-head") in asked
    assert ("GET", "/no-head") in asked
    assert ("GET", "/ok") not in asked
    assert ("HEAD", "/new") in asked
    assert all("PolicyTracker" in agent for _, _, agent in httpd.requests)


def test_check_sources_fails_on_broken_addresses(addresses):
    code, _ = run("--fail-on-broken", "--source", "a-ok", "--source", "b-moved")
    assert code == 0
    code, output = run("--fail-on-broken", "--source", "a-ok", "--source", "c-missing")
    assert code == 1
    assert results(output) == {"a-ok": "ok", "c-missing": "gone (404)"}


def test_check_sources_writes_csv(addresses):
    code, output = run("--csv", "--kind", "official", "--fail-on-broken")
    assert code == 1
    rows = list(csv.reader(io.StringIO(output)))
    assert rows == [
        ["slug", "url", "result", "status", "detail"],
        [
            "j-refused",
            Source.objects.get(slug="j-refused").url,
            "unreachable",
            "",
            "Connection refused",
        ],
    ]
    _, output = run("--csv", "--source", "b-moved", "--source", "k-no-address")
    assert list(csv.reader(io.StringIO(output)))[1:] == [
        ["b-moved", f"{addresses}/old", "moved", "200", f"{addresses}/new"],
        ["k-no-address", "", "no address", "", ""],
    ]


def test_check_sources_refuses_an_unknown_slug(addresses):
    with pytest.raises(CommandError, match="no source has the slug nowhere"):
        call_command("check_sources", "--source", "nowhere", "--source", "a-ok")
