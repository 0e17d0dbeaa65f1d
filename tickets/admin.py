from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.inbound import inbound_retry
from tickets.mail_parsing import decode_bytes
from tickets.models import Attachment, Comment, Event, InboundMessage, Product, Tag, Ticket
from tickets.services import ticket_set_product

ORIGINAL_PREVIEW_BYTES = 20_000


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


class CommentInline(admin.TabularInline[Comment, Ticket]):
    model = Comment
    extra = 0
    fields = readonly_fields = ("author", "is_public", "by_staff", "created_at", "body")
    can_delete = False


class EventInline(admin.TabularInline[Event, Ticket]):
    model = Event
    extra = 0
    fields = readonly_fields = ("created_at", "kind", "actor", "is_public", "data")
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    """Read-mostly: changes go through the product's pages so clocks and history stay right."""

    list_display = ["id", "subject", "organization", "priority", "status", "assignee", "created_at"]
    list_filter = ["status", "priority", "tier", "channel", "plan"]
    search_fields = ["subject", "organization__name", "requester__email"]
    date_hierarchy = "created_at"
    list_select_related = ["organization", "assignee"]
    readonly_fields = [
        field.name for field in Ticket._meta.fields if field.name not in ("product", "component")
    ]
    inlines = [CommentInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Ticket, form: Any, change: bool) -> None:
        ticket_set_product(ticket=obj, product=obj.product, component=obj.component)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin[Attachment]):
    list_display = ["name", "ticket", "content_type", "size", "is_public", "created_at"]
    list_filter = ["is_public", "content_type"]
    search_fields = ["name"]
    readonly_fields = ["ticket", "comment", "file", "content_type", "size", "uploaded_by"]


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    """Every message the e-mail channel received: what became of it, and why not."""

    list_display = [
        "received_at", "sender", "subject", "source", "state", "outcome", "ticket", "attempts",
    ]  # fmt: skip
    list_filter = ["state", "outcome", "source"]
    search_fields = ["sender", "subject", "message_id", "reason"]
    date_hierarchy = "received_at"
    list_select_related = ["ticket"]
    actions = ["process_again"]
    exclude = ["raw"]
    readonly_fields = [
        "message_id", "source", "size", "sender", "subject", "state", "outcome", "reason",
        "attempts", "ticket", "comment", "author", "received_at", "processed_at", "original",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("original message (start)"))
    def original(self, obj: InboundMessage) -> str:
        text = decode_bytes(bytes(obj.raw[:ORIGINAL_PREVIEW_BYTES]), "utf-8")
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", text)

    @admin.action(description=_("Process again (failed or set-aside messages)"))
    def process_again(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        filed = inbound_retry(inbound_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d message was filed.", "%(count)d messages were filed.", filed)
            % {"count": filed},
            messages.SUCCESS if filed else messages.WARNING,
        )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    """Tags are renamed and merged on the product's tag page (so tickets stay in step)."""

    list_display = ["name", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["name", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
