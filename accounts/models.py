"""Organizations, users and roles."""

from __future__ import annotations

import functools
import zoneinfo
from functools import cached_property
from typing import ClassVar

import holidays
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.zones import zone_label as zone_label  # re-exported: the one zone name


def validate_time_zone(value: str) -> None:
    """Accept only IANA time zone names (e.g. `America/Sao_Paulo`)."""
    if value not in available_time_zones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


@functools.cache
def available_time_zones() -> frozenset[str]:
    """IANA zone names, read from the time zone database once, on first use."""
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def country_subdivisions(country: str) -> tuple[str, ...]:
    """The state and province codes the `holidays` package knows for a country (ISO 3166
    code); empty for a country it does not know or that has none."""
    return tuple(holidays.list_supported_countries().get(country.strip().upper(), ()))


def canonical_subdivision(*, country: str, subdivision: str) -> str:
    """The package's spelling of a subdivision code of ``country`` (case-insensitive).

    Raises ValidationError (keyed ``subdivision``) when the country has no such code.
    """
    codes = country_subdivisions(country)
    wanted = subdivision.strip().casefold()
    for code in codes:
        if code.casefold() == wanted:
            return code
    message: str
    if not country.strip():
        message = gettext("Choose a country before its state or province.")
    elif not codes:
        message = gettext("Public holidays of “%(country)s” are not kept by state or province.") % {
            "country": country.upper()
        }
    else:
        message = gettext(
            "“%(value)s” is not a state or province of %(country)s. Known codes: %(codes)s."
        ) % {"value": subdivision, "country": country.upper(), "codes": ", ".join(codes)}
    raise ValidationError({"subdivision": message})


class Tier(models.TextChoices):
    COMMUNITY = "community", _("Community")
    STANDARD = "standard", _("Standard")
    PREMIUM = "premium", _("Premium")
    TRIAL = "trial", _("Trial")


class Role(models.TextChoices):
    """Roles are Django groups of these names, so an administrator can change them."""

    CUSTOMER = "customer", _("Customer")
    ENGINEER = "engineer", _("Engineer")
    MANAGER = "manager", _("Manager")


class NewTicketEmails(models.TextChoices):
    """Which new tickets an engineer is told of by e-mail."""

    ALL = "all", _("Every new ticket")
    MINE = "mine", _("New tickets of the organizations I manage")
    NONE = "none", _("None")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. America/Sao_Paulo. Business hours are kept in this zone."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 two-letter code, used for public holidays."),
    )
    subdivision = models.CharField(
        _("state or province"),
        max_length=32,
        blank=True,
        help_text=_(
            "Code of the country's subdivision whose public holidays also apply, "
            "e.g. NSW in Australia or BE (Berlin) in Germany. Empty: the country's only."
        ),
    )
    trial_ends_on = models.DateField(
        _("trial ends on"),
        null=True,
        blank=True,
        help_text=_("Last day of the evaluation; required for Trial organizations."),
    )
    account_manager = models.ForeignKey(
        "accounts.User",
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_organizations",
        limit_choices_to={"groups__name__in": [Role.ENGINEER, Role.MANAGER]},
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(tier="trial") | models.Q(trial_ends_on__isnull=False),
                name="organization_trial_has_end_date",
                violation_error_message=_("A Trial organization needs a trial end date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.country:
            self.country = self.country.upper()
        errors: dict[str, list[str]] = {}
        if self.subdivision:
            try:
                self.subdivision = canonical_subdivision(
                    country=self.country, subdivision=self.subdivision
                )
            except ValidationError as error:
                errors.update(error.message_dict)
        if self.tier == Tier.TRIAL and not self.trial_ends_on:
            errors["trial_ends_on"] = [gettext("A Trial organization needs a trial end date.")]
        if errors:
            raise ValidationError(errors)


class UserManager(BaseUserManager["User"]):
    """Users sign in with their e-mail address, matched case-insensitively."""

    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=[("en", "English"), ("pt-br", "Português (Brasil)")],
        help_text=_("Empty: follow the browser."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Empty: the organization's time zone."),
    )
    new_ticket_emails = models.CharField(
        _("e-mail me about new tickets"),
        max_length=10,
        choices=NewTicketEmails.choices,
        default=NewTicketEmails.NONE,
        help_text=_("Support staff only: which new tickets you hear of by e-mail."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[assignment,misc]  # the e-mail sign-in manager

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_case_insensitive",
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of the user's role groups (one query, cached on the instance)."""
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def is_customer(self) -> bool:
        """Anyone without a staff role is treated as a customer, never the reverse."""
        return not self.is_engineer

    @property
    def is_engineer(self) -> bool:
        """Engineers and managers work the queue."""
        return bool({Role.ENGINEER, Role.MANAGER} & self.role_names)

    @property
    def is_manager(self) -> bool:
        return Role.MANAGER in self.role_names

    @property
    def role(self) -> str:
        if self.is_manager:
            return Role.MANAGER
        if self.is_engineer:
            return Role.ENGINEER
        return Role.CUSTOMER

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def effective_time_zone(self) -> str:
        """The zone times are shown in: the user's own, else the organization's, else UTC."""
        if self.time_zone:
            return self.time_zone
        if self.organization_id and self.organization:
            return self.organization.time_zone
        return "UTC"
