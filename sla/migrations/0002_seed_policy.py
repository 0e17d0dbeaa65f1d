"""Seed the support policy's defaults (docs/support-policy.md): calendars, plans, targets,
the tier policies and the priority matrix. Values are copied here, not imported, so this
migration keeps meaning what it meant when it was written.
"""

from datetime import timedelta

from django.db import migrations

BUSINESS_HOURS = "Business hours"
ALWAYS_OPEN = "24x7"
WEEKDAYS_8_TO_17 = [(weekday, 8 * 60, 17 * 60) for weekday in range(5)]  # Mon-Fri

PLANS = [
    # code, name, calendar, description, first-response targets P1-P4
    (
        "community",
        "Community",
        None,
        "Free community edition: e-mail and web support on a best-effort basis, "
        "no response-time target.",
        {},
    ),
    (
        "standard",
        "Standard",
        BUSINESS_HOURS,
        "Standard targets in business hours: Monday to Friday, 08:00 to 17:00 in the "
        "customer's time zone.",
        {
            "P1": timedelta(hours=1),
            "P2": timedelta(hours=3),
            "P3": timedelta(hours=8),
            "P4": timedelta(hours=24),
        },
    ),
    (
        "premium",
        "Premium",
        ALWAYS_OPEN,
        "Premium targets, 24x7x365, with an assigned account manager.",
        {
            "P1": timedelta(minutes=15),
            "P2": timedelta(minutes=60),
            "P3": timedelta(hours=4),
            "P4": timedelta(hours=8),
        },
    ),
]

TIERS = [
    # tier, plan code, plan code after the trial
    ("community", "community", None),
    ("standard", "standard", None),
    ("premium", "premium", None),
    ("trial", "premium", "community"),
]

# (urgency, impact) -> priority, as the policy's table reads.
MATRIX = {
    ("high", "high"): "P1",
    ("high", "medium"): "P2",
    ("high", "low"): "P3",
    ("medium", "high"): "P2",
    ("medium", "medium"): "P3",
    ("medium", "low"): "P4",
    ("low", "high"): "P3",
    ("low", "medium"): "P4",
    ("low", "low"): "P4",
}


def seed_policy(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    CalendarInterval = apps.get_model("sla", "CalendarInterval")
    SupportPlan = apps.get_model("sla", "SupportPlan")
    Target = apps.get_model("sla", "Target")
    TierPolicy = apps.get_model("sla", "TierPolicy")
    PriorityRule = apps.get_model("sla", "PriorityRule")

    business_hours, created = Calendar.objects.get_or_create(
        name=BUSINESS_HOURS,
        defaults={
            "is_24x7": False,
            "use_public_holidays": True,
            "description": "Monday to Friday, 08:00 to 17:00 in the customer's time zone, "
            "closed on the public holidays of the customer's country.",
        },
    )
    if created:
        CalendarInterval.objects.bulk_create(
            CalendarInterval(
                calendar=business_hours, weekday=day, start_minute=start, end_minute=end
            )
            for day, start, end in WEEKDAYS_8_TO_17
        )
    always_open, _created = Calendar.objects.get_or_create(
        name=ALWAYS_OPEN,
        defaults={
            "is_24x7": True,
            "use_public_holidays": False,
            "description": "24 x 7 x 365.",
        },
    )
    calendars = {BUSINESS_HOURS: business_hours, ALWAYS_OPEN: always_open}

    plans = {}
    for code, name, calendar_name, description, first_response in PLANS:
        plan, created = SupportPlan.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "calendar": calendars.get(calendar_name),
                "description": description,
            },
        )
        plans[code] = plan
        if created:
            Target.objects.bulk_create(
                Target(
                    plan=plan,
                    priority=priority,
                    metric="first_response",
                    duration=duration,
                    warning_percent=25,
                )
                for priority, duration in first_response.items()
            )

    for tier, plan_code, lapsed_code in TIERS:
        TierPolicy.objects.get_or_create(
            tier=tier,
            defaults={
                "plan": plans[plan_code],
                "lapsed_plan": plans[lapsed_code] if lapsed_code else None,
            },
        )

    for (urgency, impact), priority in MATRIX.items():
        PriorityRule.objects.get_or_create(
            impact=impact, urgency=urgency, defaults={"priority": priority}
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed_policy, migrations.RunPython.noop)]
