"""The care events a person triggers themselves: a clinician's check, a flare-up, ending the
plan, and their own time zone (where their days begin and end)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ..care import events
from ..care.choices import Cause
from ..care.state import profile_for, situation
from ..forms.care import ClearanceForm, TimeZoneForm
from ..models import ChangeKind, PlanChange
from .screening import dashboard_ctx

SESSION_TIME_ZONE = "time_zone"
# A second tap this soon after the first one's success is the same request, not a new one.
DOUBLE_TAP = timedelta(minutes=2)


def _just_done(moments) -> bool:
    latest = moments.order_by("-pk").first()
    return latest is not None and timezone.now() - latest < DOUBLE_TAP


@login_required
@require_POST
def clearance(request: HttpRequest) -> HttpResponse:
    form = ClearanceForm(request.POST)
    if form.is_valid():
        try:
            events.clearance_confirmed(request.user, form.cleaned_data["seen_on"])
        except events.CareError as error:
            if _just_done(request.user.clearances.values_list("confirmed_at", flat=True)):
                # A second tap on a form the first tap already saved.
                return redirect("programs-dashboard")
            form.add_error("seen_on", str(error))
            if not situation(request.user).clearance_due:
                # No form on the page to show it beside: say it at the top instead.
                messages.error(request, str(error))
        else:
            messages.success(request, "Thank you: the clinician's check is saved with its date.")
            return redirect("programs-dashboard")
    ctx = dashboard_ctx(request, clearance_form=form)
    return render(request, "programs/dashboard.html", ctx, status=400)


@login_required
@require_POST
def flare_up(request: HttpRequest) -> HttpResponse:
    try:
        events.flare_up_started(request.user)
    except events.CareError as error:
        messages.error(request, str(error))
    else:
        messages.info(request, "Flare-up mode is on: today's session is the short gentle routine.")
    return redirect("programs-dashboard")


@login_required
@require_POST
def flare_up_over(request: HttpRequest) -> HttpResponse:
    try:
        change = events.flare_up_ended(request.user)
    except events.CareError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, change.reason)
    return redirect("programs-dashboard")


@login_required
@require_POST
def end_plan(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Nothing was changed: tick the box to confirm you want to end it.")
        return redirect("programs-plan")
    try:
        events.plan_ended(request.user)
    except events.CareError as error:
        ended = PlanChange.objects.filter(
            plan__user=request.user, kind=ChangeKind.END, cause=Cause.PERSON
        ).values_list("created_at", flat=True)
        if not _just_done(ended):
            messages.error(request, str(error))
    else:
        messages.success(request, "Your plan has ended. Everything you logged is kept.")
    return redirect("programs-dashboard")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def time_zone(request: HttpRequest) -> HttpResponse:
    profile = profile_for(request.user)
    form = TimeZoneForm(
        request.POST if request.method == "POST" else None,
        initial={"time_zone": profile.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        if profile.time_zone != form.cleaned_data["time_zone"]:
            with transaction.atomic():
                events.lock_person(request.user.pk)
                profile.time_zone = form.cleaned_data["time_zone"]
                profile.time_zone_changed_at = timezone.now()
                profile.save(update_fields=["time_zone", "time_zone_changed_at"])
        request.session[SESSION_TIME_ZONE] = profile.time_zone
        messages.success(request, f"Your time zone is now {profile.time_zone}.")
        return redirect("programs-dashboard")
    status = 400 if form.errors else 200
    ctx = {"form": form, "profile": profile}
    return render(request, "registration/time_zone.html", ctx, status=status)
