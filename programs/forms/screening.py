from django import forms

from ..models import RedFlag, TiltAnswer
from .self_test import SelfTestFields

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


class ScreeningForm(SelfTestFields):
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

    # The questions in the page's order, so the summary of errors lists them the same way.
    field_order = [
        "red_flags",
        "no_red_flags",
        "recent_injury",
        "pelvic_tilt",
        "disc_problems",
        "left_readings",
        "left_picture",
        "left_angle",
        "right_readings",
        "right_picture",
        "right_angle",
    ]

    def clean(self) -> dict:
        data = self.cleaned_data
        flags = data.get("red_flags")
        # A warning sign or a fresh injury means no testing the leg: the self-test may stay empty.
        self.legs_optional = bool(flags) or data.get("recent_injury") is True
        data = super().clean()
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

        return data
