from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from helpdesk.http import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in landing page; what it offers depends on the role."""
    return render(request, "home.html", {"organization": request.user.organization})
