"""Today's dose follows today's symptoms: a gentler session on a bad day, a lower dose after two
worse days, and the flare-up routine (the issue's "Beyond")."""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from programs import stats
from programs.care.choices import CareState
from programs.care.state import situation
from programs.models import (
    ChangeKind,
    NotCounted,
    Prescription,
    SessionDose,
    SessionStatus,
    SetLog,
    Track,
)
from tests.factories import PlanFactory, finish_session, log_all_sets, start_session

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
START = reverse("programs-start")


def _history(plan, clock, pains):
    for before in pains:
        session = start_session(plan, pain_before=before)
        log_all_sets(session)
        finish_session(session, pain_after=before)
        clock.shift(dt.timedelta(days=2))


def test_high_pain_offers_a_gentler_session_and_the_person_chooses(user_client, user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = PlanFactory(user=user)
        _history(plan, clock, [2, 2, 3])

        offer = user_client.post(START, {"pain_before": "5"})
        assert offer.status_code == 200
        body = offer.content.decode()
        assert "A gentler session today?" in body and "above your usual 2" in body
        assert not user.workout_sessions.filter(status=SessionStatus.IN_PROGRESS).exists()

        response = user_client.post(START, {"pain_before": "5", "dose": "gentle"})

    assert response.status_code == 303
    session = user.workout_sessions.get(status=SessionStatus.IN_PROGRESS)
    assert session.dose == SessionDose.GENTLE
    assert session.not_counted == NotCounted.GENTLE
    usual = {p.exercise_id: p for p in Prescription.objects.filter(day=session.day)}
    for item in session.items.select_related("exercise"):
        assert not item.exercise.forward_bend and not item.exercise.standing_fold
        planned = usual.get(item.exercise_id)
        if planned is not None:
            assert item.sets == max(1, planned.sets - 1)
            assert item.hold_seconds <= planned.hold_seconds


def test_a_usual_session_can_still_be_chosen_on_a_bad_day(user_client, user):
    PlanFactory(user=user)
    response = user_client.post(START, {"pain_before": "7", "dose": "usual"})
    assert response.status_code == 303
    session = user.workout_sessions.get(status=SessionStatus.IN_PROGRESS)
    assert session.dose == SessionDose.USUAL


def test_an_ordinary_day_starts_at_once_without_an_offer(user_client, user):
    PlanFactory(user=user)
    assert user_client.post(START, {"pain_before": "3"}).status_code == 303


def test_a_gentler_session_does_not_move_the_plan_on(user):
    plan = PlanFactory(user=user)
    session = start_session(plan, pain_before=3, gentle=True)
    log_all_sets(session)
    assert finish_session(session, pain_after=3) is None
    assert not plan.changes.exclude(kind=ChangeKind.START).exists()


def test_the_day_after_question_is_asked_only_after_a_day(user_client, user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = PlanFactory(user=user)
        question = "How did the day after your last session feel?"
        assert question not in user_client.get(reverse("programs-dashboard")).content.decode()
        _history(plan, clock, [3])
        assert question in user_client.get(reverse("programs-dashboard")).content.decode()


def test_two_worse_days_in_a_row_lower_the_next_dose_with_a_stored_reason(user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = PlanFactory(user=user)
        first = start_session(plan, pain_before=3)
        log_all_sets(first)
        finish_session(first, pain_after=3)
        clock.shift(dt.timedelta(days=2))
        second = start_session(plan, pain_before=3, felt_after_last="worse")
        assert second.dose == SessionDose.USUAL
        log_all_sets(second)
        finish_session(second, pain_after=3)
        clock.shift(dt.timedelta(days=2))

        third = start_session(plan, pain_before=3, felt_after_last="worse")

    assert third.dose == SessionDose.GENTLE
    change = plan.changes.first()
    assert change.kind == ChangeKind.ADJUST and change.cause == "day_after"
    assert "both felt worse" in change.reason
    assert change.session == third


# --- flare-ups -----------------------------------------------------------------------------


def test_a_flare_up_is_one_tap_and_gives_the_short_routine(user_client, user):
    plan = PlanFactory(user=user)
    assert user_client.post(reverse("programs-flare-up")).status_code == 302
    assert situation(user).state == CareState.FLARE_UP

    body = user_client.get(reverse("programs-dashboard")).content.decode()
    assert "Flare-up" in body and "Stop and see a clinician if" in body
    assert "My flare-up is over" in body
    session = start_session(plan, pain_before=5)
    assert session.dose == SessionDose.FLARE_UP
    assert session.not_counted == NotCounted.FLARE_UP
    items = list(session.items.select_related("exercise"))
    assert items
    assert not any(i.exercise.stretches_hamstrings or i.exercise.forward_bend for i in items)


def test_a_flare_up_from_the_player_ends_the_session_and_keeps_its_sets(user_client, user):
    plan = PlanFactory(user=user)
    session = start_session(plan)
    item = session.items.order_by("order").first()
    SetLog.objects.create(item=item, set_number=1, side=item.sides[0], reps=1, hold_seconds=20)
    player = user_client.get(reverse("programs-player", args=[session.pk])).content.decode()
    assert reverse("programs-flare-up") in player

    user_client.post(reverse("programs-flare-up"))

    session.refresh_from_db()
    assert session.status == SessionStatus.ENDED
    assert SetLog.objects.filter(item__session=session).count() == 1


def test_a_flare_up_keeps_the_stage_pauses_progress_and_keeps_the_streak(user_client, user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = PlanFactory(user=user)
        stage = plan.stage
        user_client.post(reverse("programs-flare-up"))
        for _ in range(4):  # a week of flare-up days, one routine done
            clock.shift(dt.timedelta(days=1))
        session = start_session(plan, pain_before=4)
        log_all_sets(session)
        assert finish_session(session, pain_after=3) is None
        clock.shift(dt.timedelta(days=2))
        user_client.post(reverse("programs-flare-up-over"))

        plan.refresh_from_db()
        assert plan.stage == stage
        assert situation(user).state == CareState.ACTIVE
        over = plan.changes.first()
        assert over.kind == ChangeKind.FLARE_UP_OVER
        assert f"stage {stage.number}" in over.reason

        today = MONDAY.date() + dt.timedelta(days=6)
        flare_days = stats.flare_up_days(user, today)
        assert len(flare_days) == 7
        days = stats.with_flare_up_days(stats.finished_days(user), flare_days)
        by_week = stats.per_week(days)
        # Monday to Sunday all in the flare-up: the week meets its target of 3.
        assert stats.current_streak(by_week, today=today, target=3) == 1

        history = user_client.get(reverse("programs-history")).content.decode()
        assert "flare-up day" in history


def test_flare_ups_are_in_the_export(user_client, user):
    PlanFactory(user=user)
    user_client.post(reverse("programs-flare-up"))

    response = user_client.get(reverse("programs-export-json"))
    data = json.loads(b"".join(response.streaming_content))

    assert len(data["flare_ups"]) == 1
    assert data["flare_ups"][0]["ended_at"] is None


def test_a_flare_up_is_refused_without_a_running_plan(user_client, user):
    PlanFactory(user=user, status="paused", paused_for="pain")
    user_client.post(reverse("programs-flare-up"))
    assert situation(user).state == CareState.PAUSED


def test_the_release_track_flare_up_routine_has_no_hamstring_stretch(user):
    from programs.models import Program

    plan = PlanFactory(user=user, program=Program.objects.get(track=Track.RELEASE))
    from programs.care import events

    events.flare_up_started(user)
    session = start_session(plan)
    assert not session.items.filter(exercise__stretches_hamstrings=True).exists()


def test_the_offer_says_above_your_usual_only_when_it_is(user_client, user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        plan = PlanFactory(user=user)
        _history(plan, clock, [7, 7, 7])
        body = user_client.post(START, {"pain_before": "6"}).content.decode()
    assert "A gentler session today?" in body
    assert "above your usual" not in body


def test_a_long_flare_up_keeps_the_streak_for_a_week_then_asks_for_a_clinician(user_client, user):
    with time_machine.travel(MONDAY, tick=False) as clock:
        PlanFactory(user=user)
        user_client.post(reverse("programs-flare-up"))
        clock.shift(dt.timedelta(days=20))
        body = user_client.get(reverse("programs-dashboard")).content.decode()
        days = stats.flare_up_days(user, (MONDAY + dt.timedelta(days=20)).date())
    assert len(days) == 7
    assert "Your flare-up has lasted 21 days" in body
    assert "please see one" in body
