"""What a person is given to do: a day's exercises within the limits their answers set.

Shared by the session start and every page that previews a day, so what is shown is what is
done. It runs no queries as long as each prescription comes with its exercise and the
exercise's alternative (``select_related("exercise__alternative")``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from ..models import Dose, Exercise, Plan, Prescription, Track

# A gentler session: a set fewer (never none), holds cut to about two thirds, never below this.
GENTLE_HOLD_SHARE = 2 / 3
GENTLE_MIN_HOLD = 10


class Prescribed(Protocol):
    """A programme day's line or a routine's: an exercise and its dose."""

    exercise: Exercise

    @property
    def dose(self) -> Dose: ...


@dataclass(frozen=True)
class Limits:
    """What a person's answers and today's symptoms rule out."""

    # Disc problems or pain when bending forward: no loaded forward bending (001).
    avoid_forward_bends: bool = False
    # The release track, for a forward-tipped pelvis or a not-sure answer: no hamstring
    # stretching at all (000).
    no_hamstring_stretches: bool = False
    # A bad day: floor-supported variants, fewer sets, shorter holds (our own rule).
    gentle: bool = False

    @classmethod
    def for_plan(cls, plan: Plan, *, gentle: bool = False) -> Limits:
        return cls(
            avoid_forward_bends=plan.avoid_forward_bends,
            no_hamstring_stretches=plan.program.track == Track.RELEASE,
            gentle=gentle,
        )

    def allows(self, exercise: Exercise) -> bool:
        if self.no_hamstring_stretches and exercise.stretches_hamstrings:
            return False
        if (self.avoid_forward_bends or self.gentle) and exercise.forward_bend:
            return False
        # A gentle day keeps the back supported: no free-standing folds either.
        return not (self.gentle and exercise.standing_fold)


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise of a day as this person will do it."""

    exercise: Exercise
    dose: Dose
    substituted_for: Exercise | None = None


def gentler(dose: Dose) -> Dose:
    hold = dose.hold_seconds
    if hold > GENTLE_MIN_HOLD:
        # Rounded to 5 s, so a 30 s hold becomes 20 s and a 20 s hold 15 s.
        hold = max(GENTLE_MIN_HOLD, 5 * round(hold * GENTLE_HOLD_SHARE / 5))
    return replace(dose, sets=max(1, dose.sets - 1), hold_seconds=hold)


def planned_exercises(
    prescriptions: Iterable[Prescribed | Prescription], limits: Limits
) -> tuple[list[PlannedExercise], list[Exercise]]:
    """A day's exercises within the limits: each one ruled out is swapped for its supported
    alternative when that is allowed and not on the day already, or else left out.

    Returns what is done and what is left out with no swap.
    """
    prescriptions = list(prescriptions)
    in_day = {p.exercise.pk for p in prescriptions}
    planned: list[PlannedExercise] = []
    left_out: list[Exercise] = []
    for p in prescriptions:
        exercise, dose = p.exercise, p.dose
        substituted_for = None
        if not limits.allows(exercise):
            alternative = exercise.alternative
            if alternative is None or alternative.pk in in_day or not limits.allows(alternative):
                left_out.append(exercise)
                continue
            exercise, dose, substituted_for = alternative, alternative.dose, exercise
            in_day.add(alternative.pk)
        if limits.gentle:
            dose = gentler(dose)
        planned.append(PlannedExercise(exercise, dose, substituted_for))
    return planned, left_out


@dataclass(frozen=True)
class ForwardBendSwap:
    exercise: Exercise
    instead: Exercise | None


FORWARD_BENDS_REASON = (
    "Because of disc problems or pain when bending forward, exercises that bend you forward "
    "with your back carrying the load are swapped for ones where the floor or your thighs "
    "support your back, or left out where there is no such version."
)
FORWARD_BENDS_BACK = (
    "You no longer report disc problems or pain when bending forward, so the exercises that "
    "bend forward standing are back in the plan."
)


@dataclass(frozen=True)
class ForwardBendNote:
    """The one message every page gives about forward bends left out: the same words as the
    plan change that made the swap, and the same list."""

    reason: str
    swaps: list[ForwardBendSwap]


def forward_bend_note(plan: Plan | None) -> ForwardBendNote | None:
    """Every loaded forward bend in the plan's programme and what replaces it (one query)."""
    if plan is None or not plan.avoid_forward_bends:
        return None
    limits = Limits.for_plan(plan)
    in_programme = Prescription.objects.filter(day__stage__program=plan.program_id)
    bends = (
        Exercise.objects.filter(forward_bend=True, pk__in=in_programme.values("exercise"))
        .select_related("alternative")
        .order_by("order", "name")
    )
    swaps = []
    for exercise in bends:
        alternative = exercise.alternative
        allowed = alternative is not None and limits.allows(alternative)
        swaps.append(ForwardBendSwap(exercise, alternative if allowed else None))
    return ForwardBendNote(FORWARD_BENDS_REASON, swaps)
