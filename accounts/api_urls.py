from django.urls import path

from accounts import api

urlpatterns = [
    path("organization/", api.MyOrganization.as_view(), name="api_my_organization"),
]
