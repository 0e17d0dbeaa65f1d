"""Browser: an engineer sees the bell count go up for an at-risk ticket and opens it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Tier
from notifications.models import Notification
from sla.monitor import run_monitor
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket

from .test_portal import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_engineer_sees_the_bell_count_rise_and_opens_the_at_risk_ticket(page):
    EngineerFactory(email="eve@helpdesk.example")
    organization = OrganizationFactory(name="Acme", tier=Tier.PREMIUM, time_zone="UTC")
    customer = CustomerFactory(organization=organization)
    # A Premium P1 filed 12 minutes ago: at risk since 11m15s, due at 15m.
    ticket = make_ticket(
        customer,
        at=timezone.now() - datetime.timedelta(minutes=12),
        subject="Checkout is down",
        impact="high",
        urgency="high",
    )

    log_in(page, "eve@helpdesk.example")
    bell = page.locator("#notification-bell")
    expect(bell).to_be_visible()
    expect(bell.locator(".bell-count")).to_have_count(0)

    assert run_monitor().at_risk == 1
    page.reload()
    expect(bell.locator(".bell-count")).to_have_text("1")

    bell.click()
    page.wait_for_url(re.compile(r".*/notifications/$"))
    item = page.locator(".notification-unread")
    expect(item).to_contain_text("Checkout is down")
    expect(item).to_contain_text("is at risk")
    item.get_by_role("button").click()

    page.wait_for_url(re.compile(rf".*/tickets/{ticket.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket.reference)
    expect(page.locator("#notification-bell .bell-count")).to_have_count(0)
    assert Notification.objects.get().read_at is not None


def test_customers_have_no_bell(page):
    organization = OrganizationFactory(tier=Tier.PREMIUM)
    CustomerFactory(email="carl@acme.example", organization=organization)
    log_in(page, "carl@acme.example")
    expect(page.locator("#notification-bell")).to_have_count(0)
