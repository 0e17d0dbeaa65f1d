from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from helpdesk import errors, health, views
from kb import views as kb_views

# A database outage answers a friendly 503 instead of the bare 500 (helpdesk/errors.py).
handler500 = errors.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("accounts.urls")),
    path("sla/", include("sla.urls")),
    path("tickets/", include("tickets.urls")),
    path("notifications/", include("notifications.urls")),
    path("kb/", include("kb.urls")),
    path("docs/", kb_views.docs, name="docs"),
    path("search/", kb_views.search, name="search"),
    path("admin/", admin.site.urls),
    # Inbound e-mail webhooks (django-anymail): /inbound/email/<provider>/inbound/.
    path("inbound/email/", include("anymail.urls")),
    path("api/v1/", include("tickets.api_urls")),
    path("api/v1/", include("accounts.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]
