"""`python manage.py ingest_email < message.eml`: one raw message from an MTA pipe.

Postfix, for example: ``support: "|/srv/helpdesk/.venv/bin/python /srv/helpdesk/manage.py
ingest_email"`` in the aliases file. The exit status follows sysexits.h as MTAs read it:
0 once the message is kept (filed, or kept with the reason it was not), 75 (EX_TEMPFAIL)
when it could not be kept (the database is down), so the MTA queues it and tries again.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tickets.inbound import inbound_receive
from tickets.models import InboundOutcome, InboundState

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one raw e-mail (RFC 5322) on standard input and file it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", default="pipe", help="What delivered it (kept with the message)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read()
        try:
            inbound = inbound_receive(raw=raw, source=options["source"])
        except Exception as error:  # not kept: the MTA must keep it and retry
            self.stderr.write(_("The message could not be kept: %(error)s") % {"error": error})
            sys.exit(EX_TEMPFAIL)
        line = _("Incoming message %(id)d: %(state)s, %(outcome)s. %(reason)s") % {
            "id": inbound.pk,
            "state": InboundState(inbound.state).label,
            "outcome": InboundOutcome(inbound.outcome).label,
            "reason": inbound.reason,
        }
        self.stdout.write(line.strip())
