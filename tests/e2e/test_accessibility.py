"""Browser: axe-core (the npm package, injected from node_modules) finds no serious or
critical violation on the main pages, in English and in Brazilian Portuguese."""

from __future__ import annotations

import os

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.e2e.pages import AXE, LANGUAGES, build_world, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The rules axe runs: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
AXE_RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# What fails the test: axe's two highest impacts.
FAILING_IMPACTS = {"serious", "critical"}

REWORKED = pytest.mark.xfail(strict=False, reason="queue/dashboard reworked on another branch")

# The pages: (name, who looks at it, its address from the world).
PAGES = [
    ("home", "customer", lambda world: "/"),
    ("portal-list", "customer", lambda world: "/tickets/"),
    ("new-ticket", "customer", lambda world: "/tickets/new/"),
    ("ticket-customer", "customer", lambda world: f"/tickets/{world.ticket.pk}/"),
    ("ticket-engineer", "engineer", lambda world: f"/tickets/{world.ticket.pk}/"),
    ("queue", "engineer", lambda world: "/tickets/queue/"),
    ("dashboard", "manager", lambda world: "/sla/dashboard/"),
    ("plans", "manager", lambda world: "/sla/plans/"),
    ("login", None, lambda world: "/accounts/login/"),
]
# The dashboard fails axe's target-size rule on its own links (dashboard templates, being
# reworked on another branch); the queue passes and is not marked.
REWORKED_ELSEWHERE: set[str] = set()


def page_params():
    for name, role, path in PAGES:
        for language in LANGUAGES:
            marks = [REWORKED] if name in REWORKED_ELSEWHERE else []
            yield pytest.param(name, role, path, language, marks=marks, id=f"{name}-{language}")


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE.exists():
        reason = f"{AXE} is missing: run `npm ci` (make test does)"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    return os.fspath(AXE)


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize(("name", "role", "path", "language"), list(page_params()))
def test_no_serious_or_critical_axe_violation(
    browser, live_server, seeded, axe_script, name, role, path, language
):
    world = build_world(language)
    locale = "pt-BR" if language == "pt-br" else "en-US"
    context = browser.new_context(base_url=live_server.url, locale=locale)
    if role is not None:
        sign_in(context, live_server.url, getattr(world, role))
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        response = page.goto(path(world))
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=axe_script)
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_RULE_TAGS
        )
    finally:
        context.close()
    assert results["testEngine"]["name"] == "axe-core"
    assert results["passes"], "axe ran no rule"
    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not failing, describe(failing)


def test_the_rule_set_catches_what_it_must(browser, axe_script):
    """The same run over a page with known faults reports them as serious or critical, so
    an empty list above means something."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(
            "<html><head><title>t</title></head><body><main><h1>Faults</h1>"
            '<img src="data:,">'
            '<input type="text">'
            '<p style="color:#bbb;background:#fff">low contrast</p>'
            "<button></button></main></body></html>"
        )
        page.add_script_tag(path=axe_script)
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_RULE_TAGS
        )
    finally:
        context.close()
    failing = {v["id"] for v in results["violations"] if v["impact"] in FAILING_IMPACTS}
    assert {"image-alt", "label", "color-contrast", "button-name"} <= failing
