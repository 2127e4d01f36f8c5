"""Domain errors raised by storage operations; the edges map them to words or HTTP."""

from __future__ import annotations


class CaseError(Exception):
    """Base of every error a case operation raises on purpose."""


class NotFound(CaseError):
    """No such case, or one the person asking must not see (same answer on purpose)."""


class IllegalTransition(CaseError):
    """The action does not fit the case's current state, e.g. acknowledging twice."""


class ChangedMeanwhile(CaseError):
    """Someone else changed the case since the page was loaded (optimistic locking)."""


class InvalidInput(CaseError):
    """A value staff or a complainant gave is not acceptable; the message says why."""
