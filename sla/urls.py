"""The manager's SLA pages, under /sla/."""

from django.urls import path

from sla import views

app_name = "sla"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<slug:code>/", views.plan_edit, name="plan_edit"),
    path("calendars/<int:pk>/", views.calendar_detail, name="calendar_detail"),
    path("calendars/<int:pk>/holidays/", views.holiday_add, name="holiday_add"),
    path(
        "calendars/<int:pk>/holidays/<int:holiday_pk>/remove/",
        views.holiday_remove,
        name="holiday_remove",
    ),
    path("matrix/", views.priority_matrix, name="priority_matrix"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
]
