"""REST API for the caller's organization: what it gets today, from the plan in force."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import OrganizationPlanOutput
from helpdesk.http import AuthenticatedRequest
from sla import services as sla_services


class MyOrganization(APIView):
    """The caller's organization and its plan in force today (404: the caller has none)."""

    request: AuthenticatedRequest

    @extend_schema(responses=OrganizationPlanOutput)
    def get(self, request: AuthenticatedRequest) -> Response:
        organization = request.user.organization
        if organization is None or request.user.is_engineer:
            raise Http404
        in_force = sla_services.plan_in_force(organization=organization, at=timezone.now())
        manager = organization.account_manager
        return Response(
            OrganizationPlanOutput(
                {
                    "name": organization.name,
                    "tier": organization.tier,
                    "time_zone": organization.time_zone,
                    "country": organization.country,
                    "plan": {"code": in_force.plan.code, "name": in_force.plan.name},
                    "support_label": in_force.label,
                    "in_trial": in_force.in_trial,
                    "trial_ends_on": in_force.trial_ends_on,
                    "trial_lapsed": in_force.trial_lapsed,
                    "phone_offered": in_force.phone_offered,
                    "account_manager": (
                        {"name": str(manager), "email": manager.email} if manager else None
                    ),
                }
            ).data
        )
