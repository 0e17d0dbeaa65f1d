"""The demo's pages in Brazilian Portuguese carry no English from seeded data.

Every page a customer, an engineer or a manager opens is rendered in pt-BR over the demo
data (``seed_demo`` and the policy the migrations seed), its visible text is searched for
the English names and labels that seeded rows and zone ids used to show, and for the
Portuguese that replaced them.
"""

from __future__ import annotations

import html as html_lib
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from accounts.models import User
from sla.models import Calendar
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_again_afterwards():
    """The locale middleware leaves pt-BR active in the thread: later tests expect it not."""
    with translation.override(None):
        yield


# A Tuesday in December: weekdays and month names show up in dates.
NOW = "2026-12-01 15:00:00+00:00"

# English from seeded rows, zone ids, CLDR-less place names and capitalised pt-BR names.
ABSENT = (
    "Business hours",
    "Standard",
    "Premium",
    "Free community edition",
    "24 x 7 x 365",
    "Sao Paulo",
    "America/Sao_Paulo",
    "Times are shown",
    "Christmas Day",
    "New Year's Day",
    "Brazil",
    "Germany",
    "United States",
    "Segunda-feira",  # ("Sexta-feira Santa" is a holiday's name: capitalised)
    "Terça-feira",
    "Dezembro",
    "24x7: 24x7",
)
# "Ter 1 Dez 2026": a capitalised weekday or month inside a date.
CAPITALISED_DATE = re.compile(
    r"\b(Seg|Ter|Qua|Qui|Sex|Sáb|Dom) \d{1,2} |"
    r"\b\d{1,2} (Jan|Fev|Mar|Abr|Mai|Jun|Jul|Ago|Set|Out|Nov|Dez) \d{4}\b"
)


def visible_text(page: str) -> str:
    """The text a reader sees: no scripts, styles or tags, entities decoded."""
    page = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", page)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def render(client: Client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")
    assert response.status_code == 200, url
    return visible_text(response.content.decode())


@pytest.fixture
def demo():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", stdout=StringIO())
        yield


def pages_of(user: User | None, urls: list[str]) -> dict[str, str]:
    client = Client()
    if user is not None:
        client.force_login(user)
    return {url: render(client, url) for url in urls}


def english_left(pages: dict[str, str]) -> list[str]:
    found = []
    for url, text in pages.items():
        found += [f"{url}: {word!r}" for word in ABSENT if word in text]
        found += [f"{url}: {match.group(0)!r}" for match in CAPITALISED_DATE.finditer(text)]
    return found


def test_customer_pages_read_in_portuguese(demo):
    ana = User.objects.get(email="ana@acme.example")  # Acme, Standard, São Paulo
    ticket = Ticket.objects.filter(requester=ana).order_by("pk").first()
    assert ticket is not None
    with time_machine.travel(NOW, tick=False):
        pages = pages_of(
            ana,
            ["/", "/tickets/", "/tickets/new/", f"/tickets/{ticket.pk}/", "/accounts/profile/"],
        )
    left = english_left(pages)
    assert left == [], "\n".join(left)
    home = pages["/"]
    assert "(suporte Padrão)" in home
    assert "O que o seu plano Padrão promete" in home
    assert "segunda-feira a sexta-feira 08:00–17:00, horário de São Paulo" in home
    for text in pages.values():
        assert "Fuso horário: Horário de Brasília (São Paulo)." in text
    assert "Brasil (São Paulo) · Horário de Brasília" in pages["/accounts/profile/"]
    assert "Plano de suporte aplicado: Padrão." in pages[f"/tickets/{ticket.pk}/"]


def test_staff_pages_read_in_portuguese(demo):
    manager = User.objects.get(email="manager@helpdesk.example")
    manager.time_zone = "America/Sao_Paulo"  # dates and the dashboard's period in their zone
    manager.save()
    ticket = Ticket.objects.filter(organization__name="Acme Backup Ltda").order_by("pk").first()
    assert ticket is not None
    business = Calendar.objects.get(name="Business hours")
    always = Calendar.objects.get(name="24x7")
    urls = [
        "/",
        "/tickets/queue/",
        f"/tickets/{ticket.pk}/",
        "/sla/dashboard/",
        "/sla/plans/",
        "/sla/plans/standard/",
        "/sla/plans/premium/",
        f"/sla/calendars/{business.pk}/?country=BR&year=2026",
        f"/sla/calendars/{business.pk}/",  # the country shown first: the viewer's, on a tie
        f"/sla/calendars/{always.pk}/",
        "/accounts/organizations/",
        f"/accounts/organizations/{ticket.organization_id}/",
    ]
    with time_machine.travel(NOW, tick=False):
        pages = pages_of(manager, urls)
    left = english_left(pages)
    assert left == [], "\n".join(left)

    dashboard = pages["/sla/dashboard/"]
    # "Todas" for organizations and priorities (feminine), "Abertos / Resolvidos" as counts.
    assert re.search(r"Organização:?\s+Todas", dashboard)
    assert re.search(r"Prioridade:?\s+Todas", dashboard)
    assert "Abertos" in dashboard and "Resolvidos" in dashboard
    assert "(Horário de Brasília (São Paulo))" in dashboard  # the period's zone

    plans = pages["/sla/plans/"]
    for portuguese in ("Comunidade", "Padrão", "Avançado", "Horário comercial", "Avaliação"):
        assert portuguese in plans
    assert "Edição comunitária gratuita" in plans
    assert "Metas padrão em horário comercial" in plans
    # The calendar is named once, not followed by its own name again.
    assert re.search(r"Calendário\s+24x7\s+Prioridade", plans)

    edit = pages["/sla/plans/standard/"]
    assert "Metas do plano Padrão" in edit
    assert "Metas padrão em horário comercial: de segunda a sexta-feira" in edit

    calendar = pages[f"/sla/calendars/{business.pk}/?country=BR&year=2026"]
    assert "Calendário “Horário comercial”" in calendar
    assert "Natal" in calendar and "Confraternização Universal" in calendar
    assert "Brasil (BR)" in calendar and "Alemanha (DE)" in calendar
    assert "segunda-feira" in calendar
    assert "Adicionar um feriado" in calendar

    # Every demo organization is in another country: on that tie, the viewer's own first.
    assert "Confraternização Universal" in pages[f"/sla/calendars/{business.pk}/"]

    always_page = pages[f"/sla/calendars/{always.pk}/"]
    assert "Um calendário 24x7 ignora feriados." in always_page
    assert "Adicionar um feriado" not in always_page
    assert "Este calendário não usa feriados nacionais." in always_page

    organization = pages[f"/accounts/organizations/{ticket.organization_id}/"]
    assert "Horário de Brasília (São Paulo)" in organization
    assert "Brasil" in organization
    assert "Horário da Europa Central (Berlim)" in pages["/accounts/organizations/"]


def test_login_page_reads_in_portuguese(db):
    pages = pages_of(None, ["/accounts/login/"])
    left = english_left(pages)
    assert left == [], "\n".join(left)
    assert "Fuso horário: UTC." in pages["/accounts/login/"]


def test_the_ticket_page_names_plan_and_tier_once(demo):
    """ "Standard (standard)" was the plan's name followed by the tier's code."""
    engineer = User.objects.get(email="engineer1@helpdesk.example")
    standard = Ticket.objects.filter(organization__name="Acme Backup Ltda").order_by("pk").first()
    trial = Ticket.objects.filter(organization__name="Umbrella Evaluation").order_by("pk").first()
    assert standard is not None and trial is not None
    client = Client()
    client.force_login(engineer)
    with time_machine.travel(NOW, tick=False):
        standard_page = render(client, f"/tickets/{standard.pk}/")
        trial_page = render(client, f"/tickets/{trial.pk}/")
    assert re.search(r"Plano\s+Padrão\s", standard_page)
    assert "Padrão (standard)" not in standard_page and "(Padrão)" not in standard_page
    assert re.search(r"Plano\s+Avançado \(Avaliação\)", trial_page)
