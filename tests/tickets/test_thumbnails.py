"""Image attachments are previewed by thumbnails made server-side: the same permission as
the download, bounded in size, stored once, and a bad image is a 404, never a 500."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets import thumbnails
from tickets.services import comment_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_bytes(size=(1600, 1200), fmt="PNG", mode="RGB") -> bytes:
    output = io.BytesIO()
    Image.new(mode, size, "teal").save(output, format=fmt)
    return output.getvalue()


@pytest.fixture
def ana():
    return CustomerFactory(organization=OrganizationFactory(name="Acme", tier=Tier.STANDARD))


def attach(requester, name, data):
    ticket = make_ticket(requester, attachments=[SimpleUploadedFile(name, data)])
    return ticket, ticket.attachments.get()


def thumbnail_url(attachment) -> str:
    return f"/tickets/attachments/{attachment.pk}/thumbnail/"


def test_thumbnail_is_a_small_webp_of_the_image(client, ana):
    _ticket, attachment = attach(ana, "screen.png", image_bytes((1600, 1200)))
    client.force_login(ana)
    response = client.get(thumbnail_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumb:
        assert thumb.format == "WEBP"
        assert thumb.size == (320, 240)


def test_thumbnail_is_stored_once_and_reused(client, ana, media):
    _ticket, attachment = attach(ana, "photo.jpg", image_bytes((800, 600), "JPEG"))
    client.force_login(ana)
    assert client.get(thumbnail_url(attachment)).status_code == 200
    stored = list((media / "thumbnails").rglob("*.webp"))
    assert len(stored) == 1
    first_written = stored[0].stat().st_mtime_ns
    assert client.get(thumbnail_url(attachment)).status_code == 200
    assert list((media / "thumbnails").rglob("*.webp")) == stored
    assert stored[0].stat().st_mtime_ns == first_written


def test_customer_of_another_organization_gets_404(client, ana):
    _ticket, attachment = attach(ana, "screen.png", image_bytes((40, 30)))
    grace = CustomerFactory(organization=OrganizationFactory(name="Globex"))
    client.force_login(grace)
    assert client.get(thumbnail_url(attachment)).status_code == 404


def test_internal_note_image_has_no_thumbnail_for_the_customer(client, ana):
    ticket = make_ticket(ana)
    engineer = EngineerFactory()
    comment_add(
        ticket=ticket,
        author=engineer,
        body="Staff screenshot",
        is_public=False,
        attachments=[SimpleUploadedFile("internal.png", image_bytes((40, 30)))],
    )
    attachment = ticket.attachments.get(name="internal.png")
    client.force_login(ana)
    assert client.get(thumbnail_url(attachment)).status_code == 404
    client.force_login(engineer)
    assert client.get(thumbnail_url(attachment)).status_code == 200


def test_anonymous_visitor_is_sent_to_log_in(client, ana):
    _ticket, attachment = attach(ana, "screen.png", image_bytes((40, 30)))
    response = client.get(thumbnail_url(attachment))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_corrupt_image_is_a_404_not_a_500(client, ana):
    _ticket, attachment = attach(ana, "broken.png", b"\x89PNG\r\n\x1a\nnot really a png")
    client.force_login(ana)
    assert client.get(thumbnail_url(attachment)).status_code == 404


def test_a_non_image_and_svg_get_no_thumbnail(client, ana):
    ticket = make_ticket(
        ana,
        attachments=[
            SimpleUploadedFile("notes.txt", b"hello"),
            SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ],
    )
    client.force_login(ana)
    for attachment in ticket.attachments.all():
        assert client.get(thumbnail_url(attachment)).status_code == 404


def test_an_image_with_too_many_pixels_is_refused_before_decoding():
    # 6,500 x 6,500 one-bit pixels: a few kilobytes of PNG, 42 million pixels decoded.
    bomb = image_bytes((6500, 6500), "PNG", "1")
    assert len(bomb) < 100_000
    with pytest.raises(thumbnails.ThumbnailUnavailable, match="too many pixels"):
        thumbnails.render_thumbnail(io.BytesIO(bomb))


def test_transparent_and_palette_images_keep_working():
    for mode, fmt in (("RGBA", "PNG"), ("P", "GIF"), ("L", "PNG"), ("CMYK", "JPEG")):
        data = thumbnails.render_thumbnail(io.BytesIO(image_bytes((500, 100), fmt, mode)))
        with Image.open(io.BytesIO(data)) as thumb:
            assert thumb.size == (320, 64)


def test_ticket_page_shows_a_thumbnail_not_the_upload(client, ana):
    ticket, attachment = attach(ana, "screen.png", image_bytes((40, 30)))
    client.force_login(ana)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'src="{thumbnail_url(attachment)}"' in html
    assert f'src="/tickets/attachments/{attachment.pk}/"' not in html
    assert 'alt="screen.png"' in html


def test_ticket_page_offers_no_thumbnail_for_other_files(client, ana):
    ticket, attachment = attach(ana, "notes.txt", b"hello")
    client.force_login(ana)
    html = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert thumbnail_url(attachment) not in html
    assert f'href="/tickets/attachments/{attachment.pk}/"' in html


def test_thumbnail_request_has_a_fixed_query_budget(client, ana, django_assert_max_num_queries):
    _ticket, attachment = attach(ana, "screen.png", image_bytes((400, 300)))
    client.force_login(ana)
    for _attempt in ("made", "stored"):
        # session, user, organization (time zone), roles, the attachment among visible tickets
        with django_assert_max_num_queries(5):
            response = client.get(thumbnail_url(attachment))
            assert response.status_code == 200  # before the count is checked
