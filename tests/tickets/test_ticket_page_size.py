"""The ticket page costs a fixed number of queries however long its history; past a few
hundred lines the newest are shown and the earlier ones are a page away."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Comment, Event, EventKind
from tickets.selectors import CONVERSATION_SIZE, TIMELINE_SIZE

pytestmark = pytest.mark.django_db

_EARLIER = re.compile(r'href="(/tickets/\d+/(?:history|conversation)/\?after=[^"]+)"')


@pytest.fixture
def ana():
    return CustomerFactory(organization=OrganizationFactory(tier=Tier.PREMIUM))


@pytest.fixture
def engineer():
    return EngineerFactory()


def _add_history(ticket, *, author, count: int) -> None:
    """`count` public replies and as many timeline lines, a minute apart."""
    start = timezone.now() - datetime.timedelta(days=2)
    Comment.objects.bulk_create(
        Comment(
            ticket=ticket,
            author=author,
            body=f"message {index}",
            body_html=f"<p>message {index}</p>",
            created_at=start + datetime.timedelta(minutes=index),
        )
        for index in range(count)
    )
    Event.objects.bulk_create(
        Event(
            ticket=ticket,
            kind=EventKind.REPLY_ADDED,
            actor=author,
            created_at=start + datetime.timedelta(minutes=index),
        )
        for index in range(count)
    )


def _counts(html: str) -> tuple[int, int]:
    return html.count('class="comment'), html.count('class="event ')


@pytest.mark.parametrize("role", ["customer", "engineer"])
def test_the_page_costs_the_same_queries_for_one_and_for_three_hundred_comments_and_events(
    client, ana, engineer, role, django_assert_max_num_queries
):
    ticket = make_ticket(ana)
    _add_history(ticket, author=engineer, count=1)
    client.force_login(ana if role == "customer" else engineer)
    client.get(f"/tickets/{ticket.pk}/")  # warm: the session's first read
    with django_assert_max_num_queries(40) as few:
        response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 200
    assert _counts(response.content.decode())[0] == 1
    _add_history(ticket, author=engineer, count=300)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    comments, events = _counts(response.content.decode())
    assert (comments, events) == (CONVERSATION_SIZE, TIMELINE_SIZE)


@pytest.mark.parametrize("kind", ["history", "conversation"])
def test_earlier_lines_are_a_page_away_and_every_line_is_shown_once(client, ana, engineer, kind):
    ticket = make_ticket(ana)
    _add_history(ticket, author=engineer, count=250)
    client.force_login(ana)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    index = 0 if kind == "conversation" else 1
    total = _counts(html)[index]
    pages = 1
    links = [link for link in _EARLIER.findall(html) if f"/{kind}/" in link]
    while links:
        response = client.get(links[0].replace("&amp;", "&"))
        assert response.status_code == 200
        html = response.content.decode()
        total += _counts(html)[index]
        pages += 1
        links = [link for link in _EARLIER.findall(html) if f"/{kind}/" in link]
    expected = (
        ticket.comments.count()
        if kind == "conversation"
        else ticket.events.filter(is_public=True).count()
    )
    assert total == expected
    assert pages == -(-expected // (CONVERSATION_SIZE if kind == "conversation" else TIMELINE_SIZE))


def test_earlier_pages_keep_internal_lines_from_customers_and_others_out(client, ana, engineer):
    ticket = make_ticket(ana)
    _add_history(ticket, author=engineer, count=3)
    Comment.objects.create(ticket=ticket, author=engineer, body="secret", body_html="secret",
                           is_public=False)  # fmt: skip
    client.force_login(ana)
    for kind in ("history", "conversation"):
        html = client.get(f"/tickets/{ticket.pk}/{kind}/").content.decode()
        assert "secret" not in html
        assert client.get(f"/tickets/{ticket.pk}/{kind}/?after=nonsense").status_code == 400
    client.force_login(CustomerFactory())
    for kind in ("history", "conversation"):
        assert client.get(f"/tickets/{ticket.pk}/{kind}/").status_code == 404
