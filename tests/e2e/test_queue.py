"""Browser: engineers work the queue; a stale page is told who changed what."""

import datetime
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Tier, User
from tests.factories import PASSWORD, CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import EventKind, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_engineer_triages_unassigned_p1_p2_and_a_stale_colleague_is_told(
    page, browser, live_server
):
    org = OrganizationFactory(name="Globex", tier=Tier.PREMIUM, time_zone="America/New_York")
    grace = CustomerFactory(organization=org, email="grace@globex.example")
    EngineerFactory(email="eduardo@helpdesk.example", first_name="Eduardo", last_name="Engineer")
    EngineerFactory(email="emma@helpdesk.example", first_name="Emma", last_name="Engineer")
    now = timezone.now()
    top = make_ticket(
        grace,
        subject="Backups fail every time",
        impact="high",
        urgency="high",
        at=now - datetime.timedelta(minutes=5),
    )
    other = make_ticket(grace, subject="Backup speed dropped", impact="medium", urgency="high")
    make_ticket(grace, subject="Clarify a setting", impact="low", urgency="low")

    # Emma opens the top ticket first and leaves the page as it is.
    second = browser.new_context(base_url=live_server.url, locale="en-US")
    emma = second.new_page()
    emma.set_default_timeout(10_000)
    log_in(emma, "emma@helpdesk.example")
    emma.goto(f"/tickets/{top.pk}/")
    expect(emma.get_by_role("heading", level=1)).to_contain_text(top.reference)

    # Eduardo filters to Unassigned P1/P2 and takes the top ticket.
    log_in(page, "eduardo@helpdesk.example")
    page.get_by_role("link", name="Queue").first.click()
    page.locator(".view-list a", has_text="Unassigned P1/P2").click()
    expect(page).to_have_url(re.compile(r"assignee=unassigned"))
    rows = page.locator("#queue .queue-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Backups fail every time")
    expect(rows.first).to_contain_text("left")
    rows.first.get_by_role("button", name="Take").click()
    expect(page.locator("#queue .messages")).to_contain_text(f"You took {top.reference}.")
    expect(page.locator("#queue .queue-row")).to_have_count(1)  # no longer unassigned

    # He replies publicly on the ticket page: the first-response clock is met.
    page.goto(f"/tickets/{top.pk}/")
    expect(page.locator("#presence")).to_contain_text("Emma Engineer also has this ticket open.")
    page.get_by_label("Your reply").fill("We are restoring the agent now.")
    page.get_by_label("Public reply").check()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".sla-box")).to_contain_text("Met")
    expect(
        page.locator(".conversation, #conversation-heading + article, .comment").first
    ).to_contain_text("We are restoring the agent now.")

    # Back in the queue he re-classifies the other ticket, with a reason.
    page.goto("/tickets/queue/?assignee=unassigned&priority=P1&priority=P2")
    row = page.locator(f"#ticket-{other.pk}")
    row.get_by_text("Actions").click()  # the menu is fetched when opened
    row.get_by_label("New priority").select_option("P1")
    row.get_by_label("Reason").fill("Their whole site is down")
    row.get_by_role("button", name="Re-classify").click()
    expect(page.locator("#queue .messages")).to_contain_text(f"{other.reference} was re-classified")
    expect(page.locator(f"#ticket-{other.pk} .priority")).to_have_text("P1")

    # Emma, on her stale page, tries to take the ticket Eduardo already took.
    emma.get_by_role("button", name="Take").click()
    message = emma.locator(".messages")
    expect(message).to_contain_text("was changed by Eduardo Engineer since you opened it")
    expect(message).to_contain_text("Assignee changed from nobody to Eduardo Engineer.")
    expect(emma.locator(".ticket-head")).to_contain_text("Assignee: Eduardo Engineer")
    second.close()

    top = Ticket.objects.get(pk=top.pk)
    assert top.assignee.email == "eduardo@helpdesk.example"
    assert top.clocks.get(metric="first_response").met_at is not None
    other = Ticket.objects.get(pk=other.pk)
    assert other.priority == "P1"
    assert other.events.get(kind=EventKind.PRIORITY_RECLASSIFIED).data["reason"] == (
        "Their whole site is down"
    )


def test_queue_countdowns_refresh_by_themselves(page, live_server):
    org = OrganizationFactory(name="Initrode", tier=Tier.PREMIUM, time_zone="America/New_York")
    customer = CustomerFactory(organization=org)
    EngineerFactory(email="ivy@helpdesk.example")
    ticket = make_ticket(customer, subject="Cluster down", impact="high", urgency="high")
    log_in(page, "ivy@helpdesk.example")
    page.goto("/tickets/queue/")
    cell = page.locator(f'[data-countdown="{ticket.pk}"]')
    expect(cell).to_contain_text("left around the clock")
    # The deadline passes while the page stays open (moved here rather than waited for).
    past = timezone.now() - datetime.timedelta(minutes=3)
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=past)
    ticket.clocks.update(due_at=past)
    page.evaluate("window.helpdeskRefreshCountdowns()")  # the minute's timer, run now
    expect(cell).to_contain_text("overdue by 3 min around the clock")
    expect(page.locator(f"#ticket-{ticket.pk}")).to_have_class(re.compile(r"sla-row-breached"))


# --- the queue at phone and desktop widths, keyset pages, row menus, the keyboard ----------

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WIDTHS = [390, 1366]


@pytest.fixture
def busy_queue(seeded):
    """Thirty open tickets (more than a page), a long subject, tags, two engineers."""
    premium = OrganizationFactory(
        name="Globex Corporation International", tier=Tier.PREMIUM, time_zone="America/New_York"
    )
    community = OrganizationFactory(name="Priya Co", tier=Tier.COMMUNITY, time_zone="Asia/Kolkata")
    grace = CustomerFactory(organization=premium)
    priya = CustomerFactory(organization=community)
    EngineerFactory(email="eduardo@helpdesk.example", first_name="Eduardo", last_name="Engineer")
    EngineerFactory(email="emma@helpdesk.example", first_name="Emma", last_name="Engineer")
    now = timezone.now()
    tickets = [
        make_ticket(
            grace,
            subject="Backups of the primary cluster fail every night since the upgrade to 4.2",
            impact="high",
            urgency="high",
            at=now - datetime.timedelta(minutes=5),
        )
    ]
    for index in range(29):
        requester = grace if index % 2 else priya
        tickets.append(
            make_ticket(
                requester,
                subject=f"Question {index:02d}",
                impact="low",
                urgency="high" if index % 3 else "low",
                at=now - datetime.timedelta(minutes=10 + index),
            )
        )
    return tickets


def sign_in(browser, live_server, *, email: str, width: int, language: str = "en"):
    """A browser context at `width` px signed in as `email` (session cookie from Django's
    own login, so the test does not depend on the login form's language)."""
    user = User.objects.get(email=email)
    User.objects.filter(pk=user.pk).update(language=language)
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        base_url=live_server.url,
        locale="pt-BR" if language == "pt-br" else "en-US",
        viewport={"width": width, "height": 900},
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


OVERFLOWING = """() => Array.from(document.querySelectorAll("body *"))
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map((element) => ({
    header: !!element.closest("header.topbar"),
    element: element.tagName + "." + element.className,
  }))"""


def fits_the_width(page) -> bool:
    """No horizontal page scroll, or only because of the base layout's header.

    The header (base.html, its navigation) is another part's: at 390 px its navigation is
    wider than the window until that part folds it. Anything of the queue's that is wider
    fails here; the whole page, header included, by :func:`page_scrolls_sideways`.
    """
    if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        return True
    offenders = page.evaluate(OVERFLOWING)
    return bool(offenders) and all(offender["header"] for offender in offenders)


def page_scrolls_sideways(page) -> bool:
    return not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_the_queue_fits_phone_and_desktop_widths_in_both_languages(
    browser, live_server, busy_queue, width, language
):
    context, page = sign_in(
        browser, live_server, email="eduardo@helpdesk.example", width=width, language=language
    )
    page.goto("/tickets/queue/")
    rows = page.locator("#queue .queue-row")
    expect(rows).to_have_count(25)
    assert fits_the_width(page)
    first = rows.first
    for cell in (".priority", ".subject a", ".organization", ".sla-cell", ".assignee"):
        expect(first.locator(cell).first).to_be_visible()
        assert right_edge(first.locator(cell).first) <= width
    actions = first.locator("details.row-actions summary")
    expect(actions).to_be_visible()
    assert right_edge(actions) <= width
    if width < 720:
        page.locator(".filters-panel > summary").click()  # folded on a phone
    chips = page.locator(".priority-chips input[type=checkbox]")
    expect(chips).to_have_count(4)
    expect(page.locator(".priority-chips label").first).to_be_visible()
    expect(page.locator("a[rel=next]")).to_be_visible()
    views = page.locator("#queue-views")
    if width < 720:
        # Phone: rows are cards (no table header), the views are behind a menu button.
        expect(page.locator(".queue-table thead")).to_be_hidden()
        expect(views).to_be_hidden()
        page.locator(".views-toggle").click()
        expect(views).to_be_visible()
        expect(page.locator(".views-toggle")).to_have_attribute("aria-expanded", "true")
        assert fits_the_width(page)
    else:
        expect(page.locator(".views-toggle")).to_be_hidden()
        expect(views).to_be_visible()
        expect(page.locator(".queue-table thead")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"queue-{language}-{width}.png"), full_page=True)
    # A row's actions open over the rows below, still within the width.
    actions.click()
    expect(first.locator(".row-actions-forms select").first).to_be_visible()
    assert fits_the_width(page)
    page.screenshot(path=str(ARTIFACTS / f"queue-actions-{language}-{width}.png"))
    # The whole page, header included, never scrolls sideways.
    assert not page_scrolls_sideways(page)
    context.close()


def test_opening_a_row_menu_fetches_it_moves_no_row_and_acts(browser, live_server, busy_queue):
    context, page = sign_in(browser, live_server, email="eduardo@helpdesk.example", width=1366)
    page.goto("/tickets/queue/")
    rows = page.locator("#queue .queue-row")
    expect(rows).to_have_count(25)
    assert page.locator("#queue .queue-row select").count() == 0  # nothing until opened
    before = [rows.nth(index).bounding_box() for index in range(25)]
    row = rows.nth(2)
    ticket_id = int(row.get_attribute("data-ticket") or 0)
    row.get_by_text("Actions").click()
    status = row.get_by_label("Status", exact=True)
    expect(status).to_be_visible()  # fetched from the row menu's endpoint
    after = [rows.nth(index).bounding_box() for index in range(25)]
    assert after == before  # the menu floats: no row moved or changed size
    status.select_option("on_hold")
    row.get_by_role("button", name="Change status").click()
    expect(page.locator("#queue .messages")).to_contain_text("The status of")
    expect(page.locator(f"#ticket-{ticket_id} .status")).to_have_text("On hold")
    assert Ticket.objects.get(pk=ticket_id).status == "on_hold"
    context.close()


def test_next_and_previous_pages_by_key_in_the_browser(browser, live_server, busy_queue):
    context, page = sign_in(browser, live_server, email="eduardo@helpdesk.example", width=1366)
    page.goto("/tickets/queue/")
    rows = page.locator("#queue .queue-row")
    expect(rows).to_have_count(25)
    first_page = rows.locator("td.subject > a").all_inner_texts()
    page.locator("a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"after=[0-9n]+\.[0-9]+\.[0-9]+"))
    expect(rows).to_have_count(5)
    second_page = rows.locator("td.subject > a").all_inner_texts()
    assert not set(first_page) & set(second_page)
    expect(page.locator("a[rel=next]")).to_have_count(0)
    page.locator("a[rel=prev]").click()
    expect(page).to_have_url(re.compile(r"before="))
    expect(rows).to_have_count(25)
    assert rows.locator("td.subject > a").all_inner_texts() == first_page
    context.close()


def test_a_reply_that_moves_the_row_off_the_page_says_so(browser, live_server, busy_queue):
    top = busy_queue[0]
    context, page = sign_in(browser, live_server, email="eduardo@helpdesk.example", width=1366)
    page.goto("/tickets/queue/?status=new")
    row = page.locator(f"#ticket-{top.pk}")
    row.get_by_text("Reply", exact=True).click()
    row.get_by_label(f"Message {top.reference}").fill("We are restoring the backups now.")
    row.get_by_role("button", name="Send").click()
    message = page.locator("#queue .messages")
    expect(message).to_contain_text(f"{top.reference} is no longer on this page of the queue")
    message.get_by_role("link", name=f"open {top.reference}").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{top.pk}/$"))
    context.close()


def test_the_queue_works_with_the_keyboard_alone(browser, live_server, busy_queue):
    context, page = sign_in(browser, live_server, email="eduardo@helpdesk.example", width=1366)
    page.goto("/tickets/queue/")
    first = page.locator("#queue .queue-row").first
    ticket_id = int(first.get_attribute("data-ticket") or 0)
    target = f"#ticket-{ticket_id} details.row-actions > summary"
    for _ in range(150):  # Tab through the page to the first row's actions
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({target!r})"):
            break
    else:
        pytest.fail("Tab never reached the first row's actions")
    page.keyboard.press("Enter")  # opens the menu, which fetches its forms
    expect(first.get_by_label("Assign to")).to_be_visible()
    page.keyboard.press("Tab")
    expect(first.get_by_label("Assign to")).to_be_focused()
    page.keyboard.press("Tab")  # the Assign button
    page.keyboard.press("Tab")
    status = first.get_by_label("Status", exact=True)
    expect(status).to_be_focused()
    page.keyboard.press("ArrowDown")  # New -> Open
    expect(status).to_have_value("open")
    page.keyboard.press("Tab")
    expect(first.get_by_role("button", name="Change status")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#queue .messages")).to_contain_text("The status of")
    assert Ticket.objects.get(pk=ticket_id).status == "open"
    context.close()
