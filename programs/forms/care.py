"""Forms for the care rules' own events: a clinician's check confirmed, the person's time zone."""

from __future__ import annotations

import zoneinfo

from django import forms


class ClearanceForm(forms.Form):
    seen_on = forms.DateField(
        label="The day a clinician checked you",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the day a clinician checked you.",
            "invalid": "Enter the day as a date, for example 2026-05-14.",
        },
    )
    confirm = forms.BooleanField(
        label="A doctor or physiotherapist checked me on that day and said I can exercise.",
        error_messages={
            "required": "Tick the box to confirm a clinician checked you and said you can exercise."
        },
    )


def _zones() -> list[tuple[str, str]]:
    names = sorted(
        zone
        for zone in zoneinfo.available_timezones()
        if "/" in zone and not zone.startswith("Etc/")
    )
    return [("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names)]


def valid_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        help_text="Your days start and end here: one session a day counts, and rest days are "
        "your own days.",
        error_messages={
            "required": "Choose your time zone.",
            "invalid_choice": "Choose a time zone from the list.",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _zones()
