"""Browser: a customer uses the portal with the keyboard alone (Tab, Space, Enter and
typing): files a ticket from the navigation, opens it from the list and replies. Every
control reached shows where the focus is."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import build_world, sign_in
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_STATE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
    text: (el.innerText || el.value || '').trim().slice(0, 80),
    visible: outlined || style.boxShadow !== 'none',
  };
}"""


def tab_to(page, matches, limit: int = 80) -> dict:
    """Press Tab until the focused element satisfies `matches`; each stop on the way must
    show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        assert state["visible"], f"focus is not visible on {state}"
        if matches(state):
            return state
    raise AssertionError(f"Tab never reached the control ({limit} presses)")


def test_customer_files_opens_and_replies_with_the_keyboard_alone(browser, live_server, seeded):
    world = build_world()
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1366, "height": 900}
    )
    sign_in(context, live_server.url, world.customer)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/")
        tab_to(page, lambda s: s["tag"] == "a" and s["text"] == "New ticket")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/tickets/new/$"))

        tab_to(page, lambda s: s["id"] == "id_subject")
        page.keyboard.type("Restores stop at 99%")
        tab_to(page, lambda s: s["name"] == "impact")
        page.keyboard.press("Space")  # High
        tab_to(page, lambda s: s["name"] == "urgency")
        page.keyboard.press("ArrowDown")  # Medium: arrows move the choice within a group
        expect(page.locator("#priority-badge")).to_have_text("P2")
        tab_to(page, lambda s: s["id"] == "id_description")
        page.keyboard.type("The restore job hangs on its last file.")
        tab_to(page, lambda s: s["tag"] == "button" and s["text"] == "File ticket")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
        filed = Ticket.objects.get(subject="Restores stop at 99%")
        assert (filed.impact, filed.urgency, filed.priority) == ("high", "medium", "P2")

        # Back to the list through the navigation, then open the ticket from it.
        tab_to(page, lambda s: s["tag"] == "a" and s["text"] == "Tickets")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/tickets/$"))
        tab_to(page, lambda s: s["tag"] == "a" and s["text"] == "Restores stop at 99%")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*/tickets/{filed.pk}/$"))

        tab_to(page, lambda s: s["id"] == "id_body")
        page.keyboard.type("It also happens on the second server.")
        tab_to(page, lambda s: s["tag"] == "button" and s["text"] == "Send")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*/tickets/{filed.pk}/.*"))
        expect(page.locator(".comment").last).to_contain_text(
            "It also happens on the second server."
        )
    finally:
        context.close()
    assert filed.comments.filter(body="It also happens on the second server.").exists()


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(browser, live_server, seeded):
    world = build_world()
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    sign_in(context, live_server.url, world.customer)
    page = context.new_page()
    try:
        page.goto("/tickets/")
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to main content")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        tab_to(page, lambda s: True, limit=1)
        # The next stop after the skip is inside <main>, not the navigation.
        assert page.evaluate("() => !!document.activeElement.closest('main')")
    finally:
        context.close()
