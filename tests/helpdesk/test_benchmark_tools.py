"""The benchmark tools' own logic (the figures they print are not tested: they are read)."""

import datetime

from benchmarks.http_pages import next_link
from benchmarks.load_million import copy_value
from sla.models import SLAClock
from tickets.models import Ticket


def test_copy_value_escapes_text_and_encodes_types_for_postgresql_copy():
    subject = Ticket._meta.get_field("subject")
    terms = Ticket._meta.get_field("sla_terms")
    target = SLAClock._meta.get_field("target")
    created = Ticket._meta.get_field("created_at")
    assert copy_value(subject, None) == "\\N"
    assert copy_value(subject, "a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert copy_value(terms, {"zone": "América/São_Paulo", "n": 1}) == (
        '{"zone": "Am\\\\u00e9rica/S\\\\u00e3o_Paulo", "n": 1}'
    )
    assert copy_value(target, datetime.timedelta(days=1, seconds=5, microseconds=7)) == (
        "1 days 5.000007 seconds"
    )
    instant = datetime.datetime(2026, 12, 1, 13, 14, tzinfo=datetime.UTC)
    assert copy_value(created, instant) == "2026-12-01T13:14:00+00:00"
    assert copy_value(Ticket._meta.get_field("version"), True) == "t"


def test_next_link_follows_the_pages_own_link_relative_or_absolute():
    page = b'<nav><a href="?view=mine&amp;after=abc" rel="next">Next</a></nav>'
    assert next_link("html", page, "/tickets/queue/?view=mine") == (
        "/tickets/queue/?view=mine&after=abc"
    )
    assert next_link("html", b"<p>no more</p>", "/tickets/queue/") is None
    api = b'{"next": "http://127.0.0.1:8000/api/v1/tickets/?cursor=cD0x", "results": []}'
    assert next_link("json", api, "/api/v1/tickets/") == "/api/v1/tickets/?cursor=cD0x"
    assert next_link("json", b'{"next": null}', "/api/v1/tickets/") is None
