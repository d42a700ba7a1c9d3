"""The dashboard (today's session, progress, why this plan) and the whole-plan page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from programs.models import ChangeKind, PlanStatus, Track
from tests.factories import PlanFactory, build_history, finished_session, screen, start_session

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("programs-dashboard")
PLAN = reverse("programs-plan")


def body_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_someone_never_screened_is_asked_to_screen(user_client):
    body = body_of(user_client.get(DASHBOARD))
    assert "Take the safety check" in body
    assert reverse("programs-screening") in body
    assert reverse("programs-start") not in body


def test_red_flags_show_the_signs_and_a_rescreen_link_instead_of_a_session(user_client, user):
    screen(user, red_flags=["numbness"])

    body = body_of(user_client.get(DASHBOARD))
    assert "See a clinician first" in body
    assert "No plan has been started" in body
    assert "numbness, tingling or weakness" in body
    assert reverse("programs-screening") in body
    assert reverse("programs-start") not in body


def test_a_paused_plan_shows_why_and_how_to_resume(user_client, user):
    _screening, plan = screen(user)
    screen(user, recent_injury=True, self_test=None)
    pause = plan.changes.get(kind=ChangeKind.PAUSE)

    body = body_of(user_client.get(DASHBOARD))
    assert "Your plan is paused" in body
    assert escape(pause.reason) in body
    assert "Take the safety check again" in body
    assert reverse("programs-start") not in body


def test_a_plan_paused_by_pain_shows_its_reason(user_client, user):
    plan = PlanFactory(user=user, status=PlanStatus.PAUSED, paused_for="pain")
    plan.changes.create(kind=ChangeKind.PAUSE, reason="Pain rose twice. Talk to a clinician.")

    body = body_of(user_client.get(DASHBOARD))
    assert "Pain rose twice. Talk to a clinician." in body


def test_it_shows_todays_session_with_doses_and_a_start_form(user_client, user):
    _screening, plan = screen(user)
    day = plan.next_day()

    body = body_of(user_client.get(DASHBOARD))
    assert escape(day.name) in body
    for prescription in day.prescriptions.select_related("exercise"):
        assert escape(prescription.exercise.name) in body
        assert escape(str(prescription.dose)) in body
    assert f'action="{reverse("programs-start")}"' in body
    # The same 0-10 scale as the start page: one radio button per point.
    values = re.findall(r'type="radio" name="pain_before" value="(\d+)"', body)
    assert values == [str(n) for n in range(11)]


def test_it_offers_to_resume_a_session_in_progress(user_client, user):
    _screening, plan = screen(user)
    session = start_session(plan, pain_before=2)

    body = body_of(user_client.get(DASHBOARD))
    assert "Resume the session" in body
    assert session.get_absolute_url() in body
    assert f'action="{reverse("programs-start")}"' not in body


def test_it_shows_substitutions_when_standing_folds_are_avoided(user_client, user):
    plan = PlanFactory(user=user, avoid_forward_bends=True)
    plan.stage = plan.program.stages.get(number=2)
    plan.save()
    finished_session(plan)
    finished_session(plan)  # today is Day C, with the hip hinge on it

    body = body_of(user_client.get(DASHBOARD))
    assert "Day C" in body
    assert "Instead of Standing hip-hinge hamstring stretch" in body


def test_it_shows_progress_towards_the_next_stage(user_client, user):
    plan = PlanFactory(user=user, stage_entered_at=timezone.now() - timedelta(days=5))
    finished_session(plan, when=timezone.now() - timedelta(days=3))
    finished_session(plan, when=timezone.now() - timedelta(days=2))
    # Pain rose: does not count.
    finished_session(plan, pain_before=1, pain_after=3, when=timezone.now() - timedelta(days=1))

    body = body_of(user_client.get(DASHBOARD))
    needed = plan.stage.sessions_to_advance
    assert f"2 of {needed} sessions done as planned" in body
    assert f'max="{needed}" value="2"' in body
    assert escape(plan.stage.next().name) in body


def test_the_last_stage_says_so(user_client, user):
    plan = PlanFactory(user=user)
    plan.stage = plan.program.stages.order_by("number").last()
    plan.save()

    body = body_of(user_client.get(DASHBOARD))
    assert "This is the last stage of the plan" in body


def test_it_explains_why_this_plan_with_the_latest_changes(user_client, user):
    _screening, plan = screen(user, pelvic_tilt="yes")
    plan.changes.create(kind=ChangeKind.HOLD, reason="3 of 10 planned sets were logged.")

    body = body_of(user_client.get(DASHBOARD))
    assert "Why this plan" in body
    assert escape(plan.program.why) in body
    assert "3 of 10 planned sets were logged." in body
    # The start says the same as the why, so it is not repeated word for word.
    assert body.count(escape(plan.program.why)) == 1
    assert "You started at stage 1" in body


def test_it_lists_recent_sessions_with_pain_and_links(user_client, user):
    _screening, plan = screen(user)
    session = finished_session(plan, pain_before=4, pain_after=2)

    body = body_of(user_client.get(DASHBOARD))
    assert reverse("programs-session", args=[session.pk]) in body
    assert "pain 4 → 2" in body


def test_it_shows_only_my_sessions(user_client, user, other_user):
    screen(user)
    _screening, theirs = screen(other_user)
    session = finished_session(theirs)

    body = body_of(user_client.get(DASHBOARD))
    assert reverse("programs-session", args=[session.pk]) not in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("url", "most"), [(DASHBOARD, 20), (PLAN, 14)])
def test_queries_do_not_grow_with_history(
    user_client, user, url, most, django_assert_max_num_queries
):
    _screening, plan = screen(user, disc_problems=True)
    build_history(plan, 10)
    short = _queries(user_client, url)

    build_history(plan, 290, days_back_from=10)
    assert plan.sessions.count() == 300
    with django_assert_max_num_queries(min(short, most)):
        assert user_client.get(url).status_code == 200


def test_the_plan_page_shows_every_stage_and_day_with_the_current_stage_marked(user_client, user):
    _screening, plan = screen(user)
    plan.stage = plan.program.stages.get(number=2)
    plan.save()

    body = body_of(user_client.get(PLAN))
    for stage in plan.program.stages.all():
        assert escape(stage.name) in body
        for day in stage.days.all():
            for prescription in day.prescriptions.select_related("exercise"):
                assert escape(prescription.exercise.name) in body
    assert body.count("You are here") == 1
    current = body.index('aria-current="step"')
    assert body.index(escape(plan.stage.name), current) < body.index("You are here")


def test_the_plan_page_shows_swaps_when_standing_folds_are_avoided(user_client, user):
    screen(user, disc_problems=True)

    body = body_of(user_client.get(PLAN))
    assert "Instead of Standing hip-hinge hamstring stretch" in body
    assert "Left out:" in body


def test_the_plan_page_lists_every_change_with_its_date_and_reason(user_client, user):
    _screening, first = screen(user)
    screen(user, pelvic_tilt="yes")

    body = body_of(user_client.get(PLAN))
    assert "Release" in body
    for change in first.changes.all():
        assert escape(change.reason) in body
        assert change.created_at.strftime("%Y-%m-%d") in body


def test_the_plan_page_without_a_plan_points_to_the_screening(user_client, user):
    screen(user, red_flags=["trauma"])

    body = body_of(user_client.get(PLAN))
    assert "No plan is running" in body
    assert reverse("programs-screening") in body


def test_the_release_track_plan_page_has_no_hamstring_stretches(user_client, user):
    _screening, plan = screen(user, pelvic_tilt="yes")
    assert plan.program.track == Track.RELEASE

    response = user_client.get(PLAN)
    names = {
        item.exercise.name
        for _stage, days in response.context["stages"]
        for preview in days
        for item in preview["planned"]
    }
    assert names
    assert not any(
        item.exercise.stretches_hamstrings
        for _stage, days in response.context["stages"]
        for preview in days
        for item in preview["planned"]
    )
