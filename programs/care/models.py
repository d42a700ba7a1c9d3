"""What the care rules keep about a person besides their plan.

These live with the rules that write them (``events``); ``programs.models`` imports them so the
app label stays ``programs`` and migrations stay in one place.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .choices import Warning


def new_version() -> int:
    """A record's version: random, never one more, so a database restored from a backup (or a
    replica promoted after losing the last writes) never hands out a number a cache holds."""
    return secrets.randbits(63)


class Profile(models.Model):
    """One per person: their calendar, and a clinician's check they still owe, if any."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="care_profile",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        help_text="Where the person's days begin and end: one session a day counts, rest days.",
    )
    time_zone_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person last moved their days to a new zone."
    )
    # Moved on by every write to the person's record, as the first thing its transaction does:
    # the row lock makes one person's writes queue up, and pages drawn from the record are
    # cached under the number (programs/caching.py), so none outlives the record it shows.
    version = models.PositiveBigIntegerField(default=new_version, editable=False)
    # Set by a warning sign or by a pause for pain; only a confirmed clearance empties it.
    clearance_due_since = models.DateTimeField(null=True, blank=True)
    clearance_due_for = models.CharField(max_length=10, choices=Warning.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(clearance_due_since__isnull=True) & Q(clearance_due_for=""))
                | (Q(clearance_due_since__isnull=False) & ~Q(clearance_due_for="")),
                name="clearance_due_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone})"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def today(self):
        return timezone.localtime(timezone.now(), self.zone).date()

    def local_date(self, moment):
        return timezone.localtime(moment, self.zone).date()

    def moved_zone_lately(self) -> bool:
        changed = self.time_zone_changed_at
        return changed is not None and timezone.now() - changed < dt.timedelta(hours=24)

    @property
    def clearance_due(self) -> bool:
        return self.clearance_due_since is not None


class Clearance(models.Model):
    """The person's word that a clinician checked them after a warning sign or rising pain."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clearances"
    )
    plan = models.ForeignKey(
        "programs.Plan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clearances",
    )
    warning = models.CharField(max_length=10, choices=Warning.choices)
    warned_at = models.DateTimeField(help_text="When the warning sign or pause was recorded.")
    seen_on = models.DateField(help_text="The day the clinician checked them.")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} cleared on {self.seen_on:%Y-%m-%d}"


class FlareUpQuerySet(models.QuerySet["FlareUp"]):
    def open(self) -> FlareUpQuerySet:
        return self.filter(ended_at__isnull=True)


class FlareUp(models.Model):
    """A stretch of days when the person's back flared up: gentle routine, progress on hold."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flare_ups"
    )
    plan = models.ForeignKey("programs.Plan", on_delete=models.CASCADE, related_name="flare_ups")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = FlareUpQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(ended_at__isnull=True), name="one_open_flare_up"
            ),
        ]
        indexes = [models.Index(fields=["user", "started_at"], name="flareup_user_time")]

    def __str__(self) -> str:
        return f"{self.user} flare-up from {self.started_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
