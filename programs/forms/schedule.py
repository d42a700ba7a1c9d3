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
