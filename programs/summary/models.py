"""A person's summary shared with a clinician: a private, read-only, expiring, revocable link.

``programs.models`` imports these so the app label stays ``programs``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def new_share_token() -> str:
    # The link is the only key: 32 random bytes, never derived from anything about the person.
    return secrets.token_urlsafe(32)


class SummaryShareQuerySet(models.QuerySet):
    def open(self):
        """Links that still answer: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class SummaryShare(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summary_shares"
    )
    token = models.CharField(max_length=64, unique=True, default=new_share_token)
    weeks = models.PositiveSmallIntegerField(help_text="The summary covers this many weeks.")
    # Frozen when the link is made: the clinician sees the weeks the person looked at, not
    # whatever the last weeks are on the day the link is opened.
    period_end = models.DateField()
    # Blank by default: the shared page names the person only if they choose to.
    display_name = models.CharField(max_length=80, blank=True)
    # The sessions whose notes the person chose to show; nothing else of their notes is shared.
    note_sessions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    opened = models.PositiveIntegerField(default=0)

    objects = SummaryShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks__gte=1) & Q(weeks__lte=52), name="share_weeks_in_range"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="share_expires_after_made"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.weeks} weeks, until {self.expires_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def mark_opened(self) -> None:
        now = timezone.now()
        SummaryShare.objects.filter(pk=self.pk).update(
            opened=F("opened") + 1,
            last_opened_at=now,
            first_opened_at=models.functions.Coalesce("first_opened_at", models.Value(now)),
        )
