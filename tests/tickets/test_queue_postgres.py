"""Two engineers take the same ticket at the same instant, on two real connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.models import Tier
from helpdesk.exceptions import StaleUpdate
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import EventKind, Ticket
from tickets.services import ticket_assign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_takes_exactly_one_wins(seeded):
    org = OrganizationFactory(tier=Tier.PREMIUM)
    ticket = make_ticket(CustomerFactory(organization=org))
    engineers = [EngineerFactory(), EngineerFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(engineer) -> None:
        try:
            barrier.wait()
            ticket_assign(ticket=ticket, actor=engineer, assignee=engineer, expected_version=1)
            outcomes.append("won")
        except StaleUpdate as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(engineer,)) for engineer in engineers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1
    loser = next(outcome for outcome in outcomes if outcome != "won")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert f"changed by {ticket.assignee}" in loser
    assert ticket.version == 2
    assert ticket.events.filter(kind=EventKind.ASSIGNEE_CHANGED).count() == 1
