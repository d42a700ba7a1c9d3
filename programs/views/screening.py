"""The safety screen, its result, the dashboard and the whole plan.

What each page shows follows the person's care state (``care.state.situation``); every change
to a plan is made in ``care.events``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from .. import caching
from ..care import events
from ..care.choices import CareState, Cause
from ..care.prescribing import Limits, forward_bend_note, planned_exercises
from ..care.progress import (
    CREEP_POINTS,
    CREEP_SESSIONS,
    PAIN_RISE_TO_STEP_BACK,
    RISES_IN_A_ROW,
    stage_progress,
)
from ..care.state import Situation, situation
from ..forms.care import ClearanceForm
from ..forms.player import StartForm
from ..forms.screening import ScreeningForm
from ..models import (
    ChangeKind,
    Plan,
    PlanChange,
    Prescription,
    ProgramDay,
    Routine,
    Screening,
    SelfTest,
    Stage,
    TiltAnswer,
    WorkoutSession,
)
from ..schedule.days import upcoming
from ..schedule.models import Schedule
from ..selftest.difference import LOW_DEGREES, worth_a_word
from ..selftest.sensors import motion_sensors_allowed

RECENT_CHANGES = 5
RECENT_SESSIONS = 5


def _get_screening_for_user(request: HttpRequest, screening_id: int) -> Screening:
    return get_object_or_404(Screening, pk=screening_id, user=request.user)


@motion_sensors_allowed
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def screening(request: HttpRequest) -> HttpResponse:
    form = ScreeningForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record, _plan = events.screened(
            request.user,
            events.Answers(
                red_flags=tuple(data["red_flags"]),
                recent_injury=data["recent_injury"],
                pelvic_tilt=data["pelvic_tilt"],
                disc_problems=data["disc_problems"],
                self_test=form.self_test,
            ),
        )
        return redirect("programs-screening-result", screening_id=record.pk)
    ctx = {"form": form, "last": request.user.screenings.first()}
    return render(request, "programs/screening/form.html", ctx, status=400 if form.errors else 200)


@login_required
@require_safe
def result(request: HttpRequest, screening_id: int) -> HttpResponse:
    record = _get_screening_for_user(request, screening_id)
    # What this screening did is everything recorded from it until the next screening.
    following = (
        Screening.objects.filter(user=request.user, created_at__gt=record.created_at)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    # Only what the check itself did: a later flare-up or clearance is not this check's doing.
    changes = PlanChange.objects.filter(
        plan__user=request.user,
        session=None,
        cause=Cause.SCREENING,
        created_at__gte=record.created_at,
    ).select_related("plan__program", "to_stage")
    self_tests = SelfTest.objects.filter(
        user=request.user, note=events.BASELINE_NOTE, taken_at__gte=record.created_at
    )
    if following is not None:
        changes = changes.filter(created_at__lt=following)
        self_tests = self_tests.filter(taken_at__lt=following)
    changes = list(changes)

    now = situation(request.user)
    # The plan in effect after this check: begun by the next check (or now), not ended before.
    plan = (
        Plan.objects.filter(user=request.user, created_at__lte=following or timezone.now())
        .exclude(ended_at__lt=record.created_at)
        .select_related("program", "stage")
        .first()
    )
    ctx = {
        "screening": record,
        "is_latest": following is None,
        "now": now,
        "changes": changes,
        "still_paused": next((c for c in changes if c.kind == ChangeKind.STILL_PAUSED), None),
        "plan": plan,
        "why": events.why_this_plan(plan.program, record) if plan else "",
        "unsure": record.pelvic_tilt == TiltAnswer.UNSURE,
        "self_test": (baseline := self_tests.order_by("taken_at").first()),
        "self_test_care": worth_a_word(baseline),
        "low_degrees": LOW_DEGREES,
        "bends": forward_bend_note(plan),
    }
    return render(request, "programs/screening/result.html", ctx)


def _today_ctx(request: HttpRequest, now: Situation) -> dict:
    """Today's session for a running plan: what it holds, whether it counts, how to start."""
    plan = now.plan
    if now.flare_up is not None:
        routine = Routine.objects.filter(slug=events.FLARE_UP_ROUTINE).first()
        lines = routine.items.select_related("exercise__alternative") if routine else []
        day = None
    else:
        routine = None
        day = plan.next_day()
        lines = day.prescriptions.select_related("exercise__alternative") if day else []
    planned, left_out = planned_exercises(lines, Limits.for_plan(plan))
    offer = events.session_offer(now)
    sessions = WorkoutSession.objects.for_user(request.user)
    flare_up_days = 0
    if now.flare_up is not None:
        flare_up_days = (now.today - now.profile.local_date(now.flare_up.started_at)).days + 1
    return {
        "flare_up_days": flare_up_days,
        "flare_up_long": events.FLARE_UP_KEPT_DAYS,
        "day": day,
        "routine": routine,
        "planned": planned,
        "left_out": left_out,
        "offer": offer,
        "open_session": sessions.in_progress().first(),
        "next_session": next(iter(upcoming(Schedule.of(request.user), now, weeks=2)), None),
        "start_form": StartForm(asks_day_after=offer.asks_day_after),
        "progress": stage_progress(plan, now.profile),
        "recent_sessions": sessions.exclude(status="in_progress")
        .select_related("day")
        .order_by("-started_at", "-pk")[:RECENT_SESSIONS],
    }


def dashboard_ctx(request: HttpRequest, clearance_form: ClearanceForm | None = None) -> dict:
    now = situation(request.user)
    plan = now.plan
    ctx: dict = {
        "now": now,
        "states": CareState,
        "latest": now.latest,
        "plan": plan,
        "changes": [],
        "pause": now.pause(),
        "clearance_form": clearance_form or ClearanceForm(),
    }
    if plan is not None:
        ctx["changes"] = list(
            plan.changes.select_related("from_stage", "to_stage")[:RECENT_CHANGES]
        )
        ctx["why"] = events.why_this_plan(plan.program, plan.screening)
        ctx["bends"] = forward_bend_note(plan)
    if now.can_train:
        ctx |= _today_ctx(request, now)
    return ctx


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    def draw() -> caching.Drawn:
        return caching.Drawn(render(request, "programs/dashboard.html", dashboard_ctx(request)))

    return caching.person_page(request, ("dashboard",), draw)


@login_required
@require_safe
def plan(request: HttpRequest) -> HttpResponse:
    return caching.person_page(request, ("plan",), lambda: caching.Drawn(_draw_plan(request)))


def _draw_plan(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = situation(user)
    current = now.plan
    ctx: dict = {
        "now": now,
        "plan": current,
        "latest": now.latest,
        "stages": [],
        "rules": {
            "rise": PAIN_RISE_TO_STEP_BACK,
            "in_a_row": RISES_IN_A_ROW,
            "creep_points": CREEP_POINTS,
            "creep_sessions": CREEP_SESSIONS,
        },
    }
    if current is not None:
        prescriptions = Prescription.objects.select_related("exercise__alternative")
        stages = Stage.objects.filter(program=current.program).prefetch_related(
            Prefetch(
                "days",
                ProgramDay.objects.prefetch_related(Prefetch("prescriptions", prescriptions)),
            )
        )
        limits = Limits.for_plan(current)
        ctx["stages"] = [
            (stage, [_day_preview(day, limits) for day in stage.days.all()]) for stage in stages
        ]
        ctx["why"] = events.why_this_plan(current.program, current.screening)
        ctx["bends"] = forward_bend_note(current)
        ctx["progress"] = stage_progress(current, now.profile)
    ctx["changes"] = PlanChange.objects.filter(plan__user=user).select_related(
        "plan__program", "to_stage"
    )
    ctx["clearances"] = user.clearances.all()
    return render(request, "programs/plan.html", ctx)


def _day_preview(day: ProgramDay, limits: Limits) -> dict:
    planned, left_out = planned_exercises(day.prescriptions.all(), limits)
    return {"day": day, "planned": planned, "left_out": left_out}
