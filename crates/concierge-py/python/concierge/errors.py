"""The exceptions Concierge raises; every one is a :class:`Error`."""

from __future__ import annotations

from typing import List, Sequence, Tuple


class Error(Exception):
    """Base class of every Concierge error."""


class SpecError(Error, ValueError):
    """The bot spec is invalid.

    ``problems`` lists every problem found as ``(path, message)`` pairs,
    the path locating it in the spec, such as ``flows.book.steps[2]``.
    """

    problems: List[Tuple[str, str]]

    def __init__(self, message: str, problems: Sequence[Tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.problems = [(str(path), str(text)) for path, text in problems]

    def __str__(self) -> str:
        lines = [str(self.args[0]) if self.args else "invalid bot spec"]
        lines += [f"  {path or '(top)'}: {text}" for path, text in self.problems]
        return "\n".join(lines)


class MessageError(Error, ValueError):
    """A message the engine does not accept (empty, or too long)."""


class DialogError(Error):
    """A turn could not be completed, e.g. a flow that loops without asking anything."""


class BookingError(Error):
    """A booking operation failed.

    ``kind`` says why, in snake_case: ``unknown_service``, ``unknown_staff``,
    ``not_found``, ``not_available``, ``not_allowed``, ``invalid``,
    ``backend``, ``end_before_start``, ``range_too_long`` or
    ``nonexistent_local_time``.
    """

    kind: str

    def __init__(self, message: str, kind: str = "invalid") -> None:
        super().__init__(message)
        self.kind = kind


class StoreError(Error):
    """A conversation store (:class:`concierge.Store`) failed.

    ``kind`` says why, in snake_case: ``invalid`` (a bad URL or tenant id),
    ``not_found``, ``duplicate``, ``conflict`` (a conversation kept changing
    under concurrent writers), ``role_bypasses_row_security`` (a PostgreSQL
    superuser), ``migration``, ``corrupt``, ``runtime`` or ``database``.
    """

    kind: str

    def __init__(self, message: str, kind: str = "database") -> None:
        super().__init__(message)
        self.kind = kind


class LanguageModelError(Error):
    """A language model could not answer.

    A language-model function may raise it (or any exception) to give up on
    a request; the engine never raises it: it answers without the model.
    """


__all__ = [
    "Error",
    "SpecError",
    "MessageError",
    "DialogError",
    "BookingError",
    "StoreError",
    "LanguageModelError",
]

