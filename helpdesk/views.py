from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from helpdesk.http import AuthenticatedHttpRequest
from sla import services as sla_services


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in landing page; what it offers depends on the role.

    A customer sees the support their organization gets today: a trial's end date (or
    that it ended and what that means), a Premium organization's account manager.
    """
    organization = request.user.organization
    plan = None
    if organization is not None and not request.user.is_engineer:
        try:
            plan = sla_services.plan_in_force(organization=organization, at=timezone.now())
        except sla_services.NoPlanForTier:
            plan = None
    return render(request, "home.html", {"organization": organization, "plan": plan})
