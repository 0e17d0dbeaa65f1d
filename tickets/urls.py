from django.urls import path

from tickets import queue_views, tag_views, views

urlpatterns = [
    path("", views.portal_list, name="portal_list"),
    path("new/", views.ticket_new, name="ticket_new"),
    path("new/preview/", views.ticket_new_preview, name="ticket_new_preview"),
    path("phone/", queue_views.phone_ticket_new, name="phone_ticket_new"),
    path("phone/requesters/", queue_views.phone_requesters, name="phone_requesters"),
    path("queue/", queue_views.queue, name="queue"),
    path("queue/bulk/", queue_views.queue_bulk, name="queue_bulk"),
    path("queue/countdowns/", queue_views.queue_countdowns, name="queue_countdowns"),
    path("queue/views/", queue_views.saved_view_save, name="saved_view_save"),
    path("queue/views/<int:pk>/delete/", queue_views.saved_view_delete, name="saved_view_delete"),
    path("queue/<int:pk>/take/", queue_views.queue_take, name="queue_take"),
    path("queue/<int:pk>/assign/", queue_views.queue_assign, name="queue_assign"),
    path("queue/<int:pk>/status/", queue_views.queue_status, name="queue_status"),
    path("queue/<int:pk>/priority/", queue_views.queue_priority, name="queue_priority"),
    path("queue/<int:pk>/reply/", queue_views.queue_reply, name="queue_reply"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/presence/", queue_views.ticket_presence, name="ticket_presence"),
    path("<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("<int:pk>/status/", views.ticket_status, name="ticket_status"),
    path("<int:pk>/priority/", views.ticket_priority, name="ticket_priority"),
    path("<int:pk>/tags/", tag_views.ticket_tags, name="ticket_tags"),
    path("tags/", tag_views.tag_list, name="tag_list"),
    path("tags/suggest/", tag_views.tag_suggest, name="tag_suggest"),
    path("tags/<int:pk>/rename/", tag_views.tag_rename, name="tag_rename"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
