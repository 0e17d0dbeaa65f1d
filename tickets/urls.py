from django.urls import path

from tickets import views

urlpatterns = [
    path("", views.portal_list, name="portal_list"),
    path("new/", views.ticket_new, name="ticket_new"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("<int:pk>/status/", views.ticket_status, name="ticket_status"),
    path("<int:pk>/priority/", views.ticket_priority, name="ticket_priority"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
