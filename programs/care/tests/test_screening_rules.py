"""What a safety check does to the plan and to a session in progress (issue points 1-4, 8).

Driven through the pages, as a person would: the screening form, the player, the dashboard.
"""

import datetime as dt
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from programs.care.choices import CareState
from programs.care.state import situation
from programs.models import (
    ChangeKind,
    Clearance,
    Exercise,
    PlanStatus,
    SessionStatus,
    SetLog,
    Track,
)
from tests.factories import (
    PlanFactory,
    finish_session,
    log_all_sets,
    start_session,
)

pytestmark = pytest.mark.django_db

CLEAR = {
    "no_red_flags": "on",
    "recent_injury": "no",
    "pelvic_tilt": "no",
    "disc_problems": "no",
    "left_angle": "55",
    "right_angle": "60",
}


def screen(client, **changes):
    data = {k: v for k, v in {**CLEAR, **changes}.items() if v is not None}
    response = client.post(reverse("programs-screening"), data)
    assert response.status_code == 302, response.content[:500]
    return response


def _open_session_with_a_set(user):
    plan = PlanFactory(user=user)
    session = start_session(plan, pain_before=2)
    item = session.items.order_by("order").first()
    SetLog.objects.create(item=item, set_number=1, side=item.sides[0], reps=1, hold_seconds=20)
    return plan, session


def _log_post(client, session, item):
    return client.post(
        reverse("programs-log-set", args=[session.pk]),
        {
            "item": item.pk,
            "set_number": 1,
            "side": item.sides[-1],
            "reps": item.reps,
            "hold_seconds": item.hold_seconds or 0,
            "client_token": "7f1b1f8e-5b6a-4f7e-9a53-0c1d2e3f4a5b",
        },
    )


CHANGING = [
    {"red_flags": ["numbness"], "no_red_flags": None, "left_angle": "", "right_angle": ""},
    {"recent_injury": "yes", "left_angle": "", "right_angle": ""},
    {"pelvic_tilt": "yes"},
    {"disc_problems": "yes"},
]


@pytest.mark.parametrize("answers", CHANGING, ids=["warning", "injury", "tilt", "disc"])
def test_a_screening_that_changes_the_plan_ends_the_open_session_and_keeps_its_sets(
    user_client, user, answers
):
    _plan, session = _open_session_with_a_set(user)
    later = session.items.order_by("order").last()

    screen(user_client, **answers)

    session.refresh_from_db()
    assert session.status == SessionStatus.ENDED
    assert "Ended by a new safety check" in session.ended_reason
    assert SetLog.objects.filter(item__session=session).count() == 1
    # Nothing more goes into it: the log-a-set post is refused with the reason, and stores nothing.
    response = _log_post(user_client, session, later)
    assert response.status_code == 400
    assert "Ended by a new safety check" in response.content.decode()
    assert SetLog.objects.filter(item__session=session).count() == 1
    # The history shows it, ended and with its set.
    page = user_client.get(reverse("programs-session", args=[session.pk])).content.decode()
    assert "Ended early" in page and "Ended by a new safety check" in page


def test_start_no_longer_resumes_a_session_ended_by_a_screening(user_client, user):
    _plan, session = _open_session_with_a_set(user)
    screen(user_client, red_flags=["fever"], no_red_flags=None, left_angle="", right_angle="")

    response = user_client.post(reverse("programs-start"), {"pain_before": "2"})

    assert response.status_code == 303
    assert response.headers["Location"] == reverse("programs-dashboard")
    assert not user.workout_sessions.filter(status=SessionStatus.IN_PROGRESS).exists()
    player = user_client.get(reverse("programs-player", args=[session.pk]))
    assert player.status_code == 302  # to the session's page in the history


def test_a_new_track_leaves_no_hamstring_stretch_loggable(user_client, user):
    _plan, session = _open_session_with_a_set(user)
    stretch = session.items.filter(exercise__stretches_hamstrings=True).first()
    assert stretch is not None

    screen(user_client, pelvic_tilt="yes")

    assert _log_post(user_client, session, stretch).status_code == 400
    assert not SetLog.objects.filter(item=stretch).exists()
    plan = user.plans.get(status=PlanStatus.ACTIVE)
    assert plan.program.track == Track.RELEASE


def test_the_same_answers_leave_the_open_session_alone(user_client, user):
    _plan, session = _open_session_with_a_set(user)

    screen(user_client)

    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS


def test_a_log_into_a_session_whose_plan_is_not_active_is_refused(user_client, user):
    plan, session = _open_session_with_a_set(user)
    # However it came about, an open session on a paused plan takes no more sets.
    type(plan).objects.filter(pk=plan.pk).update(status=PlanStatus.PAUSED, paused_for="pain")
    item = session.items.order_by("order").first()

    response = _log_post(user_client, session, item)

    assert response.status_code == 400
    assert "Your plan is not running now" in response.content.decode()
    assert SetLog.objects.filter(item__session=session).count() == 1


# --- pauses lift only with a clinician's check ----------------------------------------------


def _pain_paused(user):
    plan = PlanFactory(user=user, stage_entered_at=timezone.now() - timedelta(days=30))
    plan.stage = plan.program.stages.get(number=2)
    plan.save()
    for pain_after in (6, 6):
        session = start_session(plan, pain_before=2)
        log_all_sets(session)
        finish_session(session, pain_after=pain_after)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PAUSED and plan.paused_for == "pain"
    return plan


def test_a_clear_screening_alone_does_not_lift_a_pause_for_pain(user_client, user):
    plan = _pain_paused(user)

    screen(user_client)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.PAUSED
    change = plan.changes.first()
    assert change.kind == ChangeKind.STILL_PAUSED
    assert "confirm that a clinician has checked you" in change.reason
    body = user_client.get(reverse("programs-dashboard")).content.decode()
    assert "Your plan is paused" in body
    assert reverse("programs-clearance") in body


def test_a_clearance_then_a_clear_screening_resumes_and_is_in_the_plan_history(user_client, user):
    plan = _pain_paused(user)
    today = timezone.localdate()

    response = user_client.post(
        reverse("programs-clearance"), {"seen_on": today.isoformat(), "confirm": "on"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PAUSED  # the safety check comes next
    screen(user_client)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    clearance = Clearance.objects.get(user=user)
    assert clearance.seen_on == today
    kinds = list(plan.changes.values_list("kind", flat=True)[:2])
    assert kinds == [ChangeKind.RESUME, ChangeKind.CLEARANCE]
    page = user_client.get(reverse("programs-plan")).content.decode()
    assert "Clinicians' checks you confirmed" in page
    assert f"Checked on {today:%-d %B %Y}" in page


def test_a_clear_screening_then_a_clearance_resumes_too(user_client, user):
    plan = _pain_paused(user)
    screen(user_client)

    user_client.post(
        reverse("programs-clearance"),
        {"seen_on": timezone.localdate().isoformat(), "confirm": "on"},
    )

    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert plan.changes.first().kind == ChangeKind.RESUME


def test_a_red_flag_pause_needs_the_clearance_too(user_client, user):
    plan = PlanFactory(user=user)
    screen(user_client, red_flags=["night_pain"], no_red_flags=None, left_angle="", right_angle="")

    screen(user_client)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PAUSED
    assert situation(user).state == CareState.CLINICIAN

    user_client.post(
        reverse("programs-clearance"),
        {"seen_on": timezone.localdate().isoformat(), "confirm": "on"},
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"seen_on": "", "confirm": "on"}, "Enter the day a clinician checked you"),
        ({"seen_on": "yesterday", "confirm": "on"}, "Enter the day as a date"),
        ({"seen_on": "2026-01-01"}, "Tick the box to confirm"),
        ({"seen_on": "2000-01-01", "confirm": "on"}, "The check has to be on or after"),
        ({"seen_on": "2999-01-01", "confirm": "on"}, "cannot be later than today"),
    ],
)
def test_a_bad_clearance_is_refused_with_a_reason_and_stores_nothing(
    user_client, user, data, message
):
    _pain_paused(user)

    response = user_client.post(reverse("programs-clearance"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Clearance.objects.exists()


def test_a_clearance_with_nothing_to_clear_is_refused(user_client, user):
    PlanFactory(user=user)
    response = user_client.post(
        reverse("programs-clearance"),
        {"seen_on": timezone.localdate().isoformat(), "confirm": "on"},
    )
    assert response.status_code == 400
    assert "There is no warning sign or pause waiting" in response.content.decode()
    assert not Clearance.objects.exists()


def test_an_injury_pause_lifts_with_a_clear_screening(user_client, user):
    plan = PlanFactory(user=user)
    screen(user_client, recent_injury="yes", left_angle="", right_angle="")
    plan.refresh_from_db()
    assert plan.paused_for == "injury"

    screen(user_client)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


# --- the pelvis check, forward bends, the injury question --------------------------------------


def test_not_sure_about_the_pelvis_never_prescribes_a_hamstring_stretch(user_client, user):
    screen(user_client, pelvic_tilt="unsure")

    plan = user.plans.get(status=PlanStatus.ACTIVE)
    assert plan.program.track == Track.RELEASE
    session = start_session(plan)
    assert not session.items.filter(exercise__stretches_hamstrings=True).exists()
    body = user_client.get(reverse("programs-dashboard")).content.decode()
    assert "You were not sure whether your pelvis tips forward" in body


def test_disc_answers_drop_the_loaded_spine_arch_from_the_release_track(user_client, user):
    screen(user_client, pelvic_tilt="yes", disc_problems="yes")

    plan = user.plans.get(status=PlanStatus.ACTIVE)
    session = start_session(plan)
    assert not session.items.filter(exercise__forward_bend=True).exists()
    arch = Exercise.objects.get(slug="standing-spine-arch")
    reason = plan.changes.get(kind=ChangeKind.START).reason
    # One message, word for word the same on every page that talks about it.
    pages = [
        user_client.get(url).content.decode()
        for url in (
            reverse("programs-screening-result", args=[plan.screening_id]),
            reverse("programs-dashboard"),
            reverse("programs-plan"),
        )
    ]
    sentence = escape(
        "Because of disc problems or pain when bending forward, exercises that bend you forward "
        "with your back carrying the load"
    )
    assert sentence in escape(reason)
    for page in pages:
        assert sentence in page
        assert escape(arch.name) in page and "left out" in page
        assert "nothing needs swapping" not in page


def test_the_supported_seated_stretch_stays_for_disc_answers(user_client, user):
    screen(user_client, disc_problems="yes")

    plan = user.plans.get(status=PlanStatus.ACTIVE)
    session = start_session(plan)
    assert session.items.filter(exercise__slug="seated-hamstring-stretch").exists()


def test_the_injury_question_takes_any_one_sign(user_client):
    body = user_client.get(reverse("programs-screening")).content.decode()
    question = body[body.index("A recent hamstring injury") : body.index("Does your pelvis tip")]
    assert "any one" in question
    for sign in ("sudden pain", "bruising", "pain when you walk", "pain at the sit bone"):
        assert sign in question
    assert "and since then" not in question


def test_ending_a_paused_plan_still_owes_the_clinicians_check(user_client, user):
    _pain_paused(user)

    user_client.post(reverse("programs-plan-end"), {"confirm": "yes"})
    assert situation(user).state == CareState.CLINICIAN
    screen(user_client)
    assert not user.plans.filter(status=PlanStatus.ACTIVE).exists()

    user_client.post(
        reverse("programs-clearance"),
        {"seen_on": timezone.localdate().isoformat(), "confirm": "on"},
    )
    # The clear check came after the pause, so the confirmed check starts a new plan at once.
    assert user.plans.filter(status=PlanStatus.ACTIVE).exists()


def test_forward_bends_back_at_a_free_standing_stage_step_back_to_show_a_steady_back(
    user_client, user
):
    plan = PlanFactory(user=user, avoid_forward_bends=True)
    plan.stage = plan.program.stages.get(number=3)  # reached with standing work swapped
    plan.save()

    screen(user_client)  # no disc problems any more

    plan.refresh_from_db()
    assert plan.stage.number == 2
    change = plan.changes.first()
    assert change.kind == ChangeKind.STEP_BACK
    assert "have not yet shown your lower back keeping its curve" in change.reason
    assert not start_session(plan).items.filter(exercise__slug__contains="plate").exists()


def test_a_session_left_open_on_a_plan_no_longer_running_does_not_block_the_new_one(
    user_client, user
):
    old = PlanFactory(user=user)
    stale = start_session(old)
    # As the data from before the care rules could hold: an open session on an ended plan.
    type(old).objects.filter(pk=old.pk).update(status=PlanStatus.ENDED)
    new = PlanFactory(user=user)

    response = user_client.post(reverse("programs-start"), {"pain_before": "2"})

    stale.refresh_from_db()
    assert stale.status == SessionStatus.ENDED
    opened = user.workout_sessions.get(status=SessionStatus.IN_PROGRESS)
    assert opened.plan == new
    assert response.headers["Location"] == opened.get_absolute_url()


def test_a_clinicians_check_needs_a_safety_check_taken_after_the_visit(user_client, user):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        plan = _pain_paused(user)
        screen(user_client)  # clear, but taken before the visit
        clock.shift(dt.timedelta(days=3))
        visit = (timezone.now() - dt.timedelta(days=1)).date()
        user_client.post(
            reverse("programs-clearance"), {"seen_on": visit.isoformat(), "confirm": "on"}
        )
        plan.refresh_from_db()
        assert plan.status == PlanStatus.PAUSED
        assert "now that you have been seen" in plan.changes.first().reason

        screen(user_client)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


def test_a_second_warning_sign_says_the_plan_is_paused_not_that_none_started(user_client, user):
    PlanFactory(user=user)
    flag = {"red_flags": ["fever"], "no_red_flags": None, "left_angle": "", "right_angle": ""}
    screen(user_client, **flag)
    response = screen(user_client, **flag)

    body = user_client.get(response.headers["Location"]).content.decode()
    assert "plan is paused at stage 1" in body
    assert "No plan has been started" not in body


def test_an_earlier_clear_check_shows_its_plan_not_a_clearance_owed(user_client, user):
    first = screen(user_client).headers["Location"]
    screen(user_client)
    user_client.post(reverse("programs-flare-up"))

    body = user_client.get(first).content.decode()
    assert "Your plan: the lengthen track" in body
    assert "Confirm the clinician" not in body
    assert "clinician&#x27;s check was still to be confirmed" not in body
    assert '<span class="tag">Flare-up</span>' not in body


def test_after_a_pain_pause_and_ending_the_plan_the_dashboard_names_the_pain(user_client, user):
    _pain_paused(user)
    user_client.post(reverse("programs-plan-end"), {"confirm": "yes"})

    body = user_client.get(reverse("programs-dashboard")).content.decode()
    assert "the rise in pain that paused it still needs a clinician" in body
    assert "a warning sign needs" not in body


def test_an_injury_during_a_pause_for_pain_shows_the_injury_advice(user_client, user):
    _pain_paused(user)
    screen(user_client, recent_injury="yes", left_angle="", right_angle="")

    body = user_client.get(reverse("programs-dashboard")).content.decode()
    assert "Your plan is paused" in body
    assert "signs of a recent hamstring injury" in body and "ice packs" in body


def test_the_injury_result_keeps_heat_out_of_the_first_days(user_client, user):
    response = screen(user_client, recent_injury="yes", left_angle="", right_angle="")
    body = user_client.get(response.headers["Location"]).content.decode()
    first_days = body[body.index("What helps in the first days") : body.index("Later, once")]
    assert "heat" not in first_days.lower()
    assert "Moist heat" in body[body.index("Later, once") :]


def test_a_second_tap_on_confirm_or_end_is_not_an_error(user_client, user):
    _pain_paused(user)
    data = {"seen_on": timezone.localdate().isoformat(), "confirm": "on"}
    assert user_client.post(reverse("programs-clearance"), data).status_code == 302
    assert user_client.post(reverse("programs-clearance"), data).status_code == 302
    assert Clearance.objects.filter(user=user).count() == 1

    screen(user_client)
    end = reverse("programs-plan-end")
    user_client.post(end, {"confirm": "yes"})
    response = user_client.post(end, {"confirm": "yes"}, follow=True)
    assert "There is no plan to end" not in response.content.decode()
