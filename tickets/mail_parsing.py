"""Reading a raw RFC 5322 message: what the e-mail channel needs from it, whatever it is.

Pure Python (the standard library and mail-parser-reply, no Django, no database), so
it is tested on a corpus of real-world-shaped messages alone. It never raises on bad
input: truncated MIME, wrong boundaries, undeclared or wrong charsets, binary garbage
and missing headers give a :class:`ParsedMail` with what could be read (an empty
sender when there is none), for :mod:`tickets.inbound` to decide about.
"""

from __future__ import annotations

import codecs
import email
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

# Labels that mail clients get wrong: WHATWG decodes ISO-8859-1 and ASCII as
# Windows-1252 (Outlook sends curly quotes in "iso-8859-1" bodies), and 8-bit text
# labelled ASCII is almost always UTF-8.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
}
_LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post", "Mailing-List")
_AUTOMATIC_PRECEDENCE = {"auto_reply", "junk"}
_LIST_PRECEDENCE = {"bulk", "list"}
_AUTOMATIC_SENDERS = {"mailer-daemon", "postmaster"}
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
_SIGNATURE_DELIMITER = re.compile(r"^-- ?$", re.MULTILINE)
# Reply headers mail-parser-reply does not know (Portuguese: Gmail, Apple Mail, Outlook).
_PORTUGUESE_QUOTE_HEADERS = re.compile(
    r"^(?:> ?)*(?:Em .{0,300}?escreveu:[ \t]*$"
    r"|-{2,} ?Mensagem original ?-{2,}[ \t]*$"
    r"|De: .*\n(?:> ?)*(?:Enviad[ao]|Data|Para): )",
    re.MULTILINE | re.DOTALL | re.IGNORECASE,
)
_HEADER_BLOCK = re.compile(r"(?:[\w-]+:[^\n]*(?:\n[ \t][^\n]*)*\n?)+")
_QUOTED_TAIL = re.compile(r"(?:\n(?:>[^\n]*)?)*\Z")


@dataclass(frozen=True)
class MailAttachment:
    name: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class ParsedMail:
    message_id: str
    sender: str  # the From address, lower-cased; empty if there is none
    sender_name: str
    subject: str
    recipients: list[str]  # To, Cc, Delivered-To, X-Original-To, Envelope-To
    in_reply_to: str
    references: str
    text: str  # the body as plain text (HTML-only mail converted)
    attachments: list[MailAttachment] = field(default_factory=list)
    automatic: str = ""  # why it is a bounce or an auto-reply (never answered, not filed)
    bulk: str = ""  # why it is list or bulk mail (never answered automatically)
    defects: list[str] = field(default_factory=list)


def message_id_of(raw: bytes) -> str:
    """The message's own Message-ID, else one derived from its bytes (so the same
    message without one is still recognised when it arrives twice)."""
    try:
        headers = email.message_from_bytes(raw, policy=policy.compat32)
        found = _MESSAGE_ID.search(str(headers.get("Message-ID", "") or ""))
    except Exception:  # a header section nothing can read: the bytes decide
        found = None
    if found:
        return found.group(0)
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound.invalid>"


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in their declared charset, read as mail clients really mean it;
    never fails (unknown charsets fall back to UTF-8, then Windows-1252)."""
    name = (charset or "utf-8").strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        codecs.lookup(name)
    except LookupError:
        name = "utf-8"
    for candidate in (name, "utf-8"):
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace")


def _header(message: Message, name: str) -> str:
    """A header's decoded value (RFC 2047 encoded words included), never raising."""
    try:
        values = message.get_all(name) or []
        return " ".join(" ".join(str(value).split()) for value in values)
    except Exception:  # a header the parser cannot read: its raw bytes, decoded
        raw_values = message.get_all(name, failobj=[]) if hasattr(message, "get_all") else []
        return " ".join(
            str(value.encode() if hasattr(value, "encode") else value) for value in raw_values
        )


def _addresses(message: Message, *names: str) -> list[str]:
    found: list[str] = []
    for name in names:
        for _display, address in getaddresses([_header(message, name)]):
            if "@" in address:
                found.append(address.strip().lower())
    return list(dict.fromkeys(found))


def _sender(message: Message) -> tuple[str, str]:
    value = _header(message, "From")
    display, address = parseaddr(value)
    address = address.strip().lower()
    if "@" not in address or " " in address or len(address) > 254:
        return "", ""
    return address, display.strip()


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a transfer encoding that cannot be undone: the raw text
        payload = None
    if isinstance(payload, bytes):
        return decode_bytes(payload, part.get_content_charset())
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


class _TextFromHTML(HTMLParser):
    """HTML to plain text: block elements break lines, quotes become `>` lines (so the
    reply parser can trim them), scripts, styles and the head vanish."""

    _BLOCKS = {
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
        "ul", "ol", "pre", "hr", "section", "article", "header", "footer",
    }  # fmt: skip
    _HIDDEN = {"script", "style", "head", "title", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote_depth = 0
        self.hidden = 0

    def _newline(self) -> None:
        if self.lines[-1].strip() or len(self.lines) == 1 or self.lines[-2].strip():
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag == "blockquote":
            self._newline()
            self.quote_depth += 1
        elif tag in self._BLOCKS:
            self._newline()
            if tag == "li":
                self.lines[-1] += "- "

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "blockquote":
            self._newline()
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag in self._BLOCKS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        text = re.sub(r"\s+", " ", data)
        if not self.lines[-1].strip(" >-"):
            text = text.lstrip()
        if not text:
            return
        if not self.lines[-1] and self.quote_depth:
            self.lines[-1] = "> " * self.quote_depth
        self.lines[-1] += text


def html_to_text(html: str) -> str:
    """Plain text from an HTML body (the result is sanitized on rendering, as every body)."""
    parser = _TextFromHTML()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; this is a last resort
        return re.sub(r"<[^>]*>", " ", html)
    text = "\n".join(line.strip() for line in parser.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:  # an undecodable RFC 2231 name
        name = None
    if name:
        return str(name)
    content_type = part.get_content_type()
    if content_type == "text/calendar":
        return "invite.ics"
    if content_type == "message/rfc822":
        return f"message-{index}.eml"
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"part-{index}{extension}"


def _attachment_data(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            try:
                return inner[0].as_bytes(policy=policy.compat32)
            except Exception:  # an attached message that cannot be re-serialized
                return b""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: the encoded text as it came
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "replace") if isinstance(raw, str) else b""


def _walk(part: Message) -> list[Message]:
    """Leaf parts in order; an attached message is one leaf (its own parts stay in it)."""
    if part.get_content_type() == "message/rfc822":
        return [part]
    if part.is_multipart():
        children = part.get_payload()
        if isinstance(children, list) and children:
            leaves: list[Message] = []
            for child in children:
                if isinstance(child, Message):
                    leaves.extend(_walk(child))
            return leaves
        return [part]  # a multipart whose boundary never came: its text is all there is
    return [part]


def _salvage(text: str) -> str:
    """The text of a multipart whose boundary does not match its parts: the parts'
    headers and boundary lines dropped, their text kept (non-text parts skipped)."""
    kept = []
    for chunk in re.split(r"^--[^\s]+[ \t]*$", text.replace("\r\n", "\n"), flags=re.MULTILINE):
        head, separator, body = chunk.strip("\n").partition("\n\n")
        if separator and _HEADER_BLOCK.fullmatch(head):
            if "content-type:" in head.lower() and "text/" not in head.lower():
                continue
            chunk = body
        if chunk.strip():
            kept.append(chunk.strip())
    return "\n\n".join(kept)


def _body_and_attachments(message: Message) -> tuple[str, list[MailAttachment]]:
    leaves = _walk(message)
    plain: list[str] = []
    html: list[str] = []
    attachments: list[MailAttachment] = []
    for index, part in enumerate(leaves, start=1):
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        try:
            named = bool(part.get_filename())
        except Exception:  # an unreadable name still makes it a file
            named = True
        if part.get_content_maintype() == "multipart":
            raw = part.get_payload()
            plain.append(_salvage(raw) if isinstance(raw, str) else "")
            continue
        is_text = content_type in ("text/plain", "text/html")
        if is_text and disposition != "attachment" and not named:
            (plain if content_type == "text/plain" else html).append(_part_text(part))
            continue
        attachments.append(
            MailAttachment(
                name=_filename(part, index),
                content_type=content_type,
                data=_attachment_data(part),
                inline=disposition == "inline" or bool(part.get("Content-ID")),
            )
        )
    text = "\n\n".join(chunk.strip() for chunk in plain if chunk.strip())
    if not text and html:
        text = "\n\n".join(html_to_text(chunk) for chunk in html)
    return text.replace("\r\n", "\n").replace("\r", "\n"), attachments


def _automatic(message: Message, sender: str) -> str:
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    return_path = _header(message, "Return-Path").strip()
    if message.get("Return-Path") is not None and return_path.strip("<> ") == "":
        return "empty Return-Path (a bounce)"
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report (multipart/report)"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in _AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if message.get(name) is not None:
            return f"{name} header"
    if sender.partition("@")[0] in _AUTOMATIC_SENDERS:
        return f"sent by {sender}"
    return ""


def _bulk(message: Message) -> str:
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in _LIST_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in _LIST_HEADERS:
        if message.get(name) is not None:
            return f"{name} header"
    return ""


def parse_message(raw: bytes) -> ParsedMail:
    """Everything the e-mail channel reads from a raw message (never raises)."""
    message: Message
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
    except Exception:  # the modern parser gave up: the lenient one reads headers and text
        message = email.message_from_bytes(raw, policy=policy.compat32)
    sender, sender_name = _sender(message)
    defects = [type(defect).__name__ for defect in getattr(message, "defects", [])]
    try:
        text, attachments = _body_and_attachments(message)
    except Exception as error:  # the structure is beyond repair: the bytes as text
        text, attachments = decode_bytes(raw, "utf-8"), []
        defects.append(f"{type(error).__name__}: {error}")
    return ParsedMail(
        message_id=message_id_of(raw),
        sender=sender,
        sender_name=sender_name,
        subject=_header(message, "Subject")[:998],
        recipients=_addresses(message, "To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"),
        in_reply_to=_header(message, "In-Reply-To"),
        references=_header(message, "References"),
        text=text,
        attachments=attachments,
        automatic=_automatic(message, sender),
        bulk=_bulk(message),
        defects=defects,
    )


def without_signature(text: str) -> str:
    """The text above a standard signature delimiter (a line ``-- ``)."""
    found = _SIGNATURE_DELIMITER.search(text)
    return (text[: found.start()] if found else text).strip()


def reply_text(text: str) -> str:
    """The new part of a reply: quoted text, reply headers and signatures trimmed
    (mail-parser-reply, plus the Portuguese headers it does not know). A reply that
    would be left empty keeps its text, so nothing the customer wrote is dropped."""
    text = text.replace("\r\n", "\n")
    found = _PORTUGUESE_QUOTE_HEADERS.search(text)
    head = text[: found.start()] if found else text
    try:
        parsed = EmailReplyParser(languages=["en"]).read(head)
        body = parsed.replies[0].body if parsed.replies else head
    except Exception:  # the parser's regular expressions on unusual text: keep it whole
        body = head
    body = _QUOTED_TAIL.sub("", without_signature(body)).strip()
    return body or without_signature(text) or text.strip()


def display_address(address: str, name: str = "") -> str:
    """``Name <address>`` for a header, safely quoted."""
    try:
        return str(Address(display_name=name, addr_spec=address))
    except Exception:  # an address the header registry refuses: the bare address
        return address
