"""The safety screen: every path, the track and exclusions it picks, bad input and ownership."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from programs.models import (
    ChangeKind,
    Exercise,
    Outcome,
    Plan,
    PlanStatus,
    RedFlag,
    Screening,
    SelfTest,
    Track,
)
from tests.factories import PlanFactory, SelfTestFactory, finished_session, start_session
from tests.factories import screen as factory_screen

pytestmark = pytest.mark.django_db

URL = reverse("programs-screening")
CLEAR = {
    "no_red_flags": "on",
    "recent_injury": "no",
    "pelvic_tilt": "no",
    "disc_problems": "no",
    "left_angle": "55",
    "right_angle": "60",
}


def answers(**changes) -> dict:
    data = {**CLEAR, **changes}
    return {key: value for key, value in data.items() if value is not None}


def screen(client, **changes):
    return client.post(URL, answers(**changes), follow=True)


def active_plan(user) -> Plan | None:
    return Plan.objects.active().filter(user=user).first()


def test_it_shows_every_section_with_instructions(user_client):
    response = user_client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    for flag in RedFlag:
        assert escape(flag.label) in body
    assert "None of these apply to me" in body
    assert "belt line" in body and "bottom sticks out" in body
    assert "Lie on your back" in body and "straight at the ceiling" in body
    assert "Stop before it hurts" in body
    assert f'action="{URL}"' in body


@pytest.mark.parametrize("flag", RedFlag.values)
def test_each_red_flag_sends_to_a_clinician_and_starts_no_plan(user_client, user, flag):
    response = screen(user_client, red_flags=[flag], no_red_flags=None)

    record = Screening.objects.get(user=user)
    assert record.outcome == Outcome.CLINICIAN
    assert record.red_flags == [flag]
    assert not Plan.objects.filter(user=user).exists()
    assert response.redirect_chain[-1][0] == reverse("programs-screening-result", args=[record.pk])
    body = response.content.decode()
    assert "See a clinician first" in body
    assert escape(RedFlag(flag).label) in body
    assert "No plan has been started" in body


def test_red_flags_need_no_self_test(user_client, user):
    screen(user_client, red_flags=["numbness"], no_red_flags=None, left_angle="", right_angle="")

    assert Screening.objects.get(user=user).outcome == Outcome.CLINICIAN
    assert not SelfTest.objects.filter(user=user).exists()


def test_a_later_self_test_is_not_shown_as_the_screenings_starting_point(user_client, user):
    response = screen(
        user_client, red_flags=["numbness"], no_red_flags=None, left_angle="", right_angle=""
    )
    SelfTestFactory(user=user, left_angle=70, right_angle=72)

    body = user_client.get(response.redirect_chain[-1][0]).content.decode()
    assert "Your starting point" not in body


def test_a_red_flag_pauses_a_running_plan(user_client, user):
    plan = PlanFactory(user=user)

    body = screen(user_client, red_flags=["night_pain", "fever"], no_red_flags=None).content
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PAUSED
    assert plan.changes.first().kind == ChangeKind.PAUSE
    assert "is paused at stage 1" in body.decode()


def test_a_recent_injury_gives_rest_and_ice_guidance_and_no_plan(user_client, user):
    response = screen(user_client, recent_injury="yes", left_angle="", right_angle="")

    assert Screening.objects.get(user=user).outcome == Outcome.INJURY
    assert not Plan.objects.filter(user=user).exists()
    body = response.content.decode()
    assert "Let the injury settle first" in body
    for advice in ("Rest it", "Ice packs", "several times a day", "Compression", "No stretching"):
        assert advice in body
    assert "stick to ice" in body
    assert "Take the check again" in body


def test_a_forward_tipped_pelvis_puts_you_on_the_release_track(user_client, user):
    response = screen(user_client, pelvic_tilt="yes")

    plan = active_plan(user)
    assert plan.program.track == Track.RELEASE
    assert plan.stage.number == 1
    assert plan.changes.get().kind == ChangeKind.START
    body = response.content.decode()
    assert escape(plan.program.why) in body
    assert escape(plan.program.name) in body


def test_clear_answers_start_the_lengthen_track_and_store_the_self_test(user_client, user):
    response = screen(user_client)

    plan = active_plan(user)
    assert plan.program.track == Track.LENGTHEN
    assert not plan.avoid_forward_bends
    assert plan.screening == Screening.objects.get(user=user)
    test = SelfTest.objects.get(user=user)
    assert (test.left_angle, test.right_angle) == (55, 60)
    body = response.content.decode()
    assert "left 55°, right 60°" in body
    assert reverse("programs-dashboard") in body


def test_an_unsure_pelvis_check_starts_the_release_track_and_invites_a_recheck(user_client, user):
    body = screen(user_client, pelvic_tilt="unsure").content.decode()

    assert active_plan(user).program.track == Track.RELEASE
    assert "You were not sure whether your pelvis tips forward" in body
    assert "Check your pelvis again" in body
    assert "Against a wall" in body and "long mirror" in body


def test_disc_problems_leave_standing_folds_out_of_the_plan(user_client, user):
    body = screen(user_client, disc_problems="yes").content.decode()

    plan = active_plan(user)
    assert plan.avoid_forward_bends
    assert "Because of disc problems" in plan.changes.get().reason
    assert "What is left out" in body
    hinge = Exercise.objects.get(slug="standing-hip-hinge-stretch")
    assert escape(hinge.name) in body
    assert escape(hinge.alternative.name) in body


def test_sessions_swap_standing_folds_for_their_supported_variant():
    plan = PlanFactory(avoid_forward_bends=True)
    plan.stage = plan.program.stages.get(number=2)
    plan.save()
    finished_session(plan)  # Day A
    finished_session(plan)  # Day B: leaves the hinge out, the doorway stretch is already on it

    session = start_session(plan, pain_before=2)

    assert session.day.name == "Day C"
    slugs = [item.exercise.slug for item in session.items.all()]
    assert "standing-hip-hinge-stretch" not in slugs
    swapped = session.items.get(exercise__slug="doorway-hamstring-stretch")
    assert swapped.substituted_for.slug == "standing-hip-hinge-stretch"
    assert not any(item.exercise.standing_fold for item in session.items.all())


def test_a_fold_whose_variant_is_already_on_the_day_is_left_out():
    plan = PlanFactory(avoid_forward_bends=True)
    plan.stage = plan.program.stages.get(number=2)
    plan.save()
    finished_session(plan)  # Day A

    session = start_session(plan, pain_before=2)

    assert session.day.name == "Day B"
    slugs = [item.exercise.slug for item in session.items.all()]
    assert slugs.count("doorway-hamstring-stretch") == 1
    assert "standing-hip-hinge-stretch" not in slugs
    assert [item.order for item in session.items.all()] == list(range(1, len(slugs) + 1))


def test_without_disc_problems_standing_folds_stay_in():
    plan = PlanFactory(avoid_forward_bends=False)
    plan.stage = plan.program.stages.get(number=2)
    plan.save()
    finished_session(plan)

    session = start_session(plan, pain_before=2)

    assert session.items.filter(exercise__slug="standing-hip-hinge-stretch").exists()


def test_retaking_keeps_the_history_and_changes_the_plan_with_a_reason(user_client, user):
    screen(user_client)
    first_plan = active_plan(user)

    body = screen(user_client, pelvic_tilt="yes").content.decode()

    assert Screening.objects.filter(user=user).count() == 2
    assert SelfTest.objects.filter(user=user).count() == 2
    first_plan.refresh_from_db()
    assert first_plan.status == PlanStatus.ENDED
    ended = first_plan.changes.first()
    assert ended.kind == ChangeKind.END
    assert "release track instead" in ended.reason
    assert active_plan(user).program.track == Track.RELEASE
    assert escape(ended.reason) in body


def test_retaking_with_new_disc_problems_adjusts_the_same_plan(user_client, user):
    screen(user_client)
    plan = active_plan(user)

    screen(user_client, disc_problems="yes")

    assert active_plan(user) == plan
    plan.refresh_from_db()
    assert plan.avoid_forward_bends
    change = plan.changes.first()
    assert change.kind == ChangeKind.ADJUST
    assert "bend you forward with your back carrying the load" in change.reason


def test_retaking_with_the_same_answers_keeps_the_plan_unchanged(user_client, user):
    screen(user_client)
    plan = active_plan(user)

    body = screen(user_client).content.decode()

    assert active_plan(user) == plan
    assert plan.changes.count() == 1
    assert "carries on where you were" in body


def test_a_paused_plan_resumes_when_the_screen_is_clear_again(user_client, user):
    screen(user_client)
    plan = active_plan(user)
    screen(user_client, recent_injury="yes", left_angle="", right_angle="")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PAUSED

    screen(user_client)

    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert plan.changes.first().kind == ChangeKind.RESUME
    assert Plan.objects.filter(user=user).count() == 1


def test_an_earlier_result_is_still_readable_and_says_it_is_earlier(user_client, user):
    screen(user_client, red_flags=["trauma"], no_red_flags=None)
    first = Screening.objects.get(user=user)
    screen(user_client)

    body = user_client.get(reverse("programs-screening-result", args=[first.pk])).content
    assert "This is an earlier check" in body.decode()
    assert escape(RedFlag.TRAUMA.label) in body.decode()


def test_another_persons_result_is_404(user_client, other_user):
    record, _plan = factory_screen(other_user)
    response = user_client.get(reverse("programs-screening-result", args=[record.pk]))
    assert response.status_code == 404


def test_an_unknown_result_is_404(user_client):
    assert user_client.get(reverse("programs-screening-result", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"left_angle": "500"}, "cannot be above 120 degrees"),
        ({"right_angle": "-5"}, "cannot be below 0 degrees"),
        ({"left_angle": "forty"}, "whole number of degrees"),
        ({"right_angle": "45.5"}, "whole number of degrees"),
        ({"left_angle": ""}, "Measure your left leg with the phone"),
        ({"red_flags": ["bogus"], "no_red_flags": None}, "not on our list"),
        ({"red_flags": ["numbness"]}, "also &#x27;none of these&#x27;"),
        ({"no_red_flags": None}, "confirm that none of them apply"),
        ({"recent_injury": None}, "hurt a hamstring recently"),
        ({"recent_injury": "maybe"}, "hurt a hamstring recently"),
        ({"pelvic_tilt": "sideways"}, "Choose yes, no or not sure"),
        ({"disc_problems": None}, "disc problems or back pain"),
        (
            {"red_flags": ["fever"], "no_red_flags": None, "left_angle": "", "right_angle": "40"},
            "Measure both legs, or leave both empty",
        ),
    ],
)
def test_bad_input_stores_nothing_and_says_what_to_fix(user_client, user, changes, message):
    response = user_client.post(URL, answers(**changes))

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Nothing was saved" in body
    assert not Screening.objects.exists()
    assert not SelfTest.objects.exists()
    assert not Plan.objects.exists()


def test_bad_input_keeps_the_valid_answers_filled_in(user_client):
    body = user_client.post(URL, answers(left_angle="500", pelvic_tilt="yes")).content.decode()
    assert 'value="yes" id="id_pelvic_tilt_0" required checked' in body
    assert 'value="60"' in body


@pytest.mark.parametrize(
    "name", ["programs-screening", "programs-dashboard", "programs-plan", "password_change"]
)
def test_personal_pages_need_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_the_result_page_needs_login(client, user):
    record, _plan = factory_screen(user)
    response = client.get(reverse("programs-screening-result", args=[record.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
