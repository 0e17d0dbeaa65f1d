"""The IMAP poll: messages waiting in a mailbox go through the one inbound entry point.

Each message is read without marking it seen, kept by :func:`tickets.inbound.inbound_receive`
(one row per Message-ID, so a message read twice, by a retried or doubled poll, files
nothing twice) and only then moved to ``IMAP_PROCESSED_FOLDER`` (or flagged \\Seen when
that setting is empty). A message that could not be kept stays where it was for the next
poll.
"""

from __future__ import annotations

import logging

from django.conf import settings
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.consts import MailMessageFlags
from imap_tools.message import MailMessage

from tickets.inbound import inbound_receive

logger = logging.getLogger(__name__)


class RawMailMessage(MailMessage):
    """imap-tools' message, keeping the bytes the server sent (ours to keep whole)."""

    def __init__(self, fetch_data: list) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0]


def _mailbox() -> BaseMailBox:
    host, port, timeout = settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_TIMEOUT
    security = settings.IMAP_SECURITY.lower()
    box: BaseMailBox
    if security == "none":
        box = MailBoxUnencrypted(host, port, timeout=timeout)
    elif security == "starttls":
        box = MailBoxStartTls(host, port, timeout=timeout)
    else:
        box = MailBox(host, port, timeout=timeout)
    box.email_message_class = RawMailMessage
    return box


def imap_poll() -> int:
    """Read up to ``IMAP_BATCH`` waiting messages; returns how many were kept."""
    if not settings.IMAP_HOST:
        return 0
    processed_folder = settings.IMAP_PROCESSED_FOLDER
    kept = 0
    with _mailbox().login(
        settings.IMAP_USER, settings.IMAP_PASSWORD, initial_folder=settings.IMAP_FOLDER
    ) as mailbox:
        if processed_folder and not mailbox.folder.exists(processed_folder):
            mailbox.folder.create(processed_folder)
        criteria = AND(all=True) if processed_folder else AND(seen=False)
        for message in mailbox.fetch(
            criteria, mark_seen=False, limit=settings.IMAP_BATCH, bulk=False
        ):
            assert isinstance(message, RawMailMessage)
            try:
                inbound_receive(raw=message.raw, source="imap")
            except Exception:  # not kept (database down): left in the mailbox for next time
                logger.exception("IMAP: message uid %s could not be kept", message.uid)
                break
            kept += 1
            if not message.uid:
                continue
            if processed_folder:
                mailbox.move(message.uid, processed_folder)
            else:
                mailbox.flag(message.uid, MailMessageFlags.SEEN, True)
    return kept
