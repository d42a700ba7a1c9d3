"""The private calendar feed: the person's upcoming session days as iCalendar (RFC 5545).

Written with the `icalendar` package, which knows the format's escaping, line folding and time
zone definitions; the events carry the person's own zone (TZID with its VTIMEZONE), so a
calendar app shows 18:00 as 18:00 on both sides of a change of summer time.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.crypto import salted_hmac
from icalendar import Calendar, Event

from .days import SessionDay

SESSION_LENGTH = dt.timedelta(minutes=30)  # our own estimate of a session with its rests


def calendar(user_id: int, days: list[SessionDay], start_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Hamstrings//Session days//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Hamstring sessions")
    stamp = timezone.now().replace(microsecond=0)
    for session_day in days:
        cal.add_component(_event(user_id, session_day, start_url, stamp))
    cal.add_missing_timezones()
    return cal.to_ical()


def _event(user_id: int, session_day: SessionDay, start_url: str, stamp: dt.datetime) -> Event:
    event = Event()
    # The same day keeps the same UID across fetches, so a calendar updates it in place; from
    # the secret key, so it says nothing about the account.
    uid = salted_hmac("programs.schedule.feed", f"{user_id}:{session_day.date}").hexdigest()[:32]
    event.add("uid", f"{uid}@hamstrings")
    event.add("dtstamp", stamp)
    event.add("dtstart", session_day.starts)
    event.add("duration", SESSION_LENGTH)
    event.add("summary", "Hamstring session")
    event.add("description", _description(session_day, start_url))
    event.add("url", start_url)
    return event


def _description(session_day: SessionDay, start_url: str) -> str:
    lines = []
    if session_day.label:
        lines.append(f"{session_day.label}: {', '.join(session_day.exercises)}.")
        lines.append(
            "What the session holds can change as your plan moves on or with how your back is "
            "that day: the app shows the session as it stands when you start."
        )
    lines.append(f"Start it here: {start_url}")
    return "\n".join(lines)
