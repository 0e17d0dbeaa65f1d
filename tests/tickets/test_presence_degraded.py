"""Presence needs the cache; without it the ticket page loses only that line.

The cache is a Redis at a closed port: every cache call really fails, as when the
production Redis is down.
"""

import logging

import pytest

from tests.tickets.helpers import make_ticket

pytestmark = pytest.mark.django_db

DEAD_REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_presence_answers_200_unavailable_when_the_cache_is_down(
    engineer_client, customer, settings, caplog
):
    ticket = make_ticket(customer)
    settings.CACHES = DEAD_REDIS_CACHE
    with caplog.at_level(logging.WARNING, logger="tickets.queue_views"):
        response = engineer_client.get(f"/tickets/{ticket.pk}/presence/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "also has this ticket open" not in html
    assert "cannot be shown right now" in html
    assert any("presence" in record.getMessage().lower() for record in caplog.records)


def test_the_ticket_page_still_renders_when_the_cache_is_down(engineer_client, customer, settings):
    ticket = make_ticket(customer)
    settings.CACHES = DEAD_REDIS_CACHE
    response = engineer_client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 200


def test_presence_in_portuguese_when_the_cache_is_down(engineer_client, customer, settings):
    ticket = make_ticket(customer)
    settings.CACHES = DEAD_REDIS_CACHE
    response = engineer_client.get(f"/tickets/{ticket.pk}/presence/", HTTP_ACCEPT_LANGUAGE="pt-br")
    assert response.status_code == 200
    assert "não pode ser mostrado agora" in response.content.decode()
