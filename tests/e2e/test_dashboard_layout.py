"""Browser: the dashboard at phone and desktop widths, in English and Portuguese, never
scrolls sideways as a page; wide tables scroll inside their own marked region; the
response-time table fits its card on a desktop; each chart's link opens its table.
Screenshots go to test-artifacts/ for a reviewer."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Tier
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    EngineerFactory,
    ManagerFactory,
    OrganizationFactory,
)
from tests.tickets.helpers import make_ticket
from tickets.services import comment_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WIDTHS = [390, 1366]
LANGUAGES = {
    "en": {"heading": "SLA dashboard", "apply": "Apply", "chart_link": "as a table"},
    "pt-br": {"heading": "Painel de SLA", "apply": "Aplicar", "chart_link": "em tabela"},
}


def some_history() -> None:
    globex = OrganizationFactory(name="Globex", tier=Tier.PREMIUM, time_zone="America/New_York")
    grace = CustomerFactory(organization=globex)
    alice = EngineerFactory(first_name="Alice", last_name="Almeida")
    now = timezone.now()
    for hours in (2, 30, 100, 200):
        ticket = make_ticket(
            grace, subject=f"Backups down {hours}", impact="high", urgency="high",
            at=now - datetime.timedelta(hours=hours),
        )  # fmt: skip
        comment_add(
            ticket=ticket, author=alice, body="On it",
            at=now - datetime.timedelta(hours=hours) + datetime.timedelta(minutes=40),
        )  # fmt: skip


def page_scrolls_sideways(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def beyond_the_page(page, within: str) -> list[str]:
    """Elements under `within` whose right edge passes the page's (what would make the
    page scroll sideways); a table scrolling inside its region does not count."""
    return page.evaluate(
        """within => [...document.querySelectorAll(within + ' *')]
          .filter(e => !e.closest('.table-scroll'))
          .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .map(e => e.tagName + '.' + e.className)""",
        within,
    )


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/$"))


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_dashboard_content_never_passes_the_page_edge_at_phone_and_desktop_widths(page, language):
    some_history()
    ManagerFactory(email="marta@helpdesk.example", language=language)
    words = LANGUAGES[language]
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "marta@helpdesk.example")
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/sla/dashboard/?period=30")
        expect(page.get_by_role("heading", name=words["heading"], level=1)).to_be_visible()
        expect(page.get_by_role("button", name=words["apply"])).to_be_visible()
        expect(page.locator("#id_period")).to_be_visible()
        for key in ("breaches_week", "opened_solved", "distribution"):
            expect(page.locator(f"#chart-{key}")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{language}-{width}.png"), full_page=True)
        assert not beyond_the_page(page, "main"), f"{language} at {width} px"
        response_times = page.locator(".table-scroll:has(#table-response_times)")
        expect(response_times).to_have_attribute("role", "region")
        if width >= 1366:
            assert not page_scrolls_sideways(page), language
            # Every column in view: nothing hidden behind the inner scroll.
            assert response_times.evaluate("el => el.scrollWidth <= el.clientWidth"), language
            # And so for every table shown in a card (the attainment and per-engineer tables
            # hid their last column in Portuguese).
            hidden = page.evaluate(
                """() => [...document.querySelectorAll('.dash-grid .table-scroll')]
                    .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
                    .map(el => el.querySelector('table')?.id || el.getAttribute('aria-label'))"""
            )
            assert hidden == [], f"{language}: {hidden}"
    # A chart's link to its table shows the table (inside its closed <details>).
    page.set_viewport_size({"width": 1366, "height": 900})
    link = (
        page.locator("#chart-breaches_week")
        .locator("..")
        .get_by_role("link", name=re.compile(words["chart_link"]))
    )
    link.click()
    expect(page.locator("#table-breaches_week")).to_be_visible()


def test_the_whole_dashboard_page_has_no_sideways_scroll_on_a_phone(page):
    ManagerFactory(email="marta@helpdesk.example")
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, "marta@helpdesk.example")
    page.goto("/sla/dashboard/")
    expect(page.get_by_role("heading", name="SLA dashboard", level=1)).to_be_visible()
    assert not page_scrolls_sideways(page)
