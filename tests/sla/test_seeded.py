"""Seeded names and descriptions: catalogue keys, shown in the viewer's language, kept as
keys when a manager saves them unchanged, and a manager's own text kept as typed."""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse
from django.utils import translation

from sla import seeded
from sla.models import Calendar, SupportPlan
from tests.sla.test_views import calendar_post, targets_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_again_afterwards():
    """The locale middleware leaves pt-BR active in the thread: later tests expect it not."""
    with translation.override(None):
        yield


PT = {"HTTP_ACCEPT_LANGUAGE": "pt-BR"}


def test_every_text_the_migration_seeds_is_a_catalogue_key():
    migration = importlib.import_module("sla.migrations.0002_seed_policy")
    texts = {migration.BUSINESS_HOURS, migration.ALWAYS_OPEN}
    for _code, name, _calendar, description, _targets in migration.PLANS:
        texts |= {name, description}
    texts |= set(Calendar.objects.values_list("description", flat=True))
    assert texts <= seeded.SEEDED_TEXTS
    with translation.override("pt-br"):
        untranslated = {text for text in texts if seeded.shown(text) == text and text != "24x7"}
    assert untranslated == set()


def test_seeded_rows_read_in_the_viewers_language_and_typed_text_stays_as_typed():
    plan = SupportPlan.objects.get(code="standard")
    calendar = Calendar.objects.get(name="Business hours")
    own = Calendar.objects.create(name="Business hours of the night shift", description="Ours")
    with translation.override("pt-br"):
        assert (plan.shown_name, str(plan)) == ("Padrão", "Padrão")
        assert plan.shown_description.startswith("Metas padrão em horário comercial")
        assert calendar.shown_name == "Horário comercial"
        assert (own.shown_name, own.shown_description) == (
            "Business hours of the night shift",
            "Ours",
        )
    with translation.override("en"):
        assert plan.shown_name == "Standard"
        assert calendar.shown_name == "Business hours"


def test_a_plan_edited_in_portuguese_keeps_its_seeded_description_translatable(manager_client):
    plan = SupportPlan.objects.get(code="standard")
    english = plan.description
    page = manager_client.get(reverse("sla:plan_edit", args=["standard"]), **PT)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Metas padrão em horário comercial" in html and english not in html
    assert "Metas do plano Padrão" in html
    assert "Horário comercial" in html  # the calendar choice

    data = targets_post(plan)
    with translation.override("pt-br"):
        data["description"] = plan.shown_description  # as the page showed it
    response = manager_client.post(reverse("sla:plan_edit", args=["standard"]), data, **PT)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.description == english

    data["description"] = "Nossas metas, escritas por nós."
    response = manager_client.post(reverse("sla:plan_edit", args=["standard"]), data, **PT)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.description == "Nossas metas, escritas por nós."
    page = manager_client.get(reverse("sla:plan_list")).content.decode()
    assert "Nossas metas, escritas por nós." in page


def test_a_calendar_edited_in_portuguese_keeps_its_seeded_description(manager_client):
    calendar = Calendar.objects.get(name="Business hours")
    english = calendar.description
    with translation.override("pt-br"):
        shown = calendar.shown_description
    assert shown != english
    data = calendar_post(description=shown)
    url = reverse("sla:calendar_detail", args=[calendar.pk])
    assert manager_client.post(url, data, **PT).status_code == 302
    calendar.refresh_from_db()
    assert calendar.description == english
