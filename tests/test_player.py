"""The guided session: starting, the player page, skipping, finishing and resuming."""

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from programs.care import events
from programs.models import (
    ChangeKind,
    Exercise,
    PlanStatus,
    SessionStatus,
    SetLog,
    Side,
    SkipReason,
    WorkoutSession,
)
from tests.factories import (
    ExerciseFactory,
    PlanFactory,
    SessionExerciseFactory,
    SetLogFactory,
    StepFactory,
    WorkoutSessionFactory,
    finished_session,
    log_all_sets,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def plan(user):
    return PlanFactory(user=user)


@pytest.fixture
def session(user, plan):
    """Day A of the lengthen plan: warm-up, 90-90, straight leg raise, seated stretch, bridge."""
    return WorkoutSessionFactory(user=user, plan=plan)


def player_url(session, **query):
    url = reverse("programs-player", args=[session.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def item(session, slug):
    return session.items.get(exercise__slug=slug)


def log(item, number=1, side=Side.LEFT, **kwargs):
    return SetLogFactory(item=item, set_number=number, side=side, **kwargs)


# --- start -----------------------------------------------------------------------------------


def test_it_asks_for_pain_before_starting(user_client, plan):
    response = user_client.get(reverse("programs-start"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="pain_before"' in body
    assert body.count('type="radio"') == 11
    assert "Start the session" in body


def test_it_starts_a_session_and_redirects_to_the_player(user_client, user, plan):
    response = user_client.post(reverse("programs-start"), {"pain_before": "4"})
    session = WorkoutSession.objects.get(user=user)
    assert response.status_code == 303
    assert response.headers["Location"] == player_url(session)
    assert session.pain_before == 4
    assert session.is_open
    assert session.items.count() == 5


def test_it_resumes_the_open_session_instead_of_starting_another(user_client, user, session):
    response = user_client.post(reverse("programs-start"), {"pain_before": "7"})
    assert response.headers["Location"] == player_url(session)
    assert WorkoutSession.objects.filter(user=user).count() == 1
    session.refresh_from_db()
    assert session.pain_before == 3

    response = user_client.get(reverse("programs-start"))
    assert response.status_code == 303
    assert response.headers["Location"] == player_url(session)


def test_it_sends_someone_without_an_active_plan_back_to_the_dashboard(user_client, user, plan):
    plan.status, plan.paused_for = PlanStatus.PAUSED, "pain"
    plan.save()
    response = user_client.post(reverse("programs-start"), {"pain_before": "2"}, follow=False)
    assert response.status_code == 303
    assert response.headers["Location"] == reverse("programs-dashboard")
    assert not WorkoutSession.objects.filter(user=user).exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("your plan is not running (paused for pain)" in m for m in messages)


@pytest.mark.parametrize("value", ["", "11", "-1", "three", "2.5"])
def test_it_rejects_a_pain_rating_outside_0_to_10(user_client, user, plan, value):
    response = user_client.post(reverse("programs-start"), {"pain_before": value})
    assert response.status_code == 400
    assert "Choose a number from 0" in response.content.decode()
    assert not WorkoutSession.objects.filter(user=user).exists()


def test_it_redirects_an_htmx_start_with_a_client_redirect(user_client, user, plan):
    response = user_client.post(reverse("programs-start"), {"pain_before": "1"}, headers=HTMX)
    session = WorkoutSession.objects.get(user=user)
    assert response.headers["HX-Redirect"] == player_url(session)


def test_it_asks_to_log_in_before_starting(client, plan):
    response = client.get(reverse("programs-start"))
    assert response.status_code == 302
    assert reverse("login") in response.headers["Location"]


# --- the player page -------------------------------------------------------------------------


def test_it_opens_at_the_first_exercise_with_its_prescription(user_client, session):
    response = user_client.get(player_url(session))
    assert response.status_code == 200
    assert response.context["shown"] == item(session, "dynamic-warm-up")
    body = response.content.decode()
    assert "Exercise 1 of 5" in body
    assert "<span>Set 1 of 1</span>" in body
    assert "0 of 20 sets done" in body


def test_it_shows_the_prescription_in_words(user_client, session):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    log(ninety, 1, Side.LEFT)
    log(ninety, 1, Side.RIGHT)
    response = user_client.get(player_url(session, item=ninety.order))
    assert response.context["prescription"] == ["Set 2 of 3", "Left side", "hold 20 s"]

    spine = SessionExerciseFactory(
        session=session,
        order=9,
        exercise=Exercise.objects.get(slug="standing-spine-arch"),
        sets=1,
        reps=5,
        hold_seconds=5,
        per_side=False,
    )
    response = user_client.get(player_url(session, item=9))
    assert response.context["prescription"] == [
        "Set 1 of 1",
        "5 reps",
        "hold 5 s in each of 2 shapes",
    ]
    assert response.context["mode"] == "reps_hold"
    assert spine == response.context["shown"]


def test_it_shows_steps_in_order_with_cautions_beside_their_step(user_client, session):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    response = user_client.get(player_url(session, item=ninety.order))
    body = response.content.decode()
    exercise = ninety.exercise
    positions = [body.index(escape(step.text)) for step in exercise.steps.all()]
    assert positions == sorted(positions)
    for caution in exercise.cautions.exclude(step=None).select_related("step"):
        step_at = body.index(f'id="step-{caution.step.number}"')
        next_step = body.find(f'id="step-{caution.step.number + 1}"')
        caution_at = body.index(escape(caution.text), step_at)
        assert next_step == -1 or caution_at < next_step


def test_it_puts_stop_cautions_for_the_whole_exercise_above_the_timer(user_client, session):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    body = user_client.get(player_url(session, item=ninety.order)).content.decode()
    stop = ninety.exercise.cautions.get(step=None, severity="stop")
    assert body.index(escape(stop.text)) < body.index("data-work")
    assert 'class="caution caution-stop"' in body


def test_it_leaves_a_spot_for_the_current_step_figure(user_client, session):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    response = user_client.get(player_url(session, item=ninety.order))
    first_movement = ninety.exercise.steps.filter(phase="movement").first()
    assert response.context["guide"]["step"] == first_movement.number
    assert f'data-step-figure data-step="{first_movement.number}"' in response.content.decode()


def test_it_passes_the_timer_clock_to_the_script(user_client, session, settings):
    settings.PLAYER_MS_PER_SECOND = 50
    body = user_client.get(player_url(session)).content.decode()
    assert 'data-ms-per-second="50"' in body
    assert "js/player.js" in body


def test_it_shows_another_exercise_when_asked_and_links_back_and_forth(user_client, session):
    response = user_client.get(player_url(session, item=3))
    assert response.context["shown"] == item(session, "active-straight-leg-raise")
    body = response.content.decode()
    assert f'href="{player_url(session, item=2)}"' in body
    assert f'href="{player_url(session, item=4)}"' in body
    assert 'rel="prev"' in body and 'rel="next"' in body


def test_it_ignores_an_item_that_is_not_in_the_session(user_client, session):
    response = user_client.get(player_url(session, item=99))
    assert response.status_code == 200
    assert response.context["shown"] == item(session, "dynamic-warm-up")


def test_it_answers_htmx_with_the_player_partial_only(user_client, session):
    response = user_client.get(player_url(session, item=2), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="player"')
    assert "<html" not in body
    assert "site-footer" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_it_answers_a_history_restore_with_the_whole_page(user_client, session):
    response = user_client.get(
        player_url(session), headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_it_hides_another_persons_session(client, other_user, session):
    client.force_login(other_user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(player_url(session)).status_code == 404


def test_it_sends_a_finished_session_to_its_history_page(user_client, session):
    session.status = SessionStatus.FINISHED
    session.pain_after = 2
    session.finished_at = timezone.now()
    session.save()
    response = user_client.get(player_url(session))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("programs-session", args=[session.pk])


def test_it_lists_the_logged_sets_of_the_exercise_with_edit_and_delete(user_client, session):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    first = log(ninety, 1, Side.LEFT, hold_seconds=17)
    body = user_client.get(player_url(session, item=ninety.order)).content.decode()
    assert "held 17 s" in body
    assert reverse("programs-edit-set", args=[session.pk, first.pk]) in body
    assert reverse("programs-delete-set", args=[session.pk, first.pk]) in body


# --- last time -------------------------------------------------------------------------------


def test_it_shows_what_was_done_last_time_for_this_exercise(user_client, user, plan):
    earlier = finished_session(plan, when=timezone.now() - dt.timedelta(days=2))
    older = finished_session(plan, when=timezone.now() - dt.timedelta(days=5))
    earlier_ninety = earlier.items.get(exercise__slug="ninety-ninety-active-hamstring-stretch")
    earlier_ninety.logs.filter(set_number=1, side=Side.LEFT).update(hold_seconds=14)
    session = WorkoutSessionFactory(user=user, plan=plan)
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")

    response = user_client.get(player_url(session, item=ninety.order))
    last_time = response.context["last_time"]
    assert {log.item.session_id for log in last_time} == {earlier.pk}
    assert len(last_time) == 6
    assert "set 1, left side held 14 s" in response.content.decode()
    assert older.pk != earlier.pk


def test_it_takes_last_time_from_the_persons_own_sessions_only(user_client, user, other_user):
    theirs = PlanFactory(user=other_user)
    finished_session(theirs, when=timezone.now() - dt.timedelta(days=1))
    session = WorkoutSessionFactory(user=user)
    response = user_client.get(player_url(session, item=2))
    assert response.context["last_time"] == []
    assert "The first time you log this exercise" in response.content.decode()


def past_session(plan, days_ago):
    """A finished, fully logged session, created finished so an open one can exist alongside."""
    when = timezone.now() - dt.timedelta(days=days_ago)
    past = WorkoutSessionFactory(
        user=plan.user,
        plan=plan,
        started_at=when,
        status=SessionStatus.FINISHED,
        finished_at=when,
        pain_after=3,
    )
    log_all_sets(past, when=when)
    # Made behind the app's back: move the record's version on, as every write of the app's
    # own does, so the next page is drawn from it rather than served from the cache.
    events.lock_person(plan.user_id)
    return past


def test_it_finds_last_time_in_one_query_however_long_the_history(user_client, user, plan):
    session = WorkoutSessionFactory(user=user, plan=plan)
    # The exercise's guide is drawn on the first visit and comes from the cache after it.
    user_client.get(player_url(session, item=2))
    counts = []
    for days_ago in (30, 20, 10):
        past_session(plan, days_ago)
        with CaptureQueriesContext(connection) as queries:
            response = user_client.get(player_url(session, item=2))
        counts.append(len(queries))
        assert len(response.context["last_time"]) == 6
    assert counts[0] == counts[1] == counts[2]
    last_time_queries = [
        q for q in queries if "programs_setlog" in q["sql"] and "LIMIT 1" in q["sql"]
    ]
    assert len(last_time_queries) == 1


# --- resume ----------------------------------------------------------------------------------


def test_it_resumes_at_the_first_set_not_logged(user_client, session):
    log_all_sets_of(item(session, "dynamic-warm-up"))
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    log(ninety, 1, Side.LEFT)
    log(ninety, 1, Side.RIGHT)
    log(ninety, 2, Side.LEFT)

    response = user_client.get(player_url(session))
    assert response.context["shown"] == ninety
    assert response.context["next_slot"] == (2, Side.RIGHT)
    body = response.content.decode()
    assert "<span>Set 2 of 3</span>" in body and "<span>Right side</span>" in body
    assert len(response.context["logs"]) == 3
    assert "Switch sides." in body


def test_it_skips_past_a_skipped_exercise_when_resuming(user_client, session):
    warm_up = item(session, "dynamic-warm-up")
    warm_up.skipped_reason = SkipReason.TIME
    warm_up.save()
    response = user_client.get(player_url(session))
    assert response.context["shown"] == item(session, "ninety-ninety-active-hamstring-stretch")


def test_it_shows_the_rest_left_after_a_reload(user_client, session, settings):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    log(ninety, 1, Side.LEFT, logged_at=timezone.now() - dt.timedelta(seconds=40))
    log(ninety, 1, Side.RIGHT, logged_at=timezone.now() - dt.timedelta(seconds=5))
    response = user_client.get(player_url(session, item=ninety.order))
    # 20 s of rest, 5 of them gone.
    assert 14_000 < response.context["rest_ms"] <= 15_000
    assert response.context["rest_seconds_left"] == 15
    assert 'data-rest-ms="' in response.content.decode()


def test_it_shows_no_rest_once_it_has_run_out(user_client, session):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    log(ninety, 1, Side.LEFT, logged_at=timezone.now() - dt.timedelta(seconds=60))
    log(ninety, 1, Side.RIGHT, logged_at=timezone.now() - dt.timedelta(seconds=25))
    response = user_client.get(player_url(session, item=ninety.order))
    assert response.context["rest_ms"] == 0
    assert "data-rest-ms" not in response.content.decode()


def test_it_cues_a_switch_of_sides_instead_of_a_rest_between_left_and_right(user_client, session):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    log(ninety, 1, Side.LEFT)
    response = user_client.get(player_url(session, item=ninety.order))
    assert response.context["switch_sides"] is True
    assert response.context["rest_ms"] == 0


def log_all_sets_of(session_item):
    for number, side in session_item.slots():
        log(session_item, number, side, reps=session_item.reps)


# --- skip ------------------------------------------------------------------------------------


def skip_url(session, session_item):
    return reverse("programs-skip", args=[session.pk, session_item.pk])


def test_it_skips_an_exercise_with_a_reason_and_moves_on(user_client, session):
    warm_up = item(session, "dynamic-warm-up")
    response = user_client.post(skip_url(session, warm_up), {"reason": "equipment"})
    assert response.status_code == 303
    assert response.headers["Location"] == player_url(session)
    warm_up.refresh_from_db()
    assert warm_up.skipped_reason == SkipReason.EQUIPMENT
    assert warm_up.skipped_at is not None
    response = user_client.get(player_url(session))
    assert response.context["shown"] == item(session, "ninety-ninety-active-hamstring-stretch")


def after_body(client, session) -> str:
    return client.get(player_url(session)).content.decode()


def test_a_skip_leaves_the_sets_done_and_shows_the_skipped_against_the_whole_plan(
    user_client, session
):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    SetLogFactory(item=ninety, set_number=1, side=Side.LEFT)
    SetLogFactory(item=ninety, set_number=1, side=Side.RIGHT)
    before = user_client.get(player_url(session)).context
    assert before["done_sets"] == 2

    user_client.post(skip_url(session, ninety), {"reason": "pain"})
    after = user_client.get(player_url(session)).context
    assert after["done_sets"] == 0
    # The plan did not shrink: "0 of 20 sets done (6 skipped)", not "0 of 14".
    assert after["planned_sets"] == before["planned_sets"] == 20
    assert after["skipped_sets"] == ninety.planned_set_count
    assert "0 of 20 sets done" in after_body(user_client, session)


def test_it_answers_an_htmx_skip_with_the_next_exercise(user_client, session):
    warm_up = item(session, "dynamic-warm-up")
    response = user_client.post(skip_url(session, warm_up), {"reason": "pain"}, headers=HTMX)
    assert response.status_code == 200
    assert response.context["shown"] == item(session, "ninety-ninety-active-hamstring-stretch")
    assert response.context["announce"] == "Gentle dynamic warm-up skipped."


@pytest.mark.parametrize("reason", ["", "bored"])
def test_it_asks_for_a_known_skip_reason(user_client, session, reason):
    warm_up = item(session, "dynamic-warm-up")
    response = user_client.post(skip_url(session, warm_up), {"reason": reason}, headers=HTMX)
    assert response.status_code == 422
    assert "Choose" in response.content.decode()
    warm_up.refresh_from_db()
    assert warm_up.skipped_reason == ""


def test_it_brings_a_skipped_exercise_back(user_client, session):
    warm_up = item(session, "dynamic-warm-up")
    warm_up.skipped_reason = SkipReason.OTHER
    warm_up.save()
    response = user_client.post(skip_url(session, warm_up), {"undo": "1"})
    assert response.status_code == 303
    warm_up.refresh_from_db()
    assert warm_up.skipped_reason == "" and warm_up.skipped_at is None


def test_it_does_not_skip_another_persons_exercise(client, other_user, session):
    client.force_login(other_user, backend="django.contrib.auth.backends.ModelBackend")
    warm_up = item(session, "dynamic-warm-up")
    assert client.post(skip_url(session, warm_up), {"reason": "pain"}).status_code == 404
    warm_up.refresh_from_db()
    assert warm_up.skipped_reason == ""


def test_it_does_not_skip_an_item_through_another_session(user_client, user, session):
    stranger = SessionExerciseFactory()  # someone else's session altogether
    url = reverse("programs-skip", args=[session.pk, stranger.pk])
    assert user_client.post(url, {"reason": "pain"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.skipped_reason == ""


def test_it_rejects_a_skip_by_get(user_client, session):
    assert user_client.get(skip_url(session, item(session, "dynamic-warm-up"))).status_code == 405


# --- finish ----------------------------------------------------------------------------------


def finish_url(session):
    return reverse("programs-finish", args=[session.pk])


def test_it_offers_the_finish_form_with_a_summary_once_everything_is_done(user_client, session):
    log_all_sets(session)
    response = user_client.get(player_url(session))
    body = response.content.decode()
    assert response.context["all_done"] is True
    assert response.context["shown"] is None
    assert "All done" in body
    assert 'name="pain_after"' in body
    assert "6 of 6" in body and "3 of 3" in body


def test_it_lets_the_person_finish_early(user_client, session):
    body = user_client.get(player_url(session)).content.decode()
    assert "Finish the session early" in body
    assert f'action="{finish_url(session)}"' in body


def test_it_finishes_the_session_and_runs_the_plans_rules(user_client, session):
    log_all_sets(session)
    response = user_client.post(finish_url(session), {"pain_after": "2", "note": "Felt looser."})
    assert response.status_code == 303
    assert response.headers["Location"] == reverse("programs-session", args=[session.pk])
    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED
    assert session.pain_after == 2
    assert session.note == "Felt looser."


@pytest.fixture
def hinged(session):
    """The session with a standing hip hinge added and done: a free-standing stretch."""
    hinge = SessionExerciseFactory(
        session=session,
        order=session.items.count() + 1,
        exercise=Exercise.objects.get(slug="standing-hip-hinge-stretch"),
    )
    for number, side in hinge.slots():
        SetLogFactory(item=hinge, set_number=number, side=side)
    return session


def test_it_asks_about_a_steady_back_after_standing_stretches(user_client, hinged):
    body = user_client.get(player_url(hinged)).content.decode()
    assert 'name="steady_back"' in body


def test_it_does_not_ask_about_a_steady_back_without_standing_stretches(user_client, session):
    log_all_sets(session)
    body = user_client.get(player_url(session)).content.decode()
    assert 'name="pain_after"' in body
    assert 'name="steady_back"' not in body


def test_it_needs_the_steady_back_answer_after_standing_stretches(user_client, hinged):
    response = user_client.post(finish_url(hinged), {"pain_after": "2"})
    assert response.status_code == 422
    assert "Say whether your lower back kept its curve" in response.content.decode()
    hinged.refresh_from_db()
    assert hinged.is_open


@pytest.mark.parametrize(("answer", "stored"), [("yes", True), ("no", False)])
def test_it_stores_the_steady_back_answer(user_client, hinged, answer, stored):
    response = user_client.post(finish_url(hinged), {"pain_after": "2", "steady_back": answer})
    assert response.status_code == 303
    hinged.refresh_from_db()
    assert hinged.steady_back is stored


def test_a_session_without_standing_stretches_stores_no_steady_back_answer(user_client, session):
    response = user_client.post(finish_url(session), {"pain_after": "2", "steady_back": "yes"})
    assert response.status_code == 303
    session.refresh_from_db()
    assert session.steady_back is None


def test_it_says_why_the_plan_holds_after_an_early_finish(user_client, session):
    response = user_client.post(finish_url(session), {"pain_after": "3"})
    assert response.status_code == 303
    change = session.plan.changes.first()
    assert change.kind == ChangeKind.HOLD
    summary = user_client.get(response.headers["Location"]).content.decode()
    # Said once, prominently, on the summary page: not again in a flash message.
    assert summary.count(escape(change.reason)) == 1


def test_it_redirects_an_htmx_finish_with_a_client_redirect(user_client, session):
    response = user_client.post(finish_url(session), {"pain_after": "3"}, headers=HTMX)
    assert response.headers["HX-Redirect"] == reverse("programs-session", args=[session.pk])


@pytest.mark.parametrize("pain", ["", "12", "-3", "lots"])
def test_it_rejects_a_bad_pain_after_and_keeps_the_session_open(user_client, session, pain):
    response = user_client.post(finish_url(session), {"pain_after": pain})
    assert response.status_code == 422
    assert "Choose a number from 0" in response.content.decode()
    session.refresh_from_db()
    assert session.is_open
    assert response.context["finish_open"] is True


def test_it_rejects_a_note_longer_than_2000_characters(user_client, session):
    response = user_client.post(finish_url(session), {"pain_after": "2", "note": "x" * 2001})
    assert response.status_code == 422
    session.refresh_from_db()
    assert session.is_open


def test_it_does_not_finish_a_session_twice(user_client, session):
    user_client.post(finish_url(session), {"pain_after": "3"})
    changes = session.plan.changes.count()
    response = user_client.post(finish_url(session), {"pain_after": "9"})
    assert response.status_code == 400
    assert "already finished" in response.content.decode()
    session.refresh_from_db()
    assert session.pain_after == 3
    assert session.plan.changes.count() == changes


def test_it_does_not_finish_another_persons_session(client, other_user, session):
    client.force_login(other_user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(finish_url(session), {"pain_after": "3"}).status_code == 404
    session.refresh_from_db()
    assert session.is_open


# --- without JavaScript ----------------------------------------------------------------------


def test_a_whole_session_works_with_plain_forms(user_client, user, plan):
    """No script at all: every step is a form post answered by a redirect to a page."""
    response = user_client.post(reverse("programs-start"), {"pain_before": "3"})
    player = response.headers["Location"]
    while True:
        page = user_client.get(player)
        if page.context["all_done"]:
            break
        form = page.context["set_form"]
        assert 'name="client_token"' in page.content.decode()
        data = {name: form[name].value() for name in form.fields}
        # Without a timer the person types what they held; here, the plan.
        data["hold_seconds"] = page.context["shown"].hold_seconds
        response = user_client.post(
            reverse("programs-log-set", args=[page.context["session"].pk]), data
        )
        assert response.status_code == 303
        player = response.headers["Location"]
    session = WorkoutSession.objects.get(user=user)
    assert SetLog.objects.filter(item__session=session).count() == 20
    response = user_client.post(finish_url(session), {"pain_after": "3"})
    assert response.status_code == 303
    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED


def test_the_set_form_is_ready_for_the_next_set_with_no_hold_until_one_is_timed(
    user_client, session
):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    response = user_client.get(player_url(session, item=ninety.order))
    body = response.content.decode()
    # Empty, not the planned 20: one tap must not record a hold that never happened.
    assert re.search(r'name="hold_seconds"[^>]*value=""', body)
    assert f'name="item" value="{ninety.pk}"' in body
    assert 'name="side" value="left"' in body
    token = re.search(r'name="client_token" value="([0-9a-f-]+)"', body).group(1)
    assert uuid.UUID(token)
    again = user_client.get(player_url(session, item=ninety.order)).content.decode()
    assert token not in again


def test_it_shows_a_made_up_exercise_without_steps_or_cautions(user_client, user):
    exercise = ExerciseFactory(per_side=False)
    StepFactory(exercise=exercise, number=1, text="Lie down.")
    session = WorkoutSessionFactory(user=user, with_items=False)
    SessionExerciseFactory(
        session=session, exercise=exercise, order=1, per_side=False, reps=6, hold_seconds=0
    )
    response = user_client.get(player_url(session))
    assert response.status_code == 200
    assert response.context["mode"] == "reps"
    assert "Lie down." in response.content.decode()


def test_the_player_shows_the_librarys_cautions_for_a_hamstring_stretch(user_client, session):
    ninety = item(session, "ninety-ninety-active-hamstring-stretch")
    body = user_client.get(player_url(session, item=ninety.order)).content.decode()
    assert "Slow and gentle, never bouncing" in body
    assert "A strained hamstring needs rest, not stretching" in body
