"""Errors the service layer raises; every interface turns them into messages."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: ``str(error)`` is a message fit to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(ServiceError):
    """Input was refused; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: [message]})


class Vetoed(ValidationError):
    """A plugin refused the change (``veto_transition``); nothing was written."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__({field: [reason]})
        self.message = reason


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know that it does."""


class PermissionDenied(ServiceError):
    """The actor may not do this."""


class Conflict(ServiceError):
    """The ticket changed since the actor loaded it; nothing was written."""

    def __init__(self, message: str, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version
