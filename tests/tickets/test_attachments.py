import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.attachments import safe_file_name, validate_upload


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("/absolute/path/report.pdf", "report.pdf"),
        (".htaccess", "htaccess"),
        ("my report (final).pdf", "my_report_final.pdf"),
        ("", "attachment"),
        ("..", "attachment"),
        ("a" * 400 + ".log", "a" * 150 + ".log"),
    ],
)
def test_file_names_are_sanitized(given, expected):
    assert safe_file_name(given) == expected


def test_upload_over_the_size_limit_is_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="at most"):
        validate_upload(SimpleUploadedFile("big.log", b"x" * 11))
    validate_upload(SimpleUploadedFile("ok.log", b"x" * 10))


def test_refused_types_are_refused_even_behind_a_path(settings):
    settings.ATTACHMENT_REFUSED_EXTENSIONS = frozenset({"exe"})
    with pytest.raises(ValidationError, match=r"\.exe"):
        validate_upload(SimpleUploadedFile("../../tool.EXE", b"MZ"))
    validate_upload(SimpleUploadedFile("notes.txt", b"hello"))
