"""Django's own names of weekdays and months, listed so that our catalogue translates them.

Brazilian Portuguese writes weekday and month names in lower case ("segunda-feira",
"dezembro"), also mid-sentence; Django's pt_BR catalogue capitalises them. Our catalogue
(``LOCALE_PATHS``) is read before Django's, so the entries these lines put in it give
every date, weekday list and schedule the lower-case names. Nothing reads this tuple: it
exists for ``make messages``, which drops catalogue entries no source file names.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

DJANGO_CALENDAR_NAMES = (
    # django.utils.dates.WEEKDAYS and WEEKDAYS_ABBR
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
    gettext_noop("Mon"),
    gettext_noop("Tue"),
    gettext_noop("Wed"),
    gettext_noop("Thu"),
    gettext_noop("Fri"),
    gettext_noop("Sat"),
    gettext_noop("Sun"),
    # django.utils.dates.MONTHS and MONTHS_ALT
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
