"""Macros (canned replies): placeholders filled for the ticket, in the customer's language,
and optional actions (status, assignee, tags) applied when the reply is sent.

Engineers keep personal macros; shared ones (no owner) are curated by managers. An
engineer applies a macro in two steps, as in Zendesk: :func:`macro_render` fills the reply
box (the engineer reads and edits it), then :func:`ticket_reply_with_macro` sends the
edited text and applies the macro's actions in one transaction.

Placeholders: ``{{customer.first_name}}``, ``{{ticket.reference}}``, ``{{ticket.due}}``
(the next SLA deadline in the customer's zone, named) and ``{{engineer.name}}``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from helpdesk.exceptions import PolicyViolation
from sla.explain import format_instant_named
from tickets import services, tags
from tickets.models import Channel, Comment, Macro, Status, Ticket

PORTUGUESE = "pt-br"
ENGLISH = "en"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


def _first_name(ticket: Ticket, engineer: User) -> str:
    requester = ticket.requester
    return requester.first_name or requester.email.partition("@")[0]


def _due(ticket: Ticket, engineer: User) -> str:
    if ticket.sla_due_at is None:
        return _("no response deadline is running")
    return format_instant_named(ticket.sla_due_at, zone=ticket.requester.effective_time_zone)


PLACEHOLDERS: dict[str, Callable[[Ticket, User], str]] = {
    "customer.first_name": _first_name,
    "ticket.reference": lambda ticket, engineer: ticket.reference,
    "ticket.due": _due,
    "engineer.name": lambda ticket, engineer: engineer.get_full_name() or str(engineer),
}


def customer_language(ticket: Ticket) -> str:
    """The requester's language: their own choice, else Portuguese for Brazilian
    organizations, else English."""
    language = (ticket.requester.language or "").lower()
    if language in (PORTUGUESE, ENGLISH):
        return language
    return PORTUGUESE if ticket.organization.country == "BR" else ENGLISH


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def macros_visible_to(user: User, *, query: str = "") -> QuerySet[Macro]:
    """The active macros an engineer may apply: the shared ones and their own (none for
    customers), optionally those whose title contains `query`."""
    if not user.is_authenticated or not user.is_engineer:
        return Macro.objects.none()
    macros = Macro.objects.filter(Q(owner__isnull=True) | Q(owner=user), is_active=True)
    if query.strip():
        macros = macros.filter(title__icontains=query.strip())
    return macros.select_related("assignee").order_by("title", "pk")


def macro_for_reply(user: User, value: object) -> Macro | None:
    """The macro a reply form names (its id), if this user may apply it; else None."""
    text = str(value or "")
    if not text.isdigit():
        return None
    return macros_visible_to(user).filter(pk=int(text)).first()


def macros_editable_by(user: User) -> QuerySet[Macro]:
    """What an engineer may edit: their own macros; managers also the shared ones."""
    if not user.is_authenticated or not user.is_engineer:
        return Macro.objects.none()
    mine = Q(owner=user)
    return Macro.objects.filter(mine | Q(owner__isnull=True) if user.is_manager else mine)


@dataclass(frozen=True)
class MacroResult:
    """A macro filled in for one ticket: the reply text and what sending it will do."""

    macro: Macro
    language: str
    body: str
    status: str = ""
    assignee: User | None = None
    add_tags: list[str] = field(default_factory=list)

    def action_texts(self) -> list[str]:
        texts = []
        if self.status:
            texts.append(_("Status: %(status)s") % {"status": Status(self.status).label})
        if self.assignee is not None:
            texts.append(_("Assign to %(name)s") % {"name": self.assignee})
        if self.add_tags:
            texts.append(_("Add tags: %(tags)s") % {"tags": ", ".join(self.add_tags)})
        return texts


def _check_may_apply(macro: Macro, engineer: User) -> None:
    if not engineer.is_engineer:
        raise PolicyViolation(_("Only support staff can use macros."))
    if macro.owner_id is not None and macro.owner_id != engineer.pk or not macro.is_active:
        raise PolicyViolation(_("This macro is not available to you."))


def macro_render(*, macro: Macro, ticket: Ticket, engineer: User) -> MacroResult:
    """Fill the macro for this ticket in the customer's language (falling back to the
    body the macro has); unknown placeholders are left as written."""
    _check_may_apply(macro, engineer)
    language = customer_language(ticket)
    preferred, other = (
        (macro.body_pt_br, macro.body_en)
        if language == PORTUGUESE
        else (macro.body_en, macro.body_pt_br)
    )
    text = preferred or other
    if not preferred:
        language = ENGLISH if language == PORTUGUESE else PORTUGUESE
    with translation.override(language):
        body = _PLACEHOLDER.sub(
            lambda match: (
                PLACEHOLDERS[match.group(1)](ticket, engineer)
                if match.group(1) in PLACEHOLDERS
                else match.group(0)
            ),
            text,
        )
    assignee = engineer if macro.assign_to_me else macro.assignee
    return MacroResult(
        macro=macro,
        language=language,
        body=body,
        status=macro.set_status,
        assignee=assignee,
        add_tags=tags.parse_tags(macro.add_tags),
    )


@transaction.atomic
def ticket_reply_with_macro(
    *,
    ticket: Ticket,
    macro: Macro | None,
    author: User,
    body: str,
    is_public: bool = True,
    attachments: Sequence[UploadedFile] = (),
    channel: str = Channel.WEB,
    at: datetime.datetime | None = None,
) -> Comment:
    """Send the reply (as the engineer edited it) and apply the macro's actions, all in
    one transaction: a refused action (a status the workflow does not allow) sends
    nothing. Each step is the ticket service that owns it, so clocks, timeline, facts and
    e-mail are what they would be done by hand. Without a macro it is a plain reply."""
    if macro is None:
        return services.comment_add(
            ticket=ticket,
            author=author,
            body=body,
            is_public=is_public,
            attachments=attachments,
            channel=channel,
            at=at,
        )
    result = macro_render(macro=macro, ticket=ticket, engineer=author)
    comment = services.comment_add(
        ticket=ticket,
        author=author,
        body=body,
        is_public=is_public,
        attachments=attachments,
        channel=channel,
        at=at,
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    if result.status and result.status != ticket.status:
        ticket = services.ticket_change_status(ticket=ticket, actor=author, status=result.status)
    if result.assignee is not None and ticket.assignee_id != result.assignee.pk:
        ticket = services.ticket_assign(ticket=ticket, actor=author, assignee=result.assignee)
    if result.add_tags:
        tags.ticket_tags_set(
            ticket=ticket, actor=author, names=[*ticket.tag_names, *result.add_tags]
        )
    return comment


# --- keeping macros ----------------------------------------------------------------------------


def _check_may_edit(actor: User, *, shared: bool, macro: Macro | None) -> None:
    if not actor.is_engineer:
        raise PolicyViolation(_("Only support staff can use macros."))
    if (shared or (macro is not None and macro.owner_id is None)) and not actor.is_manager:
        raise PolicyViolation(_("Only managers edit shared macros."))
    if macro is not None and macro.owner_id not in (None, actor.pk):
        raise PolicyViolation(_("This macro is not available to you."))


@transaction.atomic
def macro_save(
    *,
    actor: User,
    title: str,
    body_en: str,
    body_pt_br: str = "",
    shared: bool = False,
    set_status: str = "",
    assign_to_me: bool = False,
    assignee: User | None = None,
    add_tags: str | Sequence[str] = (),
    macro: Macro | None = None,
) -> Macro:
    """Create (or, given `macro`, change) a macro. Engineers keep their own; shared ones
    are managers' to write. Unknown placeholders are refused, naming the known ones."""
    _check_may_edit(actor, shared=shared, macro=macro)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors.setdefault("title", []).append(_("Give the macro a title."))
    if not body_en.strip() and not body_pt_br.strip():
        errors.setdefault("body_en", []).append(_("Write the reply in at least one language."))
    for name, text in (("body_en", body_en), ("body_pt_br", body_pt_br)):
        unknown = unknown_placeholders(text)
        if unknown:
            errors.setdefault(name, []).append(
                _("Unknown placeholder %(unknown)s; use %(known)s.")
                % {
                    "unknown": ", ".join("{{" + item + "}}" for item in unknown),
                    "known": ", ".join("{{" + item + "}}" for item in PLACEHOLDERS),
                }
            )
    if set_status and set_status not in Status.values:
        errors.setdefault("set_status", []).append(_("Unknown status."))
    if assignee is not None and not assignee.is_engineer:
        errors.setdefault("assignee", []).append(_("Tickets are assigned to support engineers."))
    if errors:
        raise ValidationError(errors)
    macro = macro or Macro()
    macro.title = title.strip()[:120]
    macro.body_en = body_en
    macro.body_pt_br = body_pt_br
    macro.owner = None if shared else (macro.owner or actor)
    macro.set_status = set_status
    macro.assign_to_me = assign_to_me
    macro.assignee = None if assign_to_me else assignee
    macro.add_tags = tags.parse_tags(add_tags)
    macro.save()
    return macro


@transaction.atomic
def macro_delete(*, actor: User, macro: Macro) -> None:
    """Remove a macro: one's own, or (managers) a shared one."""
    _check_may_edit(actor, shared=macro.owner_id is None, macro=macro)
    macro.delete()
