"""Time zones as people say them, in the viewer's language.

Times are stored with IANA zone ids (``America/Sao_Paulo``), which nobody says aloud. Here
they get the names of the Unicode CLDR, read through Babel in the active language:

- :func:`zone_label`, the short name that follows a time: ``São Paulo time`` /
  ``horário de São Paulo``;
- :func:`zone_name`, the zone's own name: ``Brasilia Time`` / ``Horário de Brasília``;
- :func:`zone_title`, both, for the footer and the pages that show a zone:
  ``Horário de Brasília (São Paulo)``;
- :func:`time_zone_choices`, the zones to choose from, labelled by country and city
  (``Brasil (São Paulo) · Horário de Brasília``) and sorted by that label.

UTC reads ``UTC`` in every language; a zone CLDR does not know reads as its id.
"""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import get_timezone_location, get_timezone_name
from django.utils.translation import get_language, gettext, to_locale

UTC_NAMES = frozenset({"UTC", "ETC/UTC", "GMT", "ETC/GMT", "UCT", "ETC/UCT", "ZULU", "UNIVERSAL"})
# CLDR's territory of zones that belong to no country (Etc/GMT+3 and the like).
_NO_TERRITORY = frozenset({"001", "ZZ"})


def babel_locale() -> Locale:
    """The Babel locale of the active language (English when none is active)."""
    language = get_language() or "en"
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _is_utc(zone: str) -> bool:
    return zone.upper() in UTC_NAMES


def _is_place(zone: str) -> bool:
    """A zone CLDR places in a country (not UTC, not ``Etc/GMT+3``, not ``Factory``)."""
    territories = get_global("zone_territories")
    aliases = get_global("zone_aliases")
    territory = territories.get(aliases.get(zone, zone))
    return territory is not None and territory not in _NO_TERRITORY


def _raw(zone: str) -> str:
    return zone.replace("_", " ")


@functools.lru_cache(maxsize=4096)
def _city(zone: str, locale: Locale) -> str:
    return get_timezone_location(zone, locale=locale, return_city=True)


@functools.lru_cache(maxsize=4096)
def _name(zone: str, locale: Locale) -> str:
    """CLDR's generic name of the zone: ``Horário de Brasília``, ``Japan Time``; for a zone
    with no such name, its country and city (``Portugal (Lisbon) Time``)."""
    return str(get_timezone_name(zone, width="long", zone_variant="generic", locale=locale))


@functools.lru_cache(maxsize=4096)
def _location(zone: str, locale: Locale) -> str:
    """``Brasil (São Paulo)``: the country and, where it has several zones, the city."""
    territories = get_global("zone_territories")
    aliases = get_global("zone_aliases")
    territory = territories.get(aliases.get(zone, zone), "")
    country = locale.territories.get(territory, territory)
    city = _city(zone, locale)
    return country if city == country else f"{country} ({city})"


def zone_label(zone: str) -> str:
    """The name a time is followed by: ``São Paulo time`` / ``horário de São Paulo``;
    ``UTC`` for UTC; the id itself for a zone CLDR does not place."""
    if _is_utc(zone):
        return "UTC"
    if not _is_place(zone):
        return _raw(zone)
    return gettext("%(city)s time") % {"city": _city(zone, babel_locale())}


def zone_name(zone: str) -> str:
    """The zone's own name: ``Brasilia Time`` / ``Horário de Brasília``."""
    if _is_utc(zone) or not _is_place(zone):
        return zone_label(zone)
    return _name(zone, babel_locale())


def zone_title(zone: str) -> str:
    """The zone's name and city: ``Horário de Brasília (São Paulo)``, ``UTC``."""
    if _is_utc(zone) or not _is_place(zone):
        return zone_label(zone)
    locale = babel_locale()
    name = _name(zone, locale)
    return gettext("%(zone)s (%(city)s)") % {"zone": name, "city": _city(zone, locale)}


def choice_label(zone: str) -> str:
    """A zone in a list to choose from: ``Brasil (São Paulo) · Horário de Brasília``."""
    if _is_utc(zone) or not _is_place(zone):
        return zone_label(zone)
    locale = babel_locale()
    location = _location(zone, locale)
    return f"{location} · {_name(zone, locale)}"


def _sort_key(label: str) -> str:
    """Accents do not move a name in the list (Índia sorts with the I's)."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", label.casefold()) if not unicodedata.combining(c)
    )


@functools.cache
def canonical_zones() -> tuple[str, ...]:
    """The zones worth offering: every place CLDR knows by its current id (no alias such as
    ``Brazil/East``, no ``Etc/GMT+3``), plus UTC."""
    aliases = get_global("zone_aliases")
    return (
        "UTC",
        *sorted(
            zone
            for zone in zoneinfo.available_timezones()
            if zone not in aliases and _is_place(zone)
        ),
    )


@functools.cache
def zone_aliases() -> dict[str, str]:
    """``{alias: listed zone}`` for the ids a browser may report that the list names
    otherwise (``Asia/Calcutta`` -> ``Asia/Kolkata``, ``Etc/UTC`` -> ``UTC``)."""
    listed = set(canonical_zones())
    aliases = {
        alias: target
        for alias, target in get_global("zone_aliases").items()
        if target in listed and alias in zoneinfo.available_timezones()
    }
    aliases.update(dict.fromkeys(("Etc/UTC", "Etc/GMT", "GMT", "Etc/UCT", "UCT"), "UTC"))
    return aliases


def time_zone_choices(*, keep: str = "") -> list[tuple[str, str]]:
    """``(id, label)`` of every zone to choose from, in the active language, UTC first and
    the others sorted by label; ``keep`` (a zone already chosen, even an alias) is listed
    too, so a saved choice never becomes invalid."""
    zones = list(canonical_zones())
    if keep and keep not in zones:
        zones.append(keep)
    labelled = [(zone, choice_label(zone)) for zone in zones[1:]]
    labelled.sort(key=lambda pair: (_sort_key(pair[1]), pair[0]))
    return [("UTC", zone_label("UTC")), *labelled]


def country_name(code: str) -> str:
    """An ISO 3166 country code's name in the active language (``BR`` -> ``Brasil``); the
    code itself when CLDR does not know it."""
    code = (code or "").strip().upper()
    return str(babel_locale().territories.get(code, code)) if code else ""


def sort_key(label: str) -> str:
    """A label's place in a list: case and accents do not move it (Índia sorts with I)."""
    return _sort_key(label)
