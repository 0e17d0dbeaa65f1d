"""Writes on tickets: create, reply, change status/priority/assignee.

The portal, the queue, the e-mail channel and the API all call these, so they
cannot disagree. Each service owns its transaction, locks the ticket first, moves
its clocks through :mod:`sla.clocks`, refreshes the ticket's dashboard facts once
at its end (:mod:`sla.facts`), and writes its e-mails to the outbox in the same
transaction (:mod:`helpdesk.outbox`): nothing is sent for a rolled-back change, and
nothing after COMMIT can turn the write into an error or lose its e-mail.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tier, User
from helpdesk.exceptions import DomainError, PolicyViolation, StaleUpdate
from sla import clocks, facts
from sla import explain as sla_explain
from sla import services as sla_services
from sla.models import Level, Metric, Priority
from tickets import notifications, selectors, workflow
from tickets.attachments import guess_content_type, safe_file_name, validate_upload
from tickets.models import (
    Attachment,
    Channel,
    Comment,
    Event,
    EventKind,
    Product,
    SavedView,
    Status,
    Ticket,
)
from tickets.rendering import render_markdown
from tickets.search import ticket_search_refresh


def _record(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None,
    at: datetime.datetime,
    public: bool = True,
    version: int | None = None,
    data: Mapping[str, object] | None = None,
) -> Event:
    # Services record before they save, so the change produces the next version.
    return Event.objects.record(
        ticket=ticket,
        kind=kind,
        actor=actor,
        at=at,
        public=public,
        version=version if version is not None else ticket.version + 1,
        data=data,
    )


def _store_attachments(
    *, ticket: Ticket, comment: Comment | None, uploads: Sequence[UploadedFile], by: User | None
) -> list[Attachment]:
    stored = []
    for upload in uploads:
        name = safe_file_name(upload.name or "")
        attachment = Attachment(
            ticket=ticket,
            comment=comment,
            name=name,
            content_type=guess_content_type(name),
            size=upload.size or 0,
            is_public=comment.is_public if comment else True,
            uploaded_by=by,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def validate_uploads(uploads: Sequence[UploadedFile]) -> None:
    """Raise one ValidationError listing every refused file (size or type)."""
    errors: list[ValidationError] = []
    for upload in uploads:
        try:
            validate_upload(upload)
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError({"attachments": errors})


@transaction.atomic
def ticket_create(
    *,
    requester: User,
    subject: str,
    description: str,
    impact: str,
    urgency: str,
    channel: str = Channel.WEB,
    created_by: User | None = None,
    priority_override: str | None = None,
    override_reason: str = "",
    product: Product | None = None,
    component: str = "",
    cc: Sequence[User] = (),
    attachments: Sequence[UploadedFile] = (),
    at: datetime.datetime | None = None,
) -> Ticket:
    """Open a ticket for `requester`'s organization, under the plan in force now.

    The priority is derived from impact x urgency; an override needs a reason.
    Phone tickets are logged by staff and refused on the Community plan (a lapsed
    trial's too).
    The SLA terms are snapshotted and the plan's clocks started.
    """
    at = at or timezone.now()
    actor = created_by or requester
    organization = requester.organization
    errors: dict[str, list[str]] = {}
    if organization is None or requester.is_engineer:
        errors.setdefault("requester", []).append(
            _("The requester must be a customer of an organization.")
        )
    if not subject.strip():
        errors.setdefault("subject", []).append(_("Please give the ticket a subject."))
    if not description.strip():
        errors.setdefault("description", []).append(_("Please describe the problem."))
    if impact not in Level.values:
        errors.setdefault("impact", []).append(_("Choose an impact."))
    if urgency not in Level.values:
        errors.setdefault("urgency", []).append(_("Choose an urgency."))
    if priority_override and priority_override not in Priority.values:
        errors.setdefault("priority_override", []).append(_("Choose a priority."))
    if channel not in Channel.values:
        errors.setdefault("channel", []).append(_("Unknown channel."))
    if errors:
        raise ValidationError(errors)
    assert organization is not None
    if channel == Channel.PHONE:
        if not actor.is_engineer:
            raise PolicyViolation(_("Phone tickets are logged by support engineers."))
        in_force = sla_services.plan_in_force(organization=organization, at=at)
        if not in_force.phone_offered:
            raise PolicyViolation(in_force.phone_refusal)
    validate_uploads(attachments)

    derived = sla_services.derive_priority(impact=impact, urgency=urgency)
    priority = derived
    if priority_override and priority_override != derived:
        if not override_reason.strip():
            raise ValidationError(
                {"override_reason": [_("Say why the priority should be different.")]}
            )
        priority = priority_override

    terms = sla_services.sla_terms_for(organization=organization, at=at)
    ticket = Ticket(
        subject=subject.strip(),
        description=description,
        description_html=render_markdown(description),
        organization=organization,
        requester=requester,
        impact=impact,
        urgency=urgency,
        derived_priority=derived,
        priority=priority,
        priority_reason=override_reason.strip() if priority != derived else "",
        priority_changed_by=actor if priority != derived else None,
        channel=channel,
        product=product,
        component=component.strip(),
        tier=organization.tier,
        plan_id=terms["plan_id"],
        sla_terms=terms,
        created_at=at,
        last_customer_activity_at=at,
        last_activity_at=at,
    )
    # The clocks are worked out first, so the ticket is written once with its SLA instants.
    planned = clocks.clocks_planned(ticket=ticket)
    ticket.sla_due_at, ticket.sla_warn_at = clocks.earliest_instants(planned)
    ticket.save(force_insert=True)
    # CC'd colleagues come from the same organization; a Community organization is one
    # person's own, so it has none.
    cc_users = [
        user
        for user in cc
        if user.organization_id == organization.id and organization.tier != Tier.COMMUNITY
    ]
    if cc_users:
        ticket.cc.set(cc_users)
    _store_attachments(ticket=ticket, comment=None, uploads=attachments, by=actor)
    # Timeline events in their order (created, plan, override, clocks), in one INSERT.
    events = [
        Event(
            ticket=ticket,
            kind=EventKind.CREATED,
            actor=actor,
            data={"channel": channel, "priority": derived},
            created_at=at,
            version=1,
        ),
        Event(
            ticket=ticket,
            kind=EventKind.PLAN_APPLIED,
            actor=None,
            data={"plan": terms["plan_name"], "tier": organization.tier},
            created_at=at,
            version=1,
        ),
    ]
    if priority != derived:
        events.append(
            Event(
                ticket=ticket,
                kind=EventKind.PRIORITY_OVERRIDDEN,
                actor=actor,
                data={"from": derived, "to": priority, "reason": ticket.priority_reason},
                created_at=at,
                version=1,
            )
        )
    events += clocks.clocks_start(ticket=ticket, planned=planned)
    Event.objects.bulk_create(events)
    facts.ticket_facts_refresh(ticket_ids=[ticket.pk])
    notifications.ticket_created_notify(ticket=ticket, clocks=planned, cc=cc_users, logged_by=actor)
    ticket_search_refresh(new_tickets=[ticket])
    return ticket


def stale_update(
    ticket: Ticket, *, since_version: int | None, viewer: User | None = None
) -> StaleUpdate:
    """The refusal for a writer who had `since_version`: who changed what since then
    (staff-only changes are told to staff only)."""
    changes = selectors.ticket_changes_since(
        ticket=ticket, version=since_version or 0, viewer=viewer
    )
    if not changes:
        return StaleUpdate(
            _("%(ticket)s was changed by someone else since you opened it; see its latest state.")
            % {"ticket": ticket.reference}
        )
    people = ", ".join(dict.fromkeys(who for who, _text in changes))
    return StaleUpdate(
        _(
            "%(ticket)s was changed by %(people)s since you opened it: %(changes)s "
            "Nothing was saved; see its latest state."
        )
        % {
            "ticket": ticket.reference,
            "people": people,
            "changes": " ".join(text for _who, text in changes),
        },
        changes=[f"{who}: {text}" for who, text in changes],
    )


def _check_version(ticket: Ticket, expected_version: int | None, *, viewer: User) -> None:
    if expected_version is not None and ticket.version != expected_version:
        raise stale_update(ticket, since_version=expected_version, viewer=viewer)


def _save(ticket: Ticket, fields: list[str], *, expected_version: int | None = None) -> None:
    """Save with a conditional update on the version: a concurrent write loses nothing."""
    version = ticket.version if expected_version is None else expected_version
    values = {field: getattr(ticket, field) for field in fields}
    updated = Ticket.objects.filter(pk=ticket.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise stale_update(ticket, since_version=version)
    ticket.version = version + 1


@transaction.atomic
def comment_add(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    is_public: bool = True,
    attachments: Sequence[UploadedFile] = (),
    channel: str = Channel.WEB,
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Comment:
    """Add a public reply or (staff only) an internal note.

    The first public reply by staff meets the first-response clock. A customer's
    reply to a ticket pending on them reopens it and resumes its clocks. A reply adds,
    so it needs no version; given one, it is refused if the ticket changed since.
    """
    if not body.strip():
        raise ValidationError({"body": [_("Write a message.")]})
    by_staff = author.is_engineer
    if not by_staff and not is_public:
        raise PolicyViolation(_("Only support staff can add internal notes."))
    validate_uploads(attachments)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    while ticket.merged_into_id is not None:
        # A reply to a merged ticket (an old e-mail thread, a stale page) continues the
        # conversation where it went: on the surviving ticket.
        expected_version = None
        ticket = Ticket.objects.select_for_update().get(pk=ticket.merged_into_id)
    # The reply happens when it holds the ticket, not before: a breach flag (which locks
    # the ticket too) is then strictly before or after it, and a clock is never both met
    # on time and breached.
    at = at or timezone.now()
    _check_version(ticket, expected_version, viewer=author)
    comment = Comment.objects.create(
        ticket=ticket,
        author=author,
        body=body,
        body_html=render_markdown(body),
        is_public=is_public,
        by_staff=by_staff,
        channel=channel,
        created_at=at,
    )
    _store_attachments(ticket=ticket, comment=comment, uploads=attachments, by=author)
    _record(
        ticket,
        EventKind.REPLY_ADDED if is_public else EventKind.NOTE_ADDED,
        actor=author,
        at=at,
        public=is_public,
        data={"comment": comment.pk},
    )
    fields = ["last_activity_at"]
    ticket.last_activity_at = at
    if by_staff and is_public:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = at
            fields.append("first_responded_at")
            clocks.clock_meet(ticket=ticket, metric=Metric.FIRST_RESPONSE, at=at)
        if ticket.status == Status.NEW:
            _set_status(ticket, Status.OPEN, actor=author, at=at)
            fields.append("status")
    elif not by_staff:
        ticket.last_customer_activity_at = at
        fields.append("last_customer_activity_at")
        if ticket.status in (Status.PENDING_CUSTOMER, Status.SOLVED, Status.CLOSED):
            _set_status(ticket, Status.OPEN, actor=author, at=at)
            fields += ["status", "solved_at", "closed_at"]
    _save(ticket, fields)
    facts.ticket_facts_refresh(ticket_ids=[ticket.pk])
    if is_public:
        notifications.comment_notify(comment_id=comment.pk)
    ticket_search_refresh(ticket_ids=[ticket.pk])
    return comment


def _set_status(ticket: Ticket, status: str, *, actor: User | None, at: datetime.datetime) -> None:
    """Apply a status change to the instance, its clocks and the timeline (not saved)."""
    old = ticket.status
    ticket.status = status
    if status == Status.SOLVED:
        ticket.solved_at = at
    elif status == Status.CLOSED:
        ticket.closed_at = at
    clocks.clocks_on_status_change(ticket=ticket, old=old, new=status, at=at)
    if status == Status.OPEN and old in workflow.FINISHED:
        ticket.solved_at = None
        ticket.closed_at = None
    _record(ticket, EventKind.STATUS_CHANGED, actor=actor, at=at, data={"from": old, "to": status})


@transaction.atomic
def ticket_change_status(
    *,
    ticket: Ticket,
    actor: User,
    status: str,
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Ticket:
    """Move a ticket to another status if the workflow allows it for this actor."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    at = at or timezone.now()  # under the lock, as in comment_add
    _check_version(ticket, expected_version, viewer=actor)
    if status not in Status.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if status == ticket.status:
        return ticket
    if ticket.merged_into_id is not None:
        raise PolicyViolation(
            _("%(ticket)s was merged into #%(into)s and stays closed; continue there.")
            % {"ticket": ticket.reference, "into": ticket.merged_into_id}
        )
    if not workflow.can_transition(ticket.status, status, by_customer=not actor.is_engineer):
        raise PolicyViolation(
            _("A ticket that is %(current)s cannot become %(target)s.")
            % {"current": Status(ticket.status).label, "target": Status(status).label}
        )
    _set_status(ticket, status, actor=actor, at=at)
    ticket.last_activity_at = at
    _save(ticket, ["status", "solved_at", "closed_at", "last_activity_at"])
    facts.ticket_facts_refresh(ticket_ids=[ticket.pk])
    ticket_id = ticket.pk
    notifications.status_notify(ticket_id=ticket_id, status=status, version=ticket.version)
    return ticket


@transaction.atomic
def ticket_change_priority(
    *,
    ticket: Ticket,
    actor: User,
    priority: str,
    reason: str,
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Ticket:
    """Override (customer) or re-classify (engineer) the priority, with a reason.

    Deadlines are recomputed from the ticket's creation on the same calendar; a
    deadline already past is breached at once.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    at = at or timezone.now()  # under the lock, as in comment_add
    _check_version(ticket, expected_version, viewer=actor)
    if priority not in Priority.values:
        raise ValidationError({"priority": [_("Choose a priority.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the priority changes.")]})
    if priority == ticket.priority:
        raise ValidationError({"priority": [_("The ticket already has this priority.")]})
    old = ticket.priority
    ticket.priority = priority
    ticket.priority_reason = reason.strip()
    ticket.priority_changed_by = actor
    ticket.last_activity_at = at
    kind = EventKind.PRIORITY_RECLASSIFIED if actor.is_engineer else EventKind.PRIORITY_OVERRIDDEN
    _record(ticket, kind, actor=actor, at=at, data={"from": old, "to": priority, "reason": reason})
    _save(ticket, ["priority", "priority_reason", "priority_changed_by", "last_activity_at"])
    clocks.clocks_recompute(ticket=ticket, at=at)
    facts.ticket_facts_refresh(ticket_ids=[ticket.pk])
    return ticket


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    assignee: User | None,
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
) -> Ticket:
    """Assign the ticket to an engineer (or nobody); staff only."""
    if not actor.is_engineer:
        raise PolicyViolation(_("Only support staff can assign tickets."))
    if assignee is not None and not assignee.is_engineer:
        raise ValidationError({"assignee": [_("Tickets are assigned to support engineers.")]})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    at = at or timezone.now()  # under the lock, as in comment_add
    _check_version(ticket, expected_version, viewer=actor)
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    old = ticket.assignee
    ticket.assignee = assignee
    _record(
        ticket,
        EventKind.ASSIGNEE_CHANGED,
        actor=actor,
        at=at,
        public=False,
        data={
            "from": str(old) if old else None,
            "to": str(assignee) if assignee else None,
            "to_id": assignee.pk if assignee else None,
        },
    )
    _save(ticket, ["assignee"])
    facts.ticket_facts_refresh(ticket_ids=[ticket.pk])
    return ticket


@transaction.atomic
def ticket_set_product(*, ticket: Ticket, product: Product | None, component: str) -> Ticket:
    """Correct a ticket's product and component (the admin's only edit); nothing else
    of the ticket is written, so a change made meanwhile by someone else stays."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    ticket.product, ticket.component = product, component.strip()
    _save(ticket, ["product", "component"])
    facts.ticket_facts_refresh(ticket_ids=[ticket.pk])
    return ticket


# --- The queue: bulk actions, saved views, presence ----------------------------------------


@dataclass
class BulkResult:
    """What a bulk action did: tickets changed, and refusals (reference, message)."""

    changed: list[Ticket] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def tickets_bulk_update(
    *,
    actor: User,
    versions: dict[int, int | None],
    assignee: User | None = None,
    unassign: bool = False,
    status: str = "",
) -> BulkResult:
    """Assign and/or change the status of several tickets, each as its own change.

    `versions` maps ticket id to the version the engineer saw; a ticket changed since
    is refused (with who changed what) while the others go through.
    """
    if not actor.is_engineer:
        raise PolicyViolation(_("Only support staff can assign tickets."))
    result = BulkResult()
    for ticket in Ticket.objects.filter(pk__in=list(versions)).order_by("pk"):
        expected = versions[ticket.pk]
        try:
            if assignee is not None or unassign:
                ticket = ticket_assign(
                    ticket=ticket, actor=actor, assignee=assignee, expected_version=expected
                )
                expected = ticket.version
            if status:
                ticket = ticket_change_status(
                    ticket=ticket, actor=actor, status=status, expected_version=expected
                )
        except (DomainError, ValidationError) as error:
            message = error.message if isinstance(error, DomainError) else " ".join(error.messages)
            result.refused.append((ticket.reference, message))
        else:
            result.changed.append(ticket)
    return result


def saved_view_save(*, user: User, name: str, query: str) -> SavedView:
    """Keep the queue's current filters under a name (the same name replaces it)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the view a name.")]})
    if not user.is_engineer:
        raise PolicyViolation(_("Only support staff have a queue."))
    query = "&".join(part for part in query.split("&") if part and not part.startswith("page="))
    view, _created = SavedView.objects.update_or_create(
        user=user, name=name[:80], defaults={"query": query[:1000]}
    )
    return view


def saved_view_delete(*, user: User, view_id: int) -> None:
    """Remove one of the user's own saved views (another user's is left alone)."""
    SavedView.objects.filter(user=user, pk=view_id).delete()


PRESENCE_TTL = 45  # seconds; the ticket page sends a heartbeat every ~20 s


def _presence_key(ticket_id: int) -> str:
    return f"ticket-presence:{ticket_id}"


class PresenceUnavailable(Exception):
    """The cache that holds presence does not answer (Redis down): presence is a nicety,
    so callers show it as unavailable instead of failing the page."""


def presence_heartbeat(*, ticket_id: int, user: User) -> dict[int, str]:
    """Record that `user` has the ticket open now; return who has it open (id -> name).

    One cache entry per ticket holding {user id: (name, expiry)}; entries older than
    the time-to-live are dropped, and the whole entry expires when nobody beats.
    Raises PresenceUnavailable when the cache fails.
    """
    now = time.time()
    key = _presence_key(ticket_id)
    try:
        stored = cache.get(key) or {}
        viewers = {
            user_id: (name, expires) for user_id, (name, expires) in stored.items() if expires > now
        }
        viewers[user.pk] = (str(user), now + PRESENCE_TTL)
        cache.set(key, viewers, timeout=PRESENCE_TTL)
    # Each cache backend raises its own errors (redis-py's ConnectionError, ...).
    except Exception as error:
        raise PresenceUnavailable(str(error)) from error
    return {user_id: name for user_id, (name, _expires) in viewers.items()}


# --- the priority panel of the new-ticket form ------------------------------------------------


@dataclass(frozen=True)
class PriorityPreview:
    """The priority a ticket filed now would get, and what it is promised at that priority."""

    derived_priority: str | None  # None until both impact and urgency are chosen
    priority: str  # the override when one differs from the derived priority
    first_response: sla_explain.FirstResponsePreview

    @property
    def overridden(self) -> bool:
        return self.derived_priority is not None and self.priority != self.derived_priority


def ticket_priority_preview(
    *,
    requester: User,
    impact: str,
    urgency: str,
    priority_override: str | None,
    at: datetime.datetime | None = None,
) -> PriorityPreview | None:
    """What :func:`ticket_create` would give a ticket the requester files at `at` (now).

    The priority follows the same rule (the override wins over the matrix), the promise
    the same terms snapshot and deadline. None while there is no priority yet (neither
    both levels nor an override). Raises ValidationError for unknown levels or priority.
    """
    at = at or timezone.now()
    errors: dict[str, list[str]] = {}
    if impact and impact not in Level.values:
        errors.setdefault("impact", []).append(_("Choose an impact."))
    if urgency and urgency not in Level.values:
        errors.setdefault("urgency", []).append(_("Choose an urgency."))
    if priority_override and priority_override not in Priority.values:
        errors.setdefault("priority_override", []).append(_("Choose a priority."))
    if errors:
        raise ValidationError(errors)
    organization = requester.organization
    if organization is None:
        raise ValidationError(
            {"requester": [_("The requester must be a customer of an organization.")]}
        )
    derived = (
        sla_services.derive_priority(impact=impact, urgency=urgency) if impact and urgency else None
    )
    priority = priority_override or derived
    if priority is None:
        return None
    terms = sla_services.sla_terms_for(organization=organization, at=at)
    return PriorityPreview(
        derived_priority=derived,
        priority=priority,
        first_response=sla_explain.first_response_preview(terms=terms, priority=priority, now=at),
    )
