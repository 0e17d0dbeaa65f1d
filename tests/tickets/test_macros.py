"""Macros: placeholders filled in the customer's language, actions applied on send,
personal and shared macros; customers never see them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts.models import Tier
from helpdesk.exceptions import PolicyViolation
from tests.factories import CustomerFactory, EngineerFactory, ManagerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket, sp
from tickets.macros import (
    customer_language,
    macro_delete,
    macro_render,
    macro_save,
    macros_visible_to,
    ticket_reply_with_macro,
)
from tickets.models import Comment, Macro, Status, Ticket

pytestmark = pytest.mark.django_db

BODY_EN = (
    "Hi {{customer.first_name}}, about {{ticket.reference}}: we will answer by "
    "{{ticket.due}}. — {{engineer.name}}"
)
BODY_PT = "Olá {{customer.first_name}}, sobre {{ticket.reference}}: até {{ticket.due}}."


@pytest.fixture
def acme():
    return OrganizationFactory(
        name="Acme", tier=Tier.STANDARD, country="US", time_zone="America/New_York"
    )


@pytest.fixture
def grace(acme):
    return CustomerFactory(organization=acme, first_name="Grace", language="en")


@pytest.fixture
def eduardo():
    return EngineerFactory(first_name="Eduardo", last_name="Engineer")


@pytest.fixture
def maria():
    return ManagerFactory(first_name="Maria", last_name="Manager")


@pytest.fixture
def shared(maria):
    return macro_save(
        actor=maria,
        title="Waiting for logs",
        body_en=BODY_EN,
        body_pt_br=BODY_PT,
        shared=True,
        set_status=Status.PENDING_CUSTOMER,
        assign_to_me=True,
        add_tags="Logs, waiting",
    )


def test_placeholders_are_filled_for_the_ticket_in_the_customers_zone(grace, eduardo, shared):
    # Tuesday 10:00 in New York; Standard P2 (3 business hours): due 13:00 New York time.
    ticket = make_ticket(grace, at=sp(2026, 3, 10, 11, 0))
    result = macro_render(macro=shared, ticket=ticket, engineer=eduardo)
    assert result.language == "en"
    assert result.body.startswith(f"Hi Grace, about {ticket.reference}: we will answer by ")
    assert "(New York time)" in result.body
    assert result.body.endswith("— Eduardo Engineer")
    assert result.status == Status.PENDING_CUSTOMER
    assert result.assignee == eduardo
    assert result.add_tags == ["logs", "waiting"]


def test_a_portuguese_speaking_customer_gets_the_portuguese_body(acme, eduardo, shared):
    ana = CustomerFactory(organization=acme, first_name="Ana", language="pt-br")
    ticket = make_ticket(ana)
    result = macro_render(macro=shared, ticket=ticket, engineer=eduardo)
    assert result.language == "pt-br"
    assert result.body.startswith(f"Olá Ana, sobre {ticket.reference}: até ")
    assert result.body.endswith("(horário de Nova York).")  # the date in Portuguese too
    assert " dez " in result.body or " jan " in result.body or "," in result.body


def test_brazilian_organizations_default_to_portuguese_and_a_missing_body_falls_back(
    eduardo, maria
):
    brazil = OrganizationFactory(country="BR", time_zone="America/Sao_Paulo")
    joao = CustomerFactory(organization=brazil, first_name="João", language="")
    ticket = make_ticket(joao)
    assert customer_language(ticket) == "pt-br"
    english_only = macro_save(
        actor=eduardo, title="Thanks", body_en="Thanks {{customer.first_name}}!"
    )
    result = macro_render(macro=english_only, ticket=ticket, engineer=eduardo)
    assert (result.language, result.body) == ("en", "Thanks João!")


def test_sending_with_a_macro_sends_the_edited_text_and_applies_its_actions(grace, eduardo, shared):
    ticket = make_ticket(grace)
    comment = ticket_reply_with_macro(
        ticket=ticket, macro=shared, author=eduardo, body="Edited: please send the logs."
    )
    assert comment.body == "Edited: please send the logs." and comment.is_public
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == Status.PENDING_CUSTOMER
    assert ticket.assignee == eduardo
    assert ticket.tag_names == ["logs", "waiting"]
    assert ticket.first_responded_at == comment.created_at


def test_a_refused_action_sends_nothing(grace, eduardo, maria):
    ticket = make_ticket(grace)
    reopen = macro_save(actor=maria, title="Reopen", body_en="x", shared=True, set_status="new")
    with pytest.raises(PolicyViolation):
        ticket_reply_with_macro(ticket=ticket, macro=reopen, author=eduardo, body="Hello")
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


def test_personal_macros_are_their_owners_only(grace, eduardo, maria):
    emma = EngineerFactory()
    mine = macro_save(actor=eduardo, title="Mine", body_en="Hi")
    assert mine.owner == eduardo and not mine.is_shared
    assert list(macros_visible_to(emma)) == []
    ticket = make_ticket(grace)
    with pytest.raises(PolicyViolation):
        macro_render(macro=mine, ticket=ticket, engineer=emma)
    with pytest.raises(PolicyViolation):
        macro_save(actor=emma, macro=mine, title="Taken", body_en="x")
    with pytest.raises(PolicyViolation):
        macro_delete(actor=emma, macro=mine)


def test_managers_curate_shared_macros_engineers_cannot(eduardo, shared):
    with pytest.raises(PolicyViolation):
        macro_save(actor=eduardo, title="Shared", body_en="x", shared=True)
    with pytest.raises(PolicyViolation):
        macro_save(actor=eduardo, macro=shared, title="Changed", body_en="x")
    with pytest.raises(PolicyViolation):
        macro_delete(actor=eduardo, macro=shared)
    assert list(macros_visible_to(eduardo)) == [shared]


def test_unknown_placeholders_are_refused_naming_the_known_ones(eduardo):
    with pytest.raises(ValidationError) as error:
        macro_save(actor=eduardo, title="Typo", body_en="Hi {{customer.name}}")
    assert "{{customer.name}}" in str(error.value)
    assert "{{customer.first_name}}" in str(error.value)


def test_customers_never_see_or_apply_macros(client, grace, shared):
    ticket = make_ticket(grace)
    with pytest.raises(PolicyViolation):
        macro_render(macro=shared, ticket=ticket, engineer=grace)
    assert list(macros_visible_to(grace)) == []
    client.force_login(grace)
    assert "macro" not in client.get(f"/tickets/{ticket.pk}/").content.decode().lower()
    assert client.get("/tickets/macros/").status_code == 403
    assert client.get(f"/tickets/{ticket.pk}/macros/").status_code == 403
    assert client.get(f"/tickets/{ticket.pk}/macros/{shared.pk}/").status_code == 403
    # A macro id slipped into a customer's reply does nothing but the reply.
    client.post(f"/tickets/{ticket.pk}/reply/", {"body": "Any news?", "macro": shared.pk})
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == Status.NEW and ticket.tag_names == []
    api = APIClient()
    api.force_authenticate(grace)
    assert api.get("/api/v1/macros/").status_code == 403
    assert api.get(f"/api/v1/tickets/{ticket.pk}/macros/{shared.pk}/").status_code == 403


def test_picker_searches_titles_and_preview_fills_the_reply(client, grace, eduardo, shared):
    macro_save(actor=eduardo, title="Restart the agent", body_en="Restart it.")
    ticket = make_ticket(grace)
    client.force_login(eduardo)
    html = client.get(f"/tickets/{ticket.pk}/macros/", {"q": "logs"}).content.decode()
    assert "Waiting for logs" in html and "Restart the agent" not in html
    data = client.get(f"/tickets/{ticket.pk}/macros/{shared.pk}/").json()
    assert data["body"].startswith("Hi Grace")
    assert data["actions"] == [
        "Status: Pending customer",
        "Assign to Eduardo Engineer",
        "Add tags: logs, waiting",
    ]


def test_ticket_page_and_queue_reply_apply_the_macro_on_send(client, grace, eduardo, shared):
    first = make_ticket(grace)
    second = make_ticket(grace)
    client.force_login(eduardo)
    page = client.get(f"/tickets/{first.pk}/").content.decode()
    assert 'id="macro-search-' in page and "js/macros.js" in page
    client.post(
        f"/tickets/{first.pk}/reply/", {"body": "Logs please", "is_public": "1", "macro": shared.pk}
    )
    assert Ticket.objects.get(pk=first.pk).status == Status.PENDING_CUSTOMER
    response = client.post(
        f"/tickets/queue/{second.pk}/reply/",
        {"body": "Logs please", "visibility": "public", "macro": shared.pk, "from": "queue"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    second = Ticket.objects.get(pk=second.pk)
    assert (second.status, second.assignee, second.tag_names) == (
        Status.PENDING_CUSTOMER,
        eduardo,
        ["logs", "waiting"],
    )


def test_macro_pages_create_edit_and_remove(client, eduardo):
    client.force_login(eduardo)
    response = client.post(
        "/tickets/macros/new/",
        {
            "title": "Hello",
            "body_en": "Hi {{customer.first_name}}",
            "set_status": "",
            "add_tags": "",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get(title="Hello")
    assert macro.owner == eduardo
    assert "shared" not in client.get("/tickets/macros/new/").content.decode().split("<form")[1]
    client.post(
        f"/tickets/macros/{macro.pk}/edit/",
        {"title": "Hello again", "body_en": "Hi", "set_status": "open", "add_tags": "a"},
    )
    macro.refresh_from_db()
    assert (macro.title, macro.set_status, macro.add_tags) == ("Hello again", "open", ["a"])
    assert "Hello again" in client.get("/tickets/macros/").content.decode()
    client.post(f"/tickets/macros/{macro.pk}/delete/")
    assert not Macro.objects.exists()


def test_api_lists_renders_and_applies_macros_for_staff(grace, eduardo, shared):
    ticket = make_ticket(grace)
    api = APIClient()
    api.force_authenticate(eduardo)
    assert [m["title"] for m in api.get("/api/v1/macros/").json()["results"]] == [
        "Waiting for logs"
    ]
    rendered = api.get(f"/api/v1/tickets/{ticket.pk}/macros/{shared.pk}/").json()
    assert rendered["language"] == "en" and rendered["body"].startswith("Hi Grace")
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/comments/",
        {"body": rendered["body"], "macro": shared.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING_CUSTOMER
    missing = api.post(
        f"/api/v1/tickets/{ticket.pk}/comments/", {"body": "x", "macro": 999}, format="json"
    )
    assert missing.status_code == 404


def test_due_placeholder_says_when_no_deadline_runs(grace, eduardo):
    community = OrganizationFactory(tier=Tier.COMMUNITY, country="US")
    priya = CustomerFactory(organization=community, language="en")
    ticket = make_ticket(priya, at=sp(2026, 3, 10, 11, 0) - datetime.timedelta(days=1))
    macro = macro_save(actor=eduardo, title="Due", body_en="{{ticket.due}}")
    assert macro_render(macro=macro, ticket=ticket, engineer=eduardo).body == (
        "no response deadline is running"
    )
