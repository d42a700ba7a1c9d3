"""Sets logged at the same moment into one session: none lost, none stored twice.

Real threads, each with its own database connection, against committed data (transaction=True),
so SQLite's write lock (WAL, BEGIN IMMEDIATE, busy timeout) and PostgreSQL's row locks and unique
constraints do the work, as they do under gunicorn. CI runs this module on both databases.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from programs.models import SessionExercise, SetLog, WorkoutSession
from tests.factories import PlanFactory, UserFactory, WorkoutSessionFactory

BACKEND = "django.contrib.auth.backends.ModelBackend"

pytestmark = pytest.mark.django_db(transaction=True)


def _in_parallel(jobs: list[Callable[[], object]]) -> list[object]:
    """Run every job in its own thread, all released at once; return results in order."""
    start = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            start.wait(timeout=30)
            results[index] = job()
        except Exception as exc:  # reported by the test, not lost in the thread
            results[index] = exc
        finally:
            # Each thread opened its own connection; close it so the test database can go.
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


@pytest.fixture
def session_in_progress() -> tuple[WorkoutSession, dict]:
    user = UserFactory()
    session = WorkoutSessionFactory(user=user, plan=PlanFactory(user=user))
    signed_in = Client()
    signed_in.force_login(user, backend=BACKEND)
    return session, dict(signed_in.cookies.items())


def _poster(session: WorkoutSession, cookies: dict, form: dict) -> Callable[[], int]:
    def post() -> int:
        client = Client()
        for name, morsel in cookies.items():
            client.cookies[name] = morsel.value
        response = client.post(
            reverse("programs-log-set", args=[session.pk]), form, headers={"hx-request": "true"}
        )
        return response.status_code

    return post


def _form(item: SessionExercise, number: int, side: str, token: uuid.UUID | None = None) -> dict:
    return {
        "item": item.pk,
        "set_number": number,
        "side": side,
        "reps": item.reps,
        "hold_seconds": item.hold_seconds,
        "client_token": str(token or uuid.uuid4()),
    }


def _stored(session: WorkoutSession) -> Counter:
    return Counter(
        SetLog.objects.filter(item__session=session).values_list("item_id", "set_number", "side")
    )


def test_each_thread_talks_to_the_real_database_over_its_own_connection():
    # Everyone keeps their connection open until all have one, so no id is reused.
    all_connected = threading.Barrier(4)

    def whoami() -> object:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_backend_pid()")
                who = cursor.fetchone()[0]
            else:
                cursor.execute("PRAGMA journal_mode")
                # In memory there would be no WAL and no locking between connections to test.
                assert cursor.fetchone()[0] == "wal"
                assert not connection.is_in_memory_db()
                who = id(connection.connection)
        all_connected.wait(timeout=30)
        return who

    seen = _in_parallel([whoami] * 4)

    assert not any(isinstance(x, Exception) for x in seen), seen
    assert len(set(seen)) == 4


def test_every_set_of_a_session_logged_at_once_is_stored_exactly_once(session_in_progress):
    session, cookies = session_in_progress
    slots = [(item, n, side) for item in session.items.all() for n, side in item.slots()]
    assert len(slots) >= 10

    statuses = _in_parallel([_poster(session, cookies, _form(*slot)) for slot in slots])

    assert statuses == [200] * len(slots)
    stored = _stored(session)
    assert set(stored) == {(item.pk, n, side) for item, n, side in slots}
    assert max(stored.values()) == 1


def test_a_set_posted_many_times_at_once_with_one_token_is_stored_once(session_in_progress):
    session, cookies = session_in_progress
    item = session.items.order_by("order").first()
    number, side = item.slots()[0]
    form = _form(item, number, side)

    statuses = _in_parallel([_poster(session, cookies, form) for _ in range(8)])

    # Every retry of the same set succeeds: the browser may resend after a lost answer.
    assert statuses == [200] * 8
    assert list(_stored(session).items()) == [((item.pk, number, side), 1)]
    assert SetLog.objects.filter(client_token=form["client_token"]).count() == 1


def test_the_same_set_from_two_tabs_with_different_tokens_is_stored_once(session_in_progress):
    session, cookies = session_in_progress
    item = session.items.order_by("order").first()
    number, side = item.slots()[0]

    statuses = _in_parallel(
        [_poster(session, cookies, _form(item, number, side)) for _ in range(6)]
    )

    # One tab wins; the others are told the set is already logged, and nothing doubles.
    assert sorted(statuses) == [200] + [422] * 5
    assert list(_stored(session).items()) == [((item.pk, number, side), 1)]


def test_retries_mixed_with_new_sets_lose_nothing_and_double_nothing(session_in_progress):
    session, cookies = session_in_progress
    slots = [(item, n, side) for item in session.items.all() for n, side in item.slots()]
    forms = [_form(*slot) for slot in slots]
    # Every set twice, with its own token both times: a double tap on every button.
    jobs = [_poster(session, cookies, form) for form in forms + forms]

    statuses = _in_parallel(jobs)

    assert statuses == [200] * len(jobs)
    stored = _stored(session)
    assert sum(stored.values()) == len(slots)
    assert max(stored.values()) == 1


def test_four_reminder_senders_at_once_send_one_mail():
    import datetime as dt

    import time_machine
    from django.core import mail

    from programs.schedule.models import Schedule, SentReminder
    from programs.schedule.reminders import send_due
    from tests.factories import screen

    user = UserFactory()
    screen(user)
    Schedule.objects.create(
        user=user,
        days=Schedule.bits(range(7)),
        time=dt.time(7, 0),
        reminders=True,
        reminder_email="me@example.org",
        verified_email="me@example.org",
    )
    mail.outbox = []
    with time_machine.travel(dt.datetime(2026, 3, 9, 7, 5, tzinfo=dt.UTC), tick=False):
        results = _in_parallel([send_due] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.sent for r in results) == [0, 0, 0, 1]
    assert len(mail.outbox) == 1
    assert SentReminder.objects.filter(user=user).count() == 1
