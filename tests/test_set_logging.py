"""Logging a set: stored exactly once, never for someone else, never from bad input."""

import re
import uuid

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from programs.models import SessionStatus, SetLog, Side, SkipReason
from programs.views import player as player_views
from tests.factories import (
    SessionExerciseFactory,
    SetLogFactory,
    UserFactory,
    WorkoutSessionFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def log_url(session):
    return reverse("programs-log-set", args=[session.pk])


def set_data(item, number=1, side=Side.LEFT, token=None, **amounts):
    return {
        "item": item.pk,
        "set_number": number,
        "side": side,
        "client_token": str(token or uuid.uuid4()),
        "reps": amounts.get("reps", item.reps),
        "hold_seconds": amounts.get("hold_seconds", item.hold_seconds),
    }


def as_other_user(client):
    client.force_login(UserFactory(), backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- storing a set ---------------------------------------------------------------------------


def test_it_stores_a_set_and_redirects_a_plain_post_to_the_player(user_client, session, ninety):
    response = user_client.post(log_url(session), set_data(ninety, hold_seconds=18))
    assert response.status_code == 303
    assert response.headers["Location"] == (
        reverse("programs-player", args=[session.pk]) + f"?item={ninety.order}"
    )
    stored = SetLog.objects.get()
    assert (stored.item, stored.set_number, stored.side) == (ninety, 1, Side.LEFT)
    assert (stored.reps, stored.hold_seconds) == (1, 18)


def test_it_answers_htmx_with_a_small_partial_for_the_next_set(user_client, session, ninety):
    response = user_client.post(log_url(session), set_data(ninety), headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    # This exercise's card at the next set, and the counters that changed, out of band.
    assert body.lstrip().startswith('<div id="work-card"')
    assert (response.headers["HX-Retarget"], response.headers["HX-Reswap"]) == (
        "#work-card",
        "outerHTML",
    )
    regions = ("player-errors", "prescription", "logged", f"map-{ninety.pk}", "session-count")
    for region in (*regions, f"summary-{ninety.pk}"):
        assert re.search(rf'id="{region}"[^>]*hx-swap-oob="true"', body), region
    assert '<div id="player"' not in body and "<html" not in body
    assert "How to do it" not in body  # the steps and figure stay on screen
    assert 'data-announce="Set 1, left side saved."' in body
    assert 'name="set_number" value="1"' in body and 'name="side" value="right"' in body
    assert "1 of " in body and "sets done" in body
    assert response.headers["HX-Replace-Url"] == (
        reverse("programs-player", args=[session.pk]) + f"?item={ninety.order}"
    )
    assert SetLog.objects.count() == 1
    player = reverse("programs-player", args=[session.pk])
    full = user_client.get(player, headers=HTMX).content.decode()
    assert len(body) < len(full) / 2


def test_it_answers_htmx_with_the_whole_player_when_the_exercise_is_done(
    user_client, session, ninety
):
    slots = ninety.slots()
    for number, side in slots[:-1]:
        SetLogFactory(item=ninety, set_number=number, side=side)
    response = user_client.post(log_url(session), set_data(ninety, *slots[-1]), headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="player"')
    assert "HX-Retarget" not in response.headers
    assert response.context["shown"].exercise.slug == "active-straight-leg-raise"


def test_it_logs_the_achieved_hold_not_the_planned_one(user_client, session, ninety):
    user_client.post(log_url(session), set_data(ninety, hold_seconds=12), headers=HTMX)
    assert SetLog.objects.get().hold_seconds == 12


def test_it_logs_reps_for_an_exercise_done_on_both_sides_together(user_client, session, bridge):
    response = user_client.post(log_url(session), set_data(bridge, side=Side.NONE, reps=9))
    assert response.status_code == 303
    assert SetLog.objects.get().reps == 9


def test_it_moves_on_to_the_next_exercise_after_its_last_set(user_client, session, ninety):
    for number, side in ninety.slots()[:-1]:
        SetLogFactory(item=ninety, set_number=number, side=side)
    warm_up = session.items.get(order=1)
    SetLogFactory(item=warm_up, set_number=1, side=Side.NONE)
    response = user_client.post(log_url(session), set_data(ninety, 3, Side.RIGHT), headers=HTMX)
    assert response.context["shown"].order == ninety.order + 1


# --- exactly once ----------------------------------------------------------------------------


def test_the_same_set_posted_twice_is_stored_once(user_client, session, ninety):
    data = set_data(ninety)
    first = user_client.post(log_url(session), data, headers=HTMX)
    second = user_client.post(log_url(session), data, headers=HTMX)
    assert first.status_code == second.status_code == 200
    assert SetLog.objects.count() == 1
    assert "Nothing was saved" not in second.content.decode()


def test_a_plain_resend_is_stored_once_too(user_client, session, ninety):
    data = set_data(ninety)
    assert user_client.post(log_url(session), data).status_code == 303
    assert user_client.post(log_url(session), data).status_code == 303
    assert SetLog.objects.count() == 1


def test_a_resend_racing_the_first_post_is_stored_once(user_client, session, ninety):
    """No token is looked up before the insert: the unique token decides, and the set stored by
    the first post is the answer to the second."""
    data = set_data(ninety)
    SetLogFactory(item=ninety, set_number=1, side=Side.LEFT, client_token=data["client_token"])
    response = user_client.post(log_url(session), data, headers=HTMX)
    assert response.status_code == 200
    assert "Nothing was saved" not in response.content.decode()
    assert SetLog.objects.count() == 1


def test_another_token_for_a_set_already_logged_gets_a_clear_message(user_client, session, ninety):
    user_client.post(log_url(session), set_data(ninety, hold_seconds=20))
    response = user_client.post(log_url(session), set_data(ninety, hold_seconds=5), headers=HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Set 1, left side of 90-90 active hamstring stretch is already logged" in body
    assert SetLog.objects.get().hold_seconds == 20


def test_a_token_already_used_for_another_set_is_refused(user_client, session, ninety):
    token = uuid.uuid4()
    user_client.post(log_url(session), set_data(ninety, 1, Side.LEFT, token=token))
    response = user_client.post(log_url(session), set_data(ninety, 1, Side.RIGHT, token=token))
    assert response.status_code == 422
    assert "already used" in response.content.decode()
    assert SetLog.objects.count() == 1


# --- bad input -------------------------------------------------------------------------------


BAD_INPUT = [
    ("negative reps", {"reps": -1}, "Reps cannot be negative."),
    ("too many reps", {"reps": 501}, "Reps can be at most 500."),
    ("hold over an hour", {"hold_seconds": 3601}, "A hold can be at most an hour"),
    ("negative hold", {"hold_seconds": -5}, "A hold cannot be negative."),
    ("text for reps", {"reps": "five"}, "Enter a whole number"),
    ("text for the hold", {"hold_seconds": "20s"}, "Enter a whole number"),
    ("nothing done", {"reps": 0, "hold_seconds": 0}, "Nothing to log"),
    ("no reps", {"reps": ""}, "Enter how many reps you did."),
    ("a set not in the plan", {"set_number": 4}, "Set 4 is not in the plan"),
    ("set zero", {"set_number": 0}, "Set 0 is not in the plan"),
    ("a side not in the plan", {"side": Side.NONE}, "is done one side at a time"),
    ("an unknown side", {"side": "middle"}, "That side is not left, right or both."),
    ("no token", {"client_token": ""}, "out of date"),
    ("a broken token", {"client_token": "not-a-uuid"}, "out of date"),
    ("an unknown item", {"item": 999999}, "That exercise is not part of this session."),
    ("text for the item", {"item": "abc"}, "That exercise is not part of this session."),
]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(("case", "change", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_it_rejects_bad_input_with_a_message_and_stores_nothing(
    user_client, session, ninety, htmx, case, change, message
):
    data = {**set_data(ninety), **change}
    response = user_client.post(log_url(session), data, headers=HTMX if htmx else {})
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert ("<html" in body) is not htmx
    assert SetLog.objects.count() == 0


def test_it_offers_the_right_set_afresh_after_a_slot_not_in_the_plan(user_client, session, ninety):
    response = user_client.post(log_url(session), set_data(ninety, 4), headers=HTMX)
    assert response.status_code == 422
    form = response.context["set_form"]
    assert not form.is_bound  # a new form for the next set, not the altered one sent back
    assert (form.initial["set_number"], form.initial["side"]) == (1, Side.LEFT)
    assert SetLog.objects.count() == 0


def test_it_shows_a_typo_for_an_exercise_already_complete_as_a_message(
    user_client, session, bridge
):
    for number, side in bridge.slots():
        SetLogFactory(item=bridge, set_number=number, side=side)
    response = user_client.post(log_url(session), set_data(bridge, side=Side.NONE, reps="x"))
    assert response.status_code == 422
    assert "Enter a whole number" in response.content.decode()
    assert SetLog.objects.count() == 3


def test_it_rejects_a_side_for_an_exercise_done_with_both_sides(user_client, session, bridge):
    response = user_client.post(log_url(session), set_data(bridge, side=Side.LEFT))
    assert response.status_code == 422
    assert "done with both sides together" in response.content.decode()
    assert SetLog.objects.count() == 0


def test_it_keeps_the_typed_values_and_token_after_a_typo(user_client, session, ninety):
    data = set_data(ninety, hold_seconds="2o")
    response = user_client.post(log_url(session), data, headers=HTMX)
    body = response.content.decode()
    assert 'value="2o"' in body
    assert f'value="{data["client_token"]}"' in body


def test_it_rejects_an_item_of_another_session_of_the_same_person(user_client, user, session):
    earlier = WorkoutSessionFactory(
        user=user, plan=session.plan, status=SessionStatus.FINISHED, pain_after=2
    )
    old_item = earlier.items.get(order=2)
    response = user_client.post(log_url(session), set_data(old_item), headers=HTMX)
    assert response.status_code == 422
    assert "That exercise is not part of this session." in response.content.decode()
    assert SetLog.objects.count() == 0


def test_it_rejects_an_item_of_another_persons_session(user_client, session):
    theirs = SessionExerciseFactory()
    response = user_client.post(log_url(session), set_data(theirs))
    assert response.status_code == 422
    assert SetLog.objects.count() == 0


def test_it_rejects_a_set_for_a_skipped_exercise(user_client, session, ninety):
    ninety.skipped_reason = SkipReason.PAIN
    ninety.save()
    response = user_client.post(log_url(session), set_data(ninety), headers=HTMX)
    assert response.status_code == 422
    assert "You skipped 90-90 active hamstring stretch" in response.content.decode()
    assert SetLog.objects.count() == 0


def test_it_hides_another_persons_session(client, session, ninety):
    response = as_other_user(client).post(log_url(session), set_data(ninety))
    assert response.status_code == 404
    assert SetLog.objects.count() == 0


def test_it_refuses_a_set_for_a_finished_session(user_client, session, ninety):
    session.status = SessionStatus.FINISHED
    session.pain_after = 2
    session.finished_at = timezone.now()
    session.save()
    for headers in ({}, HTMX):
        response = user_client.post(log_url(session), set_data(ninety), headers=headers)
        assert response.status_code == 400
        assert "already finished, so nothing was changed" in response.content.decode()
    assert SetLog.objects.count() == 0


def test_it_refuses_a_get(user_client, session):
    assert user_client.get(log_url(session)).status_code == 405


def test_it_asks_to_log_in(client, session, ninety):
    response = client.post(log_url(session), set_data(ninety))
    assert response.status_code == 302
    assert SetLog.objects.count() == 0


# --- edit and delete -------------------------------------------------------------------------


@pytest.fixture
def logged(ninety):
    return SetLogFactory(item=ninety, set_number=1, side=Side.LEFT, reps=1, hold_seconds=20)


def edit_url(session, log):
    return reverse("programs-edit-set", args=[session.pk, log.pk])


def delete_url(session, log):
    return reverse("programs-delete-set", args=[session.pk, log.pk])


def test_it_corrects_a_logged_set(user_client, session, logged):
    logged_at = logged.logged_at
    response = user_client.post(edit_url(session, logged), {"reps": 1, "hold_seconds": 15})
    assert response.status_code == 303
    logged.refresh_from_db()
    assert logged.hold_seconds == 15
    assert logged.logged_at == logged_at  # the rest timer still counts from when it was done


def test_it_answers_an_htmx_edit_with_the_player(user_client, session, logged):
    response = user_client.post(
        edit_url(session, logged), {"reps": 2, "hold_seconds": 10}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Set 1, left side changed." in response.content.decode()
    logged.refresh_from_db()
    assert (logged.reps, logged.hold_seconds) == (2, 10)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reps": -2, "hold_seconds": 20}, "Reps cannot be negative."),
        ({"reps": 1, "hold_seconds": 4000}, "at most an hour"),
        ({"reps": "one", "hold_seconds": 20}, "Enter a whole number"),
    ],
)
def test_it_rejects_a_bad_correction_and_changes_nothing(
    user_client, session, logged, data, message
):
    response = user_client.post(edit_url(session, logged), data, headers=HTMX)
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert '<details class="set-edit" open>' in body
    logged.refresh_from_db()
    assert (logged.reps, logged.hold_seconds) == (1, 20)


def test_it_deletes_a_logged_set(user_client, session, logged):
    response = user_client.post(delete_url(session, logged))
    assert response.status_code == 303
    assert not SetLog.objects.exists()


def test_a_deleted_set_is_next_again(user_client, session, ninety, logged):
    response = user_client.post(delete_url(session, logged), headers=HTMX)
    assert response.context["shown"] == ninety
    assert response.context["next_slot"] == (1, Side.LEFT)


def test_it_does_not_edit_or_delete_another_persons_set(client, session, logged):
    client = as_other_user(client)
    assert client.post(edit_url(session, logged), {"reps": 9, "hold_seconds": 9}).status_code == 404
    assert client.post(delete_url(session, logged)).status_code == 404
    logged.refresh_from_db()
    assert (logged.reps, logged.hold_seconds) == (1, 20)


def test_it_does_not_reach_a_set_through_another_session_id(user_client, user, session, logged):
    mine_too = WorkoutSessionFactory(
        user=user, plan=session.plan, status=SessionStatus.FINISHED, pain_after=2
    )
    url = reverse("programs-delete-set", args=[mine_too.pk, logged.pk])
    assert user_client.post(url).status_code == 404
    assert SetLog.objects.count() == 1


def test_it_does_not_change_sets_of_a_finished_session(user_client, session, logged):
    session.status = SessionStatus.FINISHED
    session.pain_after = 2
    session.save()
    response = user_client.post(edit_url(session, logged), {"reps": 5, "hold_seconds": 5})
    assert response.status_code == 400
    response = user_client.post(delete_url(session, logged), headers=HTMX)
    assert response.status_code == 400
    assert "already finished" in response.content.decode()
    logged.refresh_from_db()
    assert logged.hold_seconds == 20


def test_it_edits_and_deletes_by_post_only(user_client, session, logged):
    assert user_client.get(edit_url(session, logged)).status_code == 405
    assert user_client.get(delete_url(session, logged)).status_code == 405
    assert SetLog.objects.count() == 1


def test_a_failed_race_does_not_leave_half_a_transaction(user_client, session, ninety, monkeypatch):
    """After the constraint trips, the request can still read and render (the savepoint rolled
    back), which matters on PostgreSQL where a failed statement poisons the transaction."""

    def always_taken(**kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(player_views.SetLog.objects, "create", always_taken)
    response = user_client.post(log_url(session), set_data(ninety), headers=HTMX)
    assert response.status_code == 422
    assert SetLog.objects.count() == 0
