"""Form wiring shared by every app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form

from helpdesk.exceptions import DomainError


def apply_errors(form: Form, error: ValidationError | DomainError) -> None:
    """Show a service's refusal on the form: field errors on fields, the rest on top."""
    if isinstance(error, DomainError):
        form.add_error(None, error.message)
    elif hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
