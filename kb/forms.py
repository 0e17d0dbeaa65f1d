"""Forms of the knowledge base: writing an article and voting on one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from kb.models import ArticleStatus, Language, Section, Visibility
from tickets.forms import MultipleFileField


class ArticleForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    section = forms.ChoiceField(label=_("Section"), choices=Section.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_("One sentence shown in lists and search results."),
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Markdown. A video: a paragraph with only a YouTube or Vimeo link. An image: "
            "attach it, then write ![description](its address)."
        ),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ArticleStatus.choices)
    visibility = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)
    tiers = forms.MultipleChoiceField(
        label=_("Tiers"),
        choices=Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When visible to customers of chosen tiers."),
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)
    attachments = MultipleFileField(label=_("Files and images"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PreviewForm(forms.Form):
    body = forms.CharField(required=False)


class VoteForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("Was this helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("Anything we should add or fix? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
