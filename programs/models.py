"""The content library (articles, exercises, programs) and each person's own records.

Content rows are loaded from the TOML files in ``programs/content`` (see ``content.py``);
personal rows always hang off a user, directly or through a session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .care.choices import Cause, DayAfter, NotCounted, PauseReason, SessionDose

if TYPE_CHECKING:
    from collections.abc import Iterable


# --- enumerations ----------------------------------------------------------------------------


class Level(models.TextChoices):
    EASY = "easy", "Easy"
    MODERATE = "moderate", "Moderate"
    HARD = "hard", "Harder"


class Purpose(models.TextChoices):
    WARM_UP = "warm-up", "Warm-up"
    RELEASE = "release", "Release"
    STABILITY = "stability", "Stability"
    LENGTHEN = "lengthen", "Lengthen"
    ACTIVATE = "activate", "Glute activation"
    CORE = "core", "Core"
    RECOVERY = "recovery", "Recovery"


class Effort(models.TextChoices):
    HOLD = "hold", "Holds"
    REPS = "reps", "Repetitions"
    REPS_HOLD = "reps_hold", "Repetitions with a hold"
    TIMED = "timed", "Timed"


class Position(models.TextChoices):
    STANDING = "standing", "Standing"
    SITTING = "sitting", "Sitting"
    LYING = "lying", "Lying on your back"
    KNEELING = "kneeling", "Kneeling"
    SIDE_LYING = "side-lying", "Lying on your side"
    ALL_FOURS = "all-fours", "On hands and knees"


class Severity(models.TextChoices):
    INFO = "info", "Good to know"
    WARN = "warn", "Take care"
    STOP = "stop", "Stop"


class AppliesTo(models.TextChoices):
    """Where a caution shared by the whole library is shown besides the start page."""

    LIBRARY = "library", "The start page only"
    EVERY = "every", "Every exercise"
    HAMSTRINGS = "hamstrings", "Every hamstring stretch"


class Phase(models.TextChoices):
    SETUP = "setup", "Set-up"
    MOVEMENT = "movement", "Movement"


class Track(models.TextChoices):
    RELEASE = "release", "Release"
    LENGTHEN = "lengthen", "Lengthen"


class Side(models.TextChoices):
    NONE = "none", "Both"
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


PAIN_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


# --- content ---------------------------------------------------------------------------------


class ContentFile(models.Model):
    """The hash of each content file as last loaded.

    An unchanged file is skipped on the next load, so edits made in the admin survive a
    migrate until the file itself changes.
    """

    path = models.CharField(max_length=200, unique=True)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.path


class ContentVersion(models.Model):
    """A number that moves on whenever the content changes: a load, an edit in the admin.

    What is drawn from the content (an exercise's steps, cautions and figure) is cached under
    this number, so every worker on every machine sees a change on its next request.
    """

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"content version {self.number}"


class Article(models.Model):
    code = models.CharField(max_length=8, unique=True)
    seed = models.CharField(max_length=100, help_text="File name in shared/seeds.")
    title = models.CharField(max_length=200)
    summary = models.TextField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


def _lines(text: str) -> list[str]:
    """A "one per line" text field as its non-empty lines."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class ExerciseQuerySet(models.QuerySet["Exercise"]):
    def with_content(self) -> ExerciseQuerySet:
        return self.select_related("source", "alternative").prefetch_related(
            "steps", models.Prefetch("cautions", Caution.objects.select_related("source"))
        )


class Exercise(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    order = models.PositiveIntegerField(default=0)
    level = models.CharField(max_length=10, choices=Level.choices)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    effort = models.CharField(max_length=12, choices=Effort.choices)
    position = models.CharField(max_length=12, choices=Position.choices)
    standing_fold = models.BooleanField(
        default=False,
        help_text="A free-standing fold or hinge: the finish then asks whether the lower back "
        "kept its curve, which opens the free-standing stage.",
    )
    forward_bend = models.BooleanField(
        default=False,
        help_text="Bends forward with the back carrying the load (standing): swapped or left out "
        "for disc problems or pain when bending forward.",
    )
    stretches_hamstrings = models.BooleanField(default=False)
    equipment = models.CharField(max_length=120, blank=True)
    alternative = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The supported variant used instead when forward bends are left out.",
    )
    summary = models.TextField()
    steps_ours = models.BooleanField(
        default=False,
        help_text="The article only names this exercise: the steps are our own general advice.",
    )
    benefits = models.TextField(blank=True, help_text="One per line.")
    mistakes = models.TextField(blank=True, help_text="One per line.")
    source = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="exercises")

    # The default dose; a programme day may override any of it.
    sets = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    reps = models.PositiveSmallIntegerField(default=1)
    hold_seconds = models.PositiveSmallIntegerField(default=0)
    per_side = models.BooleanField(default=False)
    rest_seconds = models.PositiveSmallIntegerField(default=30)
    dose_note = models.CharField(max_length=300, blank=True)
    rep_phases = models.TextField(
        blank=True,
        help_text="For repetitions with a hold: the shapes one repetition holds in turn, one per "
        "line (the spine arch: round, then arch). Each is held for the dose's hold.",
    )

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programs-exercise", args=[self.slug])

    @property
    def benefit_list(self) -> list[str]:
        return _lines(self.benefits)

    @property
    def mistake_list(self) -> list[str]:
        return _lines(self.mistakes)

    @property
    def rep_phase_list(self) -> list[str]:
        return _lines(self.rep_phases)

    @property
    def dose(self) -> Dose:
        return Dose(self.sets, self.reps, self.hold_seconds, self.per_side, self.rest_seconds)

    def general_cautions(self) -> list[Caution]:
        """Cautions for the whole exercise (uses the prefetch when there is one)."""
        return [c for c in self.cautions.all() if c.step_id is None]

    def shared_cautions(self) -> list[Caution]:
        """The library's own cautions that reach this exercise (a hamstring stretch, say)."""
        return list(Caution.objects.shared_for(self).select_related("source"))


class Step(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=10, choices=Phase.choices)
    text = models.TextField()
    cue = models.CharField(max_length=80, blank=True, help_text="A short spoken cue.")
    pose = models.JSONField(
        default=dict, blank=True, help_text="Joint angles for the figure drawn for this step."
    )

    class Meta:
        ordering = ["exercise", "number"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "number"], name="step_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} step {self.number}"

    def step_cautions(self) -> list[Caution]:
        return [c for c in self.exercise.cautions.all() if c.step_id == self.pk]


class CautionQuerySet(models.QuerySet["Caution"]):
    def shared(self) -> CautionQuerySet:
        """Cautions of the whole library, tied to no exercise."""
        return self.filter(exercise__isnull=True)

    def shared_for(self, exercise: Exercise) -> CautionQuerySet:
        reaches = [AppliesTo.EVERY]
        if exercise.stretches_hamstrings:
            reaches.append(AppliesTo.HAMSTRINGS)
        return self.shared().filter(applies_to__in=reaches)


class Caution(models.Model):
    exercise = models.ForeignKey(
        Exercise,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cautions",
        help_text="Empty for a caution that applies to every exercise.",
    )
    step = models.ForeignKey(
        Step,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cautions",
        help_text="Empty for a caution about the whole exercise.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    severity = models.CharField(max_length=5, choices=Severity.choices, default=Severity.WARN)
    title = models.CharField(max_length=120, blank=True)
    text = models.TextField()
    source = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cautions",
        help_text="The article it comes from; empty for our own general safety advice.",
    )
    applies_to = models.CharField(
        max_length=12,
        choices=AppliesTo.choices,
        default=AppliesTo.LIBRARY,
        help_text="For a caution tied to no exercise: which exercise pages also show it.",
    )

    objects = CautionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title or self.text[:60]

    @property
    def is_stop(self) -> bool:
        return self.severity == Severity.STOP

    @property
    def short_title(self) -> str:
        """The title, or the text's first words when it has none: for a caution shown folded."""
        if self.title:
            return self.title
        first = self.text.split(". ")[0].rstrip(".")
        if len(first) > 64:
            # Cut at a comma where there is one, so the folded line still reads as a phrase.
            head = first[:61]
            first = (head.rsplit(",", 1)[0] if "," in head else head.rsplit(" ", 1)[0]) + "…"
        return first

    @property
    def says_stop(self) -> bool:
        """Its folded line starts with the word itself ("Stop if..."): no "Stop:" label then."""
        return self.short_title.lower().startswith("stop")


class Program(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    track = models.CharField(max_length=10, choices=Track.choices, unique=True)
    name = models.CharField(max_length=120)
    source = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="programs")
    sessions_per_week = models.PositiveSmallIntegerField(default=3)
    summary = models.TextField()
    why = models.TextField(help_text="Shown to the person: why this plan was chosen.")

    class Meta:
        ordering = ["track"]

    def __str__(self) -> str:
        return self.name

    def first_stage(self) -> Stage:
        return self.stages.order_by("number").first()


class Stage(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    summary = models.TextField()
    sessions_to_advance = models.PositiveSmallIntegerField(default=6)
    steady_back_sessions = models.PositiveSmallIntegerField(
        default=0,
        help_text=(
            "Sessions in the stage before this one in which the person kept a neutral spine in "
            "the free-standing stretches, needed before moving up to this stage (0: none)."
        ),
    )
    min_days = models.PositiveSmallIntegerField(
        default=0,
        help_text="The fewest calendar days spent at this stage before moving on, whatever the "
        "number of sessions: stretching too often does not speed anything up.",
    )

    class Meta:
        ordering = ["program", "number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="stage_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.program.name}: stage {self.number}, {self.name}"

    def next(self) -> Stage | None:
        return self.program.stages.filter(number__gt=self.number).order_by("number").first()

    def previous(self) -> Stage | None:
        return self.program.stages.filter(number__lt=self.number).order_by("-number").first()


class ProgramDay(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="days")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["stage", "number"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "number"], name="day_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.stage}: {self.name}"


class Prescription(models.Model):
    day = models.ForeignKey(ProgramDay, on_delete=models.CASCADE, related_name="prescriptions")
    order = models.PositiveSmallIntegerField()
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    sets = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    reps = models.PositiveSmallIntegerField()
    hold_seconds = models.PositiveSmallIntegerField()
    per_side = models.BooleanField()
    rest_seconds = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["day", "order"]
        constraints = [
            models.UniqueConstraint(fields=["day", "order"], name="prescription_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.exercise}"

    @property
    def dose(self) -> Dose:
        return Dose(self.sets, self.reps, self.hold_seconds, self.per_side, self.rest_seconds)


@dataclass(frozen=True)
class Dose:
    sets: int
    reps: int
    hold_seconds: int
    per_side: bool
    rest_seconds: int

    def __str__(self) -> str:
        parts = [f"{self.sets} set{'s' if self.sets != 1 else ''}"]
        if self.reps > 1 or not self.hold_seconds:
            parts.append(f"{self.reps} rep{'s' if self.reps != 1 else ''}")
        if self.hold_seconds:
            minutes, seconds = divmod(self.hold_seconds, 60)
            long_and_round = minutes >= 2 and not seconds
            parts.append(f"{minutes} min" if long_and_round else f"{self.hold_seconds} s")
        if self.per_side:
            parts.append("each side")
        return " × ".join(parts[:2]) + "".join(f", {p}" for p in parts[2:])


class Routine(models.Model):
    """A short routine outside the stages, such as the one for a flare-up."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    source = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.PROTECT, related_name="routines"
    )
    summary = models.TextField()
    advice = models.TextField(blank=True, help_text="One per line: when to stop and get help.")

    def __str__(self) -> str:
        return self.name

    @property
    def advice_list(self) -> list[str]:
        return _lines(self.advice)


class RoutineItem(models.Model):
    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField()
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    sets = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    reps = models.PositiveSmallIntegerField()
    hold_seconds = models.PositiveSmallIntegerField()
    per_side = models.BooleanField()
    rest_seconds = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["routine", "order"]
        constraints = [
            models.UniqueConstraint(fields=["routine", "order"], name="routine_item_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.routine}: {self.exercise}"

    @property
    def dose(self) -> Dose:
        return Dose(self.sets, self.reps, self.hold_seconds, self.per_side, self.rest_seconds)


# --- screening and plans ---------------------------------------------------------------------


class RedFlag(models.TextChoices):
    NUMBNESS = "numbness", "Numbness, tingling or weakness in a leg that does not go away"
    BLADDER = "bladder", "New trouble controlling your bladder or bowels, or numbness in the groin"
    NIGHT_PAIN = "night_pain", "Severe pain at night or at rest that does not ease"
    TRAUMA = "trauma", "Back or leg pain that started after a fall, accident or blow"
    FEVER = "fever", "Fever, feeling unwell or unexplained weight loss together with back pain"


class TiltAnswer(models.TextChoices):
    YES = "yes", "Yes, my pelvis tips forward"
    NO = "no", "No, it looks level"
    UNSURE = "unsure", "I am not sure"


class Outcome(models.TextChoices):
    CLINICIAN = "clinician", "See a clinician first"
    INJURY = "injury", "Rest the injury first"
    RELEASE = "release", "Release track"
    LENGTHEN = "lengthen", "Lengthen track"


class Screening(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="screenings"
    )
    created_at = models.DateTimeField(default=timezone.now)
    red_flags = models.JSONField(default=list, blank=True)
    recent_injury = models.BooleanField(default=False)
    pelvic_tilt = models.CharField(max_length=8, choices=TiltAnswer.choices)
    disc_problems = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="screening_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} screened {self.created_at:%Y-%m-%d}: {self.outcome}"

    def decide(self) -> str:
        """The outcome these answers lead to, most serious first."""
        if self.red_flags:
            return Outcome.CLINICIAN
        if self.recent_injury:
            return Outcome.INJURY
        # Not sure counts as yes: the release work does no harm to a level pelvis, while
        # stretching hamstrings that a forward-tipped pelvis holds long can strain them (000).
        if self.pelvic_tilt in (TiltAnswer.YES, TiltAnswer.UNSURE):
            return Outcome.RELEASE
        return Outcome.LENGTHEN

    @property
    def gets_plan(self) -> bool:
        return self.outcome in (Outcome.RELEASE, Outcome.LENGTHEN)

    def red_flag_labels(self) -> list[str]:
        return [RedFlag(key).label for key in self.red_flags if key in RedFlag.values]


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class PlanQuerySet(models.QuerySet["Plan"]):
    def active(self) -> PlanQuerySet:
        return self.filter(status=PlanStatus.ACTIVE)


class Plan(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="plans")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="plans")
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    avoid_forward_bends = models.BooleanField(
        default=False, help_text="Disc problems or pain when bending forward."
    )
    # Written only by the care rules (programs.care.events), like everything below.
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    paused_for = models.CharField(max_length=10, choices=PauseReason.choices, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    stage_entered_at = models.DateTimeField(
        default=timezone.now, help_text="Sessions towards the next stage count from here."
    )
    rest_until = models.DateField(
        null=True,
        blank=True,
        help_text="The last day of a rest the plan asked for, on the person's own calendar.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="active"),
                name="one_active_plan_per_user",
            ),
            # A pause always says why, and only a pause has a reason.
            models.CheckConstraint(
                condition=(Q(status="paused") & ~Q(paused_for=""))
                | (~Q(status="paused") & Q(paused_for="")),
                name="paused_plan_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.program} ({self.status})"

    def next_day(self) -> ProgramDay | None:
        """The day after the last one finished in this stage, going round the stage's days."""
        days = list(self.stage.days.order_by("number"))
        if not days:
            return None
        last = (
            self.sessions.filter(status=SessionStatus.FINISHED, day__stage=self.stage)
            .order_by("-finished_at", "-pk")
            .values_list("day__number", flat=True)
            .first()
        )
        if last is None:
            return days[0]
        later = [d for d in days if d.number > last]
        return later[0] if later else days[0]


class ChangeKind(models.TextChoices):
    START = "start", "Plan started"
    ADVANCE = "advance", "Moved up a stage"
    HOLD = "hold", "Stayed at this stage"
    STEP_BACK = "step_back", "Stepped back"
    ADJUST = "adjust", "Adjusted"
    PAUSE = "pause", "Paused"
    STILL_PAUSED = "still_paused", "Still paused"
    CLEARANCE = "clearance", "Clinician's all-clear"
    RESUME = "resume", "Resumed"
    FLARE_UP = "flare_up", "Flare-up"
    FLARE_UP_OVER = "flare_over", "Flare-up over"
    END = "end", "Ended"


class PlanChange(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="changes")
    created_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    cause = models.CharField(max_length=12, choices=Cause.choices, blank=True)
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    session = models.ForeignKey(
        "WorkoutSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_changes",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason[:60]}"


# --- sessions and sets -----------------------------------------------------------------------


class SessionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    FINISHED = "finished", "Finished"
    # Closed by the care rules (a new safety check, a flare-up): its logged sets are kept.
    ENDED = "ended", "Ended early"


class SkipReason(models.TextChoices):
    PAIN = "pain", "It hurt"
    EQUIPMENT = "equipment", "No equipment"
    TIME = "time", "Short of time"
    OTHER = "other", "Another reason"


class WorkoutSessionQuerySet(models.QuerySet["WorkoutSession"]):
    def for_user(self, user) -> WorkoutSessionQuerySet:
        return self.filter(user=user)

    def finished(self) -> WorkoutSessionQuerySet:
        return self.filter(status=SessionStatus.FINISHED)

    def in_progress(self) -> WorkoutSessionQuerySet:
        return self.filter(status=SessionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Slot:
    """Where the person is in a session: which exercise, which set, which side."""

    item: SessionExercise
    set_number: int
    side: str


class WorkoutSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workout_sessions"
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    day = models.ForeignKey(
        ProgramDay, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    status = models.CharField(
        max_length=12, choices=SessionStatus.choices, default=SessionStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    pain_before = models.PositiveSmallIntegerField(validators=PAIN_VALIDATORS)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=PAIN_VALIDATORS)
    note = models.TextField(blank=True, max_length=2000)
    steady_back = models.BooleanField(
        null=True,
        blank=True,
        help_text="Asked at the finish after free-standing stretches: did the back keep its "
        "natural curve? Empty when it was not asked.",
    )
    local_date = models.DateField(
        null=True, blank=True, help_text="The day it was started on the person's own calendar."
    )
    dose = models.CharField(max_length=10, choices=SessionDose.choices, default=SessionDose.USUAL)
    not_counted = models.CharField(
        max_length=10,
        choices=NotCounted.choices,
        blank=True,
        help_text="Why it does not count towards moving on; empty when it counts.",
    )
    felt_after_last = models.CharField(
        max_length=8,
        choices=DayAfter.choices,
        blank=True,
        help_text="Asked at the start: how the day after the previous session felt.",
    )
    ended_reason = models.CharField(max_length=200, blank=True)

    objects = WorkoutSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One open session at a time: starting again resumes it instead of forking a second.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="in_progress"),
                name="one_open_session_per_user",
            ),
        ]
        indexes = [
            # History and dashboard list a person's sessions newest first.
            models.Index(fields=["user", "-started_at"], name="session_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        if self.is_open:
            return reverse("programs-player", args=[self.pk])
        return reverse("programs-session", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == SessionStatus.IN_PROGRESS

    @property
    def was_ended(self) -> bool:
        return self.status == SessionStatus.ENDED

    @property
    def counts(self) -> bool:
        return not self.not_counted

    @property
    def pain_change(self) -> int | None:
        if self.pain_after is None:
            return None
        return self.pain_after - self.pain_before

    def current_slot(self, items: Iterable[SessionExercise] | None = None) -> Slot | None:
        """The first set not yet logged in an exercise not skipped; None when all are done."""
        if items is None:
            items = self.items.select_related("exercise").prefetch_related("logs")
        for item in items:
            slot = item.next_slot()
            if slot is not None:
                return Slot(item, *slot)
        return None


class SessionExercise(models.Model):
    """One exercise as prescribed for one session: a copy, so later content edits keep history."""

    session = models.ForeignKey(WorkoutSession, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField()
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    sets = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    reps = models.PositiveSmallIntegerField()
    hold_seconds = models.PositiveSmallIntegerField()
    per_side = models.BooleanField()
    rest_seconds = models.PositiveSmallIntegerField()
    substituted_for = models.ForeignKey(
        Exercise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The prescribed exercise this one replaces (disc problems: no standing folds).",
    )
    skipped_reason = models.CharField(max_length=10, choices=SkipReason.choices, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="item_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.exercise}"

    @classmethod
    def prescribed(
        cls,
        session: WorkoutSession,
        order: int,
        exercise: Exercise,
        dose: Dose,
        substituted_for: Exercise | None = None,
    ) -> SessionExercise:
        """An unsaved item with the dose copied in, so later content edits leave it alone."""
        return cls(
            session=session,
            order=order,
            exercise=exercise,
            substituted_for=substituted_for,
            sets=dose.sets,
            reps=dose.reps,
            hold_seconds=dose.hold_seconds,
            per_side=dose.per_side,
            rest_seconds=dose.rest_seconds,
        )

    @property
    def dose(self) -> Dose:
        return Dose(self.sets, self.reps, self.hold_seconds, self.per_side, self.rest_seconds)

    @property
    def sides(self) -> list[str]:
        return [Side.LEFT, Side.RIGHT] if self.per_side else [Side.NONE]

    @property
    def planned_set_count(self) -> int:
        return self.sets * len(self.sides)

    @property
    def is_skipped(self) -> bool:
        return bool(self.skipped_reason)

    def slots(self) -> list[tuple[int, str]]:
        """Every (set number, side) in the order they are done: left then right within a set."""
        return [(n, side) for n in range(1, self.sets + 1) for side in self.sides]

    def next_slot(self) -> tuple[int, str] | None:
        if self.is_skipped:
            return None
        done = {(log.set_number, log.side) for log in self.logs.all()}
        return next((slot for slot in self.slots() if slot not in done), None)

    def is_complete(self) -> bool:
        return not self.is_skipped and self.next_slot() is None

    def add_logged(self, log: SetLog) -> None:
        """A set just stored, added to the sets already read with the item (prefetched), in
        their order, so the answer to the set does not read them all again."""
        logs = [*self.logs.all(), log]
        logs.sort(key=lambda each: (each.set_number, each.side))
        self._prefetched_objects_cache["logs"]._result_cache = logs

    # What a set of this item is made of, so every page names it the same way: a single long
    # hold is a hold, not "1 rep"; timed work is time, not a hold.
    @property
    def counts_reps(self) -> bool:
        return self.reps > 1 or self.hold_seconds == 0

    @property
    def is_timed(self) -> bool:
        return self.exercise.effort == Effort.TIMED

    @property
    def mode(self) -> str:
        """ "reps", "hold" or "reps_hold": what the player counts or times for one set."""
        if self.counts_reps and self.hold_seconds:
            return "reps_hold"
        return "reps" if self.counts_reps else "hold"

    @property
    def planned_text(self) -> str:
        """One set as planned, in words: "12 reps", "hold 20 s", "5 reps, hold 10 s each"."""
        return amount_text(self, self.reps, self.hold_seconds)

    def is_short(self) -> bool:
        """Some of its logged sets fell short of the plan."""
        return any(log.falls_short_of(self) for log in self.logs.all())

    def short_sets(self) -> list[SetLog]:
        """Logged sets that fell short of the plan: fewer reps, or a hold well under it."""
        return [log for log in self.logs.all() if log.falls_short_of(self)]

    def last_time(self) -> list[SetLog]:
        """The sets logged for this exercise in the person's latest earlier session, one query."""
        latest = (
            SessionExercise.objects.filter(
                session__user_id=self.session.user_id,
                session__started_at__lt=self.session.started_at,
                exercise_id=self.exercise_id,
                logs__isnull=False,
            )
            .order_by("-session__started_at")
            .values("pk")[:1]
        )
        return list(
            SetLog.objects.filter(item=models.Subquery(latest)).select_related(
                "item__session", "item__exercise"
            )
        )


class SetLog(models.Model):
    item = models.ForeignKey(SessionExercise, on_delete=models.CASCADE, related_name="logs")
    set_number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    side = models.CharField(max_length=5, choices=Side.choices, default=Side.NONE)
    reps = models.PositiveSmallIntegerField(validators=[MaxValueValidator(500)])
    hold_seconds = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(3600)],
        help_text="Seconds actually held per repetition (or the time spent, for timed work).",
    )
    logged_at = models.DateTimeField(default=timezone.now)
    # Made by the browser for each set, so a double click or a resent request stores it once.
    client_token = models.UUIDField(default=uuid.uuid4, unique=True)

    class Meta:
        ordering = ["item", "set_number", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "set_number", "side"], name="one_log_per_set_and_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.exercise} set {self.set_number} {self.side}"

    def falls_short_of(self, item: SessionExercise) -> bool:
        """Fewer reps than planned, or under three quarters of the planned hold. A hold ended a
        second or two early is still the set; one cut in half is not."""
        return self.reps < item.reps or self.hold_seconds * 4 < item.hold_seconds * 3

    @property
    def total_hold_seconds(self) -> int:
        """Time under hold for the whole set: one hold per repetition."""
        return self.hold_seconds * max(self.reps, 1)

    @property
    def is_short(self) -> bool:
        return self.falls_short_of(self.item)

    @property
    def done_text(self) -> str:
        """What was done, named for what it is: "12 reps", "held 20 s", "45 s"."""
        return amount_text(self.item, self.reps, self.hold_seconds, done=True)

    @property
    def label(self) -> str:
        """ "Set 2", or "Set 2, left side"."""
        side = f", {self.get_side_display().lower()} side" if self.side != Side.NONE else ""
        return f"Set {self.set_number}{side}"


class DeletedSetQuerySet(models.QuerySet):
    def undoable(self, session: WorkoutSession) -> DeletedSetQuerySet:
        since = timezone.now() - DeletedSet.UNDO_FOR
        return self.filter(item__session=session, deleted_at__gte=since)


class DeletedSet(models.Model):
    """A set deleted from an open session, kept for a while so the delete can be undone.

    A snapshot beside the history rather than a flag on SetLog: every count, chart and export
    reads SetLog, and none of them has to remember to leave deleted sets out.
    """

    UNDO_FOR = timedelta(minutes=15)

    item = models.ForeignKey(SessionExercise, on_delete=models.CASCADE, related_name="+")
    set_number = models.PositiveSmallIntegerField()
    side = models.CharField(max_length=5, choices=Side.choices)
    reps = models.PositiveSmallIntegerField()
    hold_seconds = models.PositiveIntegerField()
    logged_at = models.DateTimeField()
    client_token = models.UUIDField(unique=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    objects = DeletedSetQuerySet.as_manager()

    class Meta:
        ordering = ["-deleted_at", "-pk"]

    def __str__(self) -> str:
        return f"deleted {self.item_id} set {self.set_number} {self.side}"

    @classmethod
    def keep(cls, log: SetLog) -> DeletedSet:
        fields = ["item", "set_number", "side", "reps", "hold_seconds", "logged_at"]
        return cls.objects.create(
            **{name: getattr(log, name) for name in fields}, client_token=log.client_token
        )

    def restored(self) -> SetLog:
        """The set as it was, token and time included, so a retry of its first post still
        finds it and the rest timer and history read as before."""
        fields = ["item_id", "set_number", "side", "reps", "hold_seconds", "logged_at"]
        return SetLog(
            **{name: getattr(self, name) for name in fields}, client_token=self.client_token
        )

    @property
    def label(self) -> str:
        return SetLog(set_number=self.set_number, side=self.side).label


def duration_text(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if minutes and rest:
        return f"{minutes} min {rest} s"
    return f"{minutes} min" if minutes else f"{seconds} s"


def amount_text(item: SessionExercise, reps: int, seconds: int, done: bool = False) -> str:
    """Reps, a hold or timed work in words, for the plan ("hold 20 s") or a set ("held 20 s")."""
    parts = []
    if item.counts_reps:
        parts.append(f"{reps} rep{'s' if reps != 1 else ''}")
    if item.hold_seconds or seconds:
        time = duration_text(seconds)
        if item.is_timed:
            parts.append(time)
        elif item.counts_reps:
            parts.append(f"{'held' if done else 'hold'} {time} each")
        else:
            parts.append(f"{'held' if done else 'hold'} {time}")
    return ", ".join(parts)


# The care rules' own records live with the rules; importing them here registers them with the
# app, so they keep its label and its migrations.
from .care.models import Clearance, FlareUp, Profile  # noqa: E402, F401
from .schedule.models import Schedule, SentReminder  # noqa: E402, F401
from .selftest.models import (  # noqa: E402, F401
    PICTURE_ANGLES,
    SENSOR_RANGE,
    LegReading,
    Measured,
    SelfTest,
)
from .summary.models import SummaryShare  # noqa: E402, F401


class Throttle(models.Model):
    """How often one address asked for something costly in one window of time (programs.throttle)."""

    key = models.CharField(max_length=120)
    # Indexed: old windows are swept by it.
    window = models.DateTimeField(db_index=True)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="throttle_once")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window:%Y-%m-%d %H:%M}: {self.hits}"
