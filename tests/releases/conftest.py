import pytest

from policytracker.releases.builder import build_release


@pytest.fixture
def releases(settings, tmp_path):
    """An empty releases folder of the test's own; the site's address the test client's, so a
    release's addresses are those the client reads; changes counted up to the moment of a build."""
    settings.RELEASES_DIR = tmp_path / "releases"
    settings.SITE_URL = "http://testserver"
    settings.CHANGES_SETTLE_SECONDS = 0
    return settings.RELEASES_DIR


@pytest.fixture
def release(seeded, releases):
    """A release of the seed."""
    return build_release()
