"""What the summary for a clinician shows, for the last few weeks of one person's record.

Every figure is computed here once, and the page, the shared page and the PDF all draw this one
object, so the three can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from .. import charts, stats
from ..care.models import FlareUp
from ..models import PlanChange, SelfTest, SessionExercise, SetLog, WorkoutSession
from ..schedule.models import Schedule

DEFAULT_WEEKS = 6
WEEK_CHOICES = (2, 4, 6, 8, 12)
# Past this many, the lists in numbers show the latest only (the chart shows every session).
SHOWN_IN_NUMBERS = 12
CHANGES_SHOWN = 6


@dataclass(frozen=True)
class Summary:
    start: dt.date
    end: dt.date
    weeks: int
    plan: object
    changes: list
    adherence: stats.Adherence
    pain: list
    pain_chart: object
    pain_before_avg: float | None
    pain_after_avg: float | None
    self_tests: list
    self_test_chart: object
    sides: list
    left_hold: int
    right_hold: int
    flare_up_days: int
    short_sets: int
    skipped: list
    notes: list = field(default_factory=list)
    all_notes: list = field(default_factory=list)

    @property
    def pain_shown(self) -> list:
        """The sessions listed in numbers: the latest, so the page stays one page."""
        return self.pain[-SHOWN_IN_NUMBERS:]

    @property
    def skipped_by_exercise(self) -> list[tuple[str, str, int]]:
        """Each exercise skipped, why, and how often: one line however many skips."""
        counts = Counter(
            (item.exercise.name, item.get_skipped_reason_display().lower()) for item in self.skipped
        )
        return [(name, why, n) for (name, why), n in counts.most_common()]

    @property
    def changes_shown(self) -> list:
        return self.changes[-CHANGES_SHOWN:]

    @property
    def left_hold_display(self) -> str:
        return charts.duration(self.left_hold)

    @property
    def right_hold_display(self) -> str:
        return charts.duration(self.right_hold)


def summary(
    user, weeks: int = DEFAULT_WEEKS, notes: set[int] | None = None, end: dt.date | None = None
) -> Summary:
    """The last `weeks` calendar weeks (Monday to Sunday) up to `end` (today unless a share
    froze it); `notes`: the sessions whose notes are shown."""
    today = stats.local_day(timezone.now())
    end = min(end or today, today)
    start = stats.week_start(end) - dt.timedelta(weeks=weeks - 1)
    since, until = stats.start_of_day(start), stats.start_of_day(end + dt.timedelta(days=1))
    plan = stats.current_plan(user)
    sessions = WorkoutSession.objects.for_user(user).filter(
        started_at__gte=since, started_at__lt=until
    )
    finished = list(sessions.finished().order_by("started_at", "pk"))
    pain = [s for s in finished if s.pain_after is not None]
    tests = list(
        SelfTest.objects.filter(user=user, taken_at__gte=since, taken_at__lt=until).order_by(
            "taken_at"
        )
    )
    sides = [t for t in stats.side_totals(user, start, end) if t.has_hold]
    sets = SetLog.objects.filter(item__session__in=sessions).select_related("item")
    with_notes = [s for s in finished if s.note.strip()]
    chosen = notes or set()
    return Summary(
        start=start,
        end=end,
        weeks=weeks,
        plan=plan,
        changes=list(
            PlanChange.objects.filter(plan__user=user, created_at__gte=since, created_at__lt=until)
            .select_related("from_stage", "to_stage", "plan__program")
            .order_by("created_at", "pk")
        ),
        adherence=_adherence(user, plan, weeks, end),
        pain=pain,
        pain_chart=charts.pain_chart(pain),
        pain_before_avg=_average([s.pain_before for s in pain]),
        pain_after_avg=_average([s.pain_after for s in pain]),
        self_tests=tests,
        self_test_chart=charts.self_test_chart(tests),
        sides=sides,
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


def _adherence(user, plan, weeks: int, end: dt.date) -> stats.Adherence:
    """As the history counts it: weeks before the person began are not held against them,
    the current week only once it is met, and extra sessions do not make up for a short week."""
    flare_days = stats.flare_up_days(user, end)
    days = stats.with_flare_up_days(stats.finished_days(user), flare_days)
    days = {day: n for day, n in days.items() if day <= end}
    began = min([*days, stats.local_day(plan.created_at)] if plan else days, default=None)
    target = stats.sessions_per_week(plan, Schedule.of(user))
    calendar = stats.calendar(
        days, today=end, target=target, began=began, weeks=weeks, flare_days=flare_days
    )
    return stats.adherence(calendar)


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
