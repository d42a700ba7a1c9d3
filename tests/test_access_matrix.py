"""Every URL that takes the id of a personal record, asked for by someone else, answers 404
(405 where the method is never allowed) exactly as for an id that does not exist, and changes
nothing. The same request from the owner works, so a 404 here means ownership, not bad input."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from programs.models import (
    DeletedSet,
    Plan,
    PlanChange,
    Screening,
    SelfTest,
    SessionExercise,
    SetLog,
    SummaryShare,
    WorkoutSession,
)
from tests.factories import (
    PlanFactory,
    ScreeningFactory,
    SetLogFactory,
    UserFactory,
    WorkoutSessionFactory,
    finished_session,
)

PERSONAL = [
    User, Screening, SelfTest, Plan, PlanChange, WorkoutSession, SessionExercise, SetLog, DeletedSet,
    SummaryShare,
]  # fmt: skip
BACKEND = "django.contrib.auth.backends.ModelBackend"
NEVER = 999_999_999  # an id no row has


@dataclass
class World:
    owner: User
    screening: Screening
    open_session: WorkoutSession
    item: SessionExercise  # not complete, so it can be skipped or logged
    logged: SetLog  # a set of the open session, to edit or delete
    finished: WorkoutSession
    outsider_session: WorkoutSession
    outsider_item: SessionExercise
    outsider_set: SetLog
    deleted: DeletedSet  # a set deleted from the open session, its undo still offered
    outsider_deleted: DeletedSet
    share: SummaryShare  # a link to the owner's summary, still open


def _make_world() -> World:
    owner = UserFactory()
    screening = ScreeningFactory(user=owner)
    plan = PlanFactory(user=owner, screening=screening)
    finished = finished_session(plan)
    open_session = WorkoutSessionFactory(user=owner, plan=plan)
    items = list(open_session.items.order_by("order"))
    first = items[0]
    number, side = first.slots()[0]
    logged = SetLog.objects.create(
        item=first, set_number=number, side=side, reps=first.reps, hold_seconds=first.hold_seconds
    )
    outsider = UserFactory()
    outsider_session = WorkoutSessionFactory(user=outsider, plan=PlanFactory(user=outsider))
    outsider_item = outsider_session.items.order_by("order").first()
    outsider_set = SetLogFactory(item=outsider_item, side=outsider_item.sides[0])
    second = items[2]
    deleted = DeletedSet.keep(SetLogFactory.build(item=second, set_number=1, side=second.sides[0]))
    outsider_deleted = DeletedSet.keep(
        SetLogFactory.build(item=outsider_item, set_number=2, side=outsider_item.sides[0])
    )
    return World(
        owner=owner,
        screening=screening,
        open_session=open_session,
        item=items[1],
        logged=logged,
        finished=finished,
        outsider_session=outsider_session,
        outsider_item=outsider_item,
        outsider_set=outsider_set,
        deleted=deleted,
        outsider_deleted=outsider_deleted,
        share=SummaryShare.objects.create(
            user=owner,
            weeks=6,
            period_end=timezone.now().date(),
            expires_at=timezone.now() + dt.timedelta(days=30),
        ),
    )


def _log_set_form(w: World) -> dict:
    number, side = w.item.slots()[0]
    return {
        "item": w.item.pk,
        "set_number": number,
        "side": side,
        "reps": w.item.reps,
        "hold_seconds": w.item.hold_seconds,
        "client_token": str(uuid.uuid4()),
    }


# Each personal URL: how to build it from the world, and a form the owner could post to it.
ROUTES = {
    "programs-screening-result": (lambda w: {"screening_id": w.screening.pk}, lambda w: {}),
    "programs-player": (lambda w: {"session_id": w.open_session.pk}, lambda w: {}),
    "programs-log-set": (lambda w: {"session_id": w.open_session.pk}, _log_set_form),
    "programs-edit-set": (
        lambda w: {"session_id": w.open_session.pk, "set_id": w.logged.pk},
        lambda w: {"reps": 3, "hold_seconds": 7},
    ),
    "programs-delete-set": (
        lambda w: {"session_id": w.open_session.pk, "set_id": w.logged.pk},
        lambda w: {},
    ),
    "programs-undo-delete": (
        lambda w: {"session_id": w.open_session.pk, "deleted_id": w.deleted.pk},
        lambda w: {},
    ),
    "programs-skip": (
        lambda w: {"session_id": w.open_session.pk, "item_id": w.item.pk},
        lambda w: {"reason": "time"},
    ),
    "programs-finish": (
        lambda w: {"session_id": w.open_session.pk},
        lambda w: {"pain_after": "2", "note": "fine"},
    ),
    "programs-session": (lambda w: {"session_id": w.finished.pk}, lambda w: {}),
    "programs-summary-revoke": (lambda w: {"share_id": w.share.pk}, lambda w: {}),
}


def snapshot() -> dict[str, list[dict]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in PERSONAL}


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def _send(client: Client, method: str, url: str, form: dict, htmx: bool = False):
    headers = {"hx-request": "true"} if htmx else {}
    if method == "GET":
        return client.get(url, headers=headers)
    return client.post(url, form, headers=headers)


def _with(kwargs: dict, **replace: int) -> dict:
    return {name: replace.get(name, value) for name, value in kwargs.items()}


def _owner_method(name: str) -> str:
    return (
        "GET"
        if name in {"programs-screening-result", "programs-player", "programs-session"}
        else "POST"
    )


def _id_routes(resolver: URLResolver | None = None) -> set[str]:
    """Names of every route with an integer id in it, anywhere in the URL configuration."""
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if not str(entry.pattern).startswith("admin/"):
                names |= _id_routes(entry)
        elif isinstance(entry, URLPattern) and "<int:" in str(entry.pattern):
            names.add(entry.name)
    return names


def test_the_matrix_covers_every_url_that_takes_an_id():
    assert _id_routes() == set(ROUTES)


CASES = [(name, method) for name in ROUTES for method in ("GET", "POST")]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), CASES)
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_another_persons_id_answers_like_a_missing_one_and_changes_nothing(name, method, htmx):
    w = _make_world()
    kwargs, form = ROUTES[name][0](w), ROUTES[name][1](w)
    stranger = _signed_in(UserFactory())
    missing_url = reverse(name, kwargs={k: NEVER for k in kwargs})
    expected = _send(stranger, method, missing_url, form, htmx).status_code
    assert expected in (404, 405)
    before = snapshot()

    response = _send(stranger, method, reverse(name, kwargs=kwargs), form, htmx)

    assert response.status_code == expected
    assert snapshot() == before


INNER_ID_ROUTES = [
    "programs-edit-set",
    "programs-delete-set",
    "programs-undo-delete",
    "programs-skip",
]
SESSION_ROUTES = [
    name for name in ROUTES if name not in ("programs-screening-result", "programs-summary-revoke")
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", INNER_ID_ROUTES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_foreign_set_or_item_under_ones_own_session_is_not_found(name, method):
    w = _make_world()
    kwargs, form = ROUTES[name][0](w), ROUTES[name][1](w)
    mixed = _with(
        kwargs,
        set_id=w.outsider_set.pk,
        item_id=w.outsider_item.pk,
        deleted_id=w.outsider_deleted.pk,
    )
    owner = _signed_in(w.owner)
    before = snapshot()

    response = _send(owner, method, reverse(name, kwargs=mixed), form)

    assert response.status_code in (404, 405)
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", SESSION_ROUTES)
def test_someone_elses_session_id_with_ones_own_inner_id_is_not_found(name):
    w = _make_world()
    kwargs, form = ROUTES[name][0](w), ROUTES[name][1](w)
    crossed = _with(kwargs, session_id=w.outsider_session.pk)
    owner = _signed_in(w.owner)
    before = snapshot()

    response = _send(owner, _owner_method(name), reverse(name, kwargs=crossed), form)

    assert response.status_code in (404, 405)
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), CASES)
def test_anonymous_visitors_are_sent_to_log_in_and_change_nothing(name, method, client):
    w = _make_world()
    kwargs, form = ROUTES[name][0](w), ROUTES[name][1](w)
    before = snapshot()

    response = _send(client, method, reverse(name, kwargs=kwargs), form)

    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(ROUTES))
def test_the_owner_gets_the_same_request_answered(name):
    """The control: the request the stranger was refused works for the owner."""
    w = _make_world()
    kwargs, form = ROUTES[name][0](w), ROUTES[name][1](w)
    method = _owner_method(name)
    before = snapshot()

    response = _send(_signed_in(w.owner), method, reverse(name, kwargs=kwargs), form)

    assert response.status_code in (200, 302, 303), response.content[:500]
    if method == "POST":
        assert snapshot() != before, f"{name}: the owner's POST should have changed something"
