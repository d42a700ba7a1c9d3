"""How far a person is towards the next stage, and what their pain says: read by the rules in
``events`` when a session is finished and by the pages that show the plan."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from ..models import Plan, SessionExercise, SetLog, Stage, WorkoutSession
from .models import Profile

# One session raising pain by this much steps back; a second such rise within the window
# pauses the plan until a clinician has looked (our own rule, in the spirit of never pushing
# through pain).
PAIN_RISE_TO_STEP_BACK = 2
REPEAT_WINDOW = dt.timedelta(days=14)
# A slow rise: pain up a little in each of this many sessions in a row ...
RISES_IN_A_ROW = 3
# ... or pain before sessions creeping up by this many points over this many sessions.
CREEP_SESSIONS = 4
CREEP_POINTS = 2
# Only recent sessions make a trend: weeks of good sessions later, an old rise is history.
TREND_WINDOW = dt.timedelta(days=21)


def sessions_at_stage(plan: Plan) -> QuerySet[WorkoutSession]:
    """Finished sessions at the plan's current stage since it was (last) entered."""
    return plan.sessions.finished().filter(
        stage=plan.stage_id, started_at__gte=plan.stage_entered_at
    )


def qualifying(plan: Plan) -> QuerySet[WorkoutSession]:
    """Sessions that count towards the next stage: at this stage, counted (the first of its day,
    not a rest day, gentle day or flare-up), every set logged as planned, pain no higher after.

    It is ``done_as_planned`` in SQL, so the dashboard counts months of sessions in one query
    (tests hold the two equal).
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
        sessions_at_stage(plan)
        .filter(not_counted="", pain_after__lte=F("pain_before"))
        .exclude(Exists(unfinished_item))
        .exclude(Exists(short_set))
    )


def done_as_planned(items) -> bool:
    """Every set of every exercise logged, none skipped and none cut short."""
    items = list(items)
    return all(item.is_complete() for item in items) and not any(
        item.short_sets() for item in items
    )


@dataclass(frozen=True)
class StageProgress:
    """Everything the next stage asks for, against what the person has done so far."""

    stage: Stage
    following: Stage | None
    days_done: int  # days with a qualifying session (one a day counts)
    days_at_stage: int  # calendar days since the stage was entered
    steady_needed: int  # sessions with a steady back in standing work (0: not asked)
    steady_done: int
    entered_on: dt.date

    @property
    def sessions_needed(self) -> int:
        return self.stage.sessions_to_advance

    @property
    def days_needed(self) -> int:
        return self.stage.min_days

    @property
    def sessions_met(self) -> bool:
        return self.days_done >= self.sessions_needed

    @property
    def days_met(self) -> bool:
        return self.days_at_stage >= self.days_needed

    @property
    def steady_met(self) -> bool:
        return self.steady_done >= self.steady_needed

    @property
    def ready(self) -> bool:
        return (
            self.following is not None and self.sessions_met and self.days_met and (self.steady_met)
        )

    @property
    def earliest_on(self) -> dt.date:
        """The first day the stage's minimum number of days allows moving on."""
        return self.entered_on + dt.timedelta(days=self.days_needed)


def stage_progress(plan: Plan, profile: Profile) -> StageProgress:
    """Where the plan stands against its next stage, in one query."""
    stage = plan.stage
    following = stage.next()
    # Free-standing work needs a steady back first, unless the plan swaps standing work for
    # supported versions (disc answers), where there is nothing standing to show it in.
    steady_needed = following.steady_back_sessions if following else 0
    if plan.avoid_forward_bends:
        steady_needed = 0
    counts = qualifying(plan).aggregate(
        days=Count("local_date", distinct=True),
        steady=Count("local_date", distinct=True, filter=Q(steady_back=True)),
    )
    entered_on = profile.local_date(plan.stage_entered_at)
    return StageProgress(
        stage=stage,
        following=following,
        days_done=counts["days"],
        days_at_stage=(profile.today() - entered_on).days,
        steady_needed=steady_needed,
        steady_done=counts["steady"] if steady_needed else 0,
        entered_on=entered_on,
    )


def recent_pain(user, now: dt.datetime | None = None) -> list[WorkoutSession]:
    """The person's latest finished sessions with both ratings, within the trend window,
    oldest first: on every plan, since a new track does not reset their pain."""
    since = (now or timezone.now()) - TREND_WINDOW
    rows = (
        WorkoutSession.objects.for_user(user)
        .finished()
        .filter(pain_after__isnull=False, finished_at__gte=since)
        .only("pk", "pain_before", "pain_after", "finished_at")
        .order_by("-finished_at", "-pk")[: max(RISES_IN_A_ROW, CREEP_SESSIONS)]
    )
    return list(reversed(rows))


def pain_trend(recent: list[WorkoutSession]) -> str | None:
    """What a slow rise in pain looks like in these sessions, in words, or None.

    Each session may raise pain by less than the step-back rule catches; together they can
    still show pain going the wrong way.
    """
    last = recent[-RISES_IN_A_ROW:]
    if len(last) == RISES_IN_A_ROW and all(s.pain_after > s.pain_before for s in last):
        return f"gone up during each of your last {RISES_IN_A_ROW} sessions"
    creeping = recent[-CREEP_SESSIONS:]
    before = [s.pain_before for s in creeping]
    if (
        len(creeping) == CREEP_SESSIONS
        and all(b >= a for a, b in itertools.pairwise(before))
        and before[-1] - before[0] >= CREEP_POINTS
    ):
        return (
            f"crept up before your sessions, from {before[0]} to {before[-1]} over your last "
            f"{CREEP_SESSIONS} sessions"
        )
    return None
