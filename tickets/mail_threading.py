"""How e-mail about a ticket is threaded, both ways: the one scheme the outgoing mail
(``tickets.notifications``) and the incoming channel (``tickets.inbound``) share.

- Every ticket has a thread root, ``<ticket-<id>@<domain>>``. Every message we send
  about the ticket carries ``In-Reply-To`` and ``References`` pointing at it, so mail
  clients thread them; a reply's ``In-Reply-To``/``References`` bring it back.
- Every recipient gets a reply address of their own, ``<local>+<token>@<domain>`` from
  ``INBOUND_EMAIL_ADDRESS``, whose token names the ticket and the recipient and is
  signed (HMAC with the SECRET_KEY): it cannot be guessed or moved to another ticket.
- ``[#1042]`` in the subject is a fallback only, for a sender allowed to see that ticket.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "helpdesk.tickets.reply-address"
_TOKEN = re.compile(r"^t(?P<ticket>\d{1,18})u(?P<user>\d{1,18})x(?P<mac>[0-9a-f]{20})$")
_ROOT = re.compile(r"<ticket-(?P<ticket>\d{1,18})@(?P<domain>[^>\s]+)>")
_SUBJECT_REFERENCE = re.compile(r"\[#(?P<ticket>\d{1,18})\]")


def _address_parts() -> tuple[str, str]:
    local, _at, domain = settings.INBOUND_EMAIL_ADDRESS.rpartition("@")
    return local, domain


def mail_domain() -> str:
    """The domain of our Message-IDs and reply addresses."""
    return _address_parts()[1]


def _mac(ticket_id: int, user_id: int) -> str:
    return salted_hmac(_SALT, f"{ticket_id}:{user_id}", algorithm="sha256").hexdigest()[:20]


def reply_token(*, ticket_id: int, user_id: int) -> str:
    return f"t{ticket_id}u{user_id}x{_mac(ticket_id, user_id)}"


def reply_address(*, ticket_id: int, user_id: int) -> str:
    """``support+t12u7x…@helpdesk.example``: answering it reaches ticket 12 as user 7."""
    local, domain = _address_parts()
    return f"{local}+{reply_token(ticket_id=ticket_id, user_id=user_id)}@{domain}"


@dataclass(frozen=True)
class ReplyTarget:
    ticket_id: int
    user_id: int


def parse_reply_address(address: str) -> ReplyTarget | None:
    """The ticket and user a reply address names, if its signature is right (else None)."""
    local_part = address.strip().strip("<>").rpartition("@")[0]
    _base, plus, token = local_part.partition("+")
    if not plus:
        return None
    found = _TOKEN.match(token.lower())
    if found is None:
        return None
    ticket_id, user_id = int(found["ticket"]), int(found["user"])
    if not hmac.compare_digest(found["mac"], _mac(ticket_id, user_id)):
        return None
    return ReplyTarget(ticket_id=ticket_id, user_id=user_id)


def thread_root(ticket_id: int) -> str:
    """The Message-ID every message about the ticket refers to."""
    return f"<ticket-{ticket_id}@{mail_domain()}>"


def thread_headers(*, ticket_id: int, user_id: int) -> dict[str, str]:
    """Headers that thread an outgoing message under its ticket and route replies back."""
    root = thread_root(ticket_id)
    return {
        "In-Reply-To": root,
        "References": root,
        "Reply-To": reply_address(ticket_id=ticket_id, user_id=user_id),
        "Auto-Submitted": "auto-generated",
        "X-Helpdesk-Ticket": str(ticket_id),
    }


def tickets_referenced(*headers: str) -> list[int]:
    """Ticket ids whose thread roots appear in these headers (In-Reply-To, References),
    ours only (our domain)."""
    domain = mail_domain().lower()
    found = []
    for header in headers:
        for match in _ROOT.finditer(header or ""):
            if match["domain"].lower() == domain:
                found.append(int(match["ticket"]))
    return list(dict.fromkeys(found))


def subject_reference(subject: str) -> int | None:
    """The ticket id of a ``[#1042]`` in the subject (a fallback, never trusted alone)."""
    found = _SUBJECT_REFERENCE.search(subject or "")
    return int(found["ticket"]) if found else None
