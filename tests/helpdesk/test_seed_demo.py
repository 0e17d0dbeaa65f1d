import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from accounts.models import Organization, Tier, User

pytestmark = pytest.mark.django_db


def run_seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        sorted(Organization.objects.values_list("name", "tier", "time_zone", "trial_ends_on")),
        sorted(User.objects.values_list("email", "password", "organization_id")),
    )


def test_seed_demo_is_idempotent():
    run_seed()
    first = snapshot()
    output = run_seed()
    assert snapshot() == first
    assert "already loaded" in output


def test_seed_demo_covers_every_tier_and_trial_state():
    run_seed()
    assert set(Organization.objects.values_list("tier", flat=True)) == set(Tier.values)
    assert len({org.time_zone for org in Organization.objects.all()}) >= 4
    trials = Organization.objects.filter(tier=Tier.TRIAL)
    from django.utils import timezone

    today = timezone.localdate()
    assert any(t.trial_ends_on >= today for t in trials)
    assert any(t.trial_ends_on < today for t in trials)


def test_every_printed_login_works():
    output = run_seed()
    logins = re.findall(r"^\s+(\S+@\S+)\s+(\S+)\s+(.+)$", output, flags=re.MULTILINE)
    roles = {role.split(",")[0] for _, _, role in logins}
    assert {"customer", "engineer", "manager", "administrator"} <= roles
    for email, password, _role in logins:
        # A request, as the log-in lockout (django-axes) needs one.
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=email, password=password) is not None, email
