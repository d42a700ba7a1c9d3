"""Forms for the guided session: pain ratings, one logged set, a skip, the finish."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django import forms

from ..care.choices import DayAfter
from ..models import SessionExercise, Side, SkipReason

MAX_REPS = 500
MAX_HOLD_SECONDS = 3600
WHOLE_NUMBER = "Enter a whole number, such as 5."
NOT_IN_SESSION = "That exercise is not part of this session."
NO_SUCH_SET = "That set is not in the plan for this exercise."
OUT_OF_DATE = "This form is out of date: reload the page and try again."

PAIN_CHOICES = [
    (0, "0"),
    (1, "1"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5"),
    (6, "6"),
    (7, "7"),
    (8, "8"),
    (9, "9"),
    (10, "10"),
]


def _pain_field(label: str) -> forms.TypedChoiceField:
    # Radio buttons, not a number box: a tap on a phone, and no typing a value out of range.
    return forms.TypedChoiceField(
        label=label,
        choices=PAIN_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a number from 0 (no pain) to 10 (the worst pain you can imagine).",
            "invalid_choice": "Choose a number from 0 (no pain) to 10.",
        },
    )


class StartForm(forms.Form):
    """The start of a session: today's pain, how the day after the last one felt, and the
    person's choice when a gentler session is offered."""

    pain_before = _pain_field("How much pain do you have right now?")
    felt_after_last = forms.ChoiceField(
        label="How did the day after your last session feel?",
        choices=DayAfter.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose better, about the same or worse."},
    )
    dose = forms.ChoiceField(
        choices=[("gentle", "The gentler session"), ("usual", "My usual session")],
        required=False,
        error_messages={"invalid_choice": "Choose the gentler or the usual session."},
    )

    def __init__(self, *args, asks_day_after: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not asks_day_after:
            del self.fields["felt_after_last"]

    @property
    def gentle(self) -> bool | None:
        """The person's answer to the gentler-session offer; None when it was not answered."""
        choice = self.cleaned_data.get("dose")
        return {"gentle": True, "usual": False}.get(choice)


# The dashboard's start form is the same form.
PainBeforeForm = StartForm


STEADY_BACK_CHOICES = [
    ("yes", "Yes, it kept its natural curve all the way through"),
    ("no", "No, it rounded at some point, or I am not sure"),
]


class FinishForm(forms.Form):
    pain_after = _pain_field("How much pain do you have now?")
    # Asked only after free-standing folds or hinges: the answers open free-standing stages.
    steady_back = forms.TypedChoiceField(
        label="In today's standing stretches, did your lower back keep its natural curve?",
        choices=STEADY_BACK_CHOICES,
        coerce=lambda answer: answer == "yes",
        empty_value=None,
        widget=forms.RadioSelect,
        help_text="Hinging at the hips with the small arch in your lower back kept, not "
        "rounding it to reach further. If you could not tell, answer no: it only means more "
        "practice before free-standing stretches.",
        error_messages={
            "required": "Say whether your lower back kept its curve; if you are not sure, "
            "choose no.",
            "invalid_choice": "Choose yes or no.",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything worth remembering: what felt tight, what felt easier.",
    )

    def __init__(self, *args, asks_steady_back: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not asks_steady_back:
            del self.fields["steady_back"]


class SetAmountsForm(forms.Form):
    """What was done in one set: used to log it and to correct it afterwards."""

    reps = forms.IntegerField(
        label="Reps",
        min_value=0,
        max_value=MAX_REPS,
        error_messages={
            "invalid": WHOLE_NUMBER,
            "required": "Enter how many reps you did.",
            "min_value": "Reps cannot be negative.",
            "max_value": f"Reps can be at most {MAX_REPS}.",
        },
    )
    hold_seconds = forms.IntegerField(
        label="Hold (seconds)",
        min_value=0,
        max_value=MAX_HOLD_SECONDS,
        error_messages={
            "invalid": WHOLE_NUMBER,
            "required": "Enter how many seconds you held or did.",
            "min_value": "A hold cannot be negative.",
            "max_value": "A hold can be at most an hour (3600 seconds).",
        },
    )

    def __init__(self, *args, item: SessionExercise | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item = item

    def clean(self):
        data = super().clean()
        reps, seconds = data.get("reps"), data.get("hold_seconds")
        if reps == 0 and seconds == 0:
            raise forms.ValidationError(
                "Nothing to log: enter the reps or seconds you did, or skip the exercise."
            )
        self.check_against(self.item, reps, seconds)
        return data

    def check_against(self, item: SessionExercise | None, reps, seconds) -> None:
        """A set of a hold needs seconds held, a set of reps needs reps: nought of what the
        exercise is made of is not a set, whatever the other box says."""
        if item is None:
            return
        if item.counts_reps and reps == 0 and not self.has_error("reps"):
            self.add_error("reps", "0 reps is not a set: enter the reps you did, or skip it.")
        if item.hold_seconds and seconds == 0 and not self.has_error("hold_seconds"):
            what = "0 seconds is not a set" if item.is_timed else "A 0-second hold is not a hold"
            self.add_error(
                "hold_seconds", f"{what}: enter the seconds you did, or skip the exercise."
            )


class SetLogForm(SetAmountsForm):
    """One set as the player posts it; the item must belong to the session being played."""

    item = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"invalid": NOT_IN_SESSION, "required": NOT_IN_SESSION},
    )
    set_number = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"invalid": NO_SUCH_SET, "required": NO_SUCH_SET},
    )
    side = forms.ChoiceField(
        choices=Side.choices,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "That side is not left, right or both.",
            "required": "That side is not left, right or both.",
        },
    )
    client_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"invalid": OUT_OF_DATE, "required": OUT_OF_DATE},
    )

    def __init__(self, *args, items: Sequence[SessionExercise], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in items}

    @classmethod
    def for_slot(cls, item: SessionExercise, set_number: int, side: str) -> SetLogForm:
        """An unbound form for the next set, prefilled with the plan so it works without JS."""
        initial = {
            "item": item.pk,
            "set_number": set_number,
            "side": side,
            # Fresh per rendering: the browser resends this same token on a retry.
            "client_token": uuid.uuid4(),
            "reps": item.reps,
            # Empty until the timer measures it: a planned time sent with one tap would record
            # a hold that never happened.
            "hold_seconds": None,
        }
        return cls(initial=initial, items=[item])

    def clean_item(self) -> SessionExercise:
        item = self.items.get(self.cleaned_data["item"])
        if item is None:
            raise forms.ValidationError(NOT_IN_SESSION)
        if item.is_skipped:
            raise forms.ValidationError(
                f"You skipped {item.exercise.name}. Choose “Do it after all” to log it."
            )
        return item

    def clean(self):
        data = super().clean()
        item, number, side = data.get("item"), data.get("set_number"), data.get("side")
        if isinstance(item, SessionExercise):
            self.check_against(item, data.get("reps"), data.get("hold_seconds"))
        if item is None or number is None or side is None:
            return data
        # On the slot's own fields, so the view knows the form is stale and offers a fresh one.
        if not 1 <= number <= item.sets:
            self.add_error(
                "set_number",
                f"Set {number} is not in the plan: {item.exercise.name} has {item.sets} "
                f"set{'s' if item.sets != 1 else ''}.",
            )
        elif side not in item.sides:
            if item.per_side:
                message = f"{item.exercise.name} is done one side at a time: left, then right."
            else:
                message = f"{item.exercise.name} is done with both sides together."
            self.add_error("side", message)
        return data


class SkipForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why skip it?",
        choices=SkipReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a reason for skipping.",
            "invalid_choice": "Choose one of the reasons listed.",
        },
    )
