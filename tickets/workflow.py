"""Ticket statuses and the transitions between them (pure: no Django models)."""

from __future__ import annotations

NEW, OPEN, PENDING_CUSTOMER, ON_HOLD, SOLVED, CLOSED = (
    "new",
    "open",
    "pending_customer",
    "on_hold",
    "solved",
    "closed",
)

# What each status may become. Reopening goes back to "open"; "closed" is final
# for staff, but a customer may reopen a closed ticket (see CUSTOMER_TRANSITIONS).
TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({OPEN, PENDING_CUSTOMER, ON_HOLD, SOLVED, CLOSED}),
    OPEN: frozenset({PENDING_CUSTOMER, ON_HOLD, SOLVED, CLOSED}),
    PENDING_CUSTOMER: frozenset({OPEN, ON_HOLD, SOLVED, CLOSED}),
    ON_HOLD: frozenset({OPEN, PENDING_CUSTOMER, SOLVED, CLOSED}),
    SOLVED: frozenset({OPEN, CLOSED}),
    CLOSED: frozenset({OPEN}),
}

# Customers only close their ticket or reopen it.
CUSTOMER_TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({CLOSED}),
    OPEN: frozenset({CLOSED}),
    PENDING_CUSTOMER: frozenset({CLOSED}),
    ON_HOLD: frozenset({CLOSED}),
    SOLVED: frozenset({OPEN, CLOSED}),
    CLOSED: frozenset({OPEN}),
}

ACTIVE = frozenset({NEW, OPEN, PENDING_CUSTOMER, ON_HOLD})
FINISHED = frozenset({SOLVED, CLOSED})


def can_transition(current: str, target: str, *, by_customer: bool = False) -> bool:
    """Whether a ticket in `current` may move to `target` (by a customer or by staff)."""
    table = CUSTOMER_TRANSITIONS if by_customer else TRANSITIONS
    return target in table.get(current, frozenset())
