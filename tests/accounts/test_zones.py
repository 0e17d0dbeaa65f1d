"""Zone names as people say them, in English and Brazilian Portuguese (CLDR via Babel)."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.forms import ProfileForm, SignupForm
from accounts.zones import (
    canonical_zones,
    country_name,
    time_zone_choices,
    zone_aliases,
    zone_label,
    zone_name,
    zone_title,
)
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    ("language", "label", "name", "title"),
    [
        ("en", "São Paulo time", "Brasilia Time", "Brasilia Time (São Paulo)"),
        ("pt-br", "horário de São Paulo", "Horário de Brasília", "Horário de Brasília (São Paulo)"),
    ],
)
def test_sao_paulo_in_both_languages(language, label, name, title):
    with translation.override(language):
        assert zone_label("America/Sao_Paulo") == label
        assert zone_name("America/Sao_Paulo") == name
        assert zone_title("America/Sao_Paulo") == title


@pytest.mark.parametrize(
    ("zone", "english", "portuguese"),
    [
        ("America/New_York", "Eastern Time (New York)", "Horário do Leste (Nova York)"),
        ("Europe/Berlin", "Central European Time (Berlin)", "Horário da Europa Central (Berlim)"),
        ("Asia/Tokyo", "Japan Time (Tokyo)", "Horário do Japão (Tóquio)"),
        # An alias reads as the zone it stands for.
        ("Brazil/East", "Brasilia Time (São Paulo)", "Horário de Brasília (São Paulo)"),
    ],
)
def test_other_zones_in_both_languages(zone, english, portuguese):
    with translation.override("en"):
        assert zone_title(zone) == english
    with translation.override("pt-br"):
        assert zone_title(zone) == portuguese


@pytest.mark.parametrize("language", ["en", "pt-br"])
@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "GMT"])
def test_utc_reads_utc_in_every_language(language, zone):
    with translation.override(language):
        assert zone_label(zone) == zone_name(zone) == zone_title(zone) == "UTC"


def test_a_zone_cldr_does_not_place_reads_as_its_id():
    with translation.override("pt-br"):
        assert zone_title("Etc/GMT+3") == "Etc/GMT+3"
        assert "Região desconhecida" not in zone_label("Etc/GMT+3")


def test_the_zone_list_is_named_and_sorted_in_the_viewers_language():
    with translation.override("pt-br"):
        choices = dict(time_zone_choices())
        labels = [label for _zone, label in time_zone_choices()]
    assert choices["America/Sao_Paulo"] == "Brasil (São Paulo) · Horário de Brasília"
    assert choices["Europe/Berlin"] == "Alemanha (Berlim) · Horário da Europa Central"
    assert labels[0] == "UTC"
    # Sorted by the Portuguese label, accents ignored: Alemanha before Brasil before Índia.
    assert labels.index(choices["Europe/Berlin"]) < labels.index(choices["America/Sao_Paulo"])
    assert labels.index(choices["America/Sao_Paulo"]) < labels.index(choices["Asia/Kolkata"])
    assert labels.index(choices["Asia/Kolkata"]) < labels.index(choices["Asia/Tokyo"])
    with translation.override("en"):
        assert (
            dict(time_zone_choices())["America/Sao_Paulo"] == "Brazil (São Paulo) · Brasilia Time"
        )
    # No alias, no Etc/ zone is offered twice or without a place.
    assert "Brazil/East" not in choices and "Etc/GMT+3" not in choices
    assert "America/Sao_Paulo" in canonical_zones()


@pytest.mark.django_db
def test_a_saved_alias_stays_a_valid_choice_and_an_unknown_zone_is_refused():
    user = CustomerFactory(time_zone="US/Pacific")
    data = {"first_name": "Ana", "last_name": "", "language": "", "time_zone": "US/Pacific"}
    form = ProfileForm(data, instance=user)
    assert form.is_valid(), form.errors
    form = ProfileForm({**data, "time_zone": "Mars/Olympus_Mons"}, instance=user)
    assert not form.is_valid()
    assert "time_zone" in form.errors


def test_signup_offers_the_named_zones():
    with translation.override("pt-br"):
        field = SignupForm().fields["time_zone"]
        choices = dict(field.choices)  # type: ignore[attr-defined]
    assert choices["America/Sao_Paulo"] == "Brasil (São Paulo) · Horário de Brasília"


def test_country_names_in_both_languages():
    with translation.override("pt-br"):
        assert (country_name("BR"), country_name("de"), country_name("")) == (
            "Brasil",
            "Alemanha",
            "",
        )
        assert country_name("XX") == "XX"
    with translation.override("en"):
        assert country_name("BR") == "Brazil"


def test_a_browsers_alias_maps_to_the_listed_zone():
    listed = dict(time_zone_choices())
    aliases = zone_aliases()
    assert aliases["Asia/Calcutta"] == "Asia/Kolkata"
    assert aliases["Brazil/East"] == "America/Sao_Paulo"
    assert aliases["Etc/UTC"] == "UTC"
    assert set(aliases.values()) <= set(listed)


@pytest.mark.django_db
def test_the_signup_page_carries_the_aliases_for_its_script(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert '"Asia/Calcutta": "Asia/Kolkata"' in response.content.decode()
