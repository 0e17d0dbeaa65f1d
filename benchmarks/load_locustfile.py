"""The simulated people of `benchmarks/load.py`, for locust (not meant to be run alone).

Customers, engineers and a manager log in through the real form (CSRF cookie, PBKDF2)
and then use the pages as a browser does: full pages, htmx fragments (the bell, the
queue after an inline action, presence, countdowns) and form POSTs answered by a
redirect (not followed: the redirect's page is counted as a page of its own when the
person opens it). Requests are named by page, so the per-page table reads as a site map.

`LOAD_USERS_FILE` names a JSON file written by `load.py`: the password, the logins per
role, and the probe tickets (the ones whose deadlines measure the breach monitor's lag),
which engineers leave alone so that they do breach.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

with open(os.environ["LOAD_USERS_FILE"], encoding="utf-8") as _file:
    PEOPLE = json.load(_file)
PASSWORD: str = PEOPLE["password"]
PROBES: set[int] = set(PEOPLE["probes"])
# Each simulated person takes the next login of its role (one locust process).
_NEXT = {role: itertools.count() for role in ("customers", "engineers", "managers")}

TICKET_LINK = re.compile(r'href="/tickets/(\d+)/"')
QUEUE_ROW = re.compile(r'name="version_(\d+)" value="(\d+)"')
FILTERS = [
    ("queue, My open", "assignee=me"),
    ("queue, Unassigned P1/P2", "assignee=unassigned&priority=P1&priority=P2"),
    ("queue, At risk", "sla=at_risk"),
    ("queue, Breached", "sla=breached"),
    ("queue, tier premium", "tier=premium"),
    ("queue, text search", "q=backup"),
    ("queue, page 2", "page=2"),
]
LEVELS = ["high", "medium", "low"]
HTMX = {"HX-Request": "true"}


class Person(HttpUser):
    abstract = True
    role = ""

    def on_start(self) -> None:
        logins = PEOPLE[self.role]
        self.email = logins[next(_NEXT[self.role]) % len(logins)]
        self.client.get("/accounts/login/", name="login page")
        self.post(
            "/accounts/login/",
            {"username": self.email, "password": PASSWORD},
            name="login POST",
            expect_redirect=True,
        )
        self.client.get("/", name="home")

    def post(
        self,
        path: str,
        data: dict[str, str],
        *,
        name: str,
        expect_redirect: bool = False,
        htmx: bool = False,
    ) -> str:
        """POST with the CSRF token as the page's forms (or htmx's header) send it; a
        redirect is the expected answer of a form, a 200 fragment that of htmx."""
        token = self.client.cookies.get("csrftoken", "")
        headers = {"X-CSRFToken": token, **(HTMX if htmx else {})}
        with self.client.post(
            path,
            data={**data, "csrfmiddlewaretoken": token},
            headers=headers,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            expected = 302 if expect_redirect else 200
            if response.status_code != expected:
                response.failure(f"{response.status_code}, expected {expected}")
            elif expect_redirect and "/accounts/login/" in response.headers.get("Location", ""):
                response.failure("redirected to the login page")
            return response.text or ""

    def bell(self) -> None:
        """The staff's notification bell, which the top bar polls (customers have none)."""
        self.client.get("/notifications/bell/", headers=HTMX, name="bell (htmx)")


class Customer(Person):
    """Files tickets (Premium customers sometimes at P1), reads and replies to them."""

    role = "customers"
    weight = 2
    wait_time = between(1, 5)

    def on_start(self) -> None:
        super().on_start()
        self.tickets: list[int] = []
        self.portal()

    @task(4)
    def portal(self) -> None:
        page = self.client.get("/tickets/", name="portal list").text
        found = [int(pk) for pk in TICKET_LINK.findall(page)]
        self.tickets = list(dict.fromkeys(found)) or self.tickets

    @task(4)
    def ticket_page(self) -> None:
        if self.tickets:
            self.client.get(f"/tickets/{random.choice(self.tickets)}/", name="ticket page")

    @task(1)
    def new_ticket_page(self) -> None:
        self.client.get("/tickets/new/", name="new ticket page")

    @task(1)
    def file_ticket(self) -> None:
        self.client.get("/tickets/new/", name="new ticket page")
        self.client.get(
            "/tickets/new/preview/?impact=high&urgency=high",
            headers=HTMX,
            name="new ticket preview (htmx)",
        )
        urgent = random.random() < 0.3
        self.post(
            "/tickets/new/",
            {
                "subject": f"Load test: backups fail ({random.randrange(10_000)})",
                "description": "Every night the job stops at 40% with error E-1042.",
                "impact": "high" if urgent else random.choice(LEVELS),
                "urgency": "high" if urgent else random.choice(LEVELS),
            },
            name="new ticket POST",
            expect_redirect=True,
        )

    @task(1)
    def reply(self) -> None:
        if not self.tickets:
            return
        pk = random.choice(self.tickets)
        self.client.get(f"/tickets/{pk}/", name="ticket page")
        self.post(
            f"/tickets/{pk}/reply/",
            {"body": "Here is the log you asked for. It happened again at 02:00."},
            name="reply POST (customer)",
            expect_redirect=True,
        )


class Engineer(Person):
    """Works the queue: pages and filters, opens tickets, replies or notes, takes tickets."""

    role = "engineers"
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        super().on_start()
        self.rows: list[tuple[int, int]] = []
        self.queue()

    def _remember_rows(self, page: str) -> None:
        rows = [(int(pk), int(version)) for pk, version in QUEUE_ROW.findall(page)]
        self.rows = [row for row in rows if row[0] not in PROBES] or self.rows

    def _row(self) -> tuple[int, int] | None:
        return random.choice(self.rows) if self.rows else None

    @task(5)
    def queue(self) -> None:
        self._remember_rows(self.client.get("/tickets/queue/", name="queue").text)

    @task(2)
    def queue_filtered(self) -> None:
        label, query = random.choice(FILTERS)
        self._remember_rows(self.client.get(f"/tickets/queue/?{query}", name=label).text)

    @task(4)
    def ticket_page(self) -> None:
        row = self._row()
        if row:
            self.client.get(f"/tickets/{row[0]}/", name="ticket page (staff)")
            self.client.get(f"/tickets/{row[0]}/presence/", headers=HTMX, name="presence (htmx)")

    @task(1)
    def countdowns(self) -> None:
        ids = "&".join(f"id={pk}" for pk, _ in self.rows[:25])
        if ids:
            self.client.get(f"/tickets/queue/countdowns/?{ids}", name="queue countdowns")

    @task(1)
    def poll_bell(self) -> None:
        self.bell()

    @task(2)
    def reply_inline(self) -> None:
        """Reply publicly or add an internal note from the queue (htmx, the queue comes back)."""
        row = self._row()
        if row:
            page = self.post(
                f"/tickets/queue/{row[0]}/reply/",
                {
                    "body": "Thanks, we are looking at it now.",
                    "visibility": random.choice(["public", "internal"]),
                    "from": "queue",
                    "filters": "page=1",
                },
                name="queue inline reply POST (htmx)",
                htmx=True,
            )
            self._remember_rows(page)

    @task(1)
    def reply_on_ticket_page(self) -> None:
        row = self._row()
        if row:
            self.client.get(f"/tickets/{row[0]}/", name="ticket page (staff)")
            self.post(
                f"/tickets/{row[0]}/reply/",
                {"body": "Please try the 4.2.1 agent.", "is_public": random.choice("10")},
                name="reply POST (staff)",
                expect_redirect=True,
            )

    @task(1)
    def take(self) -> None:
        """Take a ticket from the queue with the version seen (stale: refused in a message)."""
        row = self._row()
        if row:
            page = self.post(
                f"/tickets/queue/{row[0]}/take/",
                {"version": str(row[1]), "from": "queue", "filters": "page=1"},
                name="queue take POST (htmx)",
                htmx=True,
            )
            self._remember_rows(page)


class Manager(Person):
    """Watches the SLA dashboard over 30 and 90 days and looks at the plans."""

    role = "managers"
    fixed_count = 1
    wait_time = between(3, 10)

    @task(3)
    def dashboard_30(self) -> None:
        self.client.get("/sla/dashboard/?period=30", name="SLA dashboard, 30 days")

    @task(3)
    def dashboard_90(self) -> None:
        self.client.get("/sla/dashboard/?period=90", name="SLA dashboard, 90 days")

    @task(1)
    def plans(self) -> None:
        self.client.get("/sla/plans/", name="SLA plans")

    @task(1)
    def poll_bell(self) -> None:
        self.bell()
