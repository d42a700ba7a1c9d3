"""The history: what a person did, whether it is helping, and their data to take or delete.

Every page here runs a fixed number of queries whatever the length of the history: lists are
paginated, and the calendar, charts and totals come from grouped queries in ``stats``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from .. import caching, charts, personal_data, stats
from ..care.events import lock_person
from ..forms.history import DeleteAccountForm, SelfTestForm
from ..models import (
    ChangeKind,
    Effort,
    Exercise,
    SelfTest,
    SessionExercise,
    SetLog,
    Side,
    WorkoutSession,
)
from ..schedule.models import Schedule
from ..selftest.difference import (
    LOW_DEGREES,
    USUAL_ERROR_DEGREES,
    USUAL_ERROR_LINK,
    USUAL_ERROR_SOURCE,
    CareNote,
    SideDifference,
    side_difference,
    worth_a_word,
)
from ..selftest.sensors import motion_sensors_allowed
from ..services import session_items

SESSIONS_PER_PAGE = 15
SETS_PER_PAGE = 60


def _get_session_for_user(user, session_id: int) -> WorkoutSession:
    return get_object_or_404(
        WorkoutSession.objects.select_related("day", "stage", "plan__program"),
        pk=session_id,
        user=user,
    )


def _page(request: HttpRequest, items, per_page: int) -> Page:
    # An out-of-range or malformed page number shows the nearest real page, not an error.
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@login_required
@vary_on_headers("HX-Request")
@require_safe
def history(request: HttpRequest) -> HttpResponse:
    shown = _HistoryPage(request.user, request.GET.get("page"))
    # Each value is read only if the page is drawn afresh: a region found in the cache for this
    # version of the record runs none of the queries behind it.
    ctx = {name: _lazy(shown, name) for name in _HistoryPage.SHOWN}
    ctx |= {
        "record": caching.record_key(request.user),
        "cache_seconds": caching.TIMEOUT,
        # Digits only, so made-up page numbers cannot fill the cache with copies of one page.
        "page_asked": min(int(asked), 10**6)
        if (asked := request.GET.get("page", "")).isdigit()
        else 1,
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "programs/history/history.html#sessions", ctx)
    return render(request, "programs/history/history.html", ctx)


def _lazy(shown: _HistoryPage, name: str):
    # Templates call what they are given: the value is computed on first use, then kept.
    return lambda: getattr(shown, name)


class _HistoryPage:
    """What the history page shows, each part computed when first asked for."""

    SHOWN = (
        "page",
        "plan",
        "target",
        "target_is_chosen",
        "weeks",
        "this_week",
        "adherence",
        "streak",
        "best_streak",
        "sessions_done",
        "has_flare_ups",
        "pain_sessions",
        "pain_chart",
        "self_tests",
        "self_test_chart",
        "self_test_difference",
        "self_test_care",
        "low_degrees",
        "usual_error",
        "weekly_totals",
        "has_weekly_totals",
        "hold_chart",
        "reps_chart",
        "side_totals",
        "side_chart",
        "exercise_totals",
    )

    def __init__(self, user, page_number: str | None) -> None:
        self.user, self.page_number = user, page_number
        self.today = timezone.localdate()

    @cached_property
    def page(self) -> Page:
        # An out-of-range or malformed page number shows the nearest real page, not an error.
        paginator = Paginator(stats.history_sessions(self.user), SESSIONS_PER_PAGE)
        return paginator.get_page(self.page_number)

    @cached_property
    def plan(self):
        return stats.current_plan(self.user)

    @cached_property
    def _schedule(self):
        return Schedule.of(self.user)

    @cached_property
    def target(self) -> int:
        return stats.sessions_per_week(self.plan, self._schedule)

    @cached_property
    def target_is_chosen(self) -> bool:
        return self._schedule is not None

    @cached_property
    def _finished(self) -> dict:
        return stats.finished_days(self.user)

    @cached_property
    def _flare_days(self) -> set:
        return stats.flare_up_days(self.user, self.today)

    @cached_property
    def _days(self) -> dict:
        return stats.with_flare_up_days(self._finished, self._flare_days)

    @cached_property
    def weeks(self) -> list:
        days = self._days
        plan = self.plan
        began = min([*days, stats.local_day(plan.created_at)] if plan else days, default=None)
        return stats.calendar(
            days, today=self.today, target=self.target, began=began, flare_days=self._flare_days
        )

    @cached_property
    def _by_week(self) -> dict:
        return stats.per_week(self._days)

    @property
    def this_week(self):
        return self.weeks[-1]

    @property
    def adherence(self):
        return stats.adherence(self.weeks)

    @property
    def streak(self) -> int:
        return stats.current_streak(self._by_week, today=self.today, target=self.target)

    @property
    def best_streak(self) -> int:
        return stats.longest_streak(self._by_week, target=self.target)

    @property
    def sessions_done(self) -> int:
        return sum(self._finished.values())

    @property
    def has_flare_ups(self) -> bool:
        return bool(self._flare_days)

    @cached_property
    def pain_sessions(self) -> list:
        return stats.pain_history(self.user)

    @cached_property
    def pain_chart(self):
        return charts.pain_chart(self.pain_sessions)

    @cached_property
    def self_tests(self) -> list:
        return stats.self_tests(self.user)

    @cached_property
    def self_test_chart(self):
        return charts.self_test_chart(self.self_tests)

    @cached_property
    def self_test_difference(self) -> SideDifference | None:
        return side_difference(self.self_tests[-1] if self.self_tests else None)

    @cached_property
    def self_test_care(self) -> CareNote | None:
        return worth_a_word(self.self_tests[-1] if self.self_tests else None)

    low_degrees = LOW_DEGREES

    @property
    def usual_error(self) -> dict:
        return {
            "degrees": USUAL_ERROR_DEGREES,
            "source": USUAL_ERROR_SOURCE,
            "link": USUAL_ERROR_LINK,
        }

    @cached_property
    def weekly_totals(self) -> list:
        return stats.weekly_totals(self.user, self.weeks)

    @property
    def has_weekly_totals(self) -> bool:
        return any(t.sets for t in self.weekly_totals)

    @cached_property
    def _weekly_charts(self) -> tuple:
        return charts.weekly_charts(self.weekly_totals)

    @property
    def hold_chart(self):
        return self._weekly_charts[0]

    @property
    def reps_chart(self):
        return self._weekly_charts[1]

    @cached_property
    def side_totals(self) -> list:
        return stats.side_totals(self.user, since=self.weeks[0].start)

    @cached_property
    def side_chart(self):
        return charts.side_chart(self.side_totals)

    @cached_property
    def exercise_totals(self) -> list:
        return stats.exercise_totals(self.user)


@dataclass(frozen=True)
class SlotRow:
    """One planned set (and side) of an exercise, with what was logged for it, if anything."""

    set_number: int
    side: str
    log: SetLog | None

    @property
    def side_label(self) -> str:
        return Side(self.side).label if self.side != Side.NONE else ""


@dataclass(frozen=True)
class ItemSummary:
    item: SessionExercise
    rows: list[SlotRow]

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row.log)

    @property
    def hold_seconds(self) -> int:
        return sum(row.log.total_hold_seconds for row in self.rows if row.log)


def _summaries(items: list[SessionExercise]) -> list[ItemSummary]:
    summaries = []
    for item in items:
        logs = {(log.set_number, log.side): log for log in item.logs.all()}
        rows = [SlotRow(n, side, logs.pop((n, side), None)) for n, side in item.slots()]
        # Sets logged beyond the plan still happened: they are listed after the planned ones.
        rows += [SlotRow(n, side, log) for (n, side), log in sorted(logs.items())]
        summaries.append(ItemSummary(item, rows))
    return summaries


def _pain_note(change: int | None) -> str:
    if change is None:
        return ""
    if change > 0:
        return f"up {change}"
    if change < 0:
        return f"down {-change}"
    return "no change"


@login_required
@require_safe
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _get_session_for_user(request.user, session_id)
    ctx: dict = {"session": session}
    if not session.is_open:
        summaries = _summaries(session_items(session))
        ctx |= {
            "summaries": summaries,
            "sets_done": sum(s.done for s in summaries),
            # Against the whole plan, with what was skipped said beside it.
            "sets_planned": sum(s.item.planned_set_count for s in summaries),
            "sets_skipped": sum(s.item.planned_set_count for s in summaries if s.item.is_skipped),
            "skipped": [s.item for s in summaries if s.item.is_skipped],
            "hold_total": charts.duration(sum(s.hold_seconds for s in summaries)),
            "pain_note": _pain_note(session.pain_change),
            "changes": list(session.plan_changes.select_related("from_stage", "to_stage")),
            "caution_kinds": {ChangeKind.STEP_BACK, ChangeKind.PAUSE},
            "good_kinds": {ChangeKind.ADVANCE, ChangeKind.START, ChangeKind.RESUME},
        }
    return render(request, "programs/history/session_detail.html", ctx)


@login_required
@require_safe
def exercise_history(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = get_object_or_404(Exercise, slug=slug)
    page = _page(request, stats.exercise_sets(request.user, exercise), SETS_PER_PAGE)
    trend = stats.exercise_trend(request.user, exercise)
    has_hold = any(t.average_hold for t in trend)
    ctx = {
        "exercise": exercise,
        "page": page,
        "trend": trend,
        "trend_sessions": len({t.session_id for t in trend}),
        "has_hold": has_hold,
        "timed": exercise.effort == Effort.TIMED,
        "per_rep": exercise.effort == Effort.REPS_HOLD,
        "chart": charts.exercise_chart(
            trend,
            has_hold=has_hold,
            timed=exercise.effort == Effort.TIMED,
            per_rep=exercise.effort == Effort.REPS_HOLD,
        ),
    }
    return render(request, "programs/history/exercise_history.html", ctx)


@motion_sensors_allowed
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def self_test(request: HttpRequest) -> HttpResponse:
    form = SelfTestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            lock_person(request.user.pk)
            test = SelfTest.record(request.user, form.self_test, note=form.cleaned_data["note"])
        messages.success(
            request,
            f"Self-test saved: left leg {test.left_angle}°, right leg {test.right_angle}°. "
            f"It is now on your self-test chart.",
        )
        return redirect(reverse("programs-history") + "#self-test")
    ctx = {"form": form, "self_tests": stats.self_tests(request.user, limit=5)[::-1]}
    return render(
        request, "programs/history/self_test.html", ctx, status=400 if form.errors else 200
    )


def _filename(extension: str) -> str:
    return f"hamstrings-data-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
@require_safe
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        personal_data.csv_lines(request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@login_required
@require_safe
def export_json(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        personal_data.json_chunks(request.user), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    return response


@login_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        # Log out first: it ends this browser's session while the account still exists.
        logout(request)
        personal_data.delete_account(user)
        messages.success(
            request,
            "Your account and all your records have been deleted, and you have been logged out "
            "everywhere. Goodbye, and take care.",
        )
        return redirect("programs-home")
    return render(
        request,
        "programs/history/delete_account.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
