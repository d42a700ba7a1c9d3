from __future__ import annotations

import datetime as dt

from django import forms

from ..schedule.models import WEEKDAYS


class ScheduleForm(forms.Form):
    days = forms.TypedMultipleChoiceField(
        label="Your session days",
        choices=list(enumerate(WEEKDAYS)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Tick at least one day.",
            "invalid_choice": "Choose days from the list.",
        },
    )
    time = forms.TimeField(
        label="At what time",
        help_text="On your own clock, in your time zone.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
        initial=dt.time(18, 0),
        error_messages={
            "required": "Enter a time, for example 18:00.",
            "invalid": "Enter the time as hours and minutes, for example 18:00.",
        },
    )
    reminders = forms.BooleanField(
        label="Email me a reminder on my session days, at that time",
        required=False,
    )
    reminder_email = forms.EmailField(
        label="Send reminders to",
        required=False,
        help_text="We mail a link to this address first: reminders start once you open it.",
        error_messages={"invalid": "Enter a whole email address, such as name@example.org."},
    )

    def __init__(self, *args, can_mail: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not can_mail:
            # This server sends no mail: offering reminders would be a promise it cannot keep.
            del self.fields["reminders"], self.fields["reminder_email"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("reminders") and not data.get("reminder_email"):
            self.add_error("reminder_email", "Enter the address to send the reminders to.")
        return data
