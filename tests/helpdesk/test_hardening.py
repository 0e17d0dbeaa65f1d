"""Smaller holes: cached private pages, refused types behind a trailing dot, uploads whose
name Django cannot keep, and notifications marked read by a GET."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.models import Notification, NotificationKind
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.attachments import safe_file_name, validate_upload
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    return make_ticket(CustomerFactory(organization=OrganizationFactory()))


def test_ticket_pages_are_never_stored_by_a_cache(client, ticket):
    client.force_login(ticket.requester)
    for url in (f"/tickets/{ticket.pk}/", "/tickets/", "/"):
        response = client.get(url)
        assert response.status_code == 200
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url
    client.force_login(EngineerFactory())
    response = client.get("/tickets/queue/")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["x.exe.", "x.exe ", "x.exe. . ", "x.EXE.."])
def test_a_refused_type_behind_trailing_dots_or_spaces_is_refused(settings, name):
    settings.ATTACHMENT_REFUSED_EXTENSIONS = frozenset({"exe"})
    with pytest.raises(ValidationError, match=r"\.exe"):
        validate_upload(SimpleUploadedFile(name, b"MZ"))
    assert safe_file_name("report.pdf.") == "report.pdf"


def raw_multipart(fields: dict[str, str], file_field: str, raw_name: bytes) -> tuple[bytes, str]:
    boundary = "----helpdeskboundary"
    parts = []
    for key, value in fields.items():
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="'.encode()
        + raw_name
        + b'"\r\nContent-Type: text/plain\r\n\r\nlog line\r\n'
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("raw_name", [b"\x01\x02", b"..", b"\x7f"])
def test_an_upload_whose_name_cannot_be_kept_is_kept_under_a_safe_name(client, raw_name):
    customer = CustomerFactory()
    client.force_login(customer)
    client.get("/tickets/new/")
    fields = {
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        "subject": "Backups fail",
        "description": "See the log.",
        "impact": "high",
        "urgency": "high",
    }
    body, content_type = raw_multipart(fields, "attachments", raw_name)
    response = client.generic("POST", "/tickets/new/", body, content_type=content_type)
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.file.read() == b"log line"


def test_opening_a_notification_by_get_does_not_mark_it_read(client, ticket):
    engineer = EngineerFactory()
    notification = Notification.objects.create(
        recipient=engineer, ticket=ticket, kind=NotificationKind.SLA_AT_RISK, key="k1"
    )
    client.force_login(engineer)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None
    assert client.post(f"/notifications/{notification.pk}/").status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None
