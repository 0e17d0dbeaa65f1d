"""The shared form wiring."""

import re

import pytest
from django import forms

from helpdesk.forms import LongSelect

CHOICES = [("", "All"), (1, "Acme & Sons <Ltd>"), (2, "Globex")]


def normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, 1, "2", "missing"])
def test_long_select_renders_what_djangos_select_renders(value):
    attrs = {"id": "id_organization", "required": True}
    expected = forms.Select(choices=CHOICES, attrs=attrs).render("organization", value)
    rendered = LongSelect(choices=CHOICES, attrs=attrs).render("organization", value)
    assert normalized(rendered) == normalized(expected)
    assert "Acme &amp; Sons &lt;Ltd&gt;" in rendered


def test_long_select_marks_the_chosen_option_only():
    html = LongSelect(choices=CHOICES).render("organization", 2)
    assert html.count(" selected") == 1
    assert '<option value="2" selected>Globex</option>' in html
