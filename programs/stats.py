"""What the history shows: weeks, adherence, streaks and totals, each in one query.

Every function here runs a fixed number of queries however long the person's history is:
the database groups and sums, Python only arranges the (few) grouped rows. Weeks run Monday to
Sunday in the site's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from .charts import duration
from .models import (
    Effort,
    Exercise,
    FlareUp,
    Plan,
    PlanChange,
    SelfTest,
    SessionExercise,
    SetLog,
    Side,
    WorkoutSession,
)

WEEKS_SHOWN = 12
DEFAULT_SESSIONS_PER_WEEK = 3
PAIN_POINTS = 30
SELF_TEST_POINTS = 60
EXERCISE_POINTS = 50

# Hold time for a whole set: the hold is per repetition, and a set of holds counts once.
SET_HOLD = F("hold_seconds") * Greatest(F("reps"), Value(1))
# Named for what they are: a long hold logged as "1 rep" is a hold, not a repetition, and timed
# work (a warm-up, foam rolling) is time spent, not time held. The same test as the player's.
COUNTS_REPS = Q(item__reps__gt=1) | Q(item__hold_seconds=0)
IS_TIMED = Q(item__exercise__effort=Effort.TIMED)
REPS_DONE = Sum("reps", filter=COUNTS_REPS)
TIME_HELD = Sum(SET_HOLD, filter=~IS_TIMED)
TIME_WORKED = Sum(SET_HOLD, filter=IS_TIMED)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- weeks, adherence and streaks ------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    sessions: int
    is_today: bool
    is_future: bool
    flare_up: bool = False


@dataclass(frozen=True)
class Week:
    start: dt.date
    done: int
    target: int
    days: list[CalendarDay]
    is_current: bool
    # Weeks before the person began are shown but not held against them.
    before_start: bool

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def met(self) -> bool:
        return self.done >= self.target

    @property
    def counted(self) -> bool:
        """Whether the week counts towards adherence: begun, and over (or already met)."""
        return not self.before_start and (not self.is_current or self.met)


def finished_days(user) -> dict[dt.date, int]:
    """Finished sessions per local day, over the person's whole history (one grouped query)."""
    rows = (
        WorkoutSession.objects.for_user(user)
        .finished()
        # The person's own day, as the care rules count it.
        .annotate(local_day=Coalesce("local_date", TruncDate("started_at")))
        .order_by()
        .values("local_day")
        .annotate(n=Count("pk"))
    )
    return {row["local_day"]: row["n"] for row in rows}


def flare_up_days(user, today: dt.date) -> set[dt.date]:
    """The local days of each flare-up that keep the streak: up to its first week (one query)."""
    from .care.events import FLARE_UP_KEPT_DAYS

    days: set[dt.date] = set()
    for started, ended in FlareUp.objects.filter(user=user).values_list("started_at", "ended_at"):
        day = local_day(started)
        last = local_day(ended) if ended else today
        last = min(last, day + dt.timedelta(days=FLARE_UP_KEPT_DAYS - 1))
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def with_flare_up_days(days: dict[dt.date, int], flare_days: set[dt.date]) -> dict[dt.date, int]:
    """Sessions per day for adherence and streaks: a flare-up day counts as a session day even
    without one, so a flare-up never breaks a streak (the care rules promise this)."""
    merged = dict(days)
    for day in flare_days:
        merged[day] = max(merged.get(day, 0), 1)
    return merged


def current_plan(user) -> Plan | None:
    """The plan the person is on: the newest one (an ended plan only if nothing replaced it)."""
    return Plan.objects.filter(user=user).select_related("program", "stage").first()


def sessions_per_week(plan: Plan | None, schedule=None) -> int:
    """A week's target: the days the person chose, or else what their plan asks for."""
    if schedule is not None:
        return len(schedule.weekdays)
    return plan.program.sessions_per_week if plan else DEFAULT_SESSIONS_PER_WEEK


def per_week(days: dict[dt.date, int]) -> dict[dt.date, int]:
    weeks: dict[dt.date, int] = defaultdict(int)
    for day, n in days.items():
        weeks[week_start(day)] += n
    return dict(weeks)


def calendar(
    days: dict[dt.date, int],
    *,
    today: dt.date,
    target: int,
    began: dt.date | None,
    weeks: int = WEEKS_SHOWN,
    flare_days: set[dt.date] | frozenset[dt.date] = frozenset(),
) -> list[Week]:
    """The last ``weeks`` weeks, oldest first, ending with the current week."""
    this_week = week_start(today)
    began_week = week_start(began) if began else this_week
    result = []
    for back in range(weeks - 1, -1, -1):
        start = this_week - dt.timedelta(weeks=back)
        week_days = [
            CalendarDay(
                date=day,
                sessions=days.get(day, 0),
                is_today=day == today,
                is_future=day > today,
                flare_up=day in flare_days,
            )
            for day in (start + dt.timedelta(days=i) for i in range(7))
        ]
        result.append(
            Week(
                start=start,
                done=sum(d.sessions for d in week_days),
                target=target,
                days=week_days,
                is_current=start == this_week,
                before_start=start < began_week,
            )
        )
    return result


def current_streak(weeks: dict[dt.date, int], *, today: dt.date, target: int) -> int:
    """Weeks in a row, up to now, with at least ``target`` finished sessions.

    The week in progress joins the streak once its target is met; until then it neither adds
    nor breaks anything, so rest days (and an unfinished week) never end a streak. Only a whole
    week that fell short does.
    """
    if target < 1:
        return 0
    this_week = week_start(today)
    streak = 1 if weeks.get(this_week, 0) >= target else 0
    week = this_week - dt.timedelta(weeks=1)
    while weeks.get(week, 0) >= target:
        streak += 1
        week -= dt.timedelta(weeks=1)
    return streak


def longest_streak(weeks: dict[dt.date, int], *, target: int) -> int:
    best = run = 0
    previous = None
    for week in sorted(w for w, n in weeks.items() if n >= target):
        run = run + 1 if previous and week - previous == dt.timedelta(weeks=1) else 1
        best = max(best, run)
        previous = week
    return best


@dataclass(frozen=True)
class Adherence:
    done: int
    planned: int
    weeks: int

    @property
    def percent(self) -> int | None:
        if not self.planned:
            return None
        return round(100 * self.done / self.planned)


def adherence(weeks: list[Week]) -> Adherence:
    """Sessions done against planned over the counted weeks; extra sessions do not make up
    for a missed week, so a catch-up week cannot push it above 100%."""
    counted = [w for w in weeks if w.counted]
    return Adherence(
        done=sum(min(w.done, w.target) for w in counted),
        planned=sum(w.target for w in counted),
        weeks=len(counted),
    )


# --- sessions --------------------------------------------------------------------------------


def history_sessions(user) -> QuerySet[WorkoutSession]:
    """The person's sessions newest first, each with its set counts and the changes it caused.

    Counts come from correlated subqueries so the page stays one query for the rows plus one for
    the plan changes, whatever the page size.
    """
    done = (
        SetLog.objects.filter(item__session=OuterRef("pk"))
        .order_by()
        .values("item__session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # The whole plan, skipped exercises included: a skip shows as skipped, not as a smaller plan.
    planned = (
        SessionExercise.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(
            n=Sum(
                Case(
                    When(per_side=True, then=F("sets") * 2),
                    default=F("sets"),
                    output_field=IntegerField(),
                )
            )
        )
        .values("n")
    )
    skipped = (
        SessionExercise.objects.filter(session=OuterRef("pk"))
        .exclude(skipped_reason="")
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        WorkoutSession.objects.for_user(user)
        .select_related("day", "stage")
        .annotate(
            sets_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
            sets_planned=Coalesce(Subquery(planned, output_field=IntegerField()), 0),
            skipped_count=Coalesce(Subquery(skipped, output_field=IntegerField()), 0),
        )
        .prefetch_related(Prefetch("plan_changes", PlanChange.objects.order_by("created_at", "pk")))
        .order_by("-started_at", "-pk")
    )


def pain_history(user, limit: int = PAIN_POINTS) -> list[WorkoutSession]:
    """The last finished sessions with both pain ratings, oldest first."""
    rows = (
        WorkoutSession.objects.for_user(user)
        .finished()
        .filter(pain_after__isnull=False)
        .only("pk", "started_at", "pain_before", "pain_after")
        .order_by("-started_at", "-pk")[:limit]
    )
    return list(reversed(rows))


def self_tests(user, limit: int = SELF_TEST_POINTS) -> list[SelfTest]:
    """The latest self-tests, oldest first."""
    return list(reversed(SelfTest.objects.filter(user=user).order_by("-taken_at")[:limit]))


# --- sets ------------------------------------------------------------------------------------


def user_sets(user) -> QuerySet[SetLog]:
    return SetLog.objects.filter(item__session__user=user)


@dataclass(frozen=True)
class WeekTotal:
    start: dt.date
    hold_seconds: int
    reps: int
    sets: int
    timed_seconds: int = 0

    @property
    def hold_display(self) -> str:
        return duration(self.hold_seconds)

    @property
    def timed_display(self) -> str:
        return duration(self.timed_seconds)


def weekly_totals(user, weeks: list[Week]) -> list[WeekTotal]:
    """Time held, repetitions, sets and timed work logged in each of the given weeks (a week of
    the session's start), including weeks with nothing logged."""
    first = start_of_day(weeks[0].start)
    rows = (
        user_sets(user)
        .filter(item__session__started_at__gte=first)
        .annotate(day=TruncDate("item__session__started_at"))
        .order_by()
        .values("day")
        .annotate(
            total_hold=TIME_HELD, total_reps=REPS_DONE, set_count=Count("pk"), timed=TIME_WORKED
        )
    )
    by_week: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        total = by_week[week_start(row["day"])]
        total[0] += row["total_hold"] or 0
        total[1] += row["total_reps"] or 0
        total[2] += row["set_count"]
        total[3] += row["timed"] or 0
    return [WeekTotal(w.start, *by_week.get(w.start, [0, 0, 0, 0])) for w in weeks]


@dataclass(frozen=True)
class SideTotal:
    slug: str
    name: str
    left_hold: int = 0
    right_hold: int = 0
    left_reps: int = 0
    right_reps: int = 0
    left_sets: int = 0
    right_sets: int = 0

    @property
    def has_hold(self) -> bool:
        return bool(self.left_hold or self.right_hold)

    @property
    def left_hold_display(self) -> str:
        return duration(self.left_hold)

    @property
    def right_hold_display(self) -> str:
        return duration(self.right_hold)


def side_totals(user, since: dt.date, until: dt.date | None = None) -> list[SideTotal]:
    """Left against right for each per-side exercise logged since the given day (up to and
    including `until`, if given)."""
    sets = user_sets(user).filter(
        side__in=[Side.LEFT, Side.RIGHT], item__session__started_at__gte=start_of_day(since)
    )
    if until is not None:
        sets = sets.filter(item__session__started_at__lt=start_of_day(until + dt.timedelta(days=1)))
    rows = (
        sets.order_by()
        .values("item__exercise__slug", "item__exercise__name", "item__exercise__order", "side")
        .annotate(total_hold=Sum(SET_HOLD), total_reps=REPS_DONE, set_count=Count("pk"))
    )
    found: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: (r["item__exercise__order"], r["item__exercise__name"])):
        entry = found.setdefault(
            row["item__exercise__slug"],
            {"slug": row["item__exercise__slug"], "name": row["item__exercise__name"]},
        )
        side = row["side"]
        entry[f"{side}_hold"] = row["total_hold"] or 0
        entry[f"{side}_reps"] = row["total_reps"] or 0
        entry[f"{side}_sets"] = row["set_count"]
    return [SideTotal(**entry) for entry in found.values()]


@dataclass(frozen=True)
class ExerciseTotal:
    slug: str
    name: str
    sets: int
    reps: int
    hold_seconds: int
    last: dt.datetime
    timed: bool = False

    @property
    def hold_display(self) -> str:
        return duration(self.hold_seconds)


def exercise_totals(user) -> list[ExerciseTotal]:
    """Everything logged per exercise, most recently done first."""
    rows = (
        user_sets(user)
        .order_by()
        .values("item__exercise__slug", "item__exercise__name")
        .annotate(
            set_count=Count("pk"),
            total_reps=REPS_DONE,
            total_hold=Sum(SET_HOLD),
            last=Max("logged_at"),
            timed=Max("item__exercise__effort", filter=IS_TIMED),
        )
        .order_by("-last")
    )
    return [
        ExerciseTotal(
            slug=row["item__exercise__slug"],
            name=row["item__exercise__name"],
            sets=row["set_count"],
            reps=row["total_reps"] or 0,
            hold_seconds=row["total_hold"] or 0,
            last=row["last"],
            timed=bool(row["timed"]),
        )
        for row in rows
    ]


def exercise_sets(user, exercise: Exercise) -> QuerySet[SetLog]:
    """Every set this person logged for one exercise, newest first, with its session."""
    return (
        user_sets(user)
        .filter(item__exercise=exercise)
        .select_related("item__session", "item__exercise")
        .order_by("-item__session__started_at", "-item__session_id", "set_number", "side")
    )


@dataclass(frozen=True)
class SessionTrend:
    session_id: int
    started_at: dt.datetime
    side: str
    average_hold: float
    best_hold: int
    reps: int
    sets: int


def exercise_trend(user, exercise: Exercise, limit: int = EXERCISE_POINTS) -> list[SessionTrend]:
    """Per session and side, the hold achieved for one exercise, over the last sessions."""
    recent = [
        pk
        for pk, _started in user_sets(user)
        .filter(item__exercise=exercise)
        .values_list("item__session_id", "item__session__started_at")
        .distinct()
        .order_by("-item__session__started_at")[:limit]
    ]
    rows = (
        user_sets(user)
        .filter(item__exercise=exercise, item__session_id__in=recent)
        .order_by()
        .values("item__session_id", "item__session__started_at", "side")
        .annotate(
            average=Avg("hold_seconds"),
            best=Max("hold_seconds"),
            total_reps=Sum("reps"),
            set_count=Count("pk"),
        )
    )
    trend = [
        SessionTrend(
            session_id=row["item__session_id"],
            started_at=row["item__session__started_at"],
            side=row["side"],
            average_hold=float(row["average"] or 0),
            best_hold=row["best"] or 0,
            reps=row["total_reps"] or 0,
            sets=row["set_count"],
        )
        for row in rows
    ]
    return sorted(trend, key=lambda t: (t.started_at, t.session_id, t.side))
