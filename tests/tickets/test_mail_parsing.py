"""The corpus parsed: senders, subjects, bodies, charsets, attachments, automatic mail
and reply trimming, as each kind of client really sends them (no database)."""

from __future__ import annotations

import pytest

from tests.tickets.mail_corpus import corpus
from tickets.mail_parsing import (
    decode_bytes,
    html_to_text,
    message_id_of,
    parse_message,
    reply_text,
    without_signature,
)


def test_gmail_message_gives_sender_subject_recipients_and_plain_text():
    mail = parse_message(corpus("gmail_new"))
    assert mail.sender == "ana@acme.example"
    assert mail.sender_name == "Ana Souza"
    assert mail.subject == "Nightly backup job fails with error 0x80070005"
    assert mail.message_id == "<CAJx4+Qk3vN8gG1=fXb2YwUeJm0s9Hc_Tq8zLr5uQe9d1aP7hWw@mail.gmail.com>"
    assert "support@helpdesk.localhost" in mail.recipients
    assert mail.text.startswith("Impact: High\nUrgency: Low\n\nHi,")
    assert "<div" not in mail.text  # the plain alternative, not the HTML one
    assert not mail.automatic and not mail.bulk and mail.attachments == []


def test_outlook_windows_1252_body_keeps_dashes_curly_quotes_and_euro():
    mail = parse_message(corpus("outlook_reply"))
    assert "firmware update – it’s running the “weekly full” job" in mail.text
    assert "€50 cheaper" in mail.text


def test_iso_8859_1_body_and_q_encoded_subject_and_sender_name():
    mail = parse_message(corpus("iso_8859_1"))
    assert mail.subject == "Não consigo acessar o relatório"
    assert mail.sender_name == "José Gonçalves"
    assert "Não consigo acessar o relatório de sincronização desde ontem." in mail.text


def test_windows_1252_body_and_base64_utf8_subject():
    mail = parse_message(corpus("windows_1252"))
    assert mail.subject == "Falha na sincronização – urgente"
    assert mail.text == "The “nightly” sync stopped – we’ve lost €50 of work already."


def test_iso_8859_1_label_is_read_as_windows_1252_as_mail_clients_mean_it():
    assert decode_bytes(b"\x93quoted\x94 caf\xe9", "iso-8859-1") == "“quoted” café"
    assert decode_bytes("ação".encode(), "us-ascii") == "ação"  # 8-bit text labelled ASCII
    assert decode_bytes(b"caf\xe9", "no-such-charset") == "café"


def test_apple_mail_inline_image_becomes_an_attachment_and_the_text_stays_plain():
    mail = parse_message(corpus("apple_mail_inline_image"))
    assert mail.text.startswith("The export dialog shows an empty list since the update")
    [image] = mail.attachments
    assert (image.name, image.content_type, image.inline) == ("screenshot.png", "image/png", True)
    assert image.data.startswith(b"\x89PNG")


def test_calendar_invite_keeps_the_invitation_as_ics_files():
    mail = parse_message(corpus("calendar_invite"))
    assert mail.text.startswith("Could we review the backup schedule together on Thursday?")
    assert [item.name for item in mail.attachments] == ["invite.ics", "invite.ics"]
    assert b"BEGIN:VCALENDAR" in mail.attachments[0].data
    assert mail.attachments[0].content_type == "text/calendar"


def test_html_only_mail_becomes_text_without_head_styles_or_scripts():
    mail = parse_message(corpus("html_only"))
    assert mail.text.startswith("Hello,\n\nThe app crashes when I click Restore.")
    assert "- Version 5.1" in mail.text and "- Windows 11" in mail.text
    assert 'alert("x")' not in mail.text and "color: red" not in mail.text


def test_html_quotes_become_quoted_lines_the_reply_parser_trims():
    text = html_to_text(
        "<div>Fixed, thanks!</div><div class='gmail_quote'>On Mon, Helpdesk wrote:"
        "<blockquote>Please restart it.</blockquote></div>"
    )
    assert text == "Fixed, thanks!\n\nOn Mon, Helpdesk wrote:\n> Please restart it."
    assert reply_text(text) == "Fixed, thanks!"


def test_forwarded_mail_keeps_the_forwarded_message_in_the_text():
    mail = parse_message(corpus("forwarded"))
    assert mail.text.startswith("Can you explain why these failed?")
    assert 'Job "SQL full" failed: VSS writer timed out.' in without_signature(mail.text)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("bounce", "Auto-Submitted: auto-replied"),
        ("out_of_office", "Auto-Submitted: auto-replied"),
    ],
)
def test_bounces_and_out_of_office_replies_are_automatic(name, why):
    assert parse_message(corpus(name)).automatic == why


def test_empty_return_path_and_delivery_reports_are_bounces():
    raw = b"Return-Path: <>\r\nFrom: x@y.example\r\nSubject: s\r\n\r\nbody\r\n"
    assert parse_message(raw).automatic == "empty Return-Path (a bounce)"
    raw = (
        b"From: postmaster@y.example\r\nContent-Type: multipart/report; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n"
    )
    assert parse_message(raw).automatic.startswith("a delivery or read report")


def test_list_and_bulk_mail_is_recognised_as_such():
    mail = parse_message(corpus("mailing_list"))
    assert mail.bulk == "Precedence: bulk" and not mail.automatic


@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("gmail_reply", "Thanks, the new service account fixed it. Last night's backup ran fine."),
        (
            "outlook_reply",
            "Hello,\n\nthe library is back online after the firmware update – it’s running "
            "the “weekly full” job now. The licence renewal was €50 cheaper too.",
        ),
        ("portuguese_reply", "Funcionou, obrigada! Pode fechar o chamado."),
        (
            "apple_mail_inline_image",
            "The export dialog shows an empty list since the update, see the screenshot.",
        ),
    ],
)
def test_reply_text_trims_quotes_reply_headers_and_signatures(name, reply):
    assert reply_text(parse_message(corpus(name, ticket=7)).text) == reply


def test_reply_that_would_be_empty_keeps_its_text():
    assert "Please restart it." in reply_text("On Mon, Helpdesk wrote:\n> Please restart it.")


def test_signature_after_the_standard_delimiter_is_dropped_from_a_new_message():
    text = parse_message(corpus("gmail_new")).text
    assert "IT Operations" in text
    assert "IT Operations" not in without_signature(text)


def test_truncated_mime_keeps_the_text_and_what_arrived_of_the_attachment():
    mail = parse_message(corpus("truncated_mime"))
    assert mail.text == "Here are the logs from last night."
    assert [item.name for item in mail.attachments] == ["logs.zip"]
    assert "CloseBoundaryNotFoundDefect" in mail.defects


def test_wrong_boundary_salvages_the_text():
    mail = parse_message(corpus("wrong_boundary"))
    assert mail.text == "The restore job hangs at 99% and never finishes."
    assert "StartBoundaryNotFoundDefect" in mail.defects


def test_missing_from_gives_an_empty_sender():
    mail = parse_message(corpus("missing_from"))
    assert mail.sender == "" and mail.subject == "No sender here"


def test_binary_garbage_parses_to_an_empty_message_without_raising():
    garbage = bytes(range(256)) * 64 + b"\x00\xff\r\n\r\n\x00"
    mail = parse_message(garbage)
    assert mail.sender == ""
    assert message_id_of(garbage).endswith("@inbound.invalid>")


def test_a_message_without_message_id_is_named_by_its_bytes():
    raw = b"From: a@b.example\r\nSubject: s\r\n\r\nbody\r\n"
    assert message_id_of(raw) == message_id_of(raw)
    assert message_id_of(raw) != message_id_of(raw + b"more")
