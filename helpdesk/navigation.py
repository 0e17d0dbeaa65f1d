"""The navigation each role sees. One list, filtered per user, rendered by base.html.

A page joins the navigation by adding a line here with the roles that may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

CUSTOMER, ENGINEER, MANAGER, ADMIN = "customer", "engineer", "manager", "admin"


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str]


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", frozenset({CUSTOMER, ENGINEER, MANAGER})),
    NavItem(_("Tickets"), "portal_list", frozenset({CUSTOMER})),
    NavItem(_("New ticket"), "ticket_new", frozenset({CUSTOMER})),
    NavItem(_("Queue"), "queue", frozenset({ENGINEER, MANAGER})),
    NavItem(_("Knowledge base"), "kb:home", frozenset({CUSTOMER, ENGINEER, MANAGER})),
    NavItem(_("Organizations"), "organization_list", frozenset({ENGINEER, MANAGER})),
    NavItem(_("Dashboard"), "sla:dashboard", frozenset({MANAGER})),
    NavItem(_("SLA plans"), "sla:plan_list", frozenset({MANAGER})),
    NavItem(_("Administration"), "admin:index", frozenset({ADMIN})),
]


def roles_of(user: User | AnonymousUser) -> set[str]:
    """The navigation roles of a user: managers are engineers too; admins are staff."""
    if not user.is_authenticated:
        return set()
    roles = {user.role}
    if user.is_manager:
        roles.add(ENGINEER)
    if user.is_staff:
        roles.add(ADMIN)
    return roles


def current_section(path: str, urls: list[str]) -> str | None:
    """The one section a path belongs to: the longest address that is a prefix of it
    ("/" only for the home page itself), so /tickets/new/ is "New ticket", not "Tickets"."""
    matches = [url for url in urls if (path == url if url == "/" else path.startswith(url))]
    return max(matches, key=len, default=None)


def navigation(request: HttpRequest) -> dict[str, object]:
    """Context processor: `nav_items` as (label, url, active) for the signed-in user;
    exactly one item, or none, is active."""
    roles = roles_of(request.user)
    if not roles:
        return {"nav_items": []}
    visible = [(item, reverse(item.url_name)) for item in NAVIGATION if item.roles & roles]
    current = current_section(request.path, [url for _item, url in visible])
    items = [{"label": item.label, "url": url, "active": url == current} for item, url in visible]
    return {"nav_items": items}
