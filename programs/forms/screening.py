from django import forms

from ..models import RedFlag, TiltAnswer

YES_NO = [("yes", "Yes"), ("no", "No")]
ANGLE_MESSAGES = {
    "invalid": "Enter the angle as a whole number of degrees, for example 45.",
    "min_value": "The angle cannot be below 0 degrees.",
    "max_value": "The angle cannot be above 120 degrees: 90 is straight up at the ceiling.",
}


def _yes_no(message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def _angle(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=120,
        error_messages=ANGLE_MESSAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 120}),
    )


class ScreeningForm(forms.Form):
    red_flags = forms.MultipleChoiceField(
        choices=RedFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "One of the ticked warning signs is not on our list. Tick only the "
            "signs shown here."
        },
    )
    no_red_flags = forms.BooleanField(
        required=False, label="None of these apply to me, and I understand what they are."
    )
    recent_injury = _yes_no("Say whether you have hurt a hamstring recently.")
    pelvic_tilt = forms.ChoiceField(
        choices=TiltAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether your pelvis tips forward (choose 'I am not sure' if unsure).",
            "invalid_choice": "Choose yes, no or not sure for the pelvis check.",
        },
    )
    disc_problems = _yes_no("Say whether you have disc problems or back pain when bending forward.")
    left_angle = _angle("Left leg, degrees")
    right_angle = _angle("Right leg, degrees")

    def clean(self) -> dict:
        data = super().clean()
        flags = data.get("red_flags")
        confirmed = data.get("no_red_flags")
        # Only judge the warning signs once the ticked values themselves were valid.
        if "red_flags" not in self.errors:
            if flags and confirmed:
                self.add_error(
                    "no_red_flags",
                    "You ticked a warning sign and also 'none of these'. Untick one of them.",
                )
            elif not flags and not confirmed:
                self.add_error(
                    "no_red_flags",
                    "Tick any warning sign you have, or confirm that none of them apply.",
                )

        left, right = data.get("left_angle"), data.get("right_angle")
        # A warning sign or a fresh injury means no testing the leg: the angles may stay empty.
        optional = bool(flags) or data.get("recent_injury") is True
        for name, value in (("left_angle", left), ("right_angle", right)):
            if value is None and name not in self.errors:
                if not optional:
                    side = name.split("_")[0]
                    self.add_error(name, f"Enter how high your {side} leg lifts, in degrees.")
                elif (left, right) != (None, None):
                    self.add_error(name, "Enter both angles, or leave both empty.")
        return data

    @property
    def self_test(self) -> tuple[int, int] | None:
        left, right = self.cleaned_data.get("left_angle"), self.cleaned_data.get("right_angle")
        if left is None or right is None:
            return None
        return left, right
