"""Links between tickets ('related to', 'caused by'): internal, for staff only, shown on
both tickets. A link is no change to either ticket's fields, so it bumps no version; it
is a staff-only line on both timelines."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.exceptions import PolicyViolation
from tickets.models import Event, EventKind, LinkKind, Ticket, TicketLink


def _staff_only(actor: User) -> None:
    if not actor.is_engineer:
        raise PolicyViolation(_("Only support staff can link tickets."))


def _record(
    ticket: Ticket, kind: str, *, actor: User, at: datetime.datetime, **data: object
) -> None:
    Event.objects.record(ticket=ticket, kind=kind, actor=actor, at=at, public=False, data=data)


@transaction.atomic
def ticket_link(
    *, source: Ticket, target: Ticket, kind: str, actor: User, at: datetime.datetime | None = None
) -> TicketLink:
    """Link `source` to `target` ("source is related to / caused by target")."""
    _staff_only(actor)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": [_("Choose how the tickets are linked.")]})
    if source.pk == target.pk:
        raise ValidationError({"target": [_("A ticket cannot be linked to itself.")]})
    if TicketLink.objects.filter(
        Q(source=source, target=target) | Q(source=target, target=source)
    ).exists():
        raise ValidationError({"target": [_("These tickets are linked already.")]})
    at = at or timezone.now()
    try:
        with transaction.atomic():
            link = TicketLink.objects.create(
                source=source, target=target, kind=kind, created_by=actor, created_at=at
            )
    except IntegrityError as error:  # the same link made at the same moment by someone else
        raise ValidationError({"target": [_("These tickets are linked already.")]}) from error
    _record(source, EventKind.LINKED, actor=actor, at=at, other=target.pk, link=kind, side="source")
    _record(target, EventKind.LINKED, actor=actor, at=at, other=source.pk, link=kind, side="target")
    return link


@transaction.atomic
def ticket_unlink(*, link: TicketLink, actor: User, at: datetime.datetime | None = None) -> None:
    _staff_only(actor)
    at = at or timezone.now()
    source, target = link.source, link.target
    link.delete()
    _record(source, EventKind.UNLINKED, actor=actor, at=at, other=target.pk)
    _record(target, EventKind.UNLINKED, actor=actor, at=at, other=source.pk)


@dataclass(frozen=True)
class LinkedTicket:
    link: TicketLink
    other: Ticket
    label: str  # how this ticket relates to the other, read from this ticket's side


def ticket_links(*, ticket: Ticket, viewer: User) -> list[LinkedTicket]:
    """The ticket's links seen from its side (one query); none for customers."""
    if not viewer.is_engineer:
        return []
    links = TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).select_related(
        "source", "target"
    )
    result = []
    for link in links.order_by("created_at", "pk"):
        if link.source_id == ticket.pk:
            label = str(LinkKind(link.kind).label)
            other = link.target
        else:
            label = _("related to") if link.kind == LinkKind.RELATED else _("causes")
            other = link.source
        result.append(LinkedTicket(link=link, other=other, label=label))
    return result
