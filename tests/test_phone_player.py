"""What the phone player's review asked of the server: deletes that can be undone, logs that
say what was done (holds as holds, short sets as short), and no set of nothing."""

import datetime as dt
import json
import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from programs.models import DeletedSet, SetLog, Side
from tests.factories import SetLogFactory
from tests.pages import shown

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def warm_up(session):
    """The dynamic warm-up: timed work, one set of 3 minutes."""
    return session.items.get(exercise__slug="dynamic-warm-up")


def player(session, item=None) -> str:
    url = reverse("programs-player", args=[session.pk])
    return f"{url}?item={item.order}" if item else url


def log_set(client, session, item, number=1, side=Side.LEFT, **amounts):
    data = {
        "item": item.pk,
        "set_number": number,
        "side": side,
        "client_token": str(uuid.uuid4()),
        "reps": amounts.get("reps", item.reps),
        "hold_seconds": amounts.get("hold_seconds", item.hold_seconds),
    }
    return client.post(reverse("programs-log-set", args=[session.pk]), data, headers=HTMX)


def delete(client, session, log):
    return client.post(reverse("programs-delete-set", args=[session.pk, log.pk]), headers=HTMX)


def undo(client, session, deleted):
    return client.post(reverse("programs-undo-delete", args=[session.pk, deleted.pk]), headers=HTMX)


# --- no set of nothing ----------------------------------------------------------------------


def test_it_refuses_a_zero_second_hold_like_zero_reps(user_client, session, ninety):
    response = log_set(user_client, session, ninety, reps=1, hold_seconds=0)
    assert response.status_code == 422
    assert "A 0-second hold is not a hold" in response.content.decode()
    assert not SetLog.objects.filter(item=ninety).exists()


def test_it_refuses_zero_reps_of_a_rep_exercise_even_with_seconds(user_client, session, bridge):
    response = log_set(user_client, session, bridge, side=Side.NONE, reps=0, hold_seconds=5)
    assert response.status_code == 422
    assert "0 reps is not a set" in response.content.decode()
    assert not SetLog.objects.filter(item=bridge).exists()


def test_an_edit_cannot_turn_a_hold_into_nothing(user_client, session, ninety):
    log = SetLogFactory(item=ninety, set_number=1, side=Side.LEFT, reps=1, hold_seconds=20)
    url = reverse("programs-edit-set", args=[session.pk, log.pk])
    response = user_client.post(url, {"reps": "1", "hold_seconds": "0"}, headers=HTMX)
    assert response.status_code == 422
    log.refresh_from_db()
    assert log.hold_seconds == 20


def test_it_refuses_a_number_written_with_an_exponent(user_client, session, ninety):
    response = log_set(user_client, session, ninety, reps=1, hold_seconds="1e2")
    assert response.status_code == 422
    assert not SetLog.objects.filter(item=ninety).exists()


def test_the_hold_box_is_empty_until_a_timer_measures_it_and_typing_stays_possible(
    user_client, session, ninety
):
    body = user_client.get(player(session, ninety)).content.decode()
    assert 'name="hold_seconds" id="id_hold_seconds" value=""' in body
    # A text box for digits: the phone shows a number pad and "1e2" fails in the browser.
    assert 'inputmode="numeric" pattern="[0-9]*"' in body
    assert "No timer? Type in what you did" in body


# --- undo after delete -------------------------------------------------------------------------


def test_a_deleted_set_can_be_undone_exactly_as_it_was(user_client, session, ninety):
    log = SetLogFactory(item=ninety, set_number=1, side=Side.LEFT, reps=1, hold_seconds=18)
    before = SetLog.objects.filter(pk=log.pk).values(
        "set_number", "side", "reps", "hold_seconds", "logged_at", "client_token"
    )[0]

    response = delete(user_client, session, log)
    assert response.status_code == 200
    assert not SetLog.objects.filter(item=ninety).exists()
    body = response.content.decode()
    assert "Set 1, left side deleted." in body
    deleted = DeletedSet.objects.get()
    assert f'action="{reverse("programs-undo-delete", args=[session.pk, deleted.pk])}"' in body

    response = undo(user_client, session, deleted)
    assert response.status_code == 200
    restored = SetLog.objects.get(item=ninety)
    assert {name: getattr(restored, name) for name in before} == before
    assert not DeletedSet.objects.exists()
    assert "Undo" not in response.content.decode().split('id="work-card"')[1].split("Last time")[0]


def test_a_delete_is_not_history_it_leaves_counts_and_export_alone(user_client, session, ninety):
    log = SetLogFactory(item=ninety, set_number=1, side=Side.LEFT)
    delete(user_client, session, log)
    response = user_client.get(reverse("programs-export-json"))
    export = json.loads(b"".join(response.streaming_content))
    sets = [s for row in export["sessions"] for e in row["exercises"] for s in e["sets"]]
    assert sets == []
    assert user_client.get(player(session)).context["done_sets"] == 0


def test_undo_keeps_a_set_logged_again_since_and_says_so(user_client, session, ninety):
    log = SetLogFactory(item=ninety, set_number=1, side=Side.LEFT, hold_seconds=20)
    delete(user_client, session, log)
    deleted = DeletedSet.objects.get()
    log_set(user_client, session, ninety, reps=1, hold_seconds=15)

    response = undo(user_client, session, deleted)
    assert response.status_code == 422
    assert "was logged again after the delete" in response.content.decode()
    assert list(SetLog.objects.filter(item=ninety).values_list("hold_seconds", flat=True)) == [15]


def test_undo_is_offered_for_a_while_then_no_more(user_client, session, ninety):
    log = SetLogFactory(item=ninety, set_number=1, side=Side.LEFT)
    delete(user_client, session, log)
    deleted = DeletedSet.objects.get()
    later = timezone.now() + DeletedSet.UNDO_FOR + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        body = user_client.get(player(session, ninety)).content.decode()
        assert "deleted." not in body
        response = undo(user_client, session, deleted)
    assert response.status_code == 422
    assert "can no longer be undone" in response.content.decode()
    assert not SetLog.objects.filter(item=ninety).exists()


def test_delete_sits_inside_change_not_beside_the_logged_set(user_client, session, ninety):
    SetLogFactory(item=ninety, set_number=1, side=Side.LEFT)
    body = user_client.get(player(session, ninety)).content.decode()
    row = body.split('class="logged-set')[1].split("</li>")[0]
    details = row.split("<details")[1].split("</details>")[0]
    assert "data-delete" in details
    assert row.count("data-delete") == 1


# --- logs that say what was done -------------------------------------------------------------


def test_holds_timed_work_and_reps_are_named_for_what_they_are(
    user_client, session, ninety, bridge, warm_up
):
    hold = SetLogFactory(item=ninety, set_number=1, side=Side.LEFT, reps=1, hold_seconds=20)
    reps = SetLogFactory(item=bridge, set_number=1, side=Side.NONE, reps=10, hold_seconds=0)
    timed = SetLogFactory(item=warm_up, set_number=1, side=Side.NONE, reps=1, hold_seconds=180)
    assert hold.done_text == "held 20 s"
    assert reps.done_text == "10 reps"
    assert timed.done_text == "3 min"
    assert ninety.planned_text == "hold 20 s"

    body = user_client.get(player(session, ninety)).content.decode()
    assert "Set 1, left side</strong> held 20 s" in body
    assert "1 rep" not in body


def test_a_short_set_is_shown_as_short_in_the_player_and_its_summary(user_client, session, ninety):
    SetLogFactory(item=ninety, set_number=1, side=Side.LEFT, reps=1, hold_seconds=8)
    body = user_client.get(player(session, ninety)).content.decode()
    assert 'held 8 s <span class="short-badge">short: planned hold 20 s</span>' in body


def test_all_sets_done_but_some_short_does_not_get_a_plain_tick(user_client, session, ninety):
    for number, side in ninety.slots():
        SetLogFactory(item=ninety, set_number=number, side=side, reps=1, hold_seconds=5)
    body = user_client.get(player(session)).content.decode()
    pill = body.split('id="session-map"')[1].split("</li>")[ninety.order - 1]
    assert "map-short" in pill and "some sets short" in pill


def test_a_set_posted_again_after_its_delete_can_be_deleted_again(user_client, session, ninety):
    token = uuid.uuid4()
    data = {
        "item": ninety.pk, "set_number": 1, "side": Side.LEFT, "client_token": str(token),
        "reps": 1, "hold_seconds": 20,
    }  # fmt: skip
    url = reverse("programs-log-set", args=[session.pk])
    for _ in range(2):  # Back and post the same form again, without the script
        assert user_client.post(url, data).status_code == 303
        log = SetLog.objects.get(client_token=token)
        response = user_client.post(reverse("programs-delete-set", args=[session.pk, log.pk]))
        assert response.status_code == 303
    assert not SetLog.objects.filter(item=ninety).exists()
    assert DeletedSet.objects.filter(client_token=token).count() == 1


def test_undo_does_not_put_a_set_back_into_an_exercise_skipped_since(user_client, session, ninety):
    log = SetLogFactory(item=ninety, set_number=1, side=Side.LEFT)
    delete(user_client, session, log)
    user_client.post(reverse("programs-skip", args=[session.pk, ninety.pk]), {"reason": "pain"})
    response = undo(user_client, session, DeletedSet.objects.get())
    assert response.status_code == 422
    assert "is skipped now" in response.content.decode()
    assert not SetLog.objects.filter(item=ninety).exists()


def test_a_set_resent_from_the_browser_gets_the_whole_player_back(user_client, session, bridge):
    response = log_set(user_client, session, bridge, side=Side.NONE)
    assert 'id="player"' not in response.content.decode()  # the card alone, for the same page
    data = {
        "item": bridge.pk, "set_number": 2, "side": Side.NONE,
        "client_token": str(uuid.uuid4()), "reps": 10, "hold_seconds": 0, "whole": "1",
    }  # fmt: skip
    url = reverse("programs-log-set", args=[session.pk])
    response = user_client.post(url, data, headers=HTMX)
    # Sent from a page that may show another exercise: never a card for the wrong page.
    assert 'id="player"' in response.content.decode()


def test_the_session_page_counts_a_skip_against_the_whole_plan(user_client, session, ninety):
    from tests.factories import finish_session

    user_client.post(reverse("programs-skip", args=[session.pk, ninety.pk]), {"reason": "pain"})
    finish_session(session)
    body = user_client.get(reverse("programs-session", args=[session.pk])).content.decode()
    assert "of 20 planned" in body and "(6 skipped)" in body
    history = user_client.get(reverse("programs-history"))
    row = next(s for s in shown(history, "page") if s.pk == session.pk)
    assert row.sets_planned == 20
