"""Staff see their notifications: a bell with the unread count, a list, opening marks read."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from notifications.models import Notification, NotificationKind, render_text
from notifications.services import notification_mark_read, notify
from tests.factories import CustomerFactory, EngineerFactory
from tests.sla.monitor_helpers import Staff, premium_p1, run_at, utc

pytestmark = pytest.mark.django_db

TEN = utc(2026, 3, 10, 10, 0)


@pytest.fixture
def staff() -> Staff:
    return Staff()


@pytest.fixture
def at_risk_ticket(staff):
    ticket = premium_p1(staff, at=TEN, subject="Database down")
    run_at(utc(2026, 3, 10, 10, 12))
    return ticket


def test_the_bell_shows_the_unread_count(client, staff, at_risk_ticket):
    client.force_login(staff.alice)
    response = client.get("/notifications/bell/")
    assert response.status_code == 200
    assert 'data-testid="bell-count">1<' in response.content.decode()
    assert "every 30s" in response.content.decode()


def test_base_page_has_the_bell_for_staff_without_querying_notifications(client, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff.alice)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    # The count comes from the htmx request, so no page's query budget grows.
    assert not any("notifications_notification" in q["sql"] for q in queries.captured_queries)
    assert 'id="notification-bell"' in page
    assert 'hx-trigger="load, every 30s"' in page


def test_customers_never_see_the_bell_or_the_pages(client, at_risk_ticket):
    client.force_login(at_risk_ticket.requester)
    assert 'id="notification-bell"' not in client.get("/").content.decode()
    assert client.get("/notifications/").status_code == 403
    assert client.get("/notifications/bell/").status_code == 403


def test_the_list_shows_the_text_and_opening_marks_read_and_goes_to_the_ticket(
    client, staff, at_risk_ticket
):
    client.force_login(staff.alice)
    page = client.get("/notifications/").content.decode()
    assert "Database down" in page and "is at risk" in page
    notification = Notification.objects.get(recipient=staff.alice)
    response = client.post(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{at_risk_ticket.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-testid="bell-count"' not in client.get("/notifications/bell/").content.decode()


def test_one_cannot_open_someone_elses_notification(client, staff, at_risk_ticket):
    notification = Notification.objects.get(recipient=staff.alice)
    client.force_login(staff.bob)
    assert client.get(f"/notifications/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(client, staff, at_risk_ticket):
    client.force_login(staff.alice)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=staff.alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=staff.bob, read_at__isnull=True).exists()


TRIAL = {"organization": "Initech", "trial_ends_on": "2026-03-20"}


def test_marking_read_happens_once():
    engineer = EngineerFactory()
    (notification,) = notify(recipients=[engineer], kind="trial_ending", params=TRIAL)
    first = utc(2026, 3, 10, 12, 0)
    assert notification_mark_read(notification=notification, at=first) is True
    assert notification_mark_read(notification=notification) is False
    notification.refresh_from_db()
    assert notification.read_at == first


def test_notify_deduplicates_recipients_and_the_database_refuses_a_second_key():
    from django.db import IntegrityError, transaction

    engineer = EngineerFactory()
    created = notify(recipients=[engineer, engineer], kind="trial_ending", params=TRIAL, key="k")
    assert len(created) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        notify(recipients=[engineer], kind="trial_ending", params=TRIAL, key="k")


def test_the_list_page_query_count_is_fixed(client, staff, django_assert_max_num_queries):
    client.force_login(staff.mia)
    for minute in range(3):
        premium_p1(staff, at=TEN + datetime.timedelta(minutes=minute))
    run_at(utc(2026, 3, 10, 10, 14))
    with django_assert_max_num_queries(20) as few:
        client.get("/notifications/")
    for minute in range(3, 12):
        premium_p1(staff, at=TEN + datetime.timedelta(minutes=minute))
    run_at(utc(2026, 3, 10, 10, 30))
    assert Notification.objects.filter(recipient=staff.mia).count() > 10
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/notifications/")


def test_the_text_is_rendered_in_the_viewers_language_and_time_zone():
    params = {
        "ticket": "#7",
        "subject": "Falha no backup",
        "priority": "P1",
        "organization": "Acme",
        "metric": "first_response",
        "due": "2026-03-10T13:15:00+00:00",
    }
    from django.utils import timezone

    with translation.override("en"), timezone.override("UTC"):
        english = render_text(NotificationKind.SLA_BREACHED, params)
    assert "breached its first response target" in english
    assert "13:15" in english or "1:15" in english
    with translation.override("pt-br"), timezone.override("America/Sao_Paulo"):
        portuguese = render_text(NotificationKind.SLA_BREACHED, params)
    assert "10:15" in portuguese  # 13:15 UTC is 10:15 in São Paulo


def test_a_customer_is_never_a_recipient_of_the_bell_count(client):
    customer = CustomerFactory()
    client.force_login(customer)
    assert client.get("/notifications/bell/").status_code == 403
