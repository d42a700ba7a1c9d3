"""The progression rules, applied when a session is finished, on factory-built histories.

Histories are one session a day in the past, at a stage entered long enough ago, so only the
rule a test is about decides the outcome. The pace rules (days, one a day) have their own tests
in programs/care/tests/test_pace.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from programs.care.progress import REPEAT_WINDOW, done_as_planned, qualifying
from programs.models import ChangeKind, PlanStatus, Program, SkipReason, Track
from programs.services import session_items
from tests.factories import (
    PlanFactory,
    WorkoutSessionFactory,
    finish_session,
    finished_session,
    log_all_sets,
    qualifying_days,
    start_session,
)

pytestmark = pytest.mark.django_db


def _plan_at(stage_number: int, track: str = Track.LENGTHEN, **kwargs):
    program = Program.objects.get(track=track)
    kwargs.setdefault("stage_entered_at", timezone.now() - timedelta(days=60))
    return PlanFactory(program=program, stage=program.stages.get(number=stage_number), **kwargs)


def _history(plan, count: int, **kwargs) -> list:
    """``count`` finished sessions, one a day, ending yesterday."""
    now = timezone.now()
    return [
        finished_session(plan, when=now - timedelta(days=count - n), **kwargs) for n in range(count)
    ]


def _finish_today(plan, *, pain_before=3, pain_after=3, complete=True):
    """Today's session done through the real path: started, logged, finished."""
    session = start_session(plan, pain_before=pain_before)
    if complete:
        log_all_sets(session)
    return finish_session(session, pain_after=pain_after)


def test_it_advances_after_the_planned_complete_sessions_without_more_pain():
    plan = _plan_at(1)
    needed = plan.stage.sessions_to_advance
    _history(plan, needed - 1, pain_before=4, pain_after=3)

    change = _finish_today(plan, pain_before=3, pain_after=3)

    plan.refresh_from_db()
    assert plan.stage.number == 2
    assert change.kind == ChangeKind.ADVANCE
    assert change.from_stage.number == 1 and change.to_stage.number == 2
    assert f"You completed {needed} sessions done as planned" in change.reason
    assert plan.changes.first() == change


def test_it_does_not_advance_one_session_early():
    plan = _plan_at(1)
    _history(plan, plan.stage.sessions_to_advance - 2)

    assert _finish_today(plan) is None

    plan.refresh_from_db()
    assert plan.stage.number == 1


def test_sessions_that_raised_pain_a_little_do_not_count_towards_advancing():
    plan = _plan_at(1)
    _history(plan, plan.stage.sessions_to_advance - 1, pain_before=2, pain_after=3)

    _finish_today(plan)

    assert qualifying_days(plan) == 1
    plan.refresh_from_db()
    assert plan.stage.number == 1


def test_incomplete_sessions_do_not_count_towards_advancing():
    plan = _plan_at(1)
    _history(plan, plan.stage.sessions_to_advance - 1, complete=False)

    _finish_today(plan)

    plan.refresh_from_db()
    assert plan.stage.number == 1
    assert qualifying_days(plan) == 1


def test_it_holds_the_stage_when_sets_were_missed():
    plan = _plan_at(2)
    _history(plan, plan.stage.sessions_to_advance - 1)

    change = _finish_today(plan, complete=False)

    plan.refresh_from_db()
    assert plan.stage.number == 2
    assert change.kind == ChangeKind.HOLD
    assert "0 of" in change.reason and "planned sets were logged" in change.reason
    assert "only complete sessions count" in change.reason


def _last_session_logged(plan):
    """All but the last of the stage's sessions done as planned, and the last one logged."""
    _history(plan, plan.stage.sessions_to_advance - 1)
    session = start_session(plan, pain_before=3)
    log_all_sets(session)
    return session


def test_it_holds_the_stage_when_sets_were_cut_short_and_names_the_exercise():
    plan = _plan_at(1)
    session = _last_session_logged(plan)
    ninety = session.items.get(exercise__slug="ninety-ninety-active-hamstring-stretch")
    # 14 s of a planned 20 s hold: under three quarters, so the set was cut short.
    ninety.logs.filter(set_number=1).update(hold_seconds=14)

    change = finish_session(session, pain_after=3)

    plan.refresh_from_db()
    assert plan.stage.number == 1
    assert change.kind == ChangeKind.HOLD
    assert "2 sets were cut short" in change.reason
    assert ninety.exercise.name in change.reason
    assert qualifying_days(plan) == plan.stage.sessions_to_advance - 1


def test_a_hold_ended_a_moment_early_still_counts_as_done():
    plan = _plan_at(1)
    session = _last_session_logged(plan)
    ninety = session.items.get(exercise__slug="ninety-ninety-active-hamstring-stretch")
    ninety.logs.update(hold_seconds=15)  # exactly three quarters of 20 s

    change = finish_session(session, pain_after=3)

    assert change.kind == ChangeKind.ADVANCE


def _stage_two_done(plan, *, steady: int) -> None:
    """All but the last of stage 2's sessions, done as planned; `steady` of them steady-backed."""
    for n, session in enumerate(_history(plan, plan.stage.sessions_to_advance - 1)):
        session.steady_back = n < steady
        session.save(update_fields=["steady_back"])


def test_free_standing_work_waits_until_the_back_was_steady_in_enough_sessions():
    plan = _plan_at(2)
    _stage_two_done(plan, steady=1)

    session = start_session(plan, pain_before=3)
    log_all_sets(session)
    change = finish_session(session, pain_after=3, steady_back=True)

    plan.refresh_from_db()
    assert plan.stage.number == 2
    assert change.kind == ChangeKind.HOLD
    assert "needs 3 sessions done as planned in which your lower back kept" in change.reason
    assert "so far you have 2" in change.reason


def test_it_moves_on_to_free_standing_work_once_the_back_was_steady():
    plan = _plan_at(2)
    _stage_two_done(plan, steady=2)

    session = start_session(plan, pain_before=3)
    log_all_sets(session)
    change = finish_session(session, pain_after=3, steady_back=True)

    plan.refresh_from_db()
    assert plan.stage.number == 3
    assert change.kind == ChangeKind.ADVANCE
    assert plan.stage.days.filter(prescriptions__exercise__slug__contains="plate").exists()


def test_it_holds_the_stage_when_an_exercise_was_skipped_and_names_it():
    plan = _plan_at(1)
    session = start_session(plan, pain_before=2)
    log_all_sets(session)
    skipped = session.items.last()
    skipped.skipped_reason = SkipReason.TIME
    skipped.save()

    change = finish_session(session, pain_after=2)

    assert change.kind == ChangeKind.HOLD
    assert f"you skipped {skipped.exercise.name}" in change.reason


def test_it_steps_back_a_stage_when_pain_rises_by_two():
    plan = _plan_at(2)

    change = _finish_today(plan, pain_before=2, pain_after=4)

    plan.refresh_from_db()
    assert plan.stage.number == 1
    assert plan.status == PlanStatus.ACTIVE
    assert change.kind == ChangeKind.STEP_BACK
    assert change.from_stage.number == 2 and change.to_stage.number == 1
    assert "from 2 before the session to 4" in change.reason


def test_a_pain_rise_of_one_does_not_step_back():
    plan = _plan_at(2)

    assert _finish_today(plan, pain_before=2, pain_after=3) is None

    plan.refresh_from_db()
    assert plan.stage.number == 2


def test_a_pain_rise_steps_back_even_when_sets_were_missed():
    plan = _plan_at(2)

    change = _finish_today(plan, pain_before=1, pain_after=5, complete=False)

    assert change.kind == ChangeKind.STEP_BACK


def test_it_pauses_and_suggests_a_clinician_when_pain_rises_again():
    plan = _plan_at(2)
    _finish_today(plan, pain_before=2, pain_after=5)

    change = _finish_today(plan, pain_before=2, pain_after=4)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.PAUSED
    assert plan.stage.number == 1
    assert change.kind == ChangeKind.PAUSE
    assert "clinician" in change.reason
    assert "Do not push through pain" in change.reason


def test_a_hold_between_two_pain_rises_still_pauses():
    plan = _plan_at(2)
    _finish_today(plan, pain_before=2, pain_after=5)
    _finish_today(plan, complete=False)

    change = _finish_today(plan, pain_before=2, pain_after=4)

    assert change.kind == ChangeKind.PAUSE


def test_it_does_not_advance_past_the_last_stage():
    program = Program.objects.get(track=Track.RELEASE)
    last = program.stages.order_by("number").last()
    plan = _plan_at(last.number, track=Track.RELEASE)
    _history(plan, last.sessions_to_advance + 2)

    assert _finish_today(plan) is None

    plan.refresh_from_db()
    assert plan.stage == last
    assert list(plan.changes.values_list("kind", flat=True)) == [ChangeKind.START]


def test_sessions_before_a_step_back_do_not_count_again():
    plan = _plan_at(2)
    _history(plan, 4)
    _finish_today(plan, pain_before=1, pain_after=4)  # back to stage 1

    plan.refresh_from_db()
    assert qualifying_days(plan) == 0


def test_a_finished_session_on_a_paused_plan_changes_nothing():
    plan = _plan_at(2, status=PlanStatus.PAUSED, paused_for="pain")
    session = WorkoutSessionFactory(user=plan.user, plan=plan)

    assert finish_session(session, pain_after=9) is None

    plan.refresh_from_db()
    assert plan.stage.number == 2
    assert plan.changes.count() == 1


def test_a_rise_long_after_the_last_step_back_steps_back_again_instead_of_pausing():
    plan = _plan_at(2)
    _finish_today(plan, pain_before=2, pain_after=5)  # back to stage 1
    plan.changes.filter(kind=ChangeKind.STEP_BACK).update(
        created_at=timezone.now() - REPEAT_WINDOW - timedelta(days=1)
    )
    plan.refresh_from_db()
    plan.stage = plan.program.stages.get(number=2)
    plan.save(update_fields=["stage"])

    change = _finish_today(plan, pain_before=2, pain_after=4)

    plan.refresh_from_db()
    assert change.kind == ChangeKind.STEP_BACK
    assert plan.status == PlanStatus.ACTIVE


def test_the_count_towards_the_next_stage_matches_the_rule_for_one_session():
    """qualifying counts in SQL what done_as_planned decides in Python: kept equal."""
    plan = _plan_at(1)
    sessions = _history(plan, 8)
    ninety = "ninety-ninety-active-hamstring-stretch"
    sessions[1].items.get(exercise__slug=ninety).logs.filter(set_number=2).delete()
    sessions[2].items.filter(exercise__slug=ninety).update(skipped_reason=SkipReason.PAIN)
    sessions[3].items.get(exercise__slug="glute-bridge").logs.filter(set_number=1).update(reps=9)
    sessions[4].items.get(exercise__slug=ninety).logs.filter(set_number=3).update(hold_seconds=14)
    sessions[5].items.get(exercise__slug=ninety).logs.update(hold_seconds=15)  # three quarters
    sessions[6].pain_after = sessions[6].pain_before + 1
    sessions[6].save()

    expected = {
        s.pk
        for s in sessions
        if s.pain_after <= s.pain_before and done_as_planned(session_items(s))
    }
    assert len(expected) == 3  # sessions 0, 5 and 7
    assert set(qualifying(plan).values_list("pk", flat=True)) == expected
