"""Who sees what, in every view: the portal never confirms another organization's ticket."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Tier
from tests.factories import CustomerFactory, EngineerFactory, OrganizationFactory
from tests.tickets.helpers import make_ticket
from tickets.models import Attachment, Ticket
from tickets.services import comment_add
from tickets.services import ticket_change_priority as change_priority

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def acme():
    return OrganizationFactory(name="Acme", tier=Tier.STANDARD)


@pytest.fixture
def globex():
    return OrganizationFactory(name="Globex", tier=Tier.PREMIUM, time_zone="America/New_York")


@pytest.fixture
def ana(acme):
    return CustomerFactory(organization=acme, email="ana@acme.example")


@pytest.fixture
def grace(globex):
    return CustomerFactory(organization=globex, email="grace@globex.example")


@pytest.fixture
def acme_ticket(ana):
    return make_ticket(
        ana,
        subject="Acme backup broken",
        attachments=[SimpleUploadedFile("log.txt", b"trace")],
    )


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def ticket_urls(ticket: Ticket) -> list[tuple[str, str]]:
    attachment = ticket.attachments.first()
    return [
        ("get", f"/tickets/{ticket.pk}/"),
        ("post", f"/tickets/{ticket.pk}/reply/"),
        ("post", f"/tickets/{ticket.pk}/status/"),
        ("post", f"/tickets/{ticket.pk}/priority/"),
        ("get", f"/tickets/attachments/{attachment.pk}/"),
    ]


def test_another_organizations_ticket_is_404_everywhere(client, grace, acme_ticket):
    login(client, grace)
    for method, url in ticket_urls(acme_ticket):
        response = getattr(client, method)(url, {"body": "x", "status": "closed"})
        assert response.status_code == 404, url
    listing = client.get("/tickets/?scope=organization&q=Acme").content.decode()
    assert "Acme backup broken" not in listing
    assert client.get(f"/tickets/?q=%23{acme_ticket.pk}").context["page"].items == []


def test_colleagues_see_their_organizations_tickets(client, acme, acme_ticket):
    colleague = CustomerFactory(organization=acme)
    login(client, colleague)
    assert client.get(f"/tickets/{acme_ticket.pk}/").status_code == 200
    mine = len(client.get("/tickets/?scope=mine").context["page"].items)
    org = len(client.get("/tickets/?scope=organization").context["page"].items)
    assert (mine, org) == (0, 1)


def test_community_users_see_only_their_own_tickets(client):
    org = OrganizationFactory(tier=Tier.COMMUNITY)
    first, second = CustomerFactory(organization=org), CustomerFactory(organization=org)
    ticket = make_ticket(first)
    login(client, second)
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert client.get("/tickets/?scope=organization").context["page"].items == []


def test_internal_notes_and_their_files_never_reach_the_customer(client, ana, acme_ticket):
    engineer = EngineerFactory()
    comment_add(
        ticket=acme_ticket,
        author=engineer,
        body="Customer is on an unsupported version",
        is_public=False,
        attachments=[SimpleUploadedFile("internal.txt", b"staff only")],
    )
    login(client, ana)
    html = client.get(f"/tickets/{acme_ticket.pk}/").content.decode()
    assert "unsupported version" not in html
    assert "internal.txt" not in html
    assert "Internal note added" not in html
    internal = Attachment.objects.get(name="internal.txt")
    assert client.get(f"/tickets/attachments/{internal.pk}/").status_code == 404
    login(client, engineer)
    html = client.get(f"/tickets/{acme_ticket.pk}/").content.decode()
    assert "unsupported version" in html
    assert client.get(f"/tickets/attachments/{internal.pk}/").status_code == 200


def test_attachments_download_safely(client, ana):
    ticket = make_ticket(
        ana,
        attachments=[
            SimpleUploadedFile("pic.png", PNG),
            SimpleUploadedFile("evil.svg", b"<svg><script>alert(1)</script></svg>"),
            SimpleUploadedFile("../../etc/passwd", b"root:x"),
        ],
    )
    login(client, ana)
    files = {a.name: a for a in ticket.attachments.all()}
    assert set(files) == {"pic.png", "evil.svg", "passwd"}
    png = client.get(f"/tickets/attachments/{files['pic.png'].pk}/")
    assert png["Content-Type"] == "image/png"
    assert png["Content-Disposition"].startswith("inline")
    svg = client.get(f"/tickets/attachments/{files['evil.svg'].pk}/")
    assert svg["Content-Disposition"].startswith("attachment")
    assert svg["Content-Type"] == "application/octet-stream"
    assert svg["X-Content-Type-Options"] == "nosniff"
    passwd = client.get(f"/tickets/attachments/{files['passwd'].pk}/")
    assert 'filename="passwd"' in passwd["Content-Disposition"]
    assert "/etc/" not in files["passwd"].file.name


def test_refused_attachment_keeps_the_form_and_creates_nothing(client, ana, settings):
    settings.ATTACHMENT_MAX_BYTES = 5
    login(client, ana)
    response = client.post(
        "/tickets/new/",
        {
            "subject": "Slow backups",
            "impact": "medium",
            "urgency": "medium",
            "description": "Since Monday",
            "attachments": [SimpleUploadedFile("big.log", b"0123456789")],
        },
    )
    assert response.status_code == 200
    assert "at most" in response.content.decode()
    assert response.context["form"]["subject"].value() == "Slow backups"
    assert not Ticket.objects.exists()


def test_new_ticket_form_shows_errors_not_500(client, ana):
    login(client, ana)
    response = client.post("/tickets/new/", {"impact": "enormous", "override": "on"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"subject", "impact", "urgency", "description", "override_reason"} <= set(errors)


def test_filing_a_ticket_through_the_portal(client, ana):
    login(client, ana)
    response = client.post(
        "/tickets/new/",
        {
            "subject": "Backups fail",
            "impact": "medium",
            "urgency": "high",
            "description": "Every night **since** Monday",
            "override": "on",
            "priority_override": "P1",
            "override_reason": "Auditors arrive tomorrow",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == f"/tickets/{ticket.pk}/"
    assert (ticket.priority, ticket.derived_priority) == ("P1", "P2")
    page = client.get(response.url).content.decode()
    assert ticket.reference in page
    assert "We will respond by" in page
    assert "<strong>since</strong>" in page


def test_anonymous_users_are_sent_to_login(client, acme_ticket):
    for method, url in [*ticket_urls(acme_ticket), ("get", "/tickets/"), ("get", "/tickets/new/")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/")


def test_forms_are_csrf_protected(ana, acme_ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ana)
    assert client.post(f"/tickets/{acme_ticket.pk}/reply/", {"body": "hi"}).status_code == 403
    assert client.post("/tickets/new/", {"subject": "x"}).status_code == 403


def test_customer_can_close_and_reopen(client, ana, acme_ticket):
    login(client, ana)
    client.post(f"/tickets/{acme_ticket.pk}/status/", {"status": "closed", "version": "1"})
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == "closed"
    client.post(f"/tickets/{acme_ticket.pk}/status/", {"status": "open", "version": "2"})
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == "open"


def _status_forms(html: str) -> list[str]:
    """The customer's close / reopen forms on the ticket page."""
    return [form for form in html.split("<form")[1:] if '/status/"' in form and "queue" not in form]


def test_the_close_and_reopen_forms_carry_the_version_seen(client, ana, acme_ticket):
    login(client, ana)
    forms = _status_forms(client.get(f"/tickets/{acme_ticket.pk}/").content.decode())
    assert len(forms) == 1 and 'value="closed"' in forms[0]
    assert 'name="version" value="1"' in forms[0]
    client.post(f"/tickets/{acme_ticket.pk}/status/", {"status": "closed", "version": "1"})
    forms = _status_forms(client.get(f"/tickets/{acme_ticket.pk}/").content.decode())
    assert len(forms) == 1 and 'value="open"' in forms[0]
    assert 'name="version" value="2"' in forms[0]


def test_a_close_from_a_stale_page_is_refused_and_says_who_changed_what(client, ana, acme_ticket):
    engineer = EngineerFactory(first_name="Eduardo", last_name="Lima")
    change_priority(ticket=acme_ticket, actor=engineer, priority="P1", reason="Site down")
    login(client, ana)
    response = client.post(
        f"/tickets/{acme_ticket.pk}/status/", {"status": "closed", "version": "1"}, follow=True
    )
    html = response.content.decode()
    assert "Eduardo Lima" in html and "Nothing was saved" in html
    acme_ticket.refresh_from_db()
    assert (acme_ticket.status, acme_ticket.version) == ("new", 2)


def test_a_reopen_from_a_stale_page_is_refused(client, ana, acme_ticket):
    login(client, ana)
    client.post(f"/tickets/{acme_ticket.pk}/status/", {"status": "closed", "version": "1"})
    change_priority(ticket=acme_ticket, actor=EngineerFactory(), priority="P1", reason="Later")
    client.post(f"/tickets/{acme_ticket.pk}/status/", {"status": "open", "version": "2"})
    acme_ticket.refresh_from_db()
    assert (acme_ticket.status, acme_ticket.version) == ("closed", 3)


@pytest.mark.parametrize("version", [None, "", "two"])
def test_a_status_write_without_the_version_is_refused_not_forced(
    client, ana, acme_ticket, version
):
    login(client, ana)
    data = {"status": "closed"} | ({} if version is None else {"version": version})
    response = client.post(f"/tickets/{acme_ticket.pk}/status/", data)
    assert response.status_code == 400
    assert "reload" in response.content.decode()
    acme_ticket.refresh_from_db()
    assert (acme_ticket.status, acme_ticket.version) == ("new", 1)


def test_a_priority_change_without_the_version_is_refused(client, ana, acme_ticket):
    login(client, ana)
    response = client.post(
        f"/tickets/{acme_ticket.pk}/priority/", {"priority": "P1", "reason": "Urgent"}
    )
    assert response.status_code == 400
    assert "reload" in response.content.decode()
    acme_ticket.refresh_from_db()
    assert acme_ticket.priority != "P1"


def test_ticket_page_query_count_is_fixed(client, ana, acme_ticket, django_assert_max_num_queries):
    engineer = EngineerFactory()
    login(client, ana)
    comment_add(ticket=acme_ticket, author=engineer, body="first")
    with django_assert_max_num_queries(30) as few:
        client.get(f"/tickets/{acme_ticket.pk}/")
    for index in range(14):
        comment_add(
            ticket=acme_ticket,
            author=engineer if index % 2 else ana,
            body=f"message {index}",
            attachments=[SimpleUploadedFile(f"f{index}.txt", b"x")],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/tickets/{acme_ticket.pk}/")
    assert response.content.decode().count('class="comment') == 15


def test_portal_list_query_count_is_fixed(client, ana, django_assert_max_num_queries):
    login(client, ana)
    make_ticket(ana)
    with django_assert_max_num_queries(30) as few:
        client.get("/tickets/?scope=organization")
    for _ in range(20):
        make_ticket(ana)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/tickets/?scope=organization")
    assert len(response.context["page"].items) == 21


def test_a_stale_customer_write_never_reveals_internal_activity(client, ana, acme_ticket):
    engineer = EngineerFactory(first_name="Secretive", last_name="Engineer")
    comment_add(ticket=acme_ticket, author=engineer, body="internal", is_public=False)
    from tickets.services import ticket_assign

    ticket_assign(ticket=acme_ticket, actor=engineer, assignee=engineer)
    login(client, ana)
    response = client.post(
        f"/tickets/{acme_ticket.pk}/status/", {"status": "closed", "version": "1"}, follow=True
    )
    html = response.content.decode()
    assert "Internal note" not in html
    assert "Assignee changed" not in html
    assert "Secretive" not in html
    acme_ticket.refresh_from_db()
    assert acme_ticket.status != "closed"


def test_the_ticket_page_priority_form_carries_the_version_seen(client, ana, acme_ticket):
    login(client, ana)
    html = client.get(f"/tickets/{acme_ticket.pk}/").content.decode()
    assert html.count('name="version"') >= 1
    assert f'name="version" value="{acme_ticket.version}"' in html
    form = client.get(f"/tickets/{acme_ticket.pk}/").context["priority_form"]
    assert form["version"].value() == acme_ticket.version
    engineer = EngineerFactory()
    from tickets.services import ticket_assign

    ticket_assign(ticket=acme_ticket, actor=engineer, assignee=engineer)
    response = client.post(
        f"/tickets/{acme_ticket.pk}/priority/",
        {"priority": "P1", "reason": "Urgent", "version": str(form["version"].value())},
    )
    assert response.status_code == 400
    acme_ticket.refresh_from_db()
    assert acme_ticket.priority != "P1"
