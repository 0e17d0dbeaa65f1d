"""Zone names in templates: ``{{ zone|zone_title }}`` reads ``Horário de Brasília (São
Paulo)``, ``{{ zone|zone_label }}`` reads ``horário de São Paulo`` (see accounts.zones)."""

from django import template

from accounts import zones

register = template.Library()


@register.filter
def zone_label(zone: str) -> str:
    return zones.zone_label(str(zone))


@register.filter
def zone_name(zone: str) -> str:
    return zones.zone_name(str(zone))


@register.filter
def zone_title(zone: str) -> str:
    return zones.zone_title(str(zone))


@register.filter
def country_name(code: str) -> str:
    """``BR`` -> ``Brasil`` (in the viewer's language)."""
    return zones.country_name(str(code or ""))
