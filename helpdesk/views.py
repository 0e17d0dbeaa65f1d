from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in landing page; what it offers depends on the role."""
    return render(request, "home.html", {"organization": request.user.organization})
