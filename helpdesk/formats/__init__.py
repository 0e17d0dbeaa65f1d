"""One date-and-time style for every page and e-mail, per language (FORMAT_MODULE_PATH):
24-hour times, abbreviated weekday and month, no full stops that end a sentence twice."""
