"""The templates stay readable: djLint lints them in `make check`; its linter does not measure
lines, so this does (the limit djLint's configuration names)."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_line_is_longer_than_djlints_limit():
    config = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())
    limit = config["tool"]["djlint"]["max_line_length"]
    too_long = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > limit
    ]
    assert not too_long, f"lines over {limit} characters: {too_long}"


def test_every_page_names_the_sites_icon(db, client):
    html = client.get(reverse("web:home")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("favicon.svg")
