"""Reads for organizations and users."""

from django.db.models import Count, QuerySet

from accounts.models import Organization, Role, User


def organization_list() -> QuerySet[Organization]:
    """Organizations for the staff list, by name, with their account manager and member
    count."""
    return (
        Organization.objects.select_related("account_manager")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name", "pk")
    )


def staff_users() -> QuerySet[User]:
    """Active engineers and managers."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.ENGINEER, Role.MANAGER])
        .distinct()
        .order_by("first_name", "email")
    )


def managers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=Role.MANAGER).distinct()
