from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.zones import time_zone_choices
from helpdesk.email import AUTOMATIC, render_html, site_url
from helpdesk.outbox import outbox_enqueue


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("That e-mail address and password do not match an account."),
        "inactive": _("This account is inactive."),
    }


class SignupForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices, initial="UTC")
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        # Whether the address has an account is told to its owner by e-mail, never here.
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            candidate = User(email=data.get("email", ""), first_name=data.get("first_name", ""))
            try:
                password_validation.validate_password(one, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ProfileForm(forms.ModelForm[User]):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=lambda: [("", _("My organization's time zone")), *time_zone_choices()],
        required=False,
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "time_zone", "new_ticket_emails"]
        # The sign-up form's words, not the auth model's ("Primeiro nome" in pt-BR).
        labels = {"first_name": _("First name"), "last_name": _("Last name")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        # A zone saved before (an alias such as US/Pacific) stays a valid choice.
        zone.choices = [
            ("", _("My organization's time zone")),
            *time_zone_choices(keep=self.instance.time_zone),
        ]
        if not self.instance.is_engineer:  # customers are never told of others' tickets
            del self.fields["new_ticket_emails"]


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset, its e-mail written to the outbox like every other one
    (so a mail server or broker outage delays it and never loses it), its link built from
    ``SITE_URL`` (not from whichever host name the request came in on), with an HTML part
    and marked as sent automatically."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        site = urlsplit(site_url())
        context = {
            **context,
            "protocol": site.scheme,
            "domain": site.netloc + site.path.rstrip("/"),
        }
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        link = site_url(
            reverse(
                "password_reset_confirm",
                kwargs={"uidb64": context["uid"], "token": context["token"]},
            )
        )
        html = render_html(
            html_email_template_name or "registration/password_reset_email_body.html",
            {**context, "subject": subject, "url": link, "site_url": site_url()},
        )
        outbox_enqueue(
            key=f"password-reset:{context['uid']}:{context['token']}",
            payload={
                "to": [to_email],
                "subject": subject,
                "body": body,
                "html": html,
                "headers": dict(AUTOMATIC),
            },
        )
