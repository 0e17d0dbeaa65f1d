from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helpdesk.forms import LongSelect
from helpdesk.inputs import parse_id
from sla.models import IMPACT_CHOICES, Level, Priority
from tickets.models import Product, Status

if TYPE_CHECKING:
    from accounts.models import Organization, User


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        if not data:
            return []
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


# The new-ticket form's inputs that decide the priority: the panel previews on their change.
PRIORITY_INPUT = {"class": "priority-input"}


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Model choices by id, refusing an id no database column holds (past 64 bits) as
    an invalid choice before it reaches the database."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if parse_id(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]


class TicketCreateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        empty_label=_("— not sure —"),
    )
    component = forms.CharField(label=_("Component or version"), max_length=120, required=False)
    impact = forms.ChoiceField(
        label=_("Impact"), choices=IMPACT_CHOICES, widget=forms.RadioSelect(attrs=PRIORITY_INPUT)
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Level.choices, widget=forms.RadioSelect(attrs=PRIORITY_INPUT)
    )
    override = forms.BooleanField(
        label=_("My business needs a different priority"),
        required=False,
        widget=forms.CheckboxInput(attrs=PRIORITY_INPUT),
    )
    priority_override = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", "—"), *Priority.choices],
        required=False,
        widget=forms.Select(attrs=PRIORITY_INPUT),
    )
    override_reason = forms.CharField(
        label=_("Why?"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what you expected, and any error message. Markdown works."),
    )
    cc: forms.ModelMultipleChoiceField[User] = IdMultipleChoiceField(
        label=_("CC colleagues"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, colleagues: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cc = self.fields["cc"]
        assert isinstance(cc, forms.ModelMultipleChoiceField)
        cc.queryset = colleagues
        # An unbound form drops the field when there is no one to CC. A bound one keeps it
        # without asking (its choices are read only to check the CCs sent, or to render
        # again, where `{% if form.cc %}` hides an empty list), so a filing costs no query.
        if colleagues is None or (not self.is_bound and not colleagues):
            del self.fields["cc"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("override"):
            if not data.get("priority_override"):
                self.add_error("priority_override", _("Choose the priority you need."))
            if not (data.get("override_reason") or "").strip():
                self.add_error("override_reason", _("Say why the priority should be different."))
        else:
            data["priority_override"] = ""
            data["override_reason"] = ""
        return data


class PriorityPreviewForm(forms.Form):
    """The inputs of the new-ticket form that decide its priority, any of them still empty."""

    impact = forms.ChoiceField(choices=IMPACT_CHOICES, required=False)
    urgency = forms.ChoiceField(choices=Level.choices, required=False)
    override = forms.BooleanField(required=False)
    priority_override = forms.ChoiceField(choices=Priority.choices, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("override"):
            data["priority_override"] = ""
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"))


class StaffReplyForm(ReplyForm):
    is_public = forms.TypedChoiceField(
        label=_("Visibility"),
        choices=[("1", _("Public reply")), ("0", _("Internal note"))],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )


PAGE_OUT_OF_DATE = _("This page is out of date: reload the ticket and try again.")


class VersionedForm(forms.Form):
    """A change to a ticket as the page showed it: the version seen goes with it, and a
    post without one is refused rather than written over whatever changed since."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("version") is None:
            self.errors.pop("version", None)
            raise forms.ValidationError(PAGE_OUT_OF_DATE, code="version")
        return cleaned


class StatusChangeForm(VersionedForm):
    """The customer's close / reopen buttons (and any status change from the ticket page)."""

    status = forms.CharField()


class PriorityChangeForm(VersionedForm):
    priority = forms.ChoiceField(label=_("New priority"), choices=Priority.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["priority", "reason", "version"]


class PhoneTicketForm(forms.Form):
    """An engineer logs a ticket a customer reported by phone."""

    organization: forms.ModelChoiceField[Organization] = forms.ModelChoiceField(
        label=_("Organization"), queryset=None, widget=LongSelect
    )
    requester: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Requester"),
        queryset=None,
        help_text=_("A member of the organization who called."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        empty_label=_("— not sure —"),
    )
    impact = forms.ChoiceField(label=_("Impact"), choices=IMPACT_CHOICES, widget=forms.RadioSelect)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Level.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the customer reported. Markdown works."),
    )

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        requesters: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        organization, requester = self.fields["organization"], self.fields["requester"]
        assert isinstance(organization, forms.ModelChoiceField)
        assert isinstance(requester, forms.ModelChoiceField)
        organization.queryset = organizations
        requester.queryset = requesters

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organization, requester = data.get("organization"), data.get("requester")
        if organization and requester and requester.organization_id != organization.pk:
            self.add_error("requester", _("Choose a member of this organization."))
        return data


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("View name"), max_length=80)
    query = forms.CharField(required=False, widget=forms.HiddenInput)


class MacroForm(forms.Form):
    """A macro's fields; `shared` is offered to managers only."""

    title = forms.CharField(label=_("Title"), max_length=120)
    body_en = forms.CharField(
        label=_("Reply in English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Placeholders: {{customer.first_name}}, {{ticket.reference}}, {{ticket.due}}, "
            "{{engineer.name}}."
        ),
    )
    body_pt_br = forms.CharField(
        label=_("Reply in Portuguese"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    shared = forms.BooleanField(label=_("Shared with every engineer"), required=False)
    set_status = forms.ChoiceField(
        label=_("Set status to"), required=False, choices=[("", "—"), *Status.choices]
    )
    assign_to_me = forms.BooleanField(
        label=_("Assign to the engineer who applies it"), required=False
    )
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Or assign to"), required=False, queryset=None
    )
    add_tags = forms.CharField(label=_("Add tags"), required=False, help_text=_("Comma separated."))

    def __init__(self, *args: Any, engineers: Any, can_share: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = engineers  # type: ignore[attr-defined]
        if not can_share:
            del self.fields["shared"]
