"""End to end over real servers on loopback: Debian's dovecot as the support mailbox
(started here with a private configuration, no system service) and an aiosmtpd server
as the mail system both sides use (the outbox delivers to it; the customer's client
sends through it; mail for the support address is appended to dovecot's INBOX, as an
MTA's local delivery would)."""

from __future__ import annotations

import asyncio
import email
import imaplib
import shutil
import smtplib
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from helpdesk.outbox import outbox_sweep
from tests.factories import CustomerFactory, EngineerFactory
from tests.faults.stack import free_port, wait_for
from tests.tickets.mail_corpus import corpus
from tickets.inbound_imap import imap_poll
from tickets.mail_threading import ReplyTarget, parse_reply_address, thread_root
from tickets.models import Channel, Comment, InboundMessage, Ticket

pytestmark = [pytest.mark.imap, pytest.mark.django_db]

SUPPORT = "support@helpdesk.localhost"
IMAP_USER, IMAP_PASSWORD = "helpdesk", "imap-secret"

DOVECOT_CONF = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service auth {{
  user = root
}}
service auth-worker {{
  user = root
}}
"""


class Dovecot:
    """A private dovecot: own port, users from a static file, mail under a temp dir."""

    def __init__(self) -> None:
        # Not pytest's tmp_path: its parents are private to root, and dovecot's mail
        # processes run as the dovecot user.
        self.root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        for folder in ("run", "state", "mail"):
            (self.root / folder).mkdir()
        shutil.chown(self.root / "mail", "dovecot", "dovecot")
        (self.root / "users").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}\n")
        (self.root / "dovecot.conf").write_text(DOVECOT_CONF.format(root=self.root, port=self.port))
        self.process = subprocess.Popen(
            ["/usr/sbin/dovecot", "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=15, what="dovecot")

    def _answers(self) -> bool:
        try:
            imaplib.IMAP4("127.0.0.1", self.port).logout()
            return True
        except OSError:
            return False

    def connect(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(IMAP_USER, IMAP_PASSWORD)
        return client

    def append(self, raw: bytes) -> None:
        client = self.connect()
        status, _data = client.append("INBOX", None, None, raw)
        client.logout()
        assert status == "OK"

    def count(self, folder: str) -> int:
        client = self.connect()
        status, data = client.select(folder, readonly=True)
        client.logout()
        return int(data[0]) if status == "OK" else -1

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if not Path("/usr/sbin/dovecot").exists():
        pytest.skip("dovecot is not installed")  # conftest's service check runs first
    server = Dovecot()
    with override_settings(
        IMAP_HOST="127.0.0.1",
        IMAP_PORT=server.port,
        IMAP_SECURITY="none",
        IMAP_USER=IMAP_USER,
        IMAP_PASSWORD=IMAP_PASSWORD,
        IMAP_FOLDER="INBOX",
        IMAP_PROCESSED_FOLDER="Processed",
    ):
        yield server
    server.stop()


class MailSystem:
    """The SMTP server everybody uses: mail for the support address goes into the IMAP
    INBOX; everything else lands in the addressee's list (their mail client)."""

    def __init__(self, dovecot: Dovecot) -> None:
        self.dovecot = dovecot
        self.mailboxes: dict[str, list[EmailMessage]] = {}
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd)
        for recipient in envelope.rcpt_tos:
            if recipient.split("@")[1] == SUPPORT.split("@")[1]:
                await asyncio.to_thread(self.dovecot.append, envelope.original_content)
            else:
                message = email.message_from_bytes(envelope.original_content, policy=policy.default)
                with self.lock:
                    self.mailboxes.setdefault(recipient.lower(), []).append(message)
        return "250 OK"

    def inbox(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return list(self.mailboxes.get(address, []))


@pytest.fixture
def mail_system(dovecot) -> Iterator[MailSystem]:
    system = MailSystem(dovecot)
    system.controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=system.controller.port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
    ):
        yield system
    system.controller.stop()


def customer_client_sends(mail_system: MailSystem, raw: bytes, *, sender: str) -> None:

    with smtplib.SMTP("127.0.0.1", mail_system.controller.port) as client:
        client.sendmail(sender, [SUPPORT], raw)


def test_customer_mails_in_replies_to_a_notification_and_the_reply_lands_on_the_ticket(
    mail_system, dovecot, client
):
    ana = CustomerFactory(email="ana@acme.example")
    engineer = EngineerFactory()

    # 1. The customer writes to support; the MTA delivers it to the IMAP INBOX.
    customer_client_sends(mail_system, corpus("gmail_new"), sender=ana.email)
    assert dovecot.count("INBOX") == 1
    assert imap_poll() == 1
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.channel) == (ana, Channel.EMAIL)
    assert dovecot.count("INBOX") == 0 and dovecot.count("Processed") == 1

    # 2. The receipt reaches the customer over SMTP, threaded under the ticket.
    outbox_sweep()
    wait_for(lambda: mail_system.inbox(ana.email), timeout=10, what="the receipt")
    [receipt] = mail_system.inbox(ana.email)
    assert f"[#{ticket.pk}]" in receipt["Subject"]
    assert receipt["In-Reply-To"] == thread_root(ticket.pk)
    assert parse_reply_address(receipt["Reply-To"]) == ReplyTarget(ticket.pk, ana.pk)

    # 3. The customer answers the receipt from their client, as mail clients answer.
    reply = EmailMessage()
    reply["From"] = "Ana Souza <ana@acme.example>"
    reply["To"] = receipt["Reply-To"]
    reply["Subject"] = "Re: " + receipt["Subject"]
    reply["Message-ID"] = "<reply-1@mail.acme.example>"
    reply["In-Reply-To"] = receipt["Message-ID"]
    reply["References"] = f"{receipt['References']} {receipt['Message-ID']}"
    reply.set_content(
        "That fixed it, thanks!\n\nOn Tue, Helpdesk wrote:\n> We received your ticket.\n"
    )
    customer_client_sends(mail_system, reply.as_bytes(), sender=ana.email)
    assert imap_poll() == 1

    # 4. An engineer replies on the web; it reaches the customer in the same thread.
    client.force_login(engineer)
    response = client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"body": "Please give the backup service account write access.", "is_public": "1"},
    )
    assert response.status_code == 302
    outbox_sweep()
    wait_for(lambda: len(mail_system.inbox(ana.email)) == 2, timeout=10, what="the reply")
    answer = mail_system.inbox(ana.email)[1]
    assert "write access" in answer.get_body(("plain",)).get_content()
    assert f"[#{ticket.pk}]" in answer["Subject"] and ticket.subject in answer["Subject"]
    assert answer["In-Reply-To"] == receipt["In-Reply-To"] == thread_root(ticket.pk)
    assert thread_root(ticket.pk) in answer["References"]

    comment = Comment.objects.filter(ticket=ticket, author=ana).get()
    assert comment.body == "That fixed it, thanks!" and comment.channel == Channel.EMAIL
    assert Ticket.objects.count() == 1


def test_a_message_polled_twice_is_filed_once(mail_system, dovecot):
    CustomerFactory(email="ana@acme.example")
    dovecot.append(corpus("gmail_new"))
    dovecot.append(corpus("gmail_new"))  # the MTA delivered it twice
    assert imap_poll() == 2
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert dovecot.count("INBOX") == 0 and dovecot.count("Processed") == 2


@override_settings(IMAP_PROCESSED_FOLDER="")
def test_without_a_processed_folder_messages_are_flagged_seen_and_read_once(dovecot):
    CustomerFactory(email="ana@acme.example")
    dovecot.append(corpus("gmail_new"))
    assert imap_poll() == 1
    assert imap_poll() == 0
    assert dovecot.count("INBOX") == 1 and Ticket.objects.count() == 1
