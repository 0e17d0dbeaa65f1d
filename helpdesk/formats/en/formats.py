# "Tue 1 Dec 2026, 13:14": the weekday says which day a deadline falls on.
DATE_FORMAT = "D j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "D j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
# "2 Mar": a day of the month in little room (a chart's week labels).
MONTH_DAY_FORMAT = "j M"
