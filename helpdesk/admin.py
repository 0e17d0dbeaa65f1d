"""The outbox in the admin: what was sent, what waits, what failed (and a re-send)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.models import OutboxMessage
from helpdesk.outbox import outbox_resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = ["created_at", "kind", "recipient", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["key", "last_error"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [
        "kind", "key", "payload", "state", "attempts", "next_attempt_at", "last_error",
        "created_at", "sent_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Send again (failed or waiting messages)"))
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_resend(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
