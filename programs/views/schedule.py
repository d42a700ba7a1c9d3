"""The person's session days and time, and their private calendar feed."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..care import events
from ..care.state import situation
from ..forms.schedule import ScheduleForm
from ..schedule import days, feed, reminders
from ..schedule.models import Schedule, new_feed_token
from ..stats import sessions_per_week


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    chosen = Schedule.of(request.user)
    now = situation(request.user)
    per_week = sessions_per_week(now.plan)
    if chosen is not None:
        initial = {
            "days": chosen.weekdays,
            "time": chosen.time,
            "reminders": chosen.reminders,
            "reminder_email": chosen.reminder_email or request.user.email,
        }
    else:
        initial = {
            "days": list(days.suggested_days(per_week)),
            "reminder_email": request.user.email,
        }
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        can_mail=settings.MAIL_CONFIGURED,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_schedule(request, form.cleaned_data)
        messages.success(request, "Your session days are saved.")
        if saved.reminders and not saved.email_verified:
            _ask_to_confirm(request, saved)
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


def _save_schedule(request: HttpRequest, data: dict) -> Schedule:
    fields = {"days": Schedule.bits(data["days"]), "time": data["time"]}
    if "reminders" in data:
        fields |= {"reminders": data["reminders"], "reminder_email": data["reminder_email"]}
    with transaction.atomic():
        # Moves the record's version on: the dashboard and the history show the days.
        events.lock_person(request.user.pk)
        saved, _ = Schedule.objects.update_or_create(user=request.user, defaults=fields)
    return saved


def _ask_to_confirm(request: HttpRequest, saved: Schedule) -> None:
    """Mails the confirmation link, at most once per address every few minutes: a saved form
    must not become a way to send mail to a stranger again and again."""
    if not reminders.may_ask_to_confirm(saved):
        messages.info(
            request,
            f"A link was sent to {saved.reminder_email} a few minutes ago: open it to confirm the "
            "address. You can ask for another in a few minutes.",
        )
        return
    try:
        reminders.verification_mail(saved, _base_url(request)).send()
    except (OSError, smtplib.SMTPException):
        messages.error(
            request,
            f"The confirmation mail to {saved.reminder_email} could not be sent just now. Your "
            "days are saved; save again in a while to get the link.",
        )
        return
    reminders.asked_to_confirm(saved)
    messages.info(
        request,
        f"We sent a link to {saved.reminder_email}. Open it to confirm the address, and the "
        "reminders start.",
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


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


def _confirm_page(
    request: HttpRequest, template: str, ctx: dict, status: int = 200
) -> HttpResponse:
    response = render(request, template, ctx, status=status)
    # The token is in the address: keep it out of search engines and other sites' logs.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link mailed to a new address. Opening it shows a button; the button confirms (a
    mail scanner that follows links must not confirm an address for someone)."""
    found = reminders.verified(token)
    chosen = Schedule.objects.filter(user_id=found[0]).first() if found else None
    if chosen is None or chosen.reminder_email != found[1]:
        return _confirm_page(
            request,
            "programs/reminders/link_expired.html",
            {},
            status=400,
        )
    if request.method == "POST":
        with transaction.atomic():
            events.lock_person(chosen.user_id)
            Schedule.objects.filter(pk=chosen.pk).update(verified_email=found[1])
        return _confirm_page(request, "programs/reminders/confirmed.html", {"email": found[1]})
    return _confirm_page(request, "programs/reminders/confirm.html", {"email": found[1]})


# A mail client's one-click unsubscribe (RFC 8058) posts here with no CSRF token; the signed
# token in the address is what makes the request the person's.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def stop_reminders(request: HttpRequest, token: str) -> HttpResponse:
    user_id = reminders.unsubscribed_user_id(token)
    chosen = Schedule.objects.filter(user_id=user_id).first() if user_id else None
    if chosen is None:
        raise Http404
    if request.method == "POST":
        with transaction.atomic():
            events.lock_person(chosen.user_id)
            Schedule.objects.filter(pk=chosen.pk).update(reminders=False)
        return _confirm_page(request, "programs/reminders/stopped.html", {})
    ctx = {"token": token, "on": chosen.reminders}
    return _confirm_page(request, "programs/reminders/stop.html", ctx)
