"""Benchmark the global search on PostgreSQL: 100,000 tickets with comments, 5,000 articles.

Run from the repository root (PostgreSQL on 127.0.0.1, user postgres)::

    .venv/bin/python benchmarks/search.py [--requests 40] [--tickets 100000] [--articles 5000]

It creates (once) a dedicated database, ``bench_search`` (``BENCH_DATABASE_URL``
overrides it), migrates it, loads the sample tickets with ``load_sample_data``, then gives
them realistic text: descriptions written from English and Portuguese sentence
templates (about one ticket in five in Portuguese), and two to three more comments per
ticket (about a quarter of them internal notes), both by PostgreSQL ``COPY``; then
``--articles`` articles in the four sections (three in ten also in Portuguese) by
``bulk_create``, each a title and two sentences from the product's templates and ten
sentences of real English prose (the standard library's docstrings), so that words are
spread over articles as in a real knowledge base; then ``search_reindex`` builds every
search document and ``VACUUM ANALYZE`` runs. Later runs reuse the data.

Then it times ``/search/?q=…`` through Django's test ``Client`` in-process (the whole
stack: middleware, session, view, template), DEBUG off, as a Standard customer of the
busiest organization and as an engineer, for one- and two-word searches, and prints the
median and p95, the queries per request and the number of matches; then the plans
(EXPLAIN ANALYZE) of the search's queries, to show the GIN indexes serve them.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from benchmarks.queue import DEFAULT_URL as QUEUE_URL  # noqa: E402
from benchmarks.queue import ENVIRONMENT, ensure_database, percentile  # noqa: E402

DEFAULT_URL = QUEUE_URL.replace("bench_queue", "bench_search")

PRODUCTS = ["Vault", "Agent", "Console", "Replicator", "Scheduler", "Gateway", "Catalog"]
DATABASES = ["PostgreSQL", "Oracle", "MySQL", "SQL Server", "Exchange", "SAP HANA"]
TARGETS = ["S3", "Azure Blob", "tape", "NFS share", "object store", "disk pool"]
IDPS = ["Okta", "Azure AD", "Google Workspace", "Keycloak"]
ENGLISH = [
    "The {product} agent on {host} stops with error {code} after the nightly job.",
    "Backups of the {db} database fail since the upgrade to version {ver}.",
    "Restore to {host} hangs at {pct}% and the log shows {code}.",
    "We see timeouts when the console connects to the {target} target.",
    "Retention deletes snapshots older than {n} days although the policy keeps {m}.",
    "The deduplication ratio dropped to {ratio} on the {target} store.",
    "The license count shows {n} agents but only {m} are installed.",
    "Single sign-on loops when users sign in through {idp}.",
    "E-mail notifications stopped after we moved the mail relay to {host}.",
    "The tape library reports drive {n} offline every morning.",
    "Verification of snapshot {code} fails with a checksum mismatch.",
    "Throughput fell from {n} MB/s to {m} MB/s on the {target} target.",
    "The {product} service uses all memory on {host} during the full backup.",
    "Please clarify how the encryption key rotation works with {target}.",
    "The report for last week is empty although {n} jobs ran.",
    "Cloud credentials for {target} are rejected with error {code}.",
]
PORTUGUESE = [
    "O agente {product} no servidor {host} para com o erro {code} depois da rotina noturna.",
    "Os backups do banco {db} falham desde a atualização para a versão {ver}.",
    "A restauração para {host} trava em {pct}% e o log mostra {code}.",
    "A migração dos dados para o destino {target} não termina.",
    "A retenção apaga cópias com mais de {n} dias, mas a política guarda {m}.",
    "Não recebemos as notificações por e-mail desde a troca do servidor {host}.",
    "A contagem de licenças mostra {n} agentes, mas só temos {m} instalados.",
    "O login único entra em loop quando os usuários usam {idp}.",
    "A verificação do snapshot {code} falha com erro de checksum.",
    "A velocidade do backup caiu de {n} MB/s para {m} MB/s no destino {target}.",
]
REPLIES = [
    "Please send the logs from {host} and the job history.",
    "This is fixed in patch {ver}; please upgrade the {product} service.",
    "Could you try the restore again with verbose logging on?",
    "Thanks, the new credentials for {target} work now.",
    "Por favor, envie os logs do servidor {host}.",
    "A correção está no patch {ver}; atualize o {product}.",
]
NOTES = [
    "Customer is on {ver}; escalate to engineering as bug {code}.",
    "Known issue with {target} throttling, see internal runbook {code}.",
    "Account is up for renewal; handle with care.",
]
KB_SENTENCES = [
    "This guide explains how to configure the {product} for {db} backups.",
    "Choose the {target} target, then set the retention to {n} days.",
    "If the restore hangs, check the network path to {host}.",
    "Error {code} means the credentials for {target} expired.",
    "Version {ver} adds faster deduplication and a new scheduler.",
    "Single sign-on with {idp} needs the console's callback address.",
    "Este guia explica como configurar o {product} para backups do {db}.",
    "A migração para a versão {ver} preserva as políticas de retenção.",
]
SECTIONS = ["getting-started", "knowledge-base", "documentation", "release-notes"]


def fill(rng: random.Random, template: str) -> str:
    return template.format(
        product=rng.choice(PRODUCTS),
        host=f"srv{rng.randrange(1, 5000)}",
        code=f"E{rng.randrange(1000, 9999)}",
        db=rng.choice(DATABASES),
        ver=f"{rng.randrange(5, 12)}.{rng.randrange(0, 10)}.{rng.randrange(0, 30)}",
        pct=rng.randrange(1, 100),
        target=rng.choice(TARGETS),
        n=rng.randrange(2, 400),
        m=rng.randrange(2, 400),
        ratio=f"{rng.uniform(1, 9):.1f}:1",
        idp=rng.choice(IDPS),
    )


def copy(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    """PostgreSQL COPY FROM STDIN (CSV): the fastest way in for bulk rows."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if value is None else value for value in row])
    buffer.seek(0)
    cursor.copy_expert(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
    )


def give_tickets_text(rng: random.Random) -> None:
    from django.db import connection, transaction

    from tickets.models import Comment

    if Comment.objects.filter(body__startswith="[bench] ").exists():
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, requester_id, assignee_id, created_at FROM tickets_ticket ORDER BY id"
        )
        tickets = cursor.fetchall()
        cursor.execute(
            "SELECT u.id FROM accounts_user u JOIN accounts_user_groups g ON g.user_id = u.id "
            "JOIN auth_group a ON a.id = g.group_id WHERE a.name = 'engineer'"
        )
        engineers = [row[0] for row in cursor.fetchall()]
    descriptions, comments = [], []
    for ticket_id, requester_id, assignee_id, created in tickets:
        portuguese = rng.random() < 0.2
        pool = PORTUGUESE if portuguese else ENGLISH
        text = " ".join(fill(rng, rng.choice(pool)) for _ in range(rng.randrange(2, 5)))
        descriptions.append((ticket_id, text))
        for number in range(rng.randrange(2, 4)):
            internal = rng.random() < 0.25
            staff = internal or number % 2 == 0
            body = fill(rng, rng.choice(NOTES if internal else REPLIES))
            comments.append(
                (
                    ticket_id,
                    assignee_id or rng.choice(engineers) if staff else requester_id,
                    f"[bench] {body}",
                    f"<p>{body}</p>",
                    not internal,
                    False,
                    staff,
                    "web",
                    created,
                )
            )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_text (id bigint, description text) ON COMMIT DROP")
        copy(cursor, "bench_text", ["id", "description"], descriptions)
        cursor.execute(
            "UPDATE tickets_ticket t SET description = b.description, "
            "description_html = '<p>' || b.description || '</p>' FROM bench_text b "
            "WHERE t.id = b.id"
        )
        copy(
            cursor,
            "tickets_comment",
            [
                "ticket_id",
                "author_id",
                "body",
                "body_html",
                "is_public",
                "is_automatic",
                "by_staff",
                "channel",
                "created_at",
            ],
            comments,
        )
    print(
        f"Wrote {len(descriptions)} descriptions and {len(comments)} comments "
        f"in {time.perf_counter() - started:.1f} s."
    )


def filler_sentences() -> list[str]:
    """Real English prose for article bodies: sentences of the standard library's
    docstrings (a natural spread of words, so one word is not in every article)."""
    import ast
    import re
    import sysconfig

    sentences: list[str] = []
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))[:120]:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Module):
                text = " ".join((ast.get_docstring(node) or "").split())
                for sentence in re.split(r"(?<=[.!?])\s+", text):
                    if 40 <= len(sentence) <= 200 and re.fullmatch(r"[A-Za-z ,.'()-]+", sentence):
                        sentences.append(sentence)
    return sentences


def write_articles(rng: random.Random, count: int) -> None:
    from django.utils import timezone

    from kb.models import Article, ArticleTranslation

    have = Article.objects.count()
    if have >= count:
        return
    started = time.perf_counter()
    now = timezone.now()
    articles = []
    for number in range(have, count):
        visibility = rng.choices(["public", "customers", "tiers", "staff"], [15, 60, 10, 15])[0]
        articles.append(
            Article(
                section=rng.choice(SECTIONS),
                slug=f"bench-article-{number}",
                status="published" if rng.random() < 0.9 else "draft",
                visibility=visibility,
                tiers="|premium|" if visibility == "tiers" else "",
                position=number,
                created_at=now,
                updated_at=now,
                published_at=now,
            )
        )
    Article.objects.bulk_create(articles, batch_size=1000)
    filler = filler_sentences()
    domain = [*KB_SENTENCES, *ENGLISH, *PORTUGUESE]
    translations = []
    for article in articles:
        for language in ["en", "pt-br"] if rng.random() < 0.3 else ["en"]:
            title = fill(rng, rng.choice(domain)).rstrip(".")
            sentences = [fill(rng, rng.choice(domain)) for _ in range(2)]
            sentences += rng.sample(filler, 10)
            rng.shuffle(sentences)
            body = "\n\n".join(sentences)
            translations.append(
                ArticleTranslation(
                    article=article,
                    language=language,
                    title=title[:200],
                    summary=fill(rng, rng.choice(KB_SENTENCES))[:300],
                    body=body,
                    body_html=body,
                    updated_at=now,
                )
            )
    ArticleTranslation.objects.bulk_create(translations, batch_size=1000)
    print(
        f"Wrote {len(articles)} articles ({len(translations)} translations) "
        f"in {time.perf_counter() - started:.1f} s."
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=5_000)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    os.environ.update(ENVIRONMENT)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Organization, User
    from helpdesk.search import search_transaction
    from kb.models import Article
    from kb.search import global_search
    from tickets.models import Comment, Ticket

    call_command("migrate", verbosity=0)
    rng = random.Random(20261201)
    have = Ticket.objects.count()
    fresh = have < args.tickets or Article.objects.count() < args.articles
    if have < args.tickets:
        print(f"Loading {args.tickets - have} sample tickets (once)...")
        call_command("load_sample_data", tickets=args.tickets - have)
    give_tickets_text(rng)
    write_articles(rng, args.articles)
    if fresh:
        call_command("search_reindex")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    engineer = User.objects.get(email="engineer0@sample-staff.example")
    busiest = (
        Organization.objects.filter(name__startswith="Sample Org ", tier="standard")
        .order_by("pk")
        .first()
    )
    assert busiest is not None
    customer = User.objects.filter(organization=busiest).order_by("pk").first()
    assert customer is not None
    print(
        f"Database: {connection.settings_dict['NAME']} on PostgreSQL "
        f"{connection.pg_version // 10000}; {Ticket.objects.count()} tickets, "
        f"{Comment.objects.count()} comments, {Article.objects.count()} articles; the customer's "
        f"organization has {Ticket.objects.filter(organization=busiest).count()} tickets. "
        f"Django test Client in-process, DEBUG off; {args.requests} timed requests per "
        "search after 3 warm-up requests."
    )
    searches = [
        "restore",
        "license",
        "migração",
        "deduplication",
        "srv1234",
        "restore hangs",
        "backups falham",
        "license agents",
        "tape offline",
    ]
    load = os.getloadavg()[0]
    print(f"Load average before: {load:.2f} (this machine has {os.cpu_count()} cores).")
    print()
    print(f"{'who':9} {'search':18} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'matches':>16}")
    for who, user in (("customer", customer), ("engineer", engineer)):
        client = Client()
        client.force_login(user)
        for query in searches:
            path = f"/search/?q={query}"
            for _ in range(3):
                client.get(path)
            timings, queries = [], set()
            for _ in range(args.requests):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
                queries.add(len(captured))
            page = global_search(user=user, query=query, language="en")
            matches = f"{page.counts['article']} a + {page.counts['ticket']} t"
            print(
                f"{who:9} {query:18} {statistics.median(timings):10.1f} "
                f"{percentile(timings, 0.95):8.1f} {'/'.join(map(str, sorted(queries))):>8} "
                f"{matches:>16}"
            )
    print(f"Load average after: {os.getloadavg()[0]:.2f}.")
    if args.no_explain:
        return
    # A frequent pair (the newest matches are read by primary key) and a rare word (read
    # from the GIN indexes), as a customer and as an engineer.
    for who, user, text in (
        ("customer", customer, "restore hangs"),
        ("engineer", engineer, "restore hangs"),
        ("engineer", engineer, "srv1234"),
    ):
        with CaptureQueriesContext(connection) as captured:
            global_search(user=user, query=text, language="en")
        for query in captured.captured_queries:
            sql = query["sql"]
            if "to_tsquery" not in sql:
                continue
            print(f"\n-- {who}, '{text}': {sql[:90]}...")
            # As the view runs them: in the search's transaction (helpdesk.search).
            with search_transaction(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
                for (line,) in cursor.fetchall():
                    # The candidate id lists are long: show their start only.
                    print("   " + (line if len(line) < 160 else line[:157] + "..."))


if __name__ == "__main__":
    main()
