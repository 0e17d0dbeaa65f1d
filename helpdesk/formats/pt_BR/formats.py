# "ter 1 dez 2026, 13:14": the same shape as English, in Portuguese names, which are
# written in lower case (weekdays come lower case from our catalogue; "b" is the month's
# lower-case abbreviation, where "M" would capitalise it).
DATE_FORMAT = "D j b Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "D j b Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
# "2 mar": a day of the month in little room (a chart's week labels); months in lower case.
MONTH_DAY_FORMAT = "j b"
