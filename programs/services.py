"""Small helpers for the guided session that several views share.

Everything that changes a plan, or decides what a person may do, is in ``programs.care``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from .models import DeletedSet, SessionExercise, SetLog, WorkoutSession


def session_items(session: WorkoutSession) -> list[SessionExercise]:
    """Every item of a session with its exercise and logged sets, in two queries.

    Each item also says whether a set of it was deleted lately (`undo_pending`), so the answer
    to a set knows without another query whether an Undo is on screen beside it.
    """
    items = list(_items(session.items.all()))
    for item in items:
        item.session = session
    return items


def items_with_session(user, session_id: int) -> list[SessionExercise]:
    """The same, with the session (and its plan) read in the same query, if it is the person's.

    Empty for another person's session, and for a session with nothing in it."""
    items = list(
        _items(SessionExercise.objects.filter(session_id=session_id, session__user=user))
        .select_related("session__plan")
        .order_by("order")
    )
    for item in items[1:]:
        item.session = items[0].session
    return items


def _items(items: QuerySet[SessionExercise]) -> QuerySet[SessionExercise]:
    recently = timezone.now() - DeletedSet.UNDO_FOR
    deleted = DeletedSet.objects.filter(item=OuterRef("pk"), deleted_at__gte=recently)
    return (
        items.select_related("exercise", "substituted_for")
        .annotate(undo_pending=Exists(deleted))
        .prefetch_related(Prefetch("logs", SetLog.objects.order_by("set_number", "side")))
    )


def is_complete(items: Iterable[SessionExercise]) -> bool:
    return all(item.is_complete() for item in items)


def asks_steady_back(items: Iterable[SessionExercise]) -> bool:
    """A free-standing fold or hinge was done: the finish asks whether the back stayed neutral."""
    return any(item.exercise.standing_fold and item.logs.all() for item in items)
