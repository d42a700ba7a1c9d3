import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from programs.models import (
    Plan,
    PlanChange,
    Screening,
    SelfTest,
    SessionExercise,
    SetLog,
    WorkoutSession,
)
from tests.factories import PASSWORD, PlanFactory, SelfTestFactory, finished_session

URL = reverse("programs-delete-account")


def _rows(user) -> dict[str, int]:
    return {
        "plans": Plan.objects.filter(user=user).count(),
        "changes": PlanChange.objects.filter(plan__user=user).count(),
        "screenings": Screening.objects.filter(user=user).count(),
        "self_tests": SelfTest.objects.filter(user=user).count(),
        "sessions": WorkoutSession.objects.filter(user=user).count(),
        "items": SessionExercise.objects.filter(session__user=user).count(),
        "sets": SetLog.objects.filter(item__session__user=user).count(),
    }


def _logged_in_sessions(user) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


@pytest.fixture
def records(user, other_user):
    for person in (user, other_user):
        plan = PlanFactory(user=person)
        finished_session(plan)
        SelfTestFactory(user=person)


BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def logged_in(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def test_it_needs_login(client):
    assert client.get(URL).status_code == 302


def test_it_asks_for_the_password_and_a_confirmation(logged_in):
    response = logged_in.get(URL)
    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert b'name="confirm"' in response.content
    assert b"Download as CSV" in response.content


def test_a_get_never_deletes_anything(logged_in, user, records):
    before = _rows(user)
    logged_in.get(URL, {"password": PASSWORD, "confirm": "on"})
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert _rows(user) == before


def test_a_wrong_password_changes_nothing(logged_in, user, records):
    before = _rows(user)
    response = logged_in.post(URL, {"password": "not-my-password", "confirm": "on"})
    assert response.status_code == 400
    assert b"That password is not right. Nothing was deleted." in response.content
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert _rows(user) == before
    assert logged_in.get(reverse("programs-history")).status_code == 200


def test_without_the_confirmation_nothing_is_deleted(logged_in, user, records):
    before = _rows(user)
    response = logged_in.post(URL, {"password": PASSWORD})
    assert response.status_code == 400
    assert b"Tick the box to confirm" in response.content
    assert _rows(user) == before


def test_it_deletes_every_row_of_mine_and_nobody_elses(logged_in, user, other_user, records):
    mine_before = _rows(user)
    assert all(mine_before.values())
    theirs = _rows(other_user)
    response = logged_in.post(URL, {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("programs-home")
    assert b"all your records have been deleted" in response.content
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert set(_rows(user).values()) == {0}
    assert _rows(other_user) == theirs


def test_it_ends_every_one_of_my_sessions(logged_in, user, other_user, records):
    # Logged in on a second device through the login form, as a person would.
    phone = Client()
    phone.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    someone_else = Client()
    someone_else.force_login(other_user, backend=BACKEND)
    assert _logged_in_sessions(user) == 2
    assert AccessLog.objects.filter(username=user.username).exists()

    logged_in.post(URL, {"password": PASSWORD, "confirm": "on"})

    assert _logged_in_sessions(user) == 0
    # The login records kept under the username go with the account.
    assert not AccessLog.objects.filter(username=user.username).exists()
    assert _logged_in_sessions(other_user) == 1
    history = reverse("programs-history")
    for client in (logged_in, phone):
        response = client.get(history)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    assert someone_else.get(history).status_code == 200
