"""What the summary for a clinician shows, for the last few weeks of one person's record.

Every figure is computed here once, and the page, the shared page and the PDF all draw this one
object, so the three can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from .. import charts, stats
from ..care.models import FlareUp
from ..models import PlanChange, SelfTest, SessionExercise, SetLog, WorkoutSession
from ..schedule.models import Schedule

DEFAULT_WEEKS = 6
WEEK_CHOICES = (2, 4, 6, 8, 12)


@dataclass(frozen=True)
class Summary:
    username: str
    start: dt.date
    end: dt.date
    weeks: int
    plan: object
    changes: list
    done: int
    planned: int
    pain: list
    pain_chart: object
    pain_before_avg: float | None
    pain_after_avg: float | None
    self_tests: list
    self_test_chart: object
    sides: list
    side_chart: object
    left_hold: int
    right_hold: int
    flare_up_days: int
    short_sets: int
    skipped: list
    notes: list = field(default_factory=list)
    all_notes: list = field(default_factory=list)

    @property
    def adherence(self) -> int | None:
        return round(100 * self.done / self.planned) if self.planned else None

    @property
    def left_hold_display(self) -> str:
        return charts.duration(self.left_hold)

    @property
    def right_hold_display(self) -> str:
        return charts.duration(self.right_hold)


def summary(user, weeks: int = DEFAULT_WEEKS, notes: set[int] | None = None) -> Summary:
    """The last `weeks` weeks up to today; `notes`: the sessions whose notes are shown."""
    end = stats.local_day(dt.datetime.now(dt.UTC))
    start = end - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
    since = stats.start_of_day(start)
    plan = stats.current_plan(user)
    sessions = WorkoutSession.objects.for_user(user).filter(started_at__gte=since)
    finished = list(sessions.finished().order_by("started_at", "pk"))
    pain = [s for s in finished if s.pain_after is not None]
    target = stats.sessions_per_week(plan, Schedule.of(user))
    tests = list(SelfTest.objects.filter(user=user, taken_at__gte=since).order_by("taken_at"))
    sides = stats.side_totals(user, start)
    sets = SetLog.objects.filter(item__session__in=sessions).select_related("item")
    with_notes = [s for s in finished if s.note.strip()]
    chosen = notes or set()
    return Summary(
        username=user.get_username(),
        start=start,
        end=end,
        weeks=weeks,
        plan=plan,
        changes=list(
            PlanChange.objects.filter(plan__user=user, created_at__gte=since)
            .select_related("from_stage", "to_stage", "plan__program")
            .order_by("created_at", "pk")
        ),
        done=len(finished),
        planned=target * weeks,
        pain=pain,
        pain_chart=charts.pain_chart(pain),
        pain_before_avg=_average([s.pain_before for s in pain]),
        pain_after_avg=_average([s.pain_after for s in pain]),
        self_tests=tests,
        self_test_chart=charts.self_test_chart(tests),
        sides=[t for t in sides if t.has_hold],
        side_chart=charts.side_chart(sides),
        left_hold=sum(t.left_hold for t in sides),
        right_hold=sum(t.right_hold for t in sides),
        flare_up_days=len(_flare_days(user, start, end)),
        short_sets=sum(1 for log in sets if log.falls_short_of(log.item)),
        skipped=list(
            SessionExercise.objects.filter(session__in=sessions)
            .exclude(skipped_reason="")
            .select_related("exercise", "session")
            .order_by("session__started_at", "order")
        ),
        notes=[s for s in with_notes if s.pk in chosen],
        all_notes=with_notes,
    )


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _flare_days(user, start: dt.date, end: dt.date) -> set[dt.date]:
    flare_ups = FlareUp.objects.filter(user=user).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=stats.start_of_day(start))
    )
    days: set[dt.date] = set()
    for flare_up in flare_ups:
        day = max(stats.local_day(flare_up.started_at), start)
        last = min(stats.local_day(flare_up.ended_at) if flare_up.ended_at else end, end)
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
    return days
