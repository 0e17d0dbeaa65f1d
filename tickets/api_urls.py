from django.urls import path

from tickets import api

urlpatterns = [
    path("tickets/", api.TicketListCreate.as_view(), name="api_ticket_list"),
    path("tickets/<int:pk>/", api.TicketDetail.as_view(), name="api_ticket_detail"),
    path("tickets/<int:pk>/comments/", api.TicketComments.as_view(), name="api_ticket_comments"),
    path("tickets/<int:pk>/status/", api.TicketStatus.as_view(), name="api_ticket_status"),
    path("tickets/<int:pk>/priority/", api.TicketPriority.as_view(), name="api_ticket_priority"),
    path("tickets/<int:pk>/tags/", api.TicketTags.as_view(), name="api_ticket_tags"),
    path("tickets/<int:pk>/merge/", api.TicketMerge.as_view(), name="api_ticket_merge"),
    path("tickets/<int:pk>/links/", api.TicketLinks.as_view(), name="api_ticket_links"),
    path("tags/", api.TagList.as_view(), name="api_tag_list"),
    path("macros/", api.MacroList.as_view(), name="api_macro_list"),
    path(
        "tickets/<int:pk>/macros/<int:macro_id>/",
        api.MacroRender.as_view(),
        name="api_macro_render",
    ),
]
