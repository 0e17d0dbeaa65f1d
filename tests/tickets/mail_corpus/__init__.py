"""Real-world-shaped raw messages (hand-written: Gmail, Outlook, Apple Mail, a bounce,
an out-of-office, a forward, legacy charsets, encoded subjects, an inline image, a
calendar invite, malformed MIME). ``%%TICKET%%`` and ``%%REPLY_ADDRESS%%`` are filled
in by :func:`corpus`."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent


def corpus(name: str, *, ticket: int | str = 1042, reply_address: str = "") -> bytes:
    raw = (FOLDER / f"{name}.eml").read_bytes()
    raw = raw.replace(b"%%TICKET%%", str(ticket).encode())
    raw = raw.replace(
        b"%%REPLY_ADDRESS%%", (reply_address or "support@helpdesk.localhost").encode()
    )
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
