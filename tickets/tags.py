"""Tags: free labels engineers put on tickets (staff only; customers never see them).

The rows live in :class:`~tickets.models.TicketTag` (unique on tag and ticket, which is
also the index the queue's tag filter reads); the ticket keeps a sorted copy of its tag
names in ``Ticket.tag_names`` so the queue shows them without one more query. Every write
here keeps the two in step: tagging a ticket is a change to it (new version, a staff-only
timeline line); a manager's rename or merge rewrites the copies of the tickets involved
without touching their version, since nobody changed those tickets.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.exceptions import PolicyViolation
from tickets import services, workflow
from tickets.models import EventKind, Tag, Ticket, TicketTag
from tickets.tag_names import normalize_tag, parse_tags


def _staff_only(actor: User) -> None:
    if not actor.is_engineer:
        raise PolicyViolation(_("Only support staff can tag tickets."))


def _managers_only(actor: User) -> None:
    if not actor.is_manager:
        raise PolicyViolation(_("Only managers can rename or merge tags."))


def _sync_tag_names(ticket_ids: Iterable[int]) -> None:
    """Rewrite the tag-name copies of these tickets from their rows (no version change)."""
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        names: dict[int, list[str]] = defaultdict(list)
        for ticket_id, name in TicketTag.objects.filter(ticket_id__in=batch).values_list(
            "ticket_id", "tag__name"
        ):
            names[ticket_id].append(name)
        Ticket.objects.bulk_update(
            [Ticket(pk=pk, tag_names=sorted(names.get(pk, []))) for pk in batch],
            ["tag_names"],
        )


def tags_for_names(names: Iterable[str]) -> list[Tag]:
    """The Tag rows for these (normalized) names, created when missing."""
    tags = []
    for name in names:
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    return tags


@transaction.atomic
def ticket_tags_set(
    *,
    ticket: Ticket,
    actor: User,
    names: str | Iterable[str],
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Ticket:
    """Give the ticket exactly these tags (staff only); unknown names become new tags.

    A change is a new version of the ticket and a staff-only line on its timeline;
    the same tags again change nothing.
    """
    _staff_only(actor)
    wanted = sorted(parse_tags(names))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    at = at or timezone.now()
    services._check_version(ticket, expected_version, viewer=actor)
    current = sorted(ticket.tag_names)
    if wanted == current:
        return ticket
    added = [name for name in wanted if name not in current]
    removed = [name for name in current if name not in wanted]
    TicketTag.objects.filter(ticket=ticket, tag__name__in=removed).delete()
    TicketTag.objects.bulk_create(
        [TicketTag(ticket=ticket, tag=tag) for tag in tags_for_names(added)],
        ignore_conflicts=True,
    )
    ticket.tag_names = wanted
    services._record(
        ticket,
        EventKind.TAGS_CHANGED,
        actor=actor,
        at=at,
        public=False,
        data={"added": added, "removed": removed},
    )
    services._save(ticket, ["tag_names"])
    # Tags are not part of the dashboard facts: nothing to refresh there.
    return ticket


@transaction.atomic
def tag_merge(*, actor: User, sources: Iterable[Tag], target: Tag) -> Tag:
    """Fold `sources` into `target` (managers): their tickets carry `target` instead,
    once each, and the source tags are gone."""
    _managers_only(actor)
    source_ids = [tag.pk for tag in sources if tag.pk != target.pk]
    if not source_ids:
        return target
    rows = TicketTag.objects.filter(tag_id__in=source_ids)
    ticket_ids = set(rows.values_list("ticket_id", flat=True))
    already = set(
        TicketTag.objects.filter(tag=target, ticket_id__in=ticket_ids).values_list(
            "ticket_id", flat=True
        )
    )
    TicketTag.objects.bulk_create(
        [TicketTag(ticket_id=pk, tag=target) for pk in sorted(ticket_ids - already)],
        ignore_conflicts=True,
    )
    Tag.objects.filter(pk__in=source_ids).delete()  # cascades to their rows
    _sync_tag_names(ticket_ids)
    return target


@transaction.atomic
def tag_rename(*, actor: User, tag: Tag, name: str) -> Tag:
    """Rename a tag (managers); renaming it to an existing tag's name merges the two."""
    _managers_only(actor)
    new_name = normalize_tag(name)
    if not new_name:
        raise ValidationError({"name": [_("Give the tag a name.")]})
    if new_name == tag.name:
        return tag
    existing = Tag.objects.filter(name=new_name).exclude(pk=tag.pk).first()
    if existing is not None:
        return tag_merge(actor=actor, sources=[tag], target=existing)
    tag.name = new_name
    tag.save(update_fields=["name"])
    _sync_tag_names(TicketTag.objects.filter(tag=tag).values_list("ticket_id", flat=True))
    return tag


# --- reads -------------------------------------------------------------------------------------


def tag_suggestions(*, prefix: str, limit: int = 10) -> list[str]:
    """Tag names starting with `prefix` (normalized), for autocomplete."""
    start = normalize_tag(prefix)
    tags = Tag.objects.all()
    if start:
        tags = tags.filter(name__startswith=start)
    return list(tags.order_by("name").values_list("name", flat=True)[:limit])


def tags_with_counts() -> QuerySet[Tag]:
    """Every tag with how many open tickets and how many tickets in all carry it."""
    return Tag.objects.annotate(
        open_count=Count(
            "ticket_tags", filter=Q(ticket_tags__ticket__status__in=sorted(workflow.ACTIVE))
        ),
        total_count=Count("ticket_tags"),
    ).order_by("-open_count", "name")
