from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import get_language

from helpdesk.http import AuthenticatedHttpRequest
from kb import selectors as kb_selectors
from sla import explain as sla_explain
from sla import services as sla_services


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in landing page; what it offers depends on the role.

    A customer sees the support their organization gets today: a trial's end date (or
    that it ended and what that means), a Premium organization's account manager; and
    self-service first: search, guides, documentation, their open tickets, the plan's
    first-response promise per priority.
    """
    organization = request.user.organization
    plan = None
    if organization is not None and not request.user.is_engineer:
        try:
            plan = sla_services.plan_in_force(organization=organization, at=timezone.now())
        except sla_services.NoPlanForTier:
            plan = None
    self_service = None
    if not request.user.is_engineer:
        self_service = kb_selectors.customer_self_service(
            user=request.user, language=kb_selectors.reader_language(get_language())
        )
        if organization is not None and plan is not None:
            terms = sla_services.sla_terms_for(organization=organization, at=timezone.now())
            self_service["promises"] = list(sla_explain.first_response_promises(terms).items())
    return render(
        request,
        "home.html",
        {"organization": organization, "plan": plan, "self_service": self_service},
    )


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page links: send them to the static one
    (its hashed name in production), so the request never ends in a 404."""
    return HttpResponseRedirect(static("img/favicon.ico"))
