"""The README and .env.example stay true to the code."""

import doctest
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_set_up_commands():
    assert "make run" in README
    assert "make test" in README


def test_every_model_is_in_the_data_model_table():
    for label in ("jurisdictions", "instruments"):
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                assert f"`{model._meta.app_label}.{model.__name__}`" in README


def test_every_environment_variable_is_documented():
    source = (ROOT / "policytracker" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'(?:environ\.get|env_[a-z]+)\("([A-Z_]+)"', source))
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"} <= names
    names.add("DATABASE_URL")  # read by dj-database-url
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in names:
        assert f"`{name}`" in README, name
        assert f"{name}=" in example, name


def test_every_seed_file_is_in_the_fixtures_folder():
    from instruments.seeding import SEED_FILES

    assert sorted(path.name for path in (ROOT / "fixtures").glob("*.json")) == sorted(SEED_FILES)


def test_readme_examples_run_against_the_seed(seeded):
    """The README's `pycon` blocks (the `as_of` worked examples) are doctests of the seed."""
    blocks = re.findall(r"```pycon\n(.*?)```", README, re.DOTALL)
    assert blocks
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    report = []
    for number, block in enumerate(blocks, start=1):
        test = parser.get_doctest(block, {}, f"README.md pycon block {number}", "README.md", 0)
        runner.run(test, out=report.append)
    results = runner.summarize(verbose=False)
    assert results.attempted >= 10
    assert results.failed == 0, "".join(report)


def test_every_api_parameter_and_facet_is_documented():
    """Each list's row of the REST API table (and, for a list that says "as" a page, that
    page's row of the filtering table) names every filter and facet of its FilterSet."""
    from policytracker.api.urls import router
    from policytracker.core.api.views import ListViewSet

    lines = README.splitlines()
    for prefix, viewset, _ in router.registry:
        if not issubclass(viewset, ListViewSet):
            continue
        (row,) = [line for line in lines if line.startswith(f"| `/api/v1/{prefix}/` |")]
        documented = row
        if f"as `/{prefix}/`" in row:
            (page_row,) = [line for line in lines if line.startswith(f"| `/{prefix}/` |")]
            documented += page_row
        filterset = viewset.filterset_class
        for name in [*filterset.base_filters, *filterset.facet_specs]:
            assert f"`{name}`" in documented, (prefix, name)
