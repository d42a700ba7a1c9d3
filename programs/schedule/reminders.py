"""Reminder mail on session days, and the signed links that confirm an address or stop them.

`send_due` is what `manage.py send_reminders` runs every few minutes (cron or a systemd timer,
docs/deploy.md). A person gets a reminder on a session day the care rules allow (the same days
as the calendar feed: none while the plan is paused, none on a rest day, none once the day's
session is done), at or after their chosen time and at most `LATE` after it, so a sender that
was down all afternoon does not mail them at midnight.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..care.state import situation
from .days import upcoming
from .models import Schedule, SentReminder

log = logging.getLogger(__name__)

LATE = dt.timedelta(hours=3)
VERIFY_SALT = "programs.schedule.verify-email"
UNSUBSCRIBE_SALT = "programs.schedule.unsubscribe"
VERIFY_FOR = dt.timedelta(days=3)


@dataclass(frozen=True)
class Sent:
    sent: int
    already: int  # found sent by an earlier run, or by another sender at the same moment
    failed: int = 0


def send_due() -> Sent:
    now = timezone.now()
    sent = already = failed = 0
    schedules = Schedule.objects.filter(reminders=True, user__is_active=True).select_related("user")
    for schedule in schedules.iterator():
        if not schedule.sends_reminders:
            continue
        today = _due_today(schedule, now)
        if today is None:
            continue
        try:
            # The row first, committed on its own: a second sender, here or on another
            # machine, finds it (or waits on it and then finds it) and sends nothing.
            with transaction.atomic():
                row = SentReminder.objects.create(user=schedule.user, date=today.date)
        except IntegrityError:
            already += 1
            continue
        try:
            _mail(schedule, today).send()
        except (OSError, smtplib.SMTPException):
            # Not sent: the row goes, so the next run tries again within the LATE window.
            log.exception("reminder to person %s not sent", schedule.user_id)
            row.delete()
            failed += 1
            continue
        sent += 1
    return Sent(sent, already, failed)


def _due_today(schedule: Schedule, now: dt.datetime):
    state = situation(schedule.user)
    local = timezone.localtime(now, state.profile.zone)
    coming = upcoming(schedule, state, weeks=1)
    if not coming or coming[0].date != local.date():
        return None
    due_at = coming[0].starts
    if not due_at <= local < due_at + LATE:
        return None
    return coming[0]


def _mail(schedule: Schedule, today) -> EmailMessage:
    start = f"{settings.SITE_URL}{reverse('programs-dashboard')}"
    stop = unsubscribe_url(schedule)
    holds = f"{today.label}: {', '.join(today.exercises)}." if today.label else ""
    body = "\n\n".join(
        line
        for line in (
            f"Hello {schedule.user.get_username()},",
            f"Today is one of your session days, at {today.starts:%H:%M}. {holds}",
            f"Start it when you are ready: {start}",
            "If your back feels worse than usual today, say so when you start and the app "
            "offers a gentler session. Stop any exercise that hurts.",
            "You get this because you asked for a reminder on your session days. To stop "
            f"them: {stop}",
        )
        if line
    )
    return EmailMessage(
        subject=f"Your hamstring session today at {today.starts:%H:%M}",
        body=body,
        to=[schedule.verified_email],
        headers={
            # RFC 2369 and RFC 8058: mail clients offer their own one-click unsubscribe.
            "List-Unsubscribe": f"<{stop}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def unsubscribe_url(schedule: Schedule) -> str:
    token = signing.dumps(schedule.user_id, salt=UNSUBSCRIBE_SALT)
    return f"{settings.SITE_URL}{reverse('programs-reminders-stop', args=[token])}"


def unsubscribed_user_id(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


ASK_AGAIN_AFTER = dt.timedelta(minutes=10)


def may_ask_to_confirm(schedule: Schedule) -> bool:
    asked, to = schedule.confirm_asked_at, schedule.confirm_asked_to
    return (
        to != schedule.reminder_email or asked is None or timezone.now() - asked >= ASK_AGAIN_AFTER
    )


def asked_to_confirm(schedule: Schedule) -> None:
    Schedule.objects.filter(pk=schedule.pk).update(
        confirm_asked_at=timezone.now(), confirm_asked_to=schedule.reminder_email
    )


def verification_mail(schedule: Schedule, base_url: str) -> EmailMessage:
    token = signing.dumps([schedule.user_id, schedule.reminder_email], salt=VERIFY_SALT)
    link = f"{base_url}{reverse('programs-reminders-confirm', args=[token])}"
    body = "\n\n".join(
        (
            "Hello,",
            "Someone asked for hamstring session reminders to be sent to this address. If it "
            f"was you, confirm it within {VERIFY_FOR.days} days here: {link}",
            "If it was not you, ignore this mail: nothing will be sent to this address.",
        )
    )
    return EmailMessage(
        subject="Confirm the address for your session reminders",
        body=body,
        to=[schedule.reminder_email],
    )


def verified(token: str) -> tuple[int, str] | None:
    try:
        user_id, email = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_FOR.total_seconds())
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return int(user_id), str(email)
