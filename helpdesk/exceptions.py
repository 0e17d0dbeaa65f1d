"""Domain exceptions that services raise and views/API turn into messages or 4xx bodies."""


class DomainError(Exception):
    """Base for refusals a user should read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PolicyViolation(DomainError):
    """The support policy does not allow this (e.g. phone support for Community)."""


class StaleUpdate(DomainError):
    """Someone else changed the record since it was read; nothing was written."""

    def __init__(self, message: str, *, changes: list[str] | None = None) -> None:
        super().__init__(message)
        self.changes = changes or []
