"""What a person keeps about the days between their sessions: which days and at what time they
mean to train, and the private address of their calendar feed.

``programs.models`` imports these so the app label stays ``programs`` and migrations stay in one
place.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

# Monday first, as Python's date.weekday() counts.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ALL_DAYS = (1 << len(WEEKDAYS)) - 1


def new_feed_token() -> str:
    # 32 random bytes: the address is the only key to the feed, so it must not be guessable.
    return secrets.token_urlsafe(32)


class Schedule(models.Model):
    """One per person, once they have chosen: their session days, a time, their feed's token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="schedule",
    )
    # One bit a weekday, Monday the lowest: a set of days in one column, checked in the database.
    days = models.PositiveSmallIntegerField(help_text="The session days, one bit a weekday.")
    time = models.TimeField(default=dt.time(18, 0), help_text="When, on the person's own clock.")
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    # Opt-in; sent only to an address the person confirmed by the link mailed to it.
    reminders = models.BooleanField(default=False)
    reminder_email = models.EmailField(blank=True)
    verified_email = models.EmailField(blank=True, help_text="The address whose link was opened.")
    # When a confirmation link last went out, and where: at most one every few minutes.
    confirm_asked_at = models.DateTimeField(null=True, blank=True)
    confirm_asked_to = models.EmailField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(days__lte=ALL_DAYS), name="schedule_has_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {', '.join(self.day_names)} at {self.time:%H:%M}"

    @classmethod
    def of(cls, user) -> Schedule | None:
        """The person's own schedule, if they have chosen one."""
        return cls.objects.filter(user=user).first()

    @property
    def weekdays(self) -> list[int]:
        return [day for day in range(len(WEEKDAYS)) if self.days & (1 << day)]

    @property
    def day_names(self) -> list[str]:
        return [WEEKDAYS[day] for day in self.weekdays]

    @property
    def email_verified(self) -> bool:
        return bool(self.reminder_email) and self.reminder_email == self.verified_email

    @property
    def sends_reminders(self) -> bool:
        return self.reminders and self.email_verified

    def is_session_day(self, date: dt.date) -> bool:
        return bool(self.days & (1 << date.weekday()))

    @staticmethod
    def bits(weekdays) -> int:
        return sum(1 << int(day) for day in set(weekdays))


class SentReminder(models.Model):
    """One row per person and session day a reminder went out: the database, not the sender,
    makes sure there is never a second, however many senders run at once on however many
    machines."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(help_text="The session day, on the person's own calendar.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="one_reminder_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.date}"
