"""Replying and adding internal notes from the queue, without leaving it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sla.models import Metric
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Comment

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ticket():
    return make_ticket(CustomerFactory(organization=OrganizationFactory()))


def test_public_reply_from_the_queue_meets_first_response_and_refreshes_it(client, ticket):
    engineer = EngineerFactory()
    client.force_login(engineer)
    response = client.post(
        f"/tickets/queue/{ticket.pk}/reply/",
        {
            "body": "We are restoring the catalog now.",
            "visibility": "public",
            "from": "queue",
            "filters": "",
            "attachments": [SimpleUploadedFile("steps.txt", b"1. restart")],
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert 'id="queue"' in response.content.decode()  # the refreshed queue fragment
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.is_public, comment.author, comment.attachments.count()) == (True, engineer, 1)
    assert ticket.clocks.get(metric=Metric.FIRST_RESPONSE).met_at is not None


def test_internal_note_from_the_queue_does_not_meet_first_response(client, ticket):
    client.force_login(EngineerFactory())
    client.post(
        f"/tickets/queue/{ticket.pk}/reply/",
        {"body": "Check the storage logs first.", "visibility": "internal", "from": "queue"},
        **HTMX,
    )
    assert Comment.objects.get(ticket=ticket).is_public is False
    assert ticket.clocks.get(metric=Metric.FIRST_RESPONSE).met_at is None


def test_empty_reply_is_refused_with_a_message_and_nothing_saved(client, ticket):
    client.force_login(EngineerFactory())
    response = client.post(
        f"/tickets/queue/{ticket.pk}/reply/", {"body": " ", "from": "queue"}, follow=True, **HTMX
    )
    assert response.status_code == 200
    assert "Write a message" in response.content.decode()
    assert not Comment.objects.exists()


def test_customers_and_anonymous_users_cannot_reply_from_the_queue(client, ticket):
    response = client.post(f"/tickets/queue/{ticket.pk}/reply/", {"body": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(ticket.requester)
    assert client.post(f"/tickets/queue/{ticket.pk}/reply/", {"body": "x"}).status_code == 403
    assert not Comment.objects.exists()
