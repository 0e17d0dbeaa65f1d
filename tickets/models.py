"""Tickets, their conversation, attachments and timeline."""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from helpdesk.search import SearchDocumentField
from sla.models import IMPACT_CHOICES, AlertKind, Level, Priority
from tickets import workflow

if TYPE_CHECKING:
    from accounts.models import User


class Status(models.TextChoices):
    NEW = workflow.NEW, _("New")
    OPEN = workflow.OPEN, _("Open")
    PENDING_CUSTOMER = workflow.PENDING_CUSTOMER, _("Pending customer")
    ON_HOLD = workflow.ON_HOLD, _("On hold")
    SOLVED = workflow.SOLVED, pgettext_lazy("ticket status", "Solved")
    CLOSED = workflow.CLOSED, _("Closed")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class Product(models.Model):
    """Products (and their components) a ticket can be about; kept by administrators."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# One partial index per equality filter of the queue (see Ticket.Meta.indexes).
QUEUE_INDEX_PREFIXES: list[tuple[str, list[str]]] = [
    ("open", []),
    ("assignee", ["assignee"]),
    ("org", ["organization"]),
    ("priority", ["priority"]),
    ("tier", ["tier"]),
    ("channel", ["channel"]),
    ("product", ["product"]),
]


class Ticket(models.Model):
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), help_text=_("Markdown is supported."))
    description_html = models.TextField(editable=False, default="")
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    cc = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("CC"),
        blank=True,
        related_name="cc_tickets",
    )
    impact = models.CharField(_("impact"), max_length=10, choices=IMPACT_CHOICES)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Level.choices)
    derived_priority = models.CharField(
        _("derived priority"), max_length=2, choices=Priority.choices
    )
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    priority_reason = models.TextField(
        _("priority reason"),
        blank=True,
        help_text=_("Why the priority differs from the impact × urgency matrix."),
    )
    priority_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.SET_NULL
    )
    component = models.CharField(_("component"), max_length=120, blank=True)
    # The SLA terms in force when the ticket was created govern it for good.
    tier = models.CharField(_("tier at creation"), max_length=20)
    plan = models.ForeignKey(
        "sla.SupportPlan", verbose_name=_("support plan"), on_delete=models.PROTECT
    )
    sla_terms = models.JSONField(_("SLA terms"), default=dict, editable=False)
    # Indexed by ticket_created (created_at, id), which serves ranges on created_at too.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    last_customer_activity_at = models.DateTimeField(
        _("last customer activity"), default=timezone.now
    )
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The earliest due and warning instants of the ticket's running clocks, kept in
    # step by sla.clocks so the queue can sort by time to breach with an index.
    sla_due_at = models.DateTimeField(_("next SLA deadline"), null=True, blank=True)
    sla_warn_at = models.DateTimeField(_("next SLA warning"), null=True, blank=True)
    # Optimistic concurrency: every write bumps it; a stale write is refused.
    version = models.PositiveIntegerField(default=1)
    # Tags (staff only): the rows live in TicketTag; their names are copied here so the
    # queue shows them without one more query (kept in step by tickets.tags).
    tags: models.ManyToManyField[Tag, TicketTag] = models.ManyToManyField(
        "Tag", through="TicketTag", related_name="tickets", blank=True, verbose_name=_("tags")
    )
    tag_names = models.JSONField(_("tags"), default=list, blank=True, editable=False)
    # A duplicate merged into another ticket of its organization: closed, its clocks
    # stopped, its conversation moved to the surviving ticket.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_tickets",
    )

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        indexes = [
            # Every order the ticket lists offer (REST list, portal lists), for everyone
            # (staff) and within one organization (customers), with the id as the last
            # key so keyset pages never tie: an index scan gives the order, no sort.
            models.Index(fields=["-last_activity_at", "-id"], name="ticket_activity"),
            models.Index(fields=["created_at", "id"], name="ticket_created"),
            models.Index(
                fields=["priority", "-last_activity_at", "-id"], name="ticket_priority_activity"
            ),
            models.Index(
                fields=["organization", "-last_activity_at", "-id"], name="ticket_org_activity"
            ),
            models.Index(fields=["organization", "created_at", "id"], name="ticket_org_created"),
            models.Index(
                fields=["organization", "priority", "-last_activity_at", "-id"],
                name="ticket_org_priority_activity",
            ),
            models.Index(fields=["requester", "-last_activity_at"]),
            models.Index(fields=["status", "priority"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["sla_due_at", "created_at"], name="ticket_time_to_breach"),
            # The queue: open tickets by time to breach (PostgreSQL's ASC is NULLS LAST,
            # so the index order is the queue order), alone or after one equality filter.
            *[
                models.Index(
                    fields=[*prefix, "sla_due_at", "created_at", "id"],
                    name=f"ticket_queue_{suffix}",
                    condition=models.Q(status__in=sorted(workflow.ACTIVE)),
                )
                for suffix, prefix in QUEUE_INDEX_PREFIXES
            ],
            # The side bar's counts over open tickets: an index-only scan on PostgreSQL.
            models.Index(
                fields=["assignee", "priority", "sla_due_at", "sla_warn_at"],
                name="ticket_queue_counts",
                condition=models.Q(status__in=sorted(workflow.ACTIVE)),
                include=["tier", "organization", "channel", "product", "status"],
            ),
            # The "At risk" count (warned, not yet due): an index-only range over the open
            # tickets with a deadline still ahead, not a heap visit of each of them.
            models.Index(
                fields=["sla_due_at", "sla_warn_at"],
                name="ticket_queue_at_risk",
                condition=models.Q(status__in=sorted(workflow.ACTIVE)),
            ),
            # Any other status (solved, closed) in the same order.
            models.Index(
                fields=["status", "sla_due_at", "created_at", "id"], name="ticket_queue_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"#{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in workflow.ACTIVE


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random folder per file: names never collide and cannot be guessed.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class Comment(models.Model):
    """A public reply (seen by the customer) or an internal note (staff only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False, default="")
    is_public = models.BooleanField(_("public reply"), default=True)
    is_automatic = models.BooleanField(default=False)
    by_staff = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket.reference} comment {self.pk}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    is_public = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return os.path.splitext(self.name)[1].lower()


class EventKind(models.TextChoices):
    CREATED = "created", _("Ticket created")
    PLAN_APPLIED = "plan_applied", _("Support plan applied")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_OVERRIDDEN = "priority_overridden", _("Priority overridden")
    PRIORITY_RECLASSIFIED = "priority_reclassified", _("Priority re-classified")
    ASSIGNEE_CHANGED = "assignee_changed", _("Assignee changed")
    REPLY_ADDED = "reply_added", _("Public reply")
    NOTE_ADDED = "note_added", _("Internal note")
    CC_CHANGED = "cc_changed", _("CC changed")
    SLA_STARTED = "sla_started", _("SLA clock started")
    SLA_RECOMPUTED = "sla_recomputed", _("SLA deadline recomputed")
    SLA_MET = "sla_met", _("SLA target met")
    SLA_PAUSED = "sla_paused", _("SLA clock paused")
    SLA_RESUMED = "sla_resumed", _("SLA clock resumed")
    SLA_AT_RISK = AlertKind.AT_RISK.value, AlertKind.AT_RISK.label
    SLA_BREACHED = AlertKind.BREACHED.value, AlertKind.BREACHED.label
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    MERGED_INTO = "merged_into", _("Merged into another ticket")
    MERGED_FROM = "merged_from", _("Another ticket merged in")
    LINKED = "linked", _("Ticket linked")
    UNLINKED = "unlinked", _("Ticket unlinked")


class EventManager(models.Manager["Event"]):
    def record(
        self,
        *,
        ticket: Ticket,
        kind: str,
        at: datetime.datetime,
        actor: User | None = None,
        public: bool = True,
        version: int | None = None,
        data: Mapping[str, object] | None = None,
    ) -> Event:
        """Add one line to the ticket's timeline: the one way the ticket services and the
        SLA clocks write history. `version` is the ticket version the change produces
        (ticket services); system events (clock changes, flags) carry none."""
        return self.create(
            ticket=ticket,
            kind=kind,
            actor=actor,
            data=dict(data or {}),
            is_public=public,
            created_at=at,
            version=version,
        )


class Event(models.Model):
    """One line of a ticket's history: who did what, when, from what to what."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True, help_text=_("Shown to the customer."))
    created_at = models.DateTimeField(default=timezone.now)
    # The ticket version this change produced (None: system events such as SLA flags),
    # so a stale writer can be told what changed since the version they had.
    version = models.PositiveIntegerField(null=True, blank=True)

    objects = EventManager()

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class SavedView(models.Model):
    """A named queue filter an engineer keeps: the queue's query string."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="savedview_unique_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name


class InboundState(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class InboundOutcome(models.TextChoices):
    PENDING = "", _("Not processed yet")
    TICKET_CREATED = "ticket_created", _("Ticket opened")
    COMMENT_ADDED = "comment_added", _("Reply added")
    REFUSED = "refused", _("Sender refused")
    AUTOMATIC = "automatic", _("Automatic message (bounce, auto-reply, list)")
    RATE_LIMITED = "rate_limited", _("Too many messages from this sender")
    ERROR = "error", _("Could not be processed")


class InboundMessage(models.Model):
    """One e-mail received by the e-mail channel, kept whole (its raw bytes) whatever
    became of it, so nothing sent to us is lost: a failure keeps its reason for an
    administrator to read and retry. The Message-ID is unique: the same message
    delivered twice (an MTA retry, a second poll, a webhook retried) is one row."""

    message_id = models.CharField(_("Message-ID"), max_length=998, unique=True)
    source = models.CharField(_("received through"), max_length=40)
    raw = models.BinaryField(_("original message"))
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sender = models.CharField(_("sender"), max_length=254, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=InboundState.choices, default=InboundState.RECEIVED
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=InboundOutcome.choices, blank=True, default=""
    )
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The per-sender rate limit counts a sender's recent messages.
            models.Index(fields=["sender", "received_at"], name="inbound_sender_recent"),
            models.Index(fields=["state", "received_at"], name="inbound_state"),
        ]

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject}"


# --- tags, macros and links (engineers' tools; customers never see them) ---------------------


class Tag(models.Model):
    """A free label engineers put on tickets; managers rename and merge them."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TicketTag(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ticket_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="ticket_tags")

    class Meta:
        verbose_name = _("ticket tag")
        verbose_name_plural = _("ticket tags")
        constraints = [
            # (tag, ticket): the queue's tag filter reads a tag's tickets from this index.
            models.UniqueConstraint(fields=["tag", "ticket"], name="tickettag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.tag_id}"


class Macro(models.Model):
    """A canned reply with placeholders and optional actions. Personal (an engineer's own)
    or shared (no owner; curated by managers)."""

    title = models.CharField(_("title"), max_length=120)
    body_en = models.TextField(_("body (English)"), blank=True)
    body_pt_br = models.TextField(_("body (Portuguese)"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text=_("Empty: a shared macro, for every engineer."),
    )
    set_status = models.CharField(
        _("set status to"), max_length=20, choices=Status.choices, blank=True
    )
    assign_to_me = models.BooleanField(_("assign to the engineer who applies it"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    add_tags = models.JSONField(_("tags to add"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["owner", "title"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None


class LinkKind(models.TextChoices):
    RELATED = "related", _("related to")
    CAUSED_BY = "caused_by", _("caused by")


class TicketLink(models.Model):
    """An internal link between two tickets, shown on both (staff only)."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="ticketlink_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="ticketlink_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class TicketSearchDocument(models.Model):
    """A ticket's text as the global search reads it, kept by `tickets.search`.

    Public text (subject, description, public replies) and internal notes are separate
    documents, so a customer's search never even reads the notes. PostgreSQL: GIN-indexed
    `tsvector`s (migration 0006); elsewhere normalized text (`helpdesk.search`).
    """

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    language = models.CharField(max_length=10, default="en")
    public_document = SearchDocumentField(default="")
    internal_document = SearchDocumentField(default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket search document")
        verbose_name_plural = _("ticket search documents")

    def __str__(self) -> str:
        return f"search document of #{self.ticket_id}"
