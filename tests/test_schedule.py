"""Session days, the dashboard's next one, the history's target, and the private calendar feed
(parsed back with the icalendar package)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from programs.care import events
from programs.models import PlanStatus, Profile
from programs.schedule.models import Schedule
from tests.factories import UserFactory, finish_session, log_all_sets, screen, start_session

SCHEDULE = reverse("programs-schedule")
# A Monday, in a week when London is on winter time, three weeks before summer time begins.
MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)


def feed_url(schedule: Schedule) -> str:
    return reverse("programs-calendar-feed", args=[schedule.feed_token])


def choose(client, days=(0, 2, 4), time="18:00"):
    return client.post(SCHEDULE, {"days": list(days), "time": time})


def events_of(response) -> list:
    assert response["Content-Type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


@pytest.fixture
def plan(user):
    _screening, plan = screen(user)
    return plan


@pytest.fixture
def london(user):
    Profile.objects.update_or_create(user=user, defaults={"time_zone": "Europe/London"})


def test_the_days_the_plan_asks_for_are_ticked_to_start_with(user_client, plan):
    form = user_client.get(SCHEDULE).context["form"]
    assert plan.program.sessions_per_week == 3
    assert [int(day) for day in form.initial["days"]] == [0, 2, 4]


def test_it_saves_the_days_and_time(user_client, user, plan):
    response = choose(user_client, days=(1, 3), time="07:15")
    assert response.status_code == 302
    saved = Schedule.objects.get(user=user)
    assert saved.weekdays == [1, 3] and saved.time == dt.time(7, 15)
    assert saved.day_names == ["Tuesday", "Thursday"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"time": "18:00"}, "Tick at least one day."),
        ({"days": [0], "time": "half past six"}, "Enter the time as hours and minutes"),
        ({"days": [9], "time": "18:00"}, "Choose days from the list."),
        ({"days": [0], "time": ""}, "Enter a time, for example 18:00."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(user_client, user, plan, data, message):
    choose(user_client, days=(0,), time="06:00")
    response = user_client.post(SCHEDULE, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "Nothing was changed." in body
    saved = Schedule.objects.get(user=user)
    assert saved.weekdays == [0] and saved.time == dt.time(6, 0)


def test_the_dashboard_shows_the_next_session_day(user_client, user, plan, london):
    with time_machine.travel(MONDAY, tick=False):
        choose(user_client, days=(2, 4), time="18:30")
        body = user_client.get(reverse("programs-dashboard")).content.decode()
    assert "Your next session day: <strong>Wednesday 11 March, 18:30</strong>" in body


def test_a_day_whose_session_is_done_is_not_the_next_one(user_client, user, plan, london):
    with time_machine.travel(MONDAY, tick=False):
        choose(user_client, days=(0, 3))
        assert (
            "<strong>today, 18:00</strong>"
            in user_client.get(reverse("programs-dashboard")).content.decode()
        )
        session = start_session(plan)
        log_all_sets(session)
        finish_session(session)
        body = user_client.get(reverse("programs-dashboard")).content.decode()
    assert "<strong>Thursday 12 March, 18:00</strong>" in body


def test_the_history_counts_against_the_days_chosen(user_client, plan):
    choose(user_client, days=(0, 1, 2, 3, 4))
    body = user_client.get(reverse("programs-history")).content.decode()
    assert "of 5 sessions" in body and "one for each of the session days you chose" in body


def test_the_feed_lists_eight_weeks_of_session_days_in_the_persons_zone(
    user_client, user, plan, london
):
    with time_machine.travel(MONDAY, tick=False):
        choose(user_client, days=(0, 2, 4), time="18:00")
        schedule = Schedule.objects.get(user=user)
        found = events_of(Client().get(feed_url(schedule)))
    assert len(found) == 8 * 3
    london_zone = zoneinfo.ZoneInfo("Europe/London")
    starts = [event.decoded("dtstart") for event in found]
    # 18:00 on the person's own clock on both sides of the change to summer time (29 March).
    assert all(start.astimezone(london_zone).time() == dt.time(18, 0) for start in starts)
    assert {start.utcoffset() for start in starts} == {dt.timedelta(0), dt.timedelta(hours=1)}
    assert all(start.astimezone(london_zone).weekday() in (0, 2, 4) for start in starts)
    assert str(found[0]["dtstart"].params["TZID"]) == "Europe/London"
    assert "VTIMEZONE" in Client().get(feed_url(schedule)).content.decode()
    assert len({str(event["uid"]) for event in found}) == len(found)


def test_each_day_in_the_feed_says_what_it_holds_within_the_persons_limits(db):
    user = UserFactory()
    _screening, plan = screen(user, pelvic_tilt="yes")  # the release track: no hamstring stretch
    Schedule.objects.create(user=user, days=Schedule.bits([0, 1, 2, 3, 4, 5, 6]))
    found = events_of(Client().get(feed_url(user.schedule)))
    stage_days = list(plan.stage.days.order_by("number"))
    first = str(found[0]["description"])
    assert first.startswith(f"{stage_days[0].name}: ")
    assert str(found[1]["description"]).startswith(f"{stage_days[1 % len(stage_days)].name}: ")
    stretches = [
        p.exercise.name
        for day in stage_days
        for p in day.prescriptions.all()
        if p.exercise.stretches_hamstrings
    ]
    assert all(name not in str(event["description"]) for event in found for name in stretches)
    assert "/dashboard/" in str(found[0]["url"]) and str(found[0]["url"]).startswith("http")


def test_no_session_days_on_a_rest_day_the_care_rules_asked_for(user_client, user, plan, london):
    with time_machine.travel(MONDAY, tick=False):
        choose(user_client, days=range(7))
        plan.rest_until = dt.date(2026, 3, 10)
        plan.save(update_fields=["rest_until"])
        found = events_of(Client().get(feed_url(user.schedule)))
    first = found[0].decoded("dtstart").date()
    assert first == dt.date(2026, 3, 11)


def test_a_paused_plan_has_no_session_days(user_client, user, plan):
    choose(user_client)
    plan.status, plan.paused_for = PlanStatus.PAUSED, "pain"
    plan.save(update_fields=["status", "paused_for"])
    assert events_of(Client().get(feed_url(user.schedule))) == []
    events.lock_person(user.pk)
    body = user_client.get(SCHEDULE).content.decode()
    assert "No session days while your plan is not running." in body


def test_a_warning_sign_empties_the_feed(user_client, user, plan):
    choose(user_client)
    screen(user, red_flags=["numbness"])
    assert events_of(Client().get(feed_url(user.schedule))) == []


def test_a_new_address_retires_the_old_one(user_client, user, plan):
    choose(user_client)
    old = feed_url(user.schedule)
    assert Client().get(old).status_code == 200
    response = user_client.post(reverse("programs-schedule-new-address"))
    assert response.status_code == 302
    new = feed_url(Schedule.objects.get(user=user))
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


def test_a_wrong_token_answers_as_an_address_that_never_existed(user_client, user, plan):
    choose(user_client)
    token = user.schedule.feed_token
    wrong = Client().get(reverse("programs-calendar-feed", args=[token[:-1] + "x"]))
    never = Client().get("/no-such-address/")
    assert wrong.status_code == never.status_code == 404
    token_free = re.compile(rb'"X-CSRFToken": "[^"]+"')
    assert token_free.sub(b"", wrong.content) == token_free.sub(b"", never.content)


def test_the_feed_is_private(user_client, user, plan):
    choose(user_client)
    response = Client().get(feed_url(user.schedule))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_schedule_page_shows_only_my_own_feed(user_client, user, plan, other_user):
    Schedule.objects.create(user=other_user, days=1)
    choose(user_client)
    body = user_client.get(SCHEDULE).content.decode()
    assert user.schedule.feed_token in body
    assert other_user.schedule.feed_token not in body
    assert "webcal://" in body
    # Offered both ways: the webcal:// button and the plain address as a link.
    assert f'href="http://testserver{feed_url(user.schedule)}"' in body


def test_the_schedule_needs_a_login_and_a_new_address_a_post(user_client):
    assert Client().get(SCHEDULE).status_code == 302
    assert user_client.get(reverse("programs-schedule-new-address")).status_code == 405


def test_choosing_days_moves_the_record_on(user_client, user, plan):
    from programs.caching import record_key

    before = record_key(user)
    choose(user_client)
    assert record_key(user) != before


def test_the_export_holds_the_days_but_not_the_feeds_key(user_client, user, plan):
    choose(user_client, days=(0, 3), time="07:30")
    response = user_client.get(reverse("programs-export-json"))
    body = b"".join(response.streaming_content).decode()
    assert '"days": "Monday, Thursday"' in body and '"time": "07:30"' in body
    assert Schedule.objects.get(user=user).feed_token not in body


def test_in_a_flare_up_the_feed_offers_the_gentle_routine(user_client, user, plan):
    choose(user_client, days=range(7))
    user_client.post(reverse("programs-flare-up"))
    found = events_of(Client().get(feed_url(user.schedule)))
    assert found
    assert all(str(e["description"]).startswith("Flare-up day") for e in found), found[0][
        "description"
    ]
