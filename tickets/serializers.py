"""Explicit input and output serializers for the tickets API."""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers

from sla.models import Level, Priority, SLAClock
from tickets.models import Comment, LinkKind, Macro, Status, Tag, Ticket


class ClockOutput(serializers.ModelSerializer[SLAClock]):
    state = serializers.SerializerMethodField()

    class Meta:
        model = SLAClock
        fields = ["metric", "target", "started_at", "due_at", "met_at", "breached_at", "state"]

    def get_state(self, clock: SLAClock) -> str:
        return clock.state_at(self.context["now"])


class TicketOutput(serializers.ModelSerializer[Ticket]):
    reference = serializers.CharField(read_only=True)
    organization = serializers.CharField(source="organization.name")
    requester = serializers.EmailField(source="requester.email")
    clocks = ClockOutput(many=True, read_only=True)
    merged_into: serializers.PrimaryKeyRelatedField[Ticket] = serializers.PrimaryKeyRelatedField(
        read_only=True,
        help_text="Set when this ticket was merged into another (its id): it is closed and "
        "its conversation continues there.",
    )
    version = serializers.IntegerField(
        read_only=True,
        help_text="Goes up by one with every change; the ETag is this number, quoted. "
        "Send it as If-Match to change the ticket.",
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "description",
            "organization",
            "requester",
            "impact",
            "urgency",
            "derived_priority",
            "priority",
            "priority_reason",
            "status",
            "channel",
            "tier",
            "created_at",
            "last_activity_at",
            "version",
            "clocks",
            "merged_into",
        ]


# The list's rows without DRF's per-field machinery (about 0.5 ms a ticket of the list's
# 25): the same values as `TicketOutput(ticket).data`, which a test compares field by field.
# Instants and durations go through DRF's own fields, so zones and formats stay identical.
TICKET_LIST_FIELDS = (
    "id",
    "subject",
    "description",
    "organization__name",
    "requester__email",
    "impact",
    "urgency",
    "derived_priority",
    "priority",
    "priority_reason",
    "status",
    "channel",
    "tier",
    "created_at",
    "last_activity_at",
    "version",
    "merged_into_id",
)
_INSTANT = serializers.DateTimeField()
_DURATION = serializers.DurationField()


def _instant(value: datetime.datetime | None) -> str | None:
    return None if value is None else _INSTANT.to_representation(value)


def clock_output(clock: SLAClock, now: datetime.datetime) -> dict[str, Any]:
    return {
        "metric": clock.metric,
        "target": _DURATION.to_representation(clock.target),
        "started_at": _instant(clock.started_at),
        "due_at": _instant(clock.due_at),
        "met_at": _instant(clock.met_at),
        "breached_at": _instant(clock.breached_at),
        "state": clock.state_at(now),
    }


def ticket_output(ticket: Ticket, now: datetime.datetime) -> dict[str, Any]:
    """`TicketOutput(ticket, context={"now": now}).data`, built directly (the list's rows)."""
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "description": ticket.description,
        "organization": ticket.organization.name,
        "requester": ticket.requester.email,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "derived_priority": ticket.derived_priority,
        "priority": ticket.priority,
        "priority_reason": ticket.priority_reason,
        "status": ticket.status,
        "channel": ticket.channel,
        "tier": ticket.tier,
        "created_at": _instant(ticket.created_at),
        "last_activity_at": _instant(ticket.last_activity_at),
        "version": ticket.version,
        "clocks": [clock_output(clock, now) for clock in ticket.clocks.all()],
        "merged_into": ticket.merged_into_id,
    }


class TicketCreateInput(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField()
    impact = serializers.ChoiceField(choices=Level.choices)
    urgency = serializers.ChoiceField(choices=Level.choices)
    priority_override = serializers.ChoiceField(
        choices=Priority.choices, required=False, allow_blank=True
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    component = serializers.CharField(required=False, allow_blank=True, default="")


class CommentInput(serializers.Serializer):
    body = serializers.CharField()
    is_public = serializers.BooleanField(default=True)
    macro = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Staff: the id of a macro whose actions (status, assignee, tags) apply "
        "with this reply; the body is sent as given.",
    )


class CommentOutput(serializers.ModelSerializer[Comment]):
    author = serializers.EmailField(source="author.email", default=None)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "is_public", "by_staff", "created_at"]


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)


class PriorityInput(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reason = serializers.CharField()


class TagOutput(serializers.ModelSerializer[Tag]):
    open_count = serializers.IntegerField(read_only=True, help_text="Open tickets with the tag.")
    total_count = serializers.IntegerField(read_only=True, help_text="All tickets with the tag.")

    class Meta:
        model = Tag
        fields = ["id", "name", "open_count", "total_count"]


class TicketTagsInput(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=50)


class TicketTagsOutput(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()


class MacroOutput(serializers.ModelSerializer[Macro]):
    shared = serializers.BooleanField(source="is_shared", read_only=True)
    set_status = serializers.CharField(
        read_only=True, help_text="The status a reply with this macro sets (empty: none)."
    )

    class Meta:
        model = Macro
        fields = [
            "id",
            "title",
            "body_en",
            "body_pt_br",
            "shared",
            "set_status",
            "assign_to_me",
            "assignee",
            "add_tags",
        ]


class MacroRenderOutput(serializers.Serializer):
    macro = serializers.IntegerField()
    language = serializers.CharField()
    body = serializers.CharField(help_text="The reply, placeholders filled, to edit and send.")
    actions = serializers.ListField(child=serializers.CharField())


class MergeInput(serializers.Serializer):
    into = serializers.IntegerField(help_text="The id of the ticket that survives.")


class LinkInput(serializers.Serializer):
    other = serializers.IntegerField(help_text="The id of the other ticket.")
    kind = serializers.ChoiceField(
        choices=LinkKind.choices, help_text="This ticket is related to / caused by the other."
    )


class LinkOutput(serializers.Serializer):
    id = serializers.IntegerField(source="link.pk")
    other = serializers.IntegerField(source="other.pk")
    relation = serializers.CharField(
        source="label", help_text="How this ticket relates to the other."
    )
