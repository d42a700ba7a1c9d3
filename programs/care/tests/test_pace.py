"""Pace: one session a day counts, in the person's own time zone, and each stage takes days as
well as sessions (issue points 5, 6 and 11). Sessions go through the real start and finish."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from programs.care.state import profile_for
from programs.models import ChangeKind, NotCounted, Program, Track
from tests.factories import (
    PlanFactory,
    finish_session,
    log_all_sets,
    qualifying_days,
    start_session,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _do(plan, *, pain_before=3, pain_after=3, steady_back=None, complete=True):
    session = start_session(plan, pain_before=pain_before)
    if complete:
        log_all_sets(session)
    change = finish_session(session, pain_after=pain_after, steady_back=steady_back)
    session.refresh_from_db()
    return session, change


def _plan_at(stage_number, **kwargs):
    program = Program.objects.get(track=kwargs.pop("track", Track.LENGTHEN))
    return PlanFactory(program=program, stage=program.stages.get(number=stage_number), **kwargs)


def test_eight_sessions_in_one_afternoon_count_once_and_advance_nothing(user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(1, user=user)
        for _ in range(8):
            clock.shift(dt.timedelta(minutes=30))
            _do(plan)

    plan.refresh_from_db()
    assert plan.stage.number == 1
    assert qualifying_days(plan) == 1
    counted = plan.sessions.filter(not_counted="").count()
    assert counted == 1
    assert plan.sessions.filter(not_counted=NotCounted.SECOND).count() == 7


def test_a_second_session_says_plainly_that_it_will_not_count(user_client, user):
    plan = PlanFactory(user=user)
    _do(plan)

    body = user_client.get(reverse("programs-dashboard")).content.decode()
    assert "You have already done a session today" in body
    assert "it will not count towards moving on" in body
    assert reverse("programs-start") in body  # still allowed


def test_a_day_is_the_persons_own_day_not_the_servers(user):
    profile = profile_for(user)
    profile.time_zone = "America/Los_Angeles"
    profile.save()
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    evening = dt.datetime(2026, 3, 2, 20, 0, tzinfo=la)  # 04:00 UTC on 3 March
    morning = dt.datetime(2026, 3, 3, 8, 0, tzinfo=la)  # 16:00 UTC, the same UTC day
    with time_machine.travel(evening, tick=False) as clock:
        plan = PlanFactory(user=user)
        first, _ = _do(plan)
        clock.move_to(morning)
        second, _ = _do(plan)

    assert (first.local_date, second.local_date) == (dt.date(2026, 3, 2), dt.date(2026, 3, 3))
    assert second.not_counted == ""
    assert qualifying_days(plan) == 2


def test_the_same_two_sessions_are_one_day_for_someone_in_utc(user):
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    with time_machine.travel(dt.datetime(2026, 3, 2, 20, 0, tzinfo=la), tick=False) as clock:
        plan = PlanFactory(user=user)
        _do(plan)
        clock.move_to(dt.datetime(2026, 3, 3, 8, 0, tzinfo=la))
        second, _ = _do(plan)

    assert second.not_counted == NotCounted.SECOND
    assert qualifying_days(plan) == 1


def test_a_stage_needs_its_days_as_well_as_its_sessions(user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(1, user=user)
        stage = plan.stage
        assert stage.min_days > stage.sessions_to_advance
        for _ in range(stage.sessions_to_advance + 2):
            _do(plan)
            clock.shift(dt.timedelta(days=1))
        plan.refresh_from_db()
        assert plan.stage == stage  # every session counted, but too few days have passed

        clock.move_to(MONDAY + dt.timedelta(days=stage.min_days))
        _session, change = _do(plan)

    plan.refresh_from_db()
    assert plan.stage.number == 2
    assert change.kind == ChangeKind.ADVANCE
    assert f"over {stage.min_days} days" in change.reason


def test_the_dashboard_says_when_the_days_will_be_enough(user_client, user):
    with time_machine.travel(MONDAY, tick=False):
        plan = _plan_at(1, user=user)
        body = user_client.get(reverse("programs-dashboard")).content.decode()
    earliest = (MONDAY + dt.timedelta(days=plan.stage.min_days)).date()
    assert f"0 of at least {plan.stage.min_days} days at this stage" in body
    assert f"{earliest:%A %-d %B}" in body


def test_signup_keeps_the_browsers_time_zone(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "walker",
            "password1": "a-long-enough-password-42",
            "password2": "a-long-enough-password-42",
            "time_zone": "Europe/Berlin",
        },
    )
    assert response.status_code == 302
    from django.contrib.auth.models import User

    assert profile_for(User.objects.get(username="walker")).time_zone == "Europe/Berlin"
    assert client.session["time_zone"] == "Europe/Berlin"


def test_signup_with_an_unknown_time_zone_falls_back_to_the_sites(client):
    client.post(
        reverse("signup"),
        {
            "username": "walker",
            "password1": "a-long-enough-password-42",
            "password2": "a-long-enough-password-42",
            "time_zone": "Mars/Olympus_Mons",
        },
    )
    from django.contrib.auth.models import User

    assert profile_for(User.objects.get(username="walker")).time_zone == "UTC"


def test_the_time_zone_can_be_changed_and_bad_input_changes_nothing(user_client, user):
    url = reverse("programs-time-zone")
    assert user_client.post(url, {"time_zone": "Atlantis/Capital"}).status_code == 400
    assert profile_for(user).time_zone == "UTC"

    assert user_client.post(url, {"time_zone": "Asia/Tokyo"}).status_code == 302
    assert profile_for(user).time_zone == "Asia/Tokyo"


def _stage_two_history(plan, clock, *, steady_done_as_planned: int, steady_incomplete: int):
    """All of stage 2's sessions but the last, one a day: some with a steady back but not done
    as planned (they must not open free-standing work), some steady and done as planned."""
    needed = plan.stage.sessions_to_advance
    for n in range(needed - 1):
        steady = n < steady_done_as_planned
        _do(plan, steady_back=steady)
        clock.shift(dt.timedelta(days=2))
    for _ in range(steady_incomplete):
        _do(plan, steady_back=True, complete=False)
        clock.shift(dt.timedelta(days=2))


def test_only_sessions_done_as_planned_count_towards_a_steady_back(user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(2, user=user)
        _stage_two_history(plan, clock, steady_done_as_planned=0, steady_incomplete=3)
        clock.shift(dt.timedelta(days=plan.stage.min_days))
        _session, change = _do(plan, steady_back=True)

    plan.refresh_from_db()
    assert plan.stage.number == 2
    assert change.kind == ChangeKind.HOLD
    assert "so far you have 1" in change.reason


def test_disc_answers_move_on_without_a_standing_check_they_are_never_given(user_client, user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(2, user=user, avoid_forward_bends=True)
        body = user_client.get(reverse("programs-dashboard")).content.decode()
        assert "so far 0" not in body and "keeping its natural curve" not in body
        assert "needs no standing check" in body
        for _ in range(plan.stage.sessions_to_advance - 1):
            session, _ = _do(plan)
            assert not session.items.filter(exercise__standing_fold=True).exists()
            clock.shift(dt.timedelta(days=3))
        _session, change = _do(plan)

    plan.refresh_from_db()
    assert change.kind == ChangeKind.ADVANCE
    assert plan.stage.number == 3


def test_moving_the_time_zone_cannot_make_one_afternoon_count_twice(user_client, user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = PlanFactory(user=user)
        _do(plan)
        user_client.post(reverse("programs-time-zone"), {"time_zone": "Pacific/Honolulu"})
        clock.shift(dt.timedelta(minutes=30))
        second, _ = _do(plan)
        assert second.not_counted == NotCounted.SECOND
        assert qualifying_days(plan) == 1

        # The first session's day (Monday, counted in UTC) is Monday in Honolulu too: a new
        # day there is two days on.
        clock.shift(dt.timedelta(days=2))
        third, _ = _do(plan)
    assert third.not_counted == ""
