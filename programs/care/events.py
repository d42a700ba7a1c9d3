"""Every event that moves a person between care states: one function each.

Each function takes the person's lock (their care profile row) first, so two events for one
person never cross; checks its guards (raising ``CareError`` with a message for the page);
stores what changed with the reason the person is shown; and says in its docstring what it does
to a session in progress. ``docs/care-rules.md`` is the same rules as a table (``table.RULES``),
and the stateful tests hold the two together.

Nothing outside this module writes a plan's status, stage, pause or rest day.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from ..models import (
    ChangeKind,
    LegReading,
    Outcome,
    Plan,
    PlanChange,
    PlanStatus,
    Program,
    Routine,
    Screening,
    SelfTest,
    SessionExercise,
    SessionStatus,
    Stage,
    TiltAnswer,
    WorkoutSession,
)
from ..services import session_items
from .choices import Cause, DayAfter, NotCounted, PauseReason, SessionDose, Warning
from .models import Clearance, FlareUp, Profile, new_version
from .prescribing import (
    FORWARD_BENDS_BACK,
    FORWARD_BENDS_REASON,
    Limits,
    planned_exercises,
)
from .progress import (
    PAIN_RISE_TO_STEP_BACK,
    REPEAT_WINDOW,
    TREND_WINDOW,
    done_as_planned,
    pain_trend,
    recent_pain,
    stage_progress,
)
from .state import Situation

BASELINE_NOTE = "Screening baseline"
FLARE_UP_ROUTINE = "flare-up"
# A flare-up keeps the streak for this many days; one that lasts longer needs a clinician, and
# after it only days with the routine done count (the routine's own advice says so).
FLARE_UP_KEPT_DAYS = 7
# Pain before a session this high, or this far above the person's usual, suggests a gentler one.
HIGH_PAIN = 6
ABOVE_USUAL = 2
USUAL_OVER = 5  # sessions
ZONE_GRACE = dt.timedelta(hours=24)

ENDED_BY_SCREENING = "Ended by a new safety check. The sets you logged are kept."
ENDED_BY_FLARE_UP = "Ended when you said your back was flaring up. The sets you logged are kept."
ENDED_BY_PERSON = "Ended when you ended the plan. The sets you logged are kept."
ENDED_STALE = (
    "Ended because it belonged to a plan that is no longer running. The sets you logged are kept."
)


class CareError(Exception):
    """An event the person's state does not allow. The message is written for them."""


@dataclass(frozen=True)
class Answers:
    """What the safety check asked."""

    red_flags: tuple[str, ...] = ()
    recent_injury: bool = False
    pelvic_tilt: str = TiltAnswer.NO
    disc_problems: bool = False
    self_test: tuple[LegReading, LegReading] | None = None


@dataclass(frozen=True)
class StartAnswers:
    """What the start of a session asked."""

    pain_before: int
    felt_after_last: str = ""
    # The person's choice when a gentler session was offered; None when it was not.
    gentle: bool | None = None


@dataclass(frozen=True)
class FinishAnswers:
    pain_after: int
    note: str = ""
    steady_back: bool | None = None


# --- helpers shared by the transitions ---------------------------------------------------------


def lock_person(user_id: int) -> None:
    """The first write of every transaction that changes a person's record.

    It moves their version on (so nothing cached from the record outlives it) and holds their
    row until the transaction ends, so a finish, a late set and a new screening for one person
    queue up instead of crossing. One statement: logging a set pays one query for both.
    """
    version = new_version()
    if not Profile.objects.filter(user_id=user_id).update(version=version):
        Profile.objects.get_or_create(user_id=user_id)
        Profile.objects.filter(user_id=user_id).update(version=version)


def _lock(user) -> Profile:
    lock_person(user.pk)
    return Profile.objects.get(user=user)


def _plan(user) -> Plan | None:
    return (
        Plan.objects.select_for_update(of=("self",))
        .filter(user=user)
        .exclude(status=PlanStatus.ENDED)
        .select_related("program", "stage", "screening")
        .first()
    )


def _record(
    plan: Plan,
    kind: str,
    reason: str,
    cause: str,
    *,
    session: WorkoutSession | None = None,
    from_stage: Stage | None = None,
) -> PlanChange:
    return PlanChange.objects.create(
        plan=plan,
        kind=kind,
        cause=cause,
        reason=reason,
        session=session,
        from_stage=from_stage or plan.stage,
        to_stage=plan.stage,
    )


def _close_open_session(user, why: str) -> int:
    """A session in progress ends, its logged sets kept; nothing more can be logged into it."""
    return (
        WorkoutSession.objects.in_progress()
        .filter(user=user)
        .update(status=SessionStatus.ENDED, ended_reason=why, finished_at=timezone.now())
    )


def _end_flare_up(user) -> None:
    FlareUp.objects.filter(user=user).open().update(ended_at=timezone.now())


def _day(day: dt.date) -> str:
    return format_date(day, "l j F")


def _pause(plan: Plan, why: str, reason: str, cause: str, session=None) -> PlanChange:
    plan.status = PlanStatus.PAUSED
    plan.paused_for = why
    plan.paused_at = timezone.now()
    plan.save(update_fields=["status", "paused_for", "paused_at"])
    _end_flare_up(plan.user)
    _close_open_session(plan.user, ENDED_BY_SCREENING)
    return _record(plan, ChangeKind.PAUSE, reason, cause, session=session)


def _clearance_due(profile: Profile, warning: str) -> None:
    profile.clearance_due_since = timezone.now()
    profile.clearance_due_for = warning
    profile.save(update_fields=["clearance_due_since", "clearance_due_for"])


# --- the safety check ----------------------------------------------------------------------


@transaction.atomic
def screened(user, answers: Answers) -> tuple[Screening, Plan | None]:
    """A safety check: store the answers, then pause, keep, resume, adjust or replace the plan.

    Session in progress: ended (its sets kept) whenever the plan changes: a pause, a new track,
    or a change in the answer about bending forward. Unchanged answers leave it open.
    """
    profile = _lock(user)
    screening = Screening(
        user=user,
        red_flags=sorted(set(answers.red_flags)),
        recent_injury=answers.recent_injury,
        pelvic_tilt=answers.pelvic_tilt,
        disc_problems=answers.disc_problems,
    )
    screening.outcome = screening.decide()
    screening.save()
    if answers.self_test is not None:
        SelfTest.record(user, answers.self_test, note=BASELINE_NOTE)

    plan = _plan(user)
    if screening.outcome == Outcome.CLINICIAN:
        _warning_sign(profile, plan)
        return screening, None
    if screening.outcome == Outcome.INJURY:
        _injury(profile, plan)
        return screening, None
    if profile.clearance_due:
        if plan is not None:
            _record(
                plan,
                ChangeKind.STILL_PAUSED,
                _clearance_wanted(profile, "Your safety check is clear"),
                Cause.SCREENING,
            )
        return screening, None
    return screening, _follow_clear_screening(user, screening, plan)


def _warning_sign(profile: Profile, plan: Plan | None) -> None:
    _clearance_due(profile, Warning.RED_FLAG)
    if plan is None:
        return
    if plan.status == PlanStatus.PAUSED and plan.paused_for == PauseReason.RED_FLAG:
        _record(
            plan,
            ChangeKind.STILL_PAUSED,
            "Your new safety check named a warning sign again. The plan stays paused until a "
            "clinician has checked you.",
            Cause.SCREENING,
        )
        return
    _pause(
        plan,
        PauseReason.RED_FLAG,
        "Your safety check named a warning sign that a clinician should look at first. The plan "
        "is paused: once a clinician has checked you, confirm it here and take the safety check "
        "again.",
        Cause.SCREENING,
    )


def _injury(profile: Profile, plan: Plan | None) -> None:
    if plan is None:
        return
    if plan.status == PlanStatus.PAUSED:
        # A pause that still needs a clinician's check stays the stronger one. Once the check
        # is confirmed, the injury is what the plan waits for now.
        if not profile.clearance_due and plan.paused_for != PauseReason.INJURY:
            plan.paused_for = PauseReason.INJURY
            plan.save(update_fields=["paused_for"])
        _record(
            plan,
            ChangeKind.STILL_PAUSED,
            "Your new safety check found a recent hamstring injury. The plan stays paused: rest "
            "it, use ice packs and compression, and do not stretch it.",
            Cause.SCREENING,
        )
        return
    _pause(
        plan,
        PauseReason.INJURY,
        "You reported a recent hamstring injury. Stretching would not help it heal, so the plan "
        "is paused: rest, ice and compression first, then take the safety check again once "
        "walking is comfortable and the sudden pain has gone.",
        Cause.SCREENING,
    )


def _clearance_wanted(profile: Profile, opening: str) -> str:
    since = _day(profile.local_date(profile.clearance_due_since))
    what = (
        "the warning sign you named"
        if profile.clearance_due_for == Warning.RED_FLAG
        else "your pain kept rising"
    )
    return (
        f"{opening}, but the plan stays paused until you confirm that a clinician has checked "
        f"you since {since}, when {what}."
    )


def _follow_clear_screening(
    user, screening: Screening, plan: Plan | None, cleared_on: dt.date | None = None
) -> Plan:
    """Resume, adjust or replace the plan to match a clear screening (no clearance owed)."""
    program = Program.objects.get(track=screening.outcome)
    avoid = screening.disc_problems
    if plan is not None and plan.program_id == program.pk:
        plan.screening = screening
        if plan.status == PlanStatus.PAUSED:
            checked = ""
            if cleared_on:
                checked = f", and you confirmed a clinician checked you on {_day(cleared_on)}"
            plan.status, plan.paused_for, plan.paused_at = PlanStatus.ACTIVE, "", None
            plan.stage_entered_at = timezone.now()
            plan.save(
                update_fields=["screening", "status", "paused_for", "paused_at", "stage_entered_at"]
            )
            _record(
                plan,
                ChangeKind.RESUME,
                f"Your safety check is clear again{checked}, so the plan picks up at stage "
                f"{plan.stage.number}, {plan.stage.name}. Sessions towards the next stage count "
                f"afresh from today.",
                Cause.CLEARANCE if cleared_on else Cause.SCREENING,
            )
        else:
            plan.save(update_fields=["screening"])
        if plan.avoid_forward_bends != avoid:
            plan.avoid_forward_bends = avoid
            plan.save(update_fields=["avoid_forward_bends"])
            _close_open_session(user, ENDED_BY_SCREENING)
            reason = FORWARD_BENDS_REASON if avoid else FORWARD_BENDS_BACK
            _record(plan, ChangeKind.ADJUST, reason, Cause.SCREENING)
            if not avoid:
                _regate_free_standing(plan)
        return plan

    # Whatever ends here, no session of an old plan stays open (nor one from before these rules).
    _close_open_session(user, ENDED_BY_SCREENING)
    rest_until = plan.rest_until if plan is not None else None
    if plan is not None:
        _end_flare_up(user)
        plan.status, plan.paused_for, plan.paused_at = PlanStatus.ENDED, "", None
        plan.ended_at = timezone.now()
        plan.save(update_fields=["status", "paused_for", "paused_at", "ended_at"])
        _record(
            plan,
            ChangeKind.END,
            f"Your new safety check points to the {program.get_track_display().lower()} track "
            f"instead.",
            Cause.SCREENING,
        )
    stage = program.first_stage()
    new = Plan.objects.create(
        user=user,
        program=program,
        stage=stage,
        screening=screening,
        avoid_forward_bends=avoid,
        # A rest the old plan asked for after a rise in pain still holds on the new one.
        rest_until=rest_until,
    )
    reasons = [why_this_plan(program, screening)]
    if avoid:
        reasons.append(FORWARD_BENDS_REASON)
    if cleared_on:
        reasons.append(f"You confirmed a clinician checked you on {_day(cleared_on)}.")
    PlanChange.objects.create(
        plan=new, kind=ChangeKind.START, cause=Cause.SCREENING, to_stage=stage,
        reason=" ".join(reasons),
    )  # fmt: skip
    return new


def _regate_free_standing(plan: Plan) -> None:
    """Forward bends are back, at a stage whose free-standing work was reached with them
    swapped: the steady back it asks for was never shown, so the plan steps back to show it."""
    stage = plan.stage
    if not stage.steady_back_sessions or (previous := stage.previous()) is None:
        return
    plan.stage, plan.stage_entered_at = previous, timezone.now()
    plan.save(update_fields=["stage", "stage_entered_at"])
    _record(
        plan,
        ChangeKind.STEP_BACK,
        f"Stage {stage.number}, {stage.name}, is free-standing work. You reached it with the "
        f"standing stretches swapped for supported ones, so you have not yet shown your lower back "
        f"keeping its curve in them. You go back to stage {previous.number}, {previous.name}, "
        f"until {stage.steady_back_sessions} sessions done as planned show it.",
        Cause.SCREENING,
        from_stage=stage,
    )


UNSURE_WHY = (
    "You were not sure whether your pelvis tips forward, so you start on the release track. Its "
    "work does no harm if your pelvis is level, while stretching hamstrings that a forward-tipped "
    "pelvis already holds long can strain them. Check again with the steps shown with your "
    "result; if your pelvis turns out level, take the safety check again and you move to the "
    "lengthen track."
)


def why_this_plan(program: Program, screening: Screening | None) -> str:
    """Why this track, in the words the person sees on every page that shows the plan."""
    unsure = screening is not None and screening.pelvic_tilt == TiltAnswer.UNSURE
    if unsure and program.track == Outcome.RELEASE:
        return UNSURE_WHY
    return program.why


@transaction.atomic
def clearance_confirmed(user, seen_on: dt.date) -> Clearance:
    """The person confirms a clinician checked them after a warning sign or a pain pause.

    With a clear safety check taken since the warning, the plan resumes (or starts); otherwise
    it waits for one. Session in progress: none can be open while a clearance is owed.
    """
    profile = _lock(user)
    if not profile.clearance_due:
        raise CareError("There is no warning sign or pause waiting for a clinician's check.")
    warned = profile.clearance_due_since
    earliest, today = profile.local_date(warned), profile.today()
    if seen_on < earliest:
        raise CareError(
            f"The check has to be on or after {_day(earliest)}, when this was recorded: a visit "
            f"before then could not have looked at it."
        )
    if seen_on > today:
        raise CareError("The day of the check cannot be later than today.")
    plan = _plan(user)
    clearance = Clearance.objects.create(
        user=user, plan=plan, warning=profile.clearance_due_for, warned_at=warned, seen_on=seen_on
    )
    what = Warning(profile.clearance_due_for).label.lower()
    profile.clearance_due_since, profile.clearance_due_for = None, ""
    profile.save(update_fields=["clearance_due_since", "clearance_due_for"])
    latest = Screening.objects.filter(user=user).first()
    # The clear safety check has to tell how things are since the visit, not before it.
    clear_since = (
        latest is not None
        and latest.gets_plan
        and latest.created_at > warned
        and profile.local_date(latest.created_at) >= seen_on
    )
    if plan is not None:
        next_step = (
            ""
            if clear_since
            else " Take the safety check again, now that you have been seen, to pick up your plan."
        )
        _record(
            plan,
            ChangeKind.CLEARANCE,
            f"You confirmed that a clinician checked you on {_day(seen_on)} after {what}."
            f"{next_step}",
            Cause.CLEARANCE,
        )
    if clear_since:
        _follow_clear_screening(user, latest, plan, cleared_on=seen_on)
    return clearance


# --- sessions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """What the start of a session says before it begins."""

    gentle_suggested: bool
    usual_pain: int | None
    not_counted: str  # NotCounted value, or "" when the session will count
    asks_day_after: bool
    pain_before: int | None = None

    @property
    def above_usual(self) -> bool:
        pain, usual = self.pain_before, self.usual_pain
        return pain is not None and usual is not None and pain > usual


def session_offer(now: Situation, pain_before: int | None = None) -> Offer:
    """The gentler-session offer for today's pain, and whether the session will count.

    One query: the person's last few finished sessions give their usual pain, the previous
    session (is there a day after it to ask about?) and whether one was done today already.
    """
    recent = list(
        WorkoutSession.objects.for_user(now.profile.user_id)
        .finished()
        .order_by("-started_at", "-pk")
        .only("pain_before", "local_date", "started_at")[:USUAL_OVER]
    )
    usual = round(statistics.median(s.pain_before for s in recent)) if recent else None
    high = pain_before is not None and (
        pain_before >= HIGH_PAIN or (usual is not None and pain_before >= usual + ABOVE_USUAL)
    )
    flare = now.flare_up is not None
    today = now.today
    last_day = recent[0].local_date if recent else None
    return Offer(
        gentle_suggested=high and not flare,
        usual_pain=usual,
        not_counted=_not_counted(
            now.plan, now.profile, flare=flare, gentle=False, done_today=last_day == today
        ),
        asks_day_after=last_day is not None and last_day < today,
        pain_before=pain_before,
    )


def _not_counted(
    plan: Plan | None,
    profile: Profile,
    *,
    flare: bool,
    gentle: bool,
    done_today: bool | None = None,
) -> str:
    if flare:
        return NotCounted.FLARE_UP
    if gentle:
        return NotCounted.GENTLE
    today = profile.today()
    if plan is not None and plan.rest_until is not None and today <= plan.rest_until:
        return NotCounted.REST_DAY
    finished = WorkoutSession.objects.finished().filter(user=profile.user_id)
    if done_today is None:
        done_today = finished.filter(local_date=today).exists()
    if not done_today and profile.moved_zone_lately():
        # Days just moved to another zone: a session within the last day is still today's,
        # so changing the zone cannot make two sessions an afternoon count twice.
        done_today = finished.filter(started_at__gte=timezone.now() - ZONE_GRACE).exists()
    if done_today:
        return NotCounted.SECOND
    return ""


def session_started(user, answers: StartAnswers) -> WorkoutSession:
    """Open today's session, or return the one already open (it resumes, answers unused).

    Today's dose follows today's symptoms: a gentler session when the person chose it or when
    the days after the last two sessions both felt worse; the flare-up routine in a flare-up.
    """
    try:
        with transaction.atomic():
            return _start(user, answers)
    except IntegrityError:
        # Two starts raced (a double tap): the other one won, and that is the one to resume.
        open_session = WorkoutSession.objects.in_progress().filter(user=user).first()
        if open_session is None:
            raise
        return open_session


def _start(user, answers: StartAnswers) -> WorkoutSession:
    profile = _lock(user)
    plan = _plan(user)
    open_session = WorkoutSession.objects.in_progress().filter(user=user).first()
    if open_session is not None:
        if (
            plan is not None
            and plan.status == PlanStatus.ACTIVE
            and open_session.plan_id == plan.pk
        ):
            return open_session
        # Left open on a plan that is no longer running (from before these rules): it ends
        # here, its sets kept, and today's session starts on the plan that is.
        _close_open_session(user, ENDED_STALE)
    if plan is None or plan.status != PlanStatus.ACTIVE:
        raise CareError(
            "There is no active plan to start a session from: see your dashboard for why."
        )
    flare = FlareUp.objects.filter(user=user).open().exists()
    previous = (
        WorkoutSession.objects.for_user(user).finished().order_by("-started_at", "-pk").first()
    )
    lowered = (
        not flare
        and answers.felt_after_last == DayAfter.WORSE
        and previous is not None
        and previous.felt_after_last == DayAfter.WORSE
    )
    gentle = not flare and (bool(answers.gentle) or lowered)
    dose = SessionDose.FLARE_UP if flare else (SessionDose.GENTLE if gentle else SessionDose.USUAL)
    session = WorkoutSession.objects.create(
        user=user,
        plan=plan,
        day=None if flare else plan.next_day(),
        stage=plan.stage,
        pain_before=answers.pain_before,
        local_date=profile.today(),
        dose=dose,
        not_counted=_not_counted(plan, profile, flare=flare, gentle=gentle),
        felt_after_last=answers.felt_after_last,
    )
    SessionExercise.objects.bulk_create(_items_for(session, plan, flare=flare, gentle=gentle))
    if lowered:
        _record(
            plan,
            ChangeKind.ADJUST,
            "The days after your last two sessions both felt worse, so today's session is "
            "gentler: a set fewer, shorter holds, and supported versions of standing work. It "
            "does not count towards moving on, and your streak is kept.",
            Cause.DAY_AFTER,
            session=session,
        )
    return session


def _items_for(session, plan: Plan, *, flare: bool, gentle: bool) -> list[SessionExercise]:
    limits = Limits.for_plan(plan, gentle=gentle)
    if flare:
        routine = Routine.objects.filter(slug=FLARE_UP_ROUTINE).first()
        lines = routine.items.select_related("exercise__alternative") if routine else []
    elif session.day is not None:
        lines = session.day.prescriptions.select_related("exercise__alternative")
    else:
        lines = []
    planned, _left_out = planned_exercises(lines, limits)
    return [
        SessionExercise.prescribed(session, order, p.exercise, p.dose, p.substituted_for)
        for order, p in enumerate(planned, start=1)
    ]


@transaction.atomic
def session_finished(session: WorkoutSession, answers: FinishAnswers) -> PlanChange | None:
    """Close the session, then let the plan's rules look at it: pain first, then progress.

    Returns the change made, if any. A session already closed (a double tap) changes nothing
    and raises ``CareError``.
    """
    _lock(session.user)
    session = WorkoutSession.objects.select_for_update().get(pk=session.pk)
    if not session.is_open:
        raise CareError("This session is already closed, so nothing was changed.")
    session.pain_after = answers.pain_after
    session.note = answers.note
    session.steady_back = answers.steady_back
    session.status = SessionStatus.FINISHED
    session.finished_at = timezone.now()
    session.save(update_fields=["pain_after", "note", "steady_back", "status", "finished_at"])
    plan = _plan(session.user)
    if plan is None or plan.pk != session.plan_id or plan.status != PlanStatus.ACTIVE:
        return None
    profile = Profile.objects.get(user=session.user_id)

    rise = answers.pain_after - session.pain_before
    if rise >= PAIN_RISE_TO_STEP_BACK:
        return _pain_rose(plan, session, profile, rise)
    trend = pain_trend(recent_pain(session.user_id))
    if trend:
        return _pain_crept(plan, session, profile, trend)
    if session.not_counted or session.stage_id != plan.stage_id:
        return None
    return _progress(plan, session, profile)


def _rest(plan: Plan, profile: Profile) -> str:
    plan.rest_until = profile.today() + dt.timedelta(days=1)
    plan.save(update_fields=["rest_until"])
    return "Take a rest day today and tomorrow"


def _step_back(plan: Plan) -> Stage | None:
    previous = plan.stage.previous()
    if previous is not None:
        plan.stage = previous
        plan.stage_entered_at = timezone.now()
        plan.save(update_fields=["stage", "stage_entered_at"])
    return previous


def _pain_rose(plan: Plan, session, profile: Profile, rise: int) -> PlanChange:
    pain = (
        f"Your pain went from {session.pain_before} before the session to {session.pain_after} "
        f"after it (up {rise})"
    )
    since = timezone.now() - REPEAT_WINDOW
    # Per person, not per plan: a new track does not wipe out a rise a few days ago.
    earlier = PlanChange.objects.filter(plan__user=plan.user_id, cause=Cause.PAIN_RISE)
    if earlier.filter(created_at__gte=since).exists():
        _clearance_due(profile, Warning.PAIN)
        return _pause(
            plan,
            PauseReason.PAIN,
            f"{pain}, the second rise like this within two weeks. The plan is paused: rest for a "
            f"few days and talk to a clinician before you go on. Once a clinician has checked "
            f"you, confirm it here and take the safety check again. Do not push through pain.",
            Cause.PAIN_RISE,
            session=session,
        )
    rest = _rest(plan, profile)
    stage = plan.stage
    if session.dose == SessionDose.USUAL and (previous := _step_back(plan)) is not None:
        return _record(
            plan,
            ChangeKind.STEP_BACK,
            f"{pain}. You step back to stage {previous.number}, {previous.name}. {rest}; sessions "
            f"towards stage {stage.number} count afresh from today.",
            Cause.PAIN_RISE,
            session=session,
            from_stage=stage,
        )
    where = (
        "You are at the first stage already"
        if stage.previous() is None
        else "This was already a gentler session"
    )
    return _record(
        plan,
        ChangeKind.HOLD,
        f"{pain}. {where}, so you stay at stage {stage.number}. {rest}, then go gently and stop "
        f"any exercise that hurts. Another rise like this within two weeks pauses the plan.",
        Cause.PAIN_RISE,
        session=session,
    )


def _pain_crept(plan: Plan, session, profile: Profile, trend: str) -> PlanChange:
    since = timezone.now() - TREND_WINDOW
    earlier = PlanChange.objects.filter(
        plan__user=plan.user_id, cause=Cause.PAIN_TREND, created_at__gte=since
    ).count()
    text = f"Your pain has {trend}"
    stage = plan.stage
    can_step_back = session.dose == SessionDose.USUAL and stage.previous() is not None
    if earlier == 0:
        rest = _rest(plan, profile)
        then = (
            "the plan steps back"
            if can_step_back
            else "the plan pauses so you can talk to a clinician"
        )
        return _record(
            plan,
            ChangeKind.HOLD,
            f"{text}. Each rise was small, but together they point the wrong way, so you stay at "
            f"stage {stage.number} for now. {rest}. If it keeps creeping up, {then}.",
            Cause.PAIN_TREND,
            session=session,
        )
    if earlier == 1 and can_step_back:
        rest = _rest(plan, profile)
        previous = _step_back(plan)
        return _record(
            plan,
            ChangeKind.STEP_BACK,
            f"{text}, and it kept creeping up after the last warning. You step back to stage "
            f"{previous.number}, {previous.name}. {rest}. If it goes on, talk to a clinician.",
            Cause.PAIN_TREND,
            session=session,
            from_stage=stage,
        )
    _clearance_due(profile, Warning.PAIN)
    return _pause(
        plan,
        PauseReason.PAIN,
        f"{text}, and it kept rising after the plan {'held and stepped back' if earlier > 1 else 'held'}. "
        f"The plan is paused: rest and talk to a clinician before you go on. Once a clinician has "
        f"checked you, confirm it here and take the safety check again.",
        Cause.PAIN_TREND,
        session=session,
    )


def _progress(plan: Plan, session, profile: Profile) -> PlanChange | None:
    stage = plan.stage
    items = session_items(session)
    if not all(item.is_complete() for item in items):
        active = [item for item in items if not item.is_skipped]
        done = sum(len(item.logs.all()) for item in active)
        planned = sum(item.planned_set_count for item in active)
        skipped = [item.exercise.name for item in items if item.is_skipped]
        detail = f"{done} of {planned} planned sets were logged"
        if skipped:
            detail += f" and you skipped {', '.join(skipped)}"
        return _record(
            plan,
            ChangeKind.HOLD,
            f"{detail}. You stay at stage {stage.number} for now: only complete sessions count "
            f"towards moving on.",
            Cause.PROGRESS,
            session=session,
        )
    if not done_as_planned(items):
        short = [(item, log) for item in items for log in item.short_sets()]
        names = sorted({item.exercise.name for item, _log in short})
        count = len(short)
        return _record(
            plan,
            ChangeKind.HOLD,
            f"{count} set{'s were' if count != 1 else ' was'} cut short of the plan (fewer reps, "
            f"or under three quarters of the hold) in {', '.join(names)}. That is the right call "
            f"when something does not feel right. You stay at stage {stage.number} for now: "
            f"sessions done as planned count towards moving on.",
            Cause.PROGRESS,
            session=session,
        )

    progress = stage_progress(plan, profile)
    following = progress.following
    if following is None or not (progress.sessions_met and progress.days_met):
        return None
    if not progress.steady_met:
        return _record(
            plan,
            ChangeKind.HOLD,
            f"You have done the {stage.sessions_to_advance} sessions stage {stage.number} asks "
            f"for. Stage {following.number}, {following.name}, is free-standing work, so it also "
            f"needs {following.steady_back_sessions} sessions done as planned in which your lower "
            f"back kept its natural curve in the standing stretches; so far you have "
            f"{progress.steady_done}. You stay at stage {stage.number} until then.",
            Cause.PROGRESS,
            session=session,
        )
    plan.stage = following
    plan.stage_entered_at = timezone.now()
    plan.save(update_fields=["stage", "stage_entered_at"])
    return _record(
        plan,
        ChangeKind.ADVANCE,
        f"You completed {progress.days_done} sessions done as planned, each on a different day "
        f"over {progress.days_at_stage} days at stage {stage.number}, with pain no higher "
        f"afterwards than before, so you move up to stage {following.number}, {following.name}.",
        Cause.PROGRESS,
        session=session,
        from_stage=stage,
    )


# --- flare-ups and ending ------------------------------------------------------------------

FLARE_UP_ADVICE = (
    "Until you say it is over, each session is a short, gentle routine and progress waits; your "
    "streak is kept and each day counts for the week. Stop and see a clinician if the pain "
    "spreads down a leg, you feel numbness, tingling or weakness, or it keeps getting worse."
)


@transaction.atomic
def flare_up_started(user) -> FlareUp:
    """The person says their back is flaring up: the flare-up routine until they say it is over.

    Session in progress: ended, its sets kept, so the next one is the gentle routine.
    """
    _lock(user)
    plan = _plan(user)
    if plan is None or plan.status != PlanStatus.ACTIVE:
        raise CareError("Flare-up mode is for a running plan; yours is not running now.")
    existing = FlareUp.objects.filter(user=user).open().first()
    if existing is not None:
        return existing
    _close_open_session(user, ENDED_BY_FLARE_UP)
    flare_up = FlareUp.objects.create(user=user, plan=plan)
    _record(
        plan,
        ChangeKind.FLARE_UP,
        f"You said your back is flaring up. {FLARE_UP_ADVICE}",
        Cause.FLARE_UP,
    )
    return flare_up


@transaction.atomic
def flare_up_ended(user) -> PlanChange:
    """The flare-up is over: back to the same stage, where progress picks up again.

    Session in progress: a flare-up routine left open stays open and can be finished.
    """
    profile = _lock(user)
    flare_up = FlareUp.objects.filter(user=user).open().select_related("plan__stage").first()
    if flare_up is None:
        raise CareError("You are not in a flare-up, so there is nothing to end.")
    flare_up.ended_at = timezone.now()
    flare_up.save(update_fields=["ended_at"])
    plan = flare_up.plan
    days = (profile.today() - profile.local_date(flare_up.started_at)).days + 1
    return _record(
        plan,
        ChangeKind.FLARE_UP_OVER,
        f"You said your flare-up is over after {days} day{'s' if days != 1 else ''}. You carry "
        f"on at stage {plan.stage.number}, {plan.stage.name}, where you were.",
        Cause.FLARE_UP,
    )


@transaction.atomic
def plan_ended(user) -> PlanChange:
    """The person ends their plan. History is kept; a new safety check starts a new plan.

    Session in progress: ended, its sets kept.
    """
    _lock(user)
    plan = _plan(user)
    if plan is None:
        raise CareError("There is no plan to end.")
    _close_open_session(user, ENDED_BY_PERSON)
    _end_flare_up(user)
    plan.status, plan.paused_for, plan.paused_at = PlanStatus.ENDED, "", None
    plan.ended_at = timezone.now()
    plan.save(update_fields=["status", "paused_for", "paused_at", "ended_at"])
    return _record(
        plan,
        ChangeKind.END,
        "You ended this plan. Everything you logged is kept; take the safety check again to "
        "start a new one.",
        Cause.PERSON,
    )
