"""An axe-core scan of every page: no serious or critical violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/jurisdictions/",
    "/jurisdictions/VN/",
    "/jurisdictions/ASEAN/",
    "/instruments/",
    "/instruments/?binding=false&member_of=ASEAN",
    "/instruments/?binding=true&as_of=2025-08-08",
    "/instruments/vn-law-on-artificial-intelligence/",
    "/instruments/eu-ai-act/",
    "/events/",
    "/events/?as_of=2025-08-08&kind=statement",
    "/events/ai-seoul-summit-2024/",
    "/compare/",
    "/compare/?jurisdiction=CN&jurisdiction=SG&jurisdiction=JP",
    "/search/?q=sandbox",
    "/sources/",
    "/sources/us-asia-ai-governance-2025-08-08/",
    "/instruments/?type=nonsense",
    "/no/such/page/",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(page, url, path):
    page.goto(url(path))
    results = Axe().run(page)
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    if serious:
        shoot(page, "axe-" + path.strip("/").replace("/", "_").replace("?", "_") or "home")
    assert not serious, "\n".join(serious)
