"""The safety screen, its result, the dashboard and the whole plan."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .. import services
from ..forms.player import PainBeforeForm
from ..forms.screening import ScreeningForm
from ..models import (
    ChangeKind,
    Exercise,
    Plan,
    PlanChange,
    PlanStatus,
    Prescription,
    ProgramDay,
    Screening,
    SelfTest,
    Stage,
    WorkoutSession,
)

RECENT_CHANGES = 5
RECENT_SESSIONS = 5


def _get_screening_for_user(request: HttpRequest, screening_id: int) -> Screening:
    return get_object_or_404(Screening, pk=screening_id, user=request.user)


def _current_plan(user) -> Plan | None:
    """The plan that is running or paused; an ended plan is only history."""
    return (
        Plan.objects.filter(user=user)
        .exclude(status=PlanStatus.ENDED)
        # stage__program: the dashboard asks the stage for the next one.
        .select_related("program", "stage__program")
        .first()
    )


@login_required
def screening(request: HttpRequest) -> HttpResponse:
    form = ScreeningForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record, _plan = services.record_screening(
            request.user,
            red_flags=data["red_flags"],
            recent_injury=data["recent_injury"],
            pelvic_tilt=data["pelvic_tilt"],
            disc_problems=data["disc_problems"],
            self_test=form.self_test,
        )
        return redirect("programs-screening-result", screening_id=record.pk)
    ctx = {"form": form, "last": request.user.screenings.first()}
    return render(request, "programs/screening/form.html", ctx, status=400 if form.errors else 200)


@login_required
def result(request: HttpRequest, screening_id: int) -> HttpResponse:
    record = _get_screening_for_user(request, screening_id)
    # What this screening did is everything recorded from it until the next screening.
    following = (
        Screening.objects.filter(user=request.user, created_at__gt=record.created_at)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    changes = PlanChange.objects.filter(
        plan__user=request.user, session=None, created_at__gte=record.created_at
    ).select_related("plan__program", "to_stage")
    self_tests = SelfTest.objects.filter(
        user=request.user, note=services.BASELINE_NOTE, taken_at__gte=record.created_at
    )
    if following is not None:
        changes = changes.filter(created_at__lt=following)
        self_tests = self_tests.filter(taken_at__lt=following)
    changes = list(changes)

    plan = None
    if record.gets_plan:
        plan = record.plans.select_related("program", "stage").first()
    ctx = {
        "screening": record,
        "is_latest": following is None,
        "changes": changes,
        "paused": next((c for c in changes if c.kind == ChangeKind.PAUSE), None),
        "plan": plan,
        "self_test": self_tests.order_by("taken_at").first(),
        "folds": [],
    }
    if plan is not None and plan.avoid_standing_folds:
        in_program = Prescription.objects.filter(day__stage__program=plan.program_id)
        ctx["folds"] = Exercise.objects.filter(
            standing_fold=True, pk__in=in_program.values("exercise")
        ).select_related("alternative")
    return render(request, "programs/screening/result.html", ctx)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    plan = _current_plan(user)
    ctx: dict = {"latest": user.screenings.first(), "plan": plan, "changes": []}
    if plan is not None:
        ctx["changes"] = list(
            plan.changes.select_related("from_stage", "to_stage")[:RECENT_CHANGES]
        )
    if plan is None or plan.status != PlanStatus.ACTIVE:
        ctx["pause"] = next((c for c in ctx["changes"] if c.kind == ChangeKind.PAUSE), None)
        return render(request, "programs/dashboard.html", ctx)

    day = plan.next_day()
    planned, left_out = [], []
    if day is not None:
        planned, left_out = services.planned_exercises(
            day.prescriptions.select_related("exercise__alternative"), plan.avoid_standing_folds
        )
    sessions = WorkoutSession.objects.for_user(user)
    next_stage = plan.stage.next()
    gated = next_stage is not None and next_stage.steady_back_sessions > 0
    ctx |= {
        "day": day,
        "planned": planned,
        "left_out": left_out,
        "open_session": sessions.in_progress().first(),
        "start_form": PainBeforeForm(),
        "qualifying": services.qualifying_sessions(plan),
        "next_stage": next_stage,
        "steady": services.steady_back_sessions(plan) if gated else None,
        "recent_sessions": sessions.finished()
        .select_related("day")
        .order_by("-finished_at")[:RECENT_SESSIONS],
    }
    return render(request, "programs/dashboard.html", ctx)


@login_required
def plan(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = _current_plan(user)
    ctx: dict = {"plan": current, "latest": user.screenings.first(), "stages": []}
    if current is not None:
        prescriptions = Prescription.objects.select_related("exercise__alternative")
        stages = Stage.objects.filter(program=current.program).prefetch_related(
            Prefetch(
                "days",
                ProgramDay.objects.prefetch_related(Prefetch("prescriptions", prescriptions)),
            )
        )
        ctx["stages"] = [
            (stage, [_day_preview(day, current) for day in stage.days.all()]) for stage in stages
        ]
    ctx["changes"] = PlanChange.objects.filter(plan__user=user).select_related(
        "plan__program", "to_stage"
    )
    return render(request, "programs/plan.html", ctx)


def _day_preview(day: ProgramDay, plan: Plan) -> dict:
    planned, left_out = services.planned_exercises(
        day.prescriptions.all(), plan.avoid_standing_folds
    )
    return {"day": day, "planned": planned, "left_out": left_out}
