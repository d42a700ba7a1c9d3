"""Small helpers for the guided session that several views share.

Everything that changes a plan, or decides what a person may do, is in ``programs.care``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from .models import DeletedSet, SessionExercise, SetLog, WorkoutSession


def session_items(session: WorkoutSession) -> list[SessionExercise]:
    """Every item of a session with its exercise and logged sets, in two queries.

    Each item also says whether a set of it was deleted lately (`undo_pending`), so the answer
    to a set knows without another query whether an Undo is on screen beside it.
    """
    recently = timezone.now() - DeletedSet.UNDO_FOR
    deleted = DeletedSet.objects.filter(item=OuterRef("pk"), deleted_at__gte=recently)
    return list(
        session.items.select_related("exercise", "substituted_for")
        .annotate(undo_pending=Exists(deleted))
        .prefetch_related(Prefetch("logs", SetLog.objects.order_by("set_number", "side")))
    )


def is_complete(items: Iterable[SessionExercise]) -> bool:
    return all(item.is_complete() for item in items)


def asks_steady_back(items: Iterable[SessionExercise]) -> bool:
    """A free-standing fold or hinge was done: the finish asks whether the back stayed neutral."""
    return any(item.exercise.standing_fold and item.logs.all() for item in items)
