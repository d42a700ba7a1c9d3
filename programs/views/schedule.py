"""The person's session days and time, and their private calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..care import events
from ..care.state import situation
from ..forms.schedule import ScheduleForm
from ..schedule import days, feed
from ..schedule.models import Schedule, new_feed_token
from ..stats import sessions_per_week


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    chosen = Schedule.of(request.user)
    now = situation(request.user)
    per_week = sessions_per_week(now.plan)
    if chosen is not None:
        initial = {"days": chosen.weekdays, "time": chosen.time}
    else:
        initial = {"days": list(days.suggested_days(per_week))}
    form = ScheduleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Moves the record's version on: the dashboard and the history show the days.
            events.lock_person(request.user.pk)
            Schedule.objects.update_or_create(
                user=request.user,
                defaults={
                    "days": Schedule.bits(form.cleaned_data["days"]),
                    "time": form.cleaned_data["time"],
                },
            )
        messages.success(request, "Your session days are saved.")
        return redirect("programs-schedule")
    ctx = {
        "form": form,
        "schedule": chosen,
        "per_week": per_week,
        "plan": now.plan,
        "upcoming": days.upcoming(chosen, now, weeks=2),
        "now": now,
    }
    if chosen is not None:
        path = reverse("programs-calendar-feed", args=[chosen.feed_token])
        address = request.build_absolute_uri(path)
        ctx["feed_url"] = address
        ctx["webcal_url"] = "webcal://" + address.split("://", 1)[1]
    status = 400 if form.errors else 200
    return render(request, "programs/schedule.html", ctx, status=status)


@login_required
@require_POST
def new_feed_address(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        events.lock_person(request.user.pk)
        changed = Schedule.objects.filter(user=request.user).update(feed_token=new_feed_token())
    if changed:
        messages.success(
            request,
            "Your calendar has a new address. The old one no longer works: subscribe again with "
            "the new one.",
        )
    else:
        messages.error(request, "Nothing was changed: choose your session days first.")
    return redirect("programs-schedule")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: a calendar app fetches it. The token is the key, and a wrong, old or made-up
    one answers exactly as an address that never existed."""
    chosen = Schedule.objects.filter(feed_token=token).select_related("user").first()
    if chosen is None or not chosen.user.is_active:
        raise Http404
    now = situation(chosen.user)
    start_url = request.build_absolute_uri(reverse("programs-dashboard"))
    body = feed.calendar(chosen.user_id, days.upcoming(chosen, now), start_url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hamstring-sessions.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
