"""The words of the care rules: the states a person can be in and what moves them.

Kept apart from the models so ``programs.models`` can use them without importing the rules.
"""

from django.db import models


class CareState(models.TextChoices):
    """Where a person stands: always exactly one of these (see ``state.situation``)."""

    NO_PLAN = "no_plan", "No plan yet"
    CLINICIAN = "clinician", "See a clinician first"
    INJURY = "injury", "Resting an injury"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused for pain"
    FLARE_UP = "flare_up", "In a flare-up"
    ENDED = "ended", "Plan ended"


class PauseReason(models.TextChoices):
    RED_FLAG = "red_flag", "A warning sign"
    INJURY = "injury", "A recent injury"
    PAIN = "pain", "Rising pain"


class Warning(models.TextChoices):
    """What a clinician has to have checked before exercise goes on."""

    RED_FLAG = "red_flag", "A warning sign in the safety check"
    PAIN = "pain", "Pain that kept rising"


class Cause(models.TextChoices):
    """The kind of event behind a plan change, so rules can find earlier ones of the same kind."""

    SCREENING = "screening", "A safety check"
    PROGRESS = "progress", "Sessions done"
    PAIN_RISE = "pain_rise", "Pain rose in a session"
    PAIN_TREND = "pain_trend", "Pain crept up across sessions"
    CLEARANCE = "clearance", "A clinician's all-clear"
    FLARE_UP = "flare_up", "A flare-up"
    DAY_AFTER = "day_after", "How the days after felt"
    PERSON = "person", "Your own choice"


class SessionDose(models.TextChoices):
    USUAL = "usual", "The usual session"
    GENTLE = "gentle", "A gentler session"
    FLARE_UP = "flare_up", "The flare-up routine"


class NotCounted(models.TextChoices):
    """Why a session does not count towards moving on (empty: it counts)."""

    SECOND = "second", "A second session on the same day: one a day counts at most"
    REST_DAY = "rest_day", "Started on a rest day the plan asked for"
    GENTLE = "gentle", "A gentler session for a bad day: progress waits, the streak is kept"
    FLARE_UP = "flare_up", "The flare-up routine: progress waits, the streak is kept"


class DayAfter(models.TextChoices):
    BETTER = "better", "Better"
    SAME = "same", "About the same"
    WORSE = "worse", "Worse"
