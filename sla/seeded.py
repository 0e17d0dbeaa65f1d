"""Names and descriptions the product seeds (migration ``sla 0002``), shown in the
viewer's language.

The seeded rows keep their English text in the database: it is the key of a catalogue
string listed here (``gettext_noop``, so ``make messages`` extracts it), and every page
shows it through :func:`shown`, which translates a seeded text and leaves any other as
it was typed. A manager who saves a seeded text unchanged in another language saves the
key again (:func:`stored`), so the row stays translatable; one who writes a text of their
own stores that text as typed.

The migration copies its values rather than importing them (a migration keeps meaning
what it meant); a test checks that the two lists agree.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

SEEDED_TEXTS: frozenset[str] = frozenset(
    {
        # Calendars.
        gettext_noop("Business hours"),
        gettext_noop("24x7"),
        gettext_noop(
            "Monday to Friday, 08:00 to 17:00 in the customer's time zone, "
            "closed on the public holidays of the customer's country."
        ),
        gettext_noop("24 x 7 x 365."),
        # Support plans (the plan names are the tiers' names).
        gettext_noop("Community"),
        gettext_noop("Standard"),
        gettext_noop("Premium"),
        gettext_noop(
            "Free community edition: e-mail and web support on a best-effort basis, "
            "no response-time target."
        ),
        gettext_noop(
            "Standard targets in business hours: Monday to Friday, 08:00 to 17:00 in the "
            "customer's time zone."
        ),
        gettext_noop("Premium targets, 24x7x365, with an assigned account manager."),
    }
)


def shown(text: str) -> str:
    """A seeded text in the active language; any other text as it is."""
    return gettext(text) if text in SEEDED_TEXTS else text


def stored(text: str, *, previous: str = "") -> str:
    """What to store for ``text`` as typed in the active language: the seeded key when
    ``text`` is a seeded text's translation (``previous``, the value stored so far, is
    preferred when several keys read the same), else ``text`` itself."""
    if text in SEEDED_TEXTS:
        return text
    if previous in SEEDED_TEXTS and gettext(previous) == text:
        return previous
    for key in sorted(SEEDED_TEXTS):
        if gettext(key) == text:
            return key
    return text
