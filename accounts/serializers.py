"""Explicit output serializers for the accounts API."""

from __future__ import annotations

from rest_framework import serializers


class PlanOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AccountManagerOutput(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


class OrganizationPlanOutput(serializers.Serializer):
    """The caller's organization and the plan in force for it today."""

    name = serializers.CharField()
    tier = serializers.CharField()
    time_zone = serializers.CharField()
    country = serializers.CharField()
    plan = PlanOutput()
    support_label = serializers.CharField(
        help_text="The support shown, e.g. Community after a trial."
    )
    in_trial = serializers.BooleanField()
    trial_ends_on = serializers.DateField(allow_null=True)
    trial_lapsed = serializers.BooleanField()
    phone_offered = serializers.BooleanField()
    account_manager = AccountManagerOutput(allow_null=True)
