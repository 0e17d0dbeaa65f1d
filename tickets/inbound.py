"""The e-mail channel, incoming: one entry point for every raw message, however it came
(``manage.py ingest_email`` from an MTA pipe, the IMAP poll, an inbound webhook).

:func:`inbound_receive` first keeps the message whole (an :class:`InboundMessage` row,
unique by Message-ID, so the same message delivered twice is one row and creates
nothing new), then processes it. Processing never raises: whatever goes wrong is kept
on the row with its reason for an administrator to read and retry in the admin.

Which ticket a message answers is decided without trusting the From header alone
(:mod:`tickets.mail_threading`): a valid signed reply address names the ticket and the
user; a thread root in ``In-Reply-To``/``References`` or ``[#1042]`` in the subject
counts only for a sender who may see that ticket. Anything else is a new ticket from
the sender, never a comment on someone else's ticket.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_signup
from helpdesk.outbox import outbox_enqueue
from sla.models import Level
from tickets import mail_parsing, mail_threading, selectors, services
from tickets.attachments import safe_file_name, validate_upload
from tickets.models import Channel, InboundMessage, InboundOutcome, InboundState, Ticket

logger = logging.getLogger(__name__)

ORIGINAL_NAME = "original-message.eml"
_LEVEL_WORDS = {
    Level.HIGH: ("high", "alta", "alto"),
    Level.MEDIUM: ("medium", "média", "media", "médio", "medio", "normal"),
    Level.LOW: ("low", "baixa", "baixo"),
}
_CLASSIFICATION_LINE = re.compile(
    r"^\s*(?P<field>impact|impacto|urgency|urgência|urgencia)\s*:\s*(?P<value>\w+)\s*$",
    re.IGNORECASE,
)


class InboundRefused(Exception):
    """A message the channel will not file (its reason is kept on the row)."""

    def __init__(self, reason: str, *, outcome: str, state: str = InboundState.IGNORED):
        super().__init__(reason)
        self.reason = reason
        self.outcome = outcome
        self.state = state


@dataclass(frozen=True)
class Match:
    ticket: Ticket
    author: User
    how: str


def _store(*, raw: bytes, source: str) -> tuple[InboundMessage, bool]:
    message_id = mail_parsing.message_id_of(raw)
    parsed_sender, subject = "", ""
    try:
        parsed = mail_parsing.parse_message(raw)
        parsed_sender, subject = parsed.sender, parsed.subject
    except Exception:  # keeping the message matters more than its summary
        logger.exception("Inbound: could not read the headers of a %d-byte message", len(raw))
    return InboundMessage.objects.get_or_create(
        message_id=message_id[:998],
        defaults={
            "source": source[:40],
            "raw": raw,
            "size": len(raw),
            "sender": parsed_sender[:254],
            "subject": subject[:255],
        },
    )


def inbound_receive(*, raw: bytes, source: str) -> InboundMessage:
    """Keep a raw RFC 5322 message, then file it (a ticket or a comment) or record why
    not. The same Message-ID received again returns the first row and does nothing.

    Raises only if the message could not be kept (the database is down): the caller
    must then leave the message where it was (IMAP) or ask for it again (MTA, webhook).
    """
    inbound, created = _store(raw=raw, source=source)
    if not created:
        logger.info("Inbound: %s received again, nothing to do", inbound.message_id)
        return inbound
    return inbound_process(inbound_id=inbound.pk)


def inbound_retry(*, inbound_ids: list[int]) -> int:
    """Process again messages that failed or were set aside (admin action); the rate
    limit does not apply to an administrator's retry. Returns how many were filed."""
    filed = 0
    for inbound_id in inbound_ids:
        inbound = inbound_process(inbound_id=inbound_id, retry=True)
        filed += inbound.state == InboundState.PROCESSED
    return filed


def inbound_process(*, inbound_id: int, retry: bool = False) -> InboundMessage:
    """File one kept message, exactly once (the row is locked and its state checked);
    never raises for anything about the message itself."""
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.select_for_update().get(pk=inbound_id)
            allowed = [InboundState.RECEIVED]
            if retry:
                allowed += [InboundState.FAILED, InboundState.IGNORED]
            if inbound.state not in allowed:
                return inbound
            inbound.attempts += 1
            try:
                with transaction.atomic():
                    _file(inbound, rate_limited=not retry)
            except InboundRefused as refusal:
                inbound.state = refusal.state
                inbound.outcome = refusal.outcome
                inbound.reason = refusal.reason
                inbound.ticket = inbound.comment = None
            inbound.processed_at = timezone.now()
            inbound.save()
            return inbound
    except Exception as error:  # anything else: kept, with the reason, for a retry
        logger.exception("Inbound: message %s could not be processed", inbound_id)
        InboundMessage.objects.filter(pk=inbound_id).update(
            attempts=F("attempts") + 1,
            state=InboundState.FAILED,
            outcome=InboundOutcome.ERROR,
            reason=_error_text(error),
            processed_at=timezone.now(),
        )
        return InboundMessage.objects.get(pk=inbound_id)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        messages = [str(text) for text in error.messages]
        return _("Refused by the ticket rules: %(errors)s") % {"errors": " ".join(messages)}
    return f"{type(error).__name__}: {error}"[:2000]


def _rate_limited(inbound: InboundMessage) -> bool:
    since = inbound.received_at - datetime.timedelta(seconds=settings.INBOUND_RATE_WINDOW_SECONDS)
    recent = (
        InboundMessage.objects.filter(
            sender=inbound.sender, received_at__gte=since, received_at__lte=inbound.received_at
        )
        .exclude(pk=inbound.pk)
        .exclude(outcome=InboundOutcome.RATE_LIMITED)
        .count()
    )
    return recent >= settings.INBOUND_RATE_LIMIT


def _file(inbound: InboundMessage, *, rate_limited: bool) -> None:
    parsed = mail_parsing.parse_message(bytes(inbound.raw))
    inbound.sender = parsed.sender[:254]
    inbound.subject = parsed.subject[:255]
    if not parsed.sender:
        raise InboundRefused(
            _("The message has no valid From address."),
            outcome=InboundOutcome.ERROR,
            state=InboundState.FAILED,
        )
    if parsed.automatic:
        raise InboundRefused(
            _("Automatic message (%(why)s): not filed, not answered.") % {"why": parsed.automatic},
            outcome=InboundOutcome.AUTOMATIC,
        )
    if rate_limited and _rate_limited(inbound):
        raise InboundRefused(
            _("More than %(limit)d messages from %(sender)s within %(minutes)d minutes.")
            % {
                "limit": settings.INBOUND_RATE_LIMIT,
                "sender": parsed.sender,
                "minutes": settings.INBOUND_RATE_WINDOW_SECONDS // 60,
            },
            outcome=InboundOutcome.RATE_LIMITED,
        )
    sender = User.objects.filter(email__iexact=parsed.sender, is_active=True).first()
    match = match_ticket(parsed, sender=sender)
    uploads, notes = _uploads(parsed, raw=bytes(inbound.raw))
    if match is not None:
        body = _with_notes(_cut(mail_parsing.reply_text(parsed.text)), notes)
        comment = services.comment_add(
            ticket=match.ticket,
            author=match.author,
            body=body,
            channel=Channel.EMAIL,
            attachments=uploads,
        )
        inbound.author = match.author
        inbound.ticket = match.ticket
        inbound.comment = comment
        inbound.state = InboundState.PROCESSED
        inbound.outcome = InboundOutcome.COMMENT_ADDED
        inbound.reason = _("Reply to %(ticket)s (matched by %(how)s).") % {
            "ticket": match.ticket.reference,
            "how": match.how,
        }
        return
    requester = sender or _unknown_sender(inbound, parsed)
    if requester is None:
        return  # refused politely (the refusal leaves with this transaction)
    if requester.is_engineer:
        raise InboundRefused(
            _("Support staff open tickets on a customer's behalf on the web, not by e-mail."),
            outcome=InboundOutcome.REFUSED,
        )
    impact, urgency, text = classification(mail_parsing.without_signature(parsed.text))
    ticket = services.ticket_create(
        requester=requester,
        subject=" ".join(parsed.subject.split())[:200] or _("(no subject)"),
        description=_with_notes(_cut(text), notes) or _("(The e-mail had no text.)"),
        impact=impact,
        urgency=urgency,
        channel=Channel.EMAIL,
        attachments=uploads,
    )
    inbound.author = requester
    inbound.ticket = ticket
    inbound.state = InboundState.PROCESSED
    inbound.outcome = InboundOutcome.TICKET_CREATED
    inbound.reason = _("New ticket %(ticket)s.") % {"ticket": ticket.reference}


def match_ticket(parsed: mail_parsing.ParsedMail, *, sender: User | None) -> Match | None:
    """The ticket a message answers, and as whom, or None (a new ticket).

    A valid signed reply address among the recipients names the ticket and the user
    (the sender, if they are another user who may see it). Otherwise a thread root in
    In-Reply-To/References, then ``[#id]`` in the subject, counts only when the From
    address is a user who may see that ticket.
    """
    for address in parsed.recipients:
        target = mail_threading.parse_reply_address(address)
        if target is None:
            continue
        author = User.objects.filter(pk=target.user_id, is_active=True).first()
        if author is None:
            continue
        if (
            sender is not None
            and sender.pk != author.pk
            and selectors.tickets_visible_to(sender).filter(pk=target.ticket_id).exists()
        ):
            author = sender  # a colleague answering a forwarded notification
        ticket = selectors.tickets_visible_to(author).filter(pk=target.ticket_id).first()
        if ticket is not None:
            return Match(ticket=ticket, author=author, how=_("its signed reply address"))
    if sender is None:
        return None
    visible = selectors.tickets_visible_to(sender)
    for ticket_id in mail_threading.tickets_referenced(parsed.in_reply_to, parsed.references):
        ticket = visible.filter(pk=ticket_id).first()
        if ticket is not None:
            return Match(ticket=ticket, author=sender, how=_("its In-Reply-To/References"))
    subject_ticket_id = mail_threading.subject_reference(parsed.subject)
    if subject_ticket_id is not None:
        ticket = visible.filter(pk=subject_ticket_id).first()
        if ticket is not None:
            return Match(ticket=ticket, author=sender, how=_("the reference in its subject"))
    return None


def classification(text: str) -> tuple[str, str, str]:
    """Impact and urgency from the message's first lines (``Impact: High``, ``Urgency:
    low``, in English or Portuguese), Medium/Medium otherwise; and the text without
    those lines."""
    values = {"impact": Level.MEDIUM.value, "urgency": Level.MEDIUM.value}
    lines = text.strip().split("\n")
    while lines:
        found = _CLASSIFICATION_LINE.match(lines[0])
        if found is None:
            break
        word = found["value"].lower()
        level = next((lvl for lvl, words in _LEVEL_WORDS.items() if word in words), None)
        if level is None:
            break
        field = "impact" if found["field"].lower().startswith("impact") else "urgency"
        values[field] = level.value
        lines.pop(0)
    return values["impact"], values["urgency"], "\n".join(lines).strip()


def _cut(text: str) -> str:
    limit = settings.INBOUND_MAX_BODY_CHARS
    if len(text) <= limit:
        return text
    return text[:limit] + "\n\n" + _("[The rest of this long message was cut.]")


def _with_notes(body: str, notes: list[str]) -> str:
    if not notes:
        return body
    return body + "\n\n---\n\n" + "\n".join(f"- {note}" for note in notes)


def _uploads(
    parsed: mail_parsing.ParsedMail, *, raw: bytes
) -> tuple[list[UploadedFile], list[str]]:
    """The message's files that the web's limits accept (and the full original), with
    a note for each file that was left out and why."""
    uploads: list[UploadedFile] = []
    notes: list[str] = []
    candidates = [(item.name, item.data, item.content_type) for item in parsed.attachments]
    candidates.append((ORIGINAL_NAME, raw, "message/rfc822"))
    for name, data, content_type in candidates:
        upload = SimpleUploadedFile(safe_file_name(name), data, content_type=content_type)
        try:
            validate_upload(upload)
        except ValidationError as error:
            if name == ORIGINAL_NAME:
                notes.append(
                    _("The original message is too large to attach; the helpdesk keeps it.")
                )
            else:
                notes.append(_("Not attached: %(reason)s") % {"reason": " ".join(error.messages)})
            continue
        uploads.append(upload)
    return uploads, notes


def _unknown_sender(inbound: InboundMessage, parsed: mail_parsing.ParsedMail) -> User | None:
    """A Community account for the sender (policy "signup"), else a polite refusal
    (recorded on the row; None)."""
    if parsed.bulk:
        raise InboundRefused(
            _("List or bulk mail (%(why)s) from an unknown sender: not filed, not answered.")
            % {"why": parsed.bulk},
            outcome=InboundOutcome.AUTOMATIC,
        )
    if settings.INBOUND_UNKNOWN_SENDER == "signup":
        first, _space, last = parsed.sender_name.partition(" ")
        return user_signup(
            email=parsed.sender, password=None, first_name=first[:150], last_name=last[:150]
        )
    _send_refusal(inbound, parsed)
    inbound.state = InboundState.IGNORED
    inbound.outcome = InboundOutcome.REFUSED
    inbound.reason = _("%(sender)s has no account; a polite refusal was sent.") % {
        "sender": parsed.sender
    }
    return None


def _send_refusal(inbound: InboundMessage, parsed: mail_parsing.ParsedMail) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "subject": parsed.subject,
            "signup_url": settings.SITE_URL.rstrip("/") + reverse("signup"),
        }
        subject = render_to_string("tickets/inbound/refusal_subject.txt", context)
        body = render_to_string("tickets/inbound/refusal.txt", context)
    outbox_enqueue(
        key=f"inbound:{inbound.pk}:refusal",
        payload={
            "to": [parsed.sender],
            "subject": " ".join(subject.split()),
            "body": body,
            "headers": {
                "In-Reply-To": inbound.message_id,
                "References": inbound.message_id,
                # RFC 3834: an automatic answer, which well-behaved robots never answer.
                "Auto-Submitted": "auto-replied",
            },
        },
    )
