"""Pain steers the plan: a slow rise, a rise at the first stage, and the rest day it asks for
(issue points 7, 9 and 10)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from programs.models import ChangeKind, NotCounted, PlanStatus, Program, Track
from tests.factories import PlanFactory, finish_session, log_all_sets, start_session

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _do(plan, *, pain_before=3, pain_after=3):
    session = start_session(plan, pain_before=pain_before)
    log_all_sets(session)
    return finish_session(session, pain_after=pain_after)


def _plan_at(stage_number, **kwargs):
    program = Program.objects.get(track=Track.LENGTHEN)
    return PlanFactory(program=program, stage=program.stages.get(number=stage_number), **kwargs)


def test_a_slow_rise_holds_then_steps_back_and_suggests_a_clinician(user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(2, user=user)
        assert _do(plan, pain_before=2, pain_after=3) is None
        clock.shift(dt.timedelta(days=2))
        assert _do(plan, pain_before=2, pain_after=3) is None
        clock.shift(dt.timedelta(days=2))
        held = _do(plan, pain_before=2, pain_after=3)
        clock.shift(dt.timedelta(days=3))
        stepped = _do(plan, pain_before=2, pain_after=3)

    assert held.kind == ChangeKind.HOLD
    assert "gone up during each of your last 3 sessions" in held.reason
    assert "rest day" in held.reason
    assert stepped.kind == ChangeKind.STEP_BACK
    assert stepped.to_stage.number == 1
    assert "talk to a clinician" in stepped.reason
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


def test_a_slow_rise_that_goes_on_pauses_for_a_clinician(user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(1, user=user)
        changes = []
        for _ in range(4):
            changes.append(_do(plan, pain_before=2, pain_after=3))
            clock.shift(dt.timedelta(days=2))

    plan.refresh_from_db()
    # At the first stage there is nowhere to step back to: the second warning pauses.
    assert [c.kind if c else None for c in changes] == [
        None,
        None,
        ChangeKind.HOLD,
        ChangeKind.PAUSE,
    ]
    assert plan.status == PlanStatus.PAUSED and plan.paused_for == "pain"


def test_pain_creeping_up_before_sessions_is_a_trend_too(user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(2, user=user)
        results = []
        for before in (2, 3, 3, 4):
            results.append(_do(plan, pain_before=before, pain_after=before))
            clock.shift(dt.timedelta(days=2))

    assert results[:3] == [None, None, None]
    assert results[3].kind == ChangeKind.HOLD
    assert "crept up before your sessions, from 2 to 4" in results[3].reason


def test_the_plan_page_states_the_trend_rule(user_client, user):
    PlanFactory(user=user)
    body = user_client.get(reverse("programs-plan")).content.decode()
    assert "How your pain steers the plan" in body
    assert "A slow rise counts too" in body


def test_a_rise_at_the_first_stage_says_it_held_not_that_it_stepped_back(user):
    plan = _plan_at(1, user=user)

    change = _do(plan, pain_before=1, pain_after=4)

    assert change.kind == ChangeKind.HOLD
    assert change.get_kind_display() == "Stayed at this stage"
    assert "You are at the first stage already" in change.reason
    assert "step back" not in change.reason.lower()


def test_two_rises_within_the_window_pause_at_the_first_stage_too(user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(1, user=user)
        _do(plan, pain_before=1, pain_after=4)
        clock.shift(dt.timedelta(days=5))
        change = _do(plan, pain_before=1, pain_after=4)

    plan.refresh_from_db()
    assert change.kind == ChangeKind.PAUSE
    assert plan.status == PlanStatus.PAUSED


def test_the_dashboard_shows_the_rest_day_and_a_session_then_does_not_count(user_client, user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(2, user=user)
        change = _do(plan, pain_before=2, pain_after=5)
        assert "Take a rest day today and tomorrow" in change.reason

        clock.shift(dt.timedelta(days=1))
        body = user_client.get(reverse("programs-dashboard")).content.decode()
        assert "Rest day." in body
        assert "it will not count towards moving on" in body
        rest_day_session = start_session(plan, pain_before=2)
        assert rest_day_session.not_counted == NotCounted.REST_DAY
        log_all_sets(rest_day_session)
        finish_session(rest_day_session, pain_after=2)

        clock.shift(dt.timedelta(days=1))
        body = user_client.get(reverse("programs-dashboard")).content.decode()
        assert "Rest day." not in body
        assert start_session(plan, pain_before=2).not_counted == ""


def test_a_new_track_keeps_an_earlier_rise_and_its_rest_day(user_client, user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(2, user=user)
        _do(plan, pain_before=2, pain_after=5)
        user_client.post(
            reverse("programs-screening"),
            {
                "no_red_flags": "on",
                "recent_injury": "no",
                "pelvic_tilt": "unsure",
                "disc_problems": "no",
                "left_angle": "50",
                "right_angle": "50",
            },
        )
        new = user.plans.get(status=PlanStatus.ACTIVE)
        assert new != plan and new.rest_until is not None
        clock.shift(dt.timedelta(days=1))
        change = _do(new, pain_before=2, pain_after=5)

    assert change.kind == ChangeKind.PAUSE


def test_at_the_first_stage_the_slow_rise_warning_says_the_plan_will_pause(user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = _plan_at(1, user=user)
        changes = []
        for _ in range(4):
            changes.append(_do(plan, pain_before=2, pain_after=3))
            clock.shift(dt.timedelta(days=2))
    hold, pause = changes[2], changes[3]
    assert "the plan pauses so you can talk to a clinician" in hold.reason
    assert "steps back" not in hold.reason
    assert "stepped back" not in pause.reason and "eased off" not in pause.reason
