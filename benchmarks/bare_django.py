"""The ceiling: the smallest Django JSON view, served the same way as the product.

`benchmarks/http_pages.py` runs it under gunicorn (same workers, same machine, same run)
beside the product, so every page's figures can be given as a share of what Django and
gunicorn alone manage here: no middleware, no database, no template, one `JsonResponse`.
"""

from __future__ import annotations

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def ok(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok", "tickets": []})


urlpatterns = [path("", ok)]
application = get_wsgi_application()
