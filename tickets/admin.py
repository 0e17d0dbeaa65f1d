from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tickets.models import Attachment, Comment, Event, Product, Ticket
from tickets.services import ticket_set_product


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
