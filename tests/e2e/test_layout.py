"""Browser: every customer, engineer and manager page fits a 390 px phone and a 1366 px
desktop in both languages: no sideways page scroll, its key controls visible, the menu
opening at phone width. Screenshots of each go to test-artifacts/layout/ for review."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sla.models import Calendar, SupportPlan
from tests.e2e.pages import (
    ARTIFACTS,
    LANGUAGES,
    WIDTHS,
    build_world,
    horizontal_overflow,
    sign_in,
    wide_elements,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each page: (name, path, CSS selectors of the controls that must be visible at every width).
MAIN_HEADING = "main h1"


def customer_pages(world) -> list[tuple[str, str, list[str]]]:
    ticket = world.ticket.pk
    return [
        ("home", "/", [MAIN_HEADING]),
        ("tickets", "/tickets/", ["main a.button.primary[href='/tickets/new/']",
                                  f"main table a[href='/tickets/{ticket}/']"]),
        ("tickets-organization", "/tickets/?scope=organization", ["main table"]),
        ("new-ticket", "/tickets/new/", ["#id_subject", "input[name=impact]", "input[name=cc]",
                                         "#id_description", "form.ticket-form button.primary"]),
        ("ticket", f"/tickets/{ticket}/", [MAIN_HEADING, ".file-thumb img", "#id_body",
                                            "#reply button.primary"]),
        ("kb", "/kb/", [MAIN_HEADING]),
        ("article", f"/kb/a/{world.article.slug}/", [MAIN_HEADING]),
        ("search", "/search/?q=backups", [MAIN_HEADING]),
        ("profile", "/accounts/profile/", ["main button[type=submit]"]),
    ]  # fmt: skip


def engineer_pages(world) -> list[tuple[str, str, list[str]]]:
    ticket, organization = world.ticket.pk, world.customer.organization_id
    return [
        ("ticket", f"/tickets/{ticket}/", [MAIN_HEADING, "input[name=is_public]", "#id_body",
                                            "#reply button.primary", "#change-status"]),
        ("phone-ticket", "/tickets/phone/", [MAIN_HEADING, "main form button[type=submit]"]),
        ("organizations", "/accounts/organizations/", [MAIN_HEADING, "main .table-scroll"]),
        ("organization", f"/accounts/organizations/{organization}/", [MAIN_HEADING]),
        ("macros", "/tickets/macros/", [MAIN_HEADING]),
        ("tags", "/tickets/tags/", [MAIN_HEADING]),
        ("notifications", "/notifications/", [MAIN_HEADING]),
        ("kb", "/kb/", [MAIN_HEADING]),
        ("article", f"/kb/a/{world.article.slug}/", [MAIN_HEADING]),
    ]  # fmt: skip


def manager_pages(world) -> list[tuple[str, str, list[str]]]:
    plan = SupportPlan.objects.exclude(calendar=None).order_by("pk").first()
    calendar = Calendar.objects.filter(is_24x7=False).order_by("pk").first()
    return [
        ("plans", "/sla/plans/", [MAIN_HEADING, "main .table-scroll"]),
        ("plan-edit", f"/sla/plans/{plan.code}/", [MAIN_HEADING, "main button[type=submit]"]),
        ("calendar", f"/sla/calendars/{calendar.pk}/", [MAIN_HEADING, "main .table-scroll"]),
        ("matrix", "/sla/matrix/", [MAIN_HEADING, "main button[type=submit]"]),
        ("kb-report", "/kb/report/", [MAIN_HEADING]),
    ]  # fmt: skip


def visitor_pages(world) -> list[tuple[str, str, list[str]]]:
    return [
        ("login", "/accounts/login/", ["#id_username", "main button[type=submit]"]),
        ("signup", "/accounts/signup/", [MAIN_HEADING, "main button[type=submit]"]),
    ]


ROLES = {
    "customer": customer_pages,
    "engineer": engineer_pages,
    "manager": manager_pages,
    "visitor": visitor_pages,
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(ROLES))
def test_pages_fit_phone_and_desktop_with_key_controls_visible(
    browser, live_server, seeded, role, language
):
    world = build_world(language)
    locale = "pt-BR" if language == "pt-br" else "en-US"
    context = browser.new_context(
        base_url=live_server.url, locale=locale, viewport={"width": 1366, "height": 900}
    )
    user = getattr(world, role, None)
    if user is not None:
        sign_in(context, live_server.url, user)
    page = context.new_page()
    page.set_default_timeout(10_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    try:
        for name, path, controls in ROLES[role](world):
            response = page.goto(path)
            assert response is not None and response.status == 200, (path, response)
            assert page.locator("html").get_attribute("lang") == language
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                where = f"{role} {name} {language} {width}px"
                overflow = horizontal_overflow(page)
                if overflow:
                    problems.append(f"{where}: {overflow}px sideways: {wide_elements(page)}")
                for selector in controls:
                    if not page.locator(selector).first.is_visible():
                        problems.append(f"{where}: {selector} not visible")
                toggle = page.locator(".menu-toggle")
                if width < 800 and user is not None:
                    nav = page.locator(".mainnav")
                    if not toggle.is_visible() or nav.is_visible():
                        problems.append(f"{where}: the navigation is not behind a menu button")
                elif width >= 800 and toggle.is_visible():
                    problems.append(f"{where}: the menu button shows on a wide screen")
                page.screenshot(
                    path=str(ARTIFACTS / f"{role}-{name}-{language}-{width}.png"), full_page=True
                )
            page.set_viewport_size({"width": 1366, "height": 900})
        if user is not None:
            # The phone menu opens and closes from its button, then Escape.
            page.set_viewport_size({"width": 390, "height": 900})
            toggle = page.locator(".menu-toggle")
            expect(toggle).to_have_attribute("aria-expanded", "false")
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            expect(page.locator(".mainnav a").first).to_be_visible()
            assert horizontal_overflow(page) == 0, wide_elements(page)
            page.keyboard.press("Escape")
            expect(page.locator(".mainnav")).to_be_hidden()
            expect(toggle).to_be_focused()
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_thumbnail_is_a_real_small_image_and_the_favicon_exists(browser, live_server, seeded):
    world = build_world()
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    sign_in(context, live_server.url, world.customer)
    page = context.new_page()
    try:
        page.goto(f"/tickets/{world.ticket.pk}/")
        thumb = page.locator(".file-thumb img")
        thumb.scroll_into_view_if_needed()  # it loads lazily
        page.wait_for_function("() => document.querySelector('.file-thumb img').complete")
        natural = thumb.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
        assert natural == [True, 320, 213]
        favicon = page.request.get("/favicon.ico")
        assert favicon.status == 200
        assert favicon.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
        for href in page.locator("link[rel=icon]").evaluate_all("ls => ls.map(l => l.href)"):
            assert page.request.get(href).status == 200, href
    finally:
        context.close()
