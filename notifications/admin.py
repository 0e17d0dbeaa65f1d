from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["recipient", "kind", "ticket", "created_at", "read_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["recipient__email", "key"]
    raw_id_fields = ["recipient", "ticket"]
    date_hierarchy = "created_at"
