"""The threading scheme shared by outgoing and incoming mail."""

from __future__ import annotations

from tickets import mail_threading as threading


def test_a_reply_address_names_its_ticket_and_user_and_is_signed(settings):
    settings.INBOUND_EMAIL_ADDRESS = "support@helpdesk.example"
    address = threading.reply_address(ticket_id=1042, user_id=7)
    assert address.startswith("support+t1042u7x") and address.endswith("@helpdesk.example")
    assert threading.parse_reply_address(address) == threading.ReplyTarget(1042, 7)
    assert threading.parse_reply_address(f"Ana <{address.upper()}>".split("<")[1]) is not None


def test_a_forged_or_moved_token_is_refused(settings):
    settings.INBOUND_EMAIL_ADDRESS = "support@helpdesk.example"
    address = threading.reply_address(ticket_id=1042, user_id=7)
    moved = address.replace("t1042u7", "t1043u7")
    assert threading.parse_reply_address(moved) is None
    assert threading.parse_reply_address("support+t1u1x0000@helpdesk.example") is None
    assert threading.parse_reply_address("support@helpdesk.example") is None
    assert threading.parse_reply_address("nonsense") is None
    settings.SECRET_KEY = "another-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    assert threading.parse_reply_address(address) is None


def test_thread_headers_refer_to_the_tickets_root(settings):
    settings.INBOUND_EMAIL_ADDRESS = "support@helpdesk.example"
    headers = threading.thread_headers(ticket_id=5, user_id=9)
    assert headers["In-Reply-To"] == headers["References"] == "<ticket-5@helpdesk.example>"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert threading.parse_reply_address(headers["Reply-To"]) == threading.ReplyTarget(5, 9)


def test_only_our_thread_roots_are_read_back(settings):
    settings.INBOUND_EMAIL_ADDRESS = "support@helpdesk.example"
    references = "<abc@mail.gmail.com> <ticket-5@helpdesk.example> <ticket-6@evil.example>"
    assert threading.tickets_referenced(references, "<ticket-5@HELPDESK.example>") == [5]
    assert threading.subject_reference("Re: [#1042] Backups") == 1042
    assert threading.subject_reference("Re: Backups") is None
