"""Fill sla_ticketfacts for the tickets that exist, a batch of tickets per transaction.

Not atomic: each batch locks only its own tickets, and only while it is written, so a
deploy does not hold every ticket locked until the whole table is done. The statement
is a frozen copy of sla.facts at this schema (a later change there must not change
what this migration does).
"""

from django.db import migrations, transaction

BATCH = 2000
COLUMNS = (
    "organization_id, tier, priority, product_id, assignee_id, created_at, solved_at, "
    "first_responder_id, first_response_target, first_response_met_at, "
    "first_response_breached_at, first_response_business_time, resolution_breached_at"
)
FILL = f"""
INSERT INTO sla_ticketfacts (ticket_id, {COLUMNS})
SELECT t.id, t.organization_id, t.tier, t.priority, t.product_id, t.assignee_id,
    t.created_at, t.solved_at,
    (SELECT c.author_id FROM tickets_comment c WHERE c.ticket_id = t.id AND c.by_staff
        AND c.is_public AND c.created_at = t.first_responded_at ORDER BY c.id LIMIT 1),
    fr.target, fr.met_at, fr.breached_at, fr.business_time_to_meet, res.breached_at
FROM tickets_ticket t
LEFT JOIN sla_slaclock fr ON fr.ticket_id = t.id AND fr.metric = 'first_response'
LEFT JOIN sla_slaclock res ON res.ticket_id = t.id AND res.metric = 'resolution'
WHERE t.id > %s AND t.id <= %s
ON CONFLICT (ticket_id) DO UPDATE SET {", ".join(
    f"{c} = excluded.{c}" for c in COLUMNS.replace(" ", "").split(","))}
"""


def backfill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    connection = schema_editor.connection
    last = 0
    while True:
        ids = list(
            Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return
        with transaction.atomic(using=connection.alias):
            list(
                Ticket.objects.select_for_update()
                .filter(pk__gt=last, pk__lte=ids[-1])
                .order_by("pk")
                .values_list("pk")
            )
            with connection.cursor() as cursor:
                cursor.execute(FILL, [last, ids[-1]])
        last = ids[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("sla", "0007_ticketfacts"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
