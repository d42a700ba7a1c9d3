"""Which days are session days, as the person chose them and as the care rules allow them.

The person's choice says when they mean to train; the care rules say when they may. A session
day is offered (on the dashboard, in the calendar feed, by a reminder) only while the plan is
running, never on a rest day the rules asked for, and not again on a day whose session is done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from ..care.prescribing import Limits, planned_exercises
from ..care.state import Situation
from ..models import Prescription, ProgramDay, WorkoutSession
from .models import WEEKDAYS, Schedule

# The days a plan's sessions a week fall on before the person chooses: spread out, Monday = 0.
# Our own general advice: a day between sessions where the week allows it.
SUGGESTED = {
    1: (2,),
    2: (1, 4),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 3, 4),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}
FEED_WEEKS = 8


def suggested_days(per_week: int) -> tuple[int, ...]:
    return SUGGESTED[min(max(per_week, 1), len(WEEKDAYS))]


@dataclass(frozen=True)
class SessionDay:
    date: dt.date
    starts: dt.datetime  # on the person's own clock, aware
    day: ProgramDay | None  # what the plan holds for it, going round the stage's days
    # The exercises of that day within the person's limits, as the session would give them.
    exercises: tuple[str, ...] = ()
    label: str = ""  # the day's name, or the flare-up routine's while a flare-up lasts


def upcoming(
    schedule: Schedule | None, now: Situation, weeks: int = FEED_WEEKS
) -> list[SessionDay]:
    """The person's session days from today on, for `weeks` weeks: none while the plan is not
    running (a pause, a clinician first, an injury, an ended plan, no plan yet)."""
    plan = now.plan
    if schedule is None or plan is None or not now.can_train:
        return []
    today = now.today
    zone = now.profile.zone
    done_today = WorkoutSession.objects.finished().filter(user=plan.user_id, local_date=today)
    first = today + dt.timedelta(days=1) if done_today.exists() else today
    if plan.rest_until is not None and plan.rest_until >= first:
        first = plan.rest_until + dt.timedelta(days=1)
    prescriptions = Prescription.objects.select_related("exercise__alternative")
    rotation = list(
        plan.stage.days.order_by("number").prefetch_related(
            Prefetch("prescriptions", prescriptions)
        )
    )
    limits = Limits.for_plan(plan)
    holds = {
        day.pk: tuple(
            p.exercise.name for p in planned_exercises(day.prescriptions.all(), limits)[0]
        )
        for day in rotation
    }
    following = plan.next_day()
    turn = rotation.index(following) if following in rotation else 0
    flare_up = _flare_up_routine(now)
    found: list[SessionDay] = []
    date = first
    while date < today + dt.timedelta(weeks=weeks):
        if schedule.is_session_day(date):
            starts = dt.datetime.combine(date, schedule.time, tzinfo=zone)
            if flare_up is not None:
                # Until the person says it is over, every session is the gentle routine.
                found.append(SessionDay(date, starts, None, flare_up[1], flare_up[0]))
            else:
                day = rotation[(turn + len(found)) % len(rotation)] if rotation else None
                held = holds[day.pk] if day else ()
                found.append(SessionDay(date, starts, day, held, day.name if day else ""))
        date += dt.timedelta(days=1)
    return found


def _flare_up_routine(now: Situation) -> tuple[str, tuple[str, ...]] | None:
    from ..care.events import FLARE_UP_ROUTINE
    from ..models import Routine

    if now.flare_up is None:
        return None
    routine = Routine.objects.filter(slug=FLARE_UP_ROUTINE).first()
    if routine is None:
        return "Flare-up routine", ()
    names = tuple(line.exercise.name for line in routine.items.select_related("exercise"))
    return routine.name, names
