"""The self-test's fields, shared by the screening and by a repeat from the history.

Each leg can be given three ways, in the order they are trusted: the phone's readings (filled in
by self-test.js after it measured), a tapped picture, or a typed number. Whatever the person
did last wins on screen (the script clears the others); without the script, a picture and a
different typed number for one leg are a question we ask back rather than guess.
"""

from __future__ import annotations

from django import forms

from ..models import PICTURE_ANGLES, SENSOR_RANGE, LegReading, Measured
from ..selftest.models import parse_readings

SIDES = ("left", "right")
ANGLE_MESSAGES = {
    "invalid": "Enter the angle as a whole number of degrees, for example 45.",
    "min_value": "The angle cannot be below 0 degrees.",
    "max_value": "The angle cannot be above 120 degrees: 90 is straight up at the ceiling.",
}


def _picture_choices() -> list[tuple[int, str]]:
    return [(angle, f"{angle}°") for angle in PICTURE_ANGLES]


def _angle_field(side: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"{side.capitalize()} leg, degrees",
        required=False,
        min_value=0,
        max_value=120,
        error_messages=ANGLE_MESSAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 120}),
    )


def _picture_field(side: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=f"{side.capitalize()} leg",
        choices=_picture_choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": f"Choose one of the pictures for the {side} leg."},
    )


class SelfTestFields(forms.Form):
    """Per leg: a typed angle, a picture, and the phone's readings (a hidden field)."""

    left_angle = _angle_field("left")
    right_angle = _angle_field("right")
    left_picture = _picture_field("left")
    right_picture = _picture_field("right")
    # No max_length: a hidden field's own error would show nowhere; _readings checks them all.
    left_readings = forms.CharField(required=False, widget=forms.HiddenInput)
    right_readings = forms.CharField(required=False, widget=forms.HiddenInput)

    # Set by the form that uses these fields: may both legs be left out?
    legs_optional = False

    def clean(self) -> dict:
        data = super().clean()
        self.legs: dict[str, LegReading | None] = {}
        for side in SIDES:
            if any(f"{side}_{part}" in self.errors for part in ("angle", "picture", "readings")):
                continue
            self.legs[side] = self._leg(side, data)
        # A leg whose own input was wrong has its message already; "missing" would be a second.
        missing = [
            side
            for side in SIDES
            if side in self.legs and self.legs[side] is None and f"{side}_angle" not in self.errors
        ]
        given = [side for side in SIDES if self.legs.get(side) is not None]
        for side in missing:
            if not self.legs_optional:
                self.add_error(
                    f"{side}_angle",
                    f"Measure your {side} leg with the phone, tap the picture that looks like "
                    f"it, or type its angle in degrees.",
                )
            elif given:
                self.add_error(f"{side}_angle", "Measure both legs, or leave both empty.")
        return data

    def _leg(self, side: str, data: dict) -> LegReading | None:
        typed, picture = data.get(f"{side}_angle"), data.get(f"{side}_picture")
        readings = self._readings(side, data.get(f"{side}_readings", ""))
        if readings is None:
            return None
        if readings:
            best = max(readings)
            # A number changed by hand after measuring is the person's own: it counts as typed.
            if typed is None or typed == best:
                return LegReading(best, Measured.SENSOR, readings)
            return LegReading(typed, Measured.TYPED)
        if typed is not None:
            if picture is not None and picture != typed:
                self.add_error(
                    f"{side}_angle",
                    f"For the {side} leg you chose the {picture}° picture and typed {typed}°. "
                    f"Keep one of them: clear the number, or choose no picture.",
                )
                return None
            return LegReading(typed, Measured.TYPED)
        if picture is not None:
            return LegReading(picture, Measured.PICTURE)
        return None

    def _readings(self, side: str, text: str) -> tuple[int, ...] | None:
        """The phone's tries, checked again here: the page could have been altered."""
        readings = parse_readings(text)
        if readings is None:
            low, high = SENSOR_RANGE
            self.add_error(
                f"{side}_angle",
                f"The phone's reading for the {side} leg was not one we can use (two tries, "
                f"each {low} to {high} degrees). Measure that leg again, or choose a picture.",
            )
        return readings

    # For the template (programs/includes/self_test_measure.html), which draws both legs alike.
    @property
    def picture_fields(self) -> list[forms.BoundField]:
        return [self[f"{side}_picture"] for side in SIDES]

    @property
    def angle_fields(self) -> list[forms.BoundField]:
        return [self[f"{side}_angle"] for side in SIDES]

    sensor_range = SENSOR_RANGE

    def leg(self, side: str) -> LegReading | None:
        return self.legs.get(side)

    @property
    def self_test(self) -> tuple[LegReading, LegReading] | None:
        left, right = self.leg("left"), self.leg("right")
        if left is None or right is None:
            return None
        return left, right
