"""Merging a duplicate ticket into another of the same organization.

The duplicate's conversation (comments and attachments) moves to the surviving ticket;
the duplicate closes with a link to it, its SLA clocks stop and say why (the surviving
ticket keeps its own clocks, untouched), its people are CC'd on the survivor and told by
e-mail. Merges across organizations are refused. A merged ticket cannot be reopened; a
reply to it (web, e-mail, API) lands on the surviving ticket (see ``comment_add``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.exceptions import PolicyViolation
from sla import clocks, facts
from tickets import notifications, services
from tickets.models import Attachment, Comment, EventKind, Status, Ticket, TicketTag
from tickets.rendering import render_markdown
from tickets.tags import tags_for_names


@transaction.atomic
def ticket_merge(
    *,
    source: Ticket,
    target: Ticket,
    actor: User,
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Ticket:
    """Merge `source` (the duplicate) into `target`; returns the surviving ticket.

    Staff only; both tickets of one organization, neither already merged. Both rows are
    locked (in id order, so two merges never deadlock) before anything is read.
    `expected_version` is the duplicate's version the engineer saw.
    """
    if not actor.is_engineer:
        raise PolicyViolation(_("Only support staff can merge tickets."))
    if source.pk == target.pk:
        raise ValidationError({"target": [_("A ticket cannot be merged into itself.")]})
    locked = {
        ticket.pk: ticket
        for ticket in Ticket.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    at = at or timezone.now()
    services._check_version(source, expected_version, viewer=actor)
    if source.organization_id != target.organization_id:
        raise PolicyViolation(
            _("Only tickets of the same organization can be merged; %(target)s is another's.")
            % {"target": target.reference}
        )
    if source.merged_into_id is not None:
        raise ValidationError(
            {"target": [_("%(ticket)s was merged already.") % {"ticket": source.reference}]}
        )
    if target.merged_into_id is not None:
        raise ValidationError(
            {
                "target": [
                    _("%(ticket)s was itself merged into #%(into)s: merge into that one.")
                    % {"ticket": target.reference, "into": target.merged_into_id}
                ]
            }
        )

    # The conversation moves; the duplicate's description stays readable on the survivor.
    Comment.objects.filter(ticket=source).update(ticket=target)
    Attachment.objects.filter(ticket=source).update(ticket=target)
    # "Ticket #12", never a bare "#12" at the start of a line: Markdown reads a heading.
    intro = _("Ticket %(ticket)s “%(subject)s” was merged into this ticket. It said:") % {
        "ticket": source.reference,
        "subject": source.subject,
    }
    quoted = "\n".join(f"> {line}" for line in source.description.splitlines())
    body = f"{intro}\n\n{quoted}"
    Comment.objects.create(
        ticket=target,
        author=actor,
        body=body,
        body_html=render_markdown(body),
        is_public=True,
        is_automatic=True,  # never a first response: nobody answered anything
        by_staff=True,
        channel=source.channel,
        created_at=at,
    )
    # The duplicate's people follow the survivor (same organization, so they may see it;
    # on Community, where each sees only their own tickets, this is what lets them).
    people = {source.requester_id, *source.cc.values_list("pk", flat=True)}
    people.discard(target.requester_id)
    if people:
        target.cc.add(*people)
    merged_tags = sorted(set(target.tag_names) | set(source.tag_names))
    target_fields = ["last_activity_at"]
    if merged_tags != sorted(target.tag_names):
        TicketTag.objects.bulk_create(
            [TicketTag(ticket=target, tag=tag) for tag in tags_for_names(merged_tags)],
            ignore_conflicts=True,
        )
        target.tag_names = merged_tags
        target_fields.append("tag_names")

    # The duplicate closes for good: its clocks stop (merged), none is met by it.
    old_status = source.status
    source.status = Status.CLOSED
    source.closed_at = at
    source.merged_into = target
    source.last_activity_at = at
    clocks.clocks_stop(ticket=source, at=at, reason=clocks.PAUSED_MERGED)
    if old_status != Status.CLOSED:
        services._record(
            source,
            EventKind.STATUS_CHANGED,
            actor=actor,
            at=at,
            data={"from": old_status, "to": Status.CLOSED},
        )
    services._record(source, EventKind.MERGED_INTO, actor=actor, at=at, data={"into": target.pk})
    services._save(source, ["status", "closed_at", "merged_into", "last_activity_at"])
    target.last_activity_at = at
    services._record(
        target,
        EventKind.MERGED_FROM,
        actor=actor,
        at=at,
        data={"from": source.pk, "subject": source.subject},
    )
    services._save(target, target_fields)
    facts.ticket_facts_refresh(ticket_ids=[source.pk, target.pk])
    notifications.merge_notify(source_id=source.pk)
    return target
