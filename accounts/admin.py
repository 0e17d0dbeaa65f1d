from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = [
        "name",
        "tier",
        "time_zone",
        "country",
        "subdivision",
        "trial_ends_on",
        "account_manager",
    ]
    list_filter = ["tier", "country", "subdivision", "time_zone"]
    search_fields = ["name", "account_manager__email"]
    autocomplete_fields = ["account_manager"]
    date_hierarchy = "created_at"


class UserAddForm(AdminUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "organization")


class UserEditForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, Any] = {}


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    add_form = UserAddForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organization", "is_active", "is_staff"]
    list_filter = ["groups", "organization__tier", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "first_name", "last_name", "organization__name"]
    autocomplete_fields = ["organization"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "organization", "language", "time_zone")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "organization", "groups", "password1", "password2"),
            },
        ),
    )
