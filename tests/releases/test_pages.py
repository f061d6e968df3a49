"""The pages under /data/: the releases, newest first; a release's page; its files, with their
media types, names and checksums as ETags; the latest at a stable address; and the site's 404
page for whatever is not a release or one of its files."""

import hashlib

import pytest
from django.urls import reverse

from policytracker.releases.builder import build_release
from policytracker.releases.store import CHECKSUMS, MANIFEST
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return " ".join(response.content.decode().split())


def test_with_no_release_the_page_says_so_and_how_one_is_made(seeded, releases, client):
    html = page(client, "/data/")
    assert "No release has been made yet." in html
    assert "<code>python manage.py release</code>" in html
    assert "newest first" not in html
    latest = client.get("/data/latest/")
    assert latest.status_code == 404
    assert "Not found" in latest.content.decode()
    assert client.get("/data/latest/SHA256SUMS").status_code == 404


def test_every_page_links_to_the_releases(seeded, client):
    assert f'<a href="{reverse("releases:data")}">Data releases</a>' in page(client, "/")


def test_the_releases_newest_first_with_their_files_and_citations(release, client):
    second = build_release()
    html = page(client, "/data/")
    assert "2 releases, newest first." in html
    assert html.index(f"Release {second.number}</a>") < html.index(f"Release {release.number}</a>")
    assert f'href="/data/{second.number}/">release {second.number}</a>' in html
    assert "The first release: there is no earlier one to compare it with." in html
    assert f"0 changes since release {release.number}." in html
    for made in (release, second):
        assert made.citation in html
        for item in made.files:
            assert f'href="/data/{made.number}/{item.name}"' in html
            assert item.sha256 in html


def test_a_release_page(release, client):
    html = page(client, f"/data/{release.number}/")
    assert f'<h1 id="release-title">Release {release.number}</h1>' in html
    assert release.citation in html
    assert "@misc{policytracker-" in html
    assert "This is the latest release;" in html
    assert "The first release: there is no earlier one to compare it with." in html
    total = sum(release.tables.values())
    assert f"{total:,} rows in {len(release.tables)} tables." in html
    assert f'<td class="num">{release.tables["citations"]:,}</td>' in html
    assert "sha256sum -c SHA256SUMS" in html
    assert "datasette policytracker.db --metadata metadata.json" in html
    for item in release.files:
        assert item.sha256 in html


def test_a_later_release_page_counts_the_changes_and_an_earlier_one_points_to_it(release, client):
    TopicFactory(slug="page-test-topic", name="Page test topic")
    second = build_release()
    html = page(client, f"/data/{second.number}/")
    assert f'1 change since release <a href="/data/{release.number}/">{release.number}</a>' in html
    changes = html[html.index('id="changes-heading"') : html.index('id="files-heading"')]
    assert "<td>Topics</td>" in changes
    assert "<td>Instruments</td>" not in changes  # nothing of that kind changed
    earlier = page(client, f"/data/{release.number}/")
    assert "This is the latest release" not in earlier
    assert f'the latest is <a href="/data/{second.number}/">release {second.number}</a>' in earlier


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("instruments.csv", "text/csv; charset=utf-8"),
        ("datapackage.json", "application/json"),
        ("policytracker.db", "application/vnd.sqlite3"),
        ("CHANGELOG.md", "text/markdown; charset=utf-8"),
        ("CITATION.cff", "application/yaml"),
        (MANIFEST, "application/json"),
        (CHECKSUMS, "text/plain; charset=utf-8"),
    ],
)
def test_a_file_downloads_under_its_name_with_its_checksum_as_etag(
    release, client, name, media_type
):
    response = client.get(f"/data/{release.number}/{name}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    checksum = hashlib.sha256(body).hexdigest()
    assert body == (release.path / name).read_bytes()
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["ETag"] == f'"{checksum}"'
    assert release.file(name).sha256 == checksum
    assert "Last-Modified" in response
    again = client.get(f"/data/{release.number}/{name}", HTTP_IF_NONE_MATCH=f'"{checksum}"')
    assert again.status_code == 304
    assert again["ETag"] == f'"{checksum}"'
    changed = client.get(f"/data/{release.number}/{name}", HTTP_IF_NONE_MATCH='"other"')
    assert changed.status_code == 200
    changed.close()


def test_the_latest_release_has_a_stable_address(release, client):
    response = client.get("/data/latest/")
    assert response.status_code == 302
    assert response["Location"] == f"/data/{release.number}/"
    response = client.get("/data/latest/SHA256SUMS")
    assert response.status_code == 302
    assert response["Location"] == f"/data/{release.number}/SHA256SUMS"
    second = build_release()
    assert client.get("/data/latest/")["Location"] == f"/data/{second.number}/"
    assert client.get("/data/latest/no-such-file.csv").status_code == 404


def test_files_are_only_read_not_written(release, client):
    path = f"/data/{release.number}/{CHECKSUMS}"
    assert client.post(path).status_code == 405
    assert client.head(path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/data/2026.12.99/",
        "/data/{number}9/",
        "/data/abc/",
        "/data/2026.01.1/",  # a month is written without its leading zero
        "/data/2026.13.1/",
        "/data/0.0.0/",
        "/data/{number}/no-such-file.csv",
        "/data/{number}/..%2Frelease.json",
        "/data/{number}/.",
        "/data/abc/release.json",
        "/data/2026.12.40/",  # a folder without a manifest is no release
        "/data/2026.12.40/notes.txt",
    ],
)
def test_what_is_not_a_release_or_its_file_answers_the_404_page(release, releases, client, path):
    (releases / "2026.12.40").mkdir()
    (releases / "2026.12.40" / "notes.txt").write_text("kept by hand")
    response = client.get(path.format(number=release.number))
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.content.decode()


def test_the_pages_read_the_releases_folder_not_the_database(
    release, client, django_assert_num_queries
):
    build_release()
    for path in ("/data/", f"/data/{release.number}/", f"/data/{release.number}/{CHECKSUMS}"):
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200
