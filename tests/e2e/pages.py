"""What the layout and accessibility browser tests share: a small world of people and
tickets, signing in without the form, and the checks every page gets."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import Tier, User
from kb.models import Article
from tests.factories import (
    CustomerFactory,
    EngineerFactory,
    ManagerFactory,
    OrganizationFactory,
)
from tests.kb.helpers import make_article
from tests.tickets.helpers import make_ticket
from tickets.models import Ticket
from tickets.services import comment_add

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "layout"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1366)
LANGUAGES = ("en", "pt-br")


@dataclass
class World:
    customer: User
    engineer: User
    manager: User
    ticket: Ticket
    article: Article


def png(size: tuple[int, int] = (1200, 800)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "steelblue").save(output, format="PNG")
    return output.getvalue()


def build_world(language: str = "en") -> World:
    """A Premium organization whose customer has a colleague (so the CC check boxes show)
    and a ticket with a long subject, an image attachment, a reply and an internal note."""
    acme = OrganizationFactory(
        name="Acme Backup Ltda", tier=Tier.PREMIUM, time_zone="America/Sao_Paulo", country="BR"
    )
    customer = CustomerFactory(
        organization=acme, first_name="Ana", last_name="Souza", language=language,
        email="ana.souza.with.a.rather.long.address@acme-backup.example",
    )  # fmt: skip
    CustomerFactory(organization=acme, first_name="Bea", last_name="Lima")
    engineer = EngineerFactory(first_name="Eli", last_name="Costa", language=language)
    manager = ManagerFactory(first_name="Marta", last_name="Reis", language=language)
    ticket = make_ticket(
        customer,
        subject="Nightly backups of the PostgreSQL cluster fail with a timeout after the upgrade",
        impact="high",
        urgency="medium",
        attachments=[SimpleUploadedFile("error-dialog.png", png())],
    )
    comment_add(ticket=ticket, author=engineer, body="Could you send the agent's log?")
    comment_add(ticket=ticket, author=engineer, body="Looks like bug 4711.", is_public=False)
    article = make_article(
        engineer,
        title="Restore a backup set to new hardware without the original catalogue",
        body="Open the console, choose the backup set and restore it.\n\n"
        "```\nhelpdesk-agent restore --set nightly-2026-11-30 --target /srv/restore --verify\n```",
    )
    return World(
        customer=customer, engineer=engineer, manager=manager, ticket=ticket, article=article
    )


def sign_in(context, live_server_url: str, user: User) -> None:
    """A session for `user` in the browser context, made the way Django's test client
    makes one (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server_url}]
    )


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scroll)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def wide_elements(page) -> list[str]:
    """Elements sticking out past the window's right edge, to say what overflows."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(el => !el.closest('.table-scroll, .visually-hidden'))
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (typeof el.className === 'string' && el.className
                    ? '.' + el.className.split(' ').join('.') : '')
                 + ' right=' + Math.round(el.getBoundingClientRect().right))"""
    )
