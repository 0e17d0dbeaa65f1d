from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors, zones
from accounts import services as user_services
from accounts.forms import ProfileForm, SignupForm
from accounts.models import Organization, Tier
from accounts.permissions import engineer_required
from helpdesk.http import AuthenticatedHttpRequest
from sla import services as sla_services
from tickets import selectors as ticket_selectors
from tickets.queue import queue_rows


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Community sign-up: anyone may ask for a free Community account, confirmed by e-mail.

    The answer is the same whether or not the address has an account."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_services.signup_request(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                time_zone=data["time_zone"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("signup_sent")
    return render(
        request, "accounts/signup.html", {"form": form, "zone_aliases": zones.zone_aliases()}
    )


@require_http_methods(["GET"])
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the sign-up e-mail: a button (POST), so a mail scanner's GET of the link
    activates nothing; then the account is active and its owner signed in."""
    if request.method == "POST":
        try:
            user = user_services.signup_confirm(token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("signup")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your Community account is ready."))
        return redirect("home")
    return render(request, "accounts/signup_confirm.html")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your preferences were saved."))
        return redirect("profile")
    plan = None
    if request.user.organization is not None:
        try:
            plan = sla_services.plan_in_force(
                organization=request.user.organization, at=timezone.now()
            )
        except sla_services.NoPlanForTier:
            plan = None
    return render(request, "accounts/profile.html", {"form": form, "plan": plan})


# Organizations are a few hundred, so pages are numbered (a count of them is cheap).
ORGANIZATIONS_PER_PAGE = 50


@engineer_required
def organization_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff list of customer organizations with tier, time zone and local time."""
    organizations = selectors.organization_list()
    tier = request.GET.get("tier", "")
    if tier in Tier.values:
        organizations = organizations.filter(tier=tier)
    page = Paginator(organizations, ORGANIZATIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/organization_list.html",
        {"page": page, "tiers": Tier.choices, "tier": tier, "query_string": query.urlencode()},
    )


@engineer_required
def organization_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """For engineers: tier and plan in force today, local time, business hours open now,
    open tickets, SLA record; a Premium organization with no account manager is flagged."""
    organization = get_object_or_404(Organization.objects.select_related("account_manager"), pk=pk)
    now = timezone.now()
    try:
        in_force = sla_services.plan_in_force(organization=organization, at=now)
    except sla_services.NoPlanForTier:
        in_force = None
    plan = in_force.plan if in_force is not None else None
    calendar = (
        sla_services.calendar_for_organization(organization=organization, plan=plan, at=now)
        if plan is not None
        else None
    )
    tickets = ticket_selectors.organization_open_tickets(organization_id=organization.pk)
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "plan": plan,
            "in_force": in_force,
            "has_calendar": calendar is not None,
            "is_open": calendar.is_open(now) if calendar is not None else None,
            "rows": queue_rows(tickets, now=now),
            "record": ticket_selectors.organization_sla_record(
                organization_id=organization.pk, now=now
            ),
        },
    )
