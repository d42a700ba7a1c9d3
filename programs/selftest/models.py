"""The straight-leg-raise self-test: how high each straight leg lifts, and how it was measured.

``programs.models`` imports these so the app label stays ``programs`` and migrations stay in one
place.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone


class Measured(models.TextChoices):
    """How one leg's angle was taken: the history marks each point with it."""

    SENSOR = "sensor", "Phone sensor"
    PICTURE = "picture", "Picture"
    TYPED = "typed", "Typed in"


# The pictures a person can tap when there is no sensor: every 10 degrees, as fine as an eye
# can tell a leg's angle apart (our own choice).
PICTURE_ANGLES = tuple(range(20, 100, 10))
# A phone reading outside this is refused: below it the leg has barely left the floor, above
# it a straight leg cannot go (the phone slipped, or it was zeroed off the floor).
SENSOR_RANGE = (10, 120)


def parse_readings(text: str) -> tuple[int, ...] | None:
    """The phone's two tries from "52,55": () for none, None for anything the page never sends."""
    if not text:
        return ()
    low, high = SENSOR_RANGE
    parts = text.split(",")
    if len(parts) == 2 and all(p.isascii() and p.isdigit() for p in parts):
        values = tuple(int(p) for p in parts)
        if all(low <= v <= high for v in values):
            return values
    return None


def _readings_text(value: str) -> None:
    if parse_readings(value) is None:
        low, high = SENSOR_RANGE
        raise ValidationError(f"Two readings, each {low} to {high} degrees, or none.")


@dataclass(frozen=True)
class LegReading:
    """One leg's result: the angle kept, how it was taken, and the phone's tries if it was."""

    angle: int
    measured: Measured
    readings: tuple[int, ...] = ()


class SelfTest(models.Model):
    """Active straight-leg raise: how high each straight leg lifts, in degrees from the floor.

    Each side says how it was measured; with the phone, both tries are kept beside the better
    one, which is the angle.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_tests"
    )
    taken_at = models.DateTimeField(default=timezone.now)
    left_angle = models.PositiveSmallIntegerField(validators=[MaxValueValidator(120)])
    right_angle = models.PositiveSmallIntegerField(validators=[MaxValueValidator(120)])
    left_measured = models.CharField(max_length=8, choices=Measured.choices, default=Measured.TYPED)
    right_measured = models.CharField(
        max_length=8, choices=Measured.choices, default=Measured.TYPED
    )
    # The phone's tries, "52,55"; empty for a picture or a typed number.
    left_readings = models.CharField(max_length=8, blank=True, validators=[_readings_text])
    right_readings = models.CharField(max_length=8, blank=True, validators=[_readings_text])
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        indexes = [models.Index(fields=["user", "taken_at"], name="selftest_user_time")]

    def __str__(self) -> str:
        return f"{self.user} {self.taken_at:%Y-%m-%d}: L{self.left_angle} R{self.right_angle}"

    def measured(self, side: str) -> Measured:
        return Measured(getattr(self, f"{side}_measured"))

    @property
    def measured_short(self) -> str:
        """How both legs were measured in a word or two, for a line of many tests."""
        words = {Measured.SENSOR: "phone", Measured.PICTURE: "picture", Measured.TYPED: "typed"}
        left, right = words[self.measured("left")], words[self.measured("right")]
        return left if left == right else f"{left}, {right}"

    @property
    def both_by_sensor(self) -> bool:
        return self.left_measured == self.right_measured == Measured.SENSOR

    @property
    def side_difference(self) -> int:
        return abs(self.left_angle - self.right_angle)

    @classmethod
    def record(cls, user, legs: tuple[LegReading, LegReading], note: str = "") -> SelfTest:
        left, right = legs
        return cls.objects.create(
            user=user,
            left_angle=left.angle,
            right_angle=right.angle,
            left_measured=left.measured,
            right_measured=right.measured,
            left_readings=",".join(str(r) for r in left.readings),
            right_readings=",".join(str(r) for r in right.readings),
            note=note,
        )
