"""Workflows that span several models: screening into a plan, starting and finishing sessions.

Single-object behaviour lives on the models; what is here touches plans, sessions and their
changes together, and each function is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.utils import timezone

from .models import (
    ChangeKind,
    Dose,
    Exercise,
    Outcome,
    Plan,
    PlanChange,
    PlanStatus,
    Prescription,
    Program,
    Screening,
    SelfTest,
    SessionExercise,
    SessionStatus,
    SetLog,
    WorkoutSession,
)

PAIN_RISE_TO_STEP_BACK = 2
REPEAT_RISE_WINDOW = timedelta(days=14)
BASELINE_NOTE = "Screening baseline"


# --- screening -------------------------------------------------------------------------------


@transaction.atomic
def record_screening(
    user,
    *,
    red_flags: Iterable[str],
    recent_injury: bool,
    pelvic_tilt: str,
    disc_problems: bool,
    self_test: tuple[int, int] | None = None,
) -> tuple[Screening, Plan | None]:
    """Store the answers, then start, keep, pause or replace the person's plan to match."""
    screening = Screening(
        user=user,
        red_flags=sorted(set(red_flags)),
        recent_injury=recent_injury,
        pelvic_tilt=pelvic_tilt,
        disc_problems=disc_problems,
    )
    screening.outcome = screening.decide()
    screening.save()
    if self_test is not None:
        SelfTest.objects.create(
            user=user, left_angle=self_test[0], right_angle=self_test[1], note=BASELINE_NOTE
        )

    current = (
        Plan.objects.select_for_update()
        .filter(user=user)
        .exclude(status=PlanStatus.ENDED)
        .select_related("program", "stage")
        .first()
    )
    if not screening.gets_plan:
        if current and current.status == PlanStatus.ACTIVE:
            current.status = PlanStatus.PAUSED
            current.save(update_fields=["status"])
            PlanChange.objects.create(
                plan=current,
                kind=ChangeKind.PAUSE,
                from_stage=current.stage,
                to_stage=current.stage,
                reason=_pause_reason(screening),
            )
        return screening, None

    program = Program.objects.get(track=screening.outcome)
    if current and current.program_id == program.pk:
        was_paused = current.status == PlanStatus.PAUSED
        folds_changed = current.avoid_standing_folds != disc_problems
        current.status = PlanStatus.ACTIVE
        current.screening = screening
        current.avoid_standing_folds = disc_problems
        current.save(update_fields=["status", "screening", "avoid_standing_folds"])
        if was_paused or folds_changed:
            reasons = []
            if was_paused:
                reasons.append(
                    f"Your screening is clear again, so the plan picks up at stage "
                    f"{current.stage.number}, {current.stage.name}."
                )
            if folds_changed:
                reasons.append(_folds_reason(disc_problems))
            PlanChange.objects.create(
                plan=current,
                kind=ChangeKind.RESUME if was_paused else ChangeKind.ADJUST,
                from_stage=current.stage,
                to_stage=current.stage,
                reason=" ".join(reasons),
            )
        return screening, current

    if current:
        current.status = PlanStatus.ENDED
        current.ended_at = timezone.now()
        current.save(update_fields=["status", "ended_at"])
        PlanChange.objects.create(
            plan=current,
            kind=ChangeKind.END,
            from_stage=current.stage,
            reason=f"Your new screening points to the {program.get_track_display().lower()} "
            f"track instead.",
        )

    stage = program.first_stage()
    plan = Plan.objects.create(
        user=user,
        program=program,
        stage=stage,
        screening=screening,
        avoid_standing_folds=disc_problems,
    )
    reason = program.why
    if disc_problems:
        reason += " " + _folds_reason(True)
    PlanChange.objects.create(plan=plan, kind=ChangeKind.START, to_stage=stage, reason=reason)
    return screening, plan


def _pause_reason(screening: Screening) -> str:
    if screening.outcome == Outcome.CLINICIAN:
        return (
            "Your screening named a warning sign that a clinician should look at first. "
            "The plan is paused until you have been checked and screen again."
        )
    return (
        "You reported a recent hamstring injury. Stretching would not help it heal, so the "
        "plan is paused: rest, ice and compression first, then screen again."
    )


def _folds_reason(avoid: bool) -> str:
    if avoid:
        return (
            "Because of disc problems or pain when bending forward, standing folds and hinges "
            "are swapped for versions where the floor or your thighs support your back."
        )
    return "Standing hinges are back in the plan, since you no longer report disc problems."


# --- sessions --------------------------------------------------------------------------------


def start_session(plan: Plan, pain_before: int) -> WorkoutSession:
    """Open today's session for the plan, or return the one already open (it resumes)."""
    try:
        with transaction.atomic():
            open_session = WorkoutSession.objects.in_progress().filter(user=plan.user).first()
            if open_session is not None:
                return open_session
            day = plan.next_day()
            session = WorkoutSession.objects.create(
                user=plan.user, plan=plan, day=day, stage=plan.stage, pain_before=pain_before
            )
            SessionExercise.objects.bulk_create(_items_for(session, plan))
            return session
    except IntegrityError:
        # Two starts raced (a double click): the other one won, and that is the one to resume.
        return WorkoutSession.objects.in_progress().get(user=plan.user)


def _items_for(session: WorkoutSession, plan: Plan) -> list[SessionExercise]:
    if session.day is None:
        return []
    prescriptions = session.day.prescriptions.select_related("exercise__alternative")
    planned, _left_out = planned_exercises(prescriptions, plan.avoid_standing_folds)
    return [
        SessionExercise.prescribed(session, order, p.exercise, p.dose, p.substituted_for)
        for order, p in enumerate(planned, start=1)
    ]


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise of a day as this person will do it."""

    exercise: Exercise
    dose: Dose
    substituted_for: Exercise | None = None


def planned_exercises(
    prescriptions: Iterable[Prescription], avoid_standing_folds: bool
) -> tuple[list[PlannedExercise], list[Exercise]]:
    """A day's exercises with standing folds swapped when they are to be avoided.

    Returns what is done and the folds left out with no swap. Shared by the session start and
    the pages that preview a day, so both show the same thing; it runs no queries as long as
    each prescription comes with its exercise and the exercise's alternative.
    """
    prescriptions = list(prescriptions)
    in_day = {p.exercise_id for p in prescriptions}
    planned: list[PlannedExercise] = []
    left_out: list[Exercise] = []
    for p in prescriptions:
        exercise = p.exercise
        if not (avoid_standing_folds and exercise.standing_fold):
            planned.append(PlannedExercise(exercise, p.dose))
            continue
        alternative = exercise.alternative
        # No safe swap, or the swap is already on the day: leave the fold out entirely.
        if alternative is None or alternative.pk in in_day:
            left_out.append(exercise)
            continue
        planned.append(PlannedExercise(alternative, alternative.dose, substituted_for=exercise))
        in_day.add(alternative.pk)
    return planned, left_out


def session_items(session: WorkoutSession) -> list[SessionExercise]:
    """Every item of a session with its exercise and logged sets, in two queries."""
    return list(
        session.items.select_related("exercise", "substituted_for").prefetch_related(
            Prefetch("logs", SetLog.objects.order_by("set_number", "side"))
        )
    )


@transaction.atomic
def finish_session(
    session: WorkoutSession, pain_after: int, note: str = "", steady_back: bool | None = None
) -> PlanChange | None:
    """Close the session, then let the plan's progression rules look at it."""
    session.pain_after = pain_after
    session.note = note
    session.steady_back = steady_back
    session.status = SessionStatus.FINISHED
    session.finished_at = timezone.now()
    session.save(update_fields=["pain_after", "note", "steady_back", "status", "finished_at"])
    plan = session.plan
    if plan is None or plan.status != PlanStatus.ACTIVE or session.stage_id != plan.stage_id:
        return None
    return apply_progression(plan, session)


def is_complete(items: Iterable[SessionExercise]) -> bool:
    return all(item.is_complete() for item in items)


def done_as_planned(items: Iterable[SessionExercise]) -> bool:
    """Every set logged, none of them cut short: what counts towards the next stage."""
    items = list(items)
    return is_complete(items) and not any(item.short_sets() for item in items)


def asks_steady_back(items: Iterable[SessionExercise]) -> bool:
    """A free-standing fold or hinge was done: the finish asks whether the back stayed neutral."""
    return any(item.exercise.standing_fold and item.logs.all() for item in items)


def apply_progression(plan: Plan, session: WorkoutSession) -> PlanChange | None:
    """Advance, hold or step back after a finished session; store and return the change made.

    In order: a pain rise of two points or more steps back (and pauses if it happens again);
    missed or skipped sets hold the stage; enough complete, pain-free sessions advance it.
    """
    stage = plan.stage
    rise = session.pain_change or 0
    if rise >= PAIN_RISE_TO_STEP_BACK:
        return _step_back(plan, session, rise)

    items = session_items(session)
    if not is_complete(items):
        done = sum(len(item.logs.all()) for item in items if not item.is_skipped)
        planned = sum(item.planned_set_count for item in items if not item.is_skipped)
        skipped = [item.exercise.name for item in items if item.is_skipped]
        detail = f"{done} of {planned} planned sets were logged"
        if skipped:
            detail += f" and you skipped {', '.join(skipped)}"
        return _change(
            plan,
            session,
            ChangeKind.HOLD,
            stage,
            f"{detail}. You stay at stage {stage.number} for now: only complete sessions count "
            f"towards moving on.",
        )

    short = [(item, log) for item in items for log in item.short_sets()]
    if short:
        names = sorted({item.exercise.name for item, _log in short})
        count = len(short)
        return _change(
            plan,
            session,
            ChangeKind.HOLD,
            stage,
            f"{count} set{'s were' if count != 1 else ' was'} cut short of the plan (fewer reps, "
            f"or under three quarters of the hold) in {', '.join(names)}. That is the right call "
            f"when something does not feel right. You stay at stage {stage.number} for now: "
            f"sessions done as planned count towards moving on.",
        )

    qualifying = qualifying_sessions(plan)
    following = stage.next()
    if following is None or qualifying < stage.sessions_to_advance:
        return None
    steady = steady_back_sessions(plan)
    if steady < following.steady_back_sessions:
        return _change(
            plan,
            session,
            ChangeKind.HOLD,
            stage,
            f"You have done the {stage.sessions_to_advance} sessions stage {stage.number} asks "
            f"for. Stage {following.number}, {following.name}, is free-standing work, so it also "
            f"needs {following.steady_back_sessions} sessions in which your lower back kept its "
            f"natural curve in the standing stretches; so far you have {steady}. You stay at "
            f"stage {stage.number} until then.",
        )
    plan.stage = following
    plan.save(update_fields=["stage"])
    return _change(
        plan,
        session,
        ChangeKind.ADVANCE,
        following,
        f"You completed {qualifying} full sessions at stage {stage.number} with pain no higher "
        f"afterwards than before, so you move up to stage {following.number}, {following.name}.",
        from_stage=stage,
    )


def _sessions_at_stage(plan: Plan):
    """Finished sessions at the plan's current stage since it was (last) entered."""
    entered = (
        plan.changes.filter(to_stage=plan.stage)
        .exclude(kind__in=[ChangeKind.HOLD])
        .values_list("created_at", flat=True)
        .first()
    )
    sessions = plan.sessions.finished().filter(stage=plan.stage)
    if entered is not None:
        sessions = sessions.filter(started_at__gte=entered)
    return sessions


def qualifying_sessions(plan: Plan) -> int:
    """Sessions at the current stage, since it was entered, done as planned without more pain.

    Counted in one query, not by loading every set: the dashboard asks on every visit, and a
    stage can hold months of sessions. It is `done_as_planned` in SQL (tests hold them equal).
    """
    sides = Case(When(per_side=True, then=Value(2)), default=Value(1))
    unfinished_item = (
        SessionExercise.objects.filter(session=OuterRef("pk"))
        .annotate(logged=Count("logs"))
        .filter(Q(skipped_reason__gt="") | Q(logged__lt=F("sets") * sides))
    )
    short_set = (
        SetLog.objects.filter(item__session=OuterRef("pk"))
        .alias(held_x4=F("hold_seconds") * 4, planned_x3=F("item__hold_seconds") * 3)
        .filter(Q(reps__lt=F("item__reps")) | Q(held_x4__lt=F("planned_x3")))
    )
    return (
        _sessions_at_stage(plan)
        .filter(pain_after__lte=F("pain_before"))
        .exclude(Exists(unfinished_item))
        .exclude(Exists(short_set))
        .count()
    )


def steady_back_sessions(plan: Plan) -> int:
    """Sessions at the current stage in which the back kept its curve in standing stretches."""
    return _sessions_at_stage(plan).filter(steady_back=True).count()


def _step_back(plan: Plan, session: WorkoutSession, rise: int) -> PlanChange:
    stage = plan.stage
    pain = f"Your pain went from {session.pain_before} before the session to {session.pain_after}"
    # "Again" means soon after the last step back; weeks of good sessions later it is a new start.
    since = (session.finished_at or timezone.now()) - REPEAT_RISE_WINDOW
    if plan.changes.filter(kind=ChangeKind.STEP_BACK, created_at__gte=since).exists():
        plan.status = PlanStatus.PAUSED
        plan.save(update_fields=["status"])
        return _change(
            plan,
            session,
            ChangeKind.PAUSE,
            stage,
            f"{pain} after it, and it also rose within two weeks of the last step back. The plan is "
            f"paused: rest "
            f"for a few days and talk to a clinician before you go on. Do not push through pain.",
            from_stage=stage,
        )
    previous = stage.previous()
    if previous is None:
        reason = (
            f"{pain} after it (up {rise}). You are already at the gentlest stage, so take a rest "
            f"day, then go gently and stop any exercise that hurts."
        )
    else:
        plan.stage = previous
        plan.save(update_fields=["stage"])
        reason = (
            f"{pain} after it (up {rise}). You step back to stage {previous.number}, "
            f"{previous.name}, until sessions leave you no sorer than before."
        )
    return _change(plan, session, ChangeKind.STEP_BACK, plan.stage, reason, from_stage=stage)


def _change(
    plan: Plan,
    session: WorkoutSession,
    kind: str,
    to_stage,
    reason: str,
    from_stage=None,
) -> PlanChange:
    return PlanChange.objects.create(
        plan=plan,
        session=session,
        kind=kind,
        from_stage=from_stage or plan.stage,
        to_stage=to_stage,
        reason=reason,
    )
