"""The benchmark's data, and what it measures from inside Django. Run by bench/run.py.

    seed.py history               two years of history (300 sessions), and people with 10 and 100
    seed.py loggers COUNT FILE    COUNT people mid-session, their unlogged sets written for wrk
    seed.py queries               queries and render time of each page, 10, 100 and 300 sessions

Each prints one JSON object on its last line. Rows go in with bulk_create: 300 sessions and
6,000 sets take about a second, where the views one by one would take minutes.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamstrings.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from programs.models import (  # noqa: E402
    ChangeKind,
    Outcome,
    Plan,
    PlanChange,
    Program,
    Screening,
    SelfTest,
    SessionExercise,
    SessionStatus,
    SetLog,
    TiltAnswer,
    Track,
    WorkoutSession,
)

PASSWORD = "bench-password-not-secret-4217"
MAIN = "bench-two-years"
SMALL = "bench-ten-sessions"
MIDDLE = "bench-hundred-sessions"
BACKEND = "django.contrib.auth.backends.ModelBackend"
# Shares of a history spent in the first two stages; the rest is in the last one. The same shares
# for 10 and for 300 sessions, so both people have done the same exercises and the history page
# differs only in how much history it summarises.
STAGE_SHARES = (0.2, 0.3)


def main() -> None:
    command, *args = sys.argv[1:] or ["history"]
    result = {"history": seed_history, "loggers": seed_loggers, "queries": measure_queries}[
        command
    ](*args)
    if connection.vendor == "postgresql":
        # As autovacuum would soon after a bulk load: fresh statistics, so the measured plans
        # are the ones a running server uses.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(json.dumps(result))


# --- people ------------------------------------------------------------------------------------


def _person(username: str, password: str | None = None) -> User:
    User.objects.filter(username=username).delete()
    user = User(username=username)
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    return user


def _cookie_for(users: list[User]) -> dict[int, str]:
    """A signed-in session for each person, written straight to the session table."""
    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    rows, keys = [], {}
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: BACKEND,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys[user.pk] = key
    Session.objects.bulk_create(rows, batch_size=500)
    return keys


def _plan_for(user: User, stage_number: int = 1) -> Plan:
    program = Program.objects.get(track=Track.LENGTHEN)
    screening = Screening.objects.create(
        user=user, pelvic_tilt=TiltAnswer.NO, outcome=Outcome.LENGTHEN
    )
    stage = program.stages.get(number=stage_number)
    return Plan.objects.create(user=user, program=program, stage=stage, screening=screening)


_PRESCRIPTIONS: dict[int, list] = {}


def _items(session: WorkoutSession, day) -> list[SessionExercise]:
    if day.pk not in _PRESCRIPTIONS:
        _PRESCRIPTIONS[day.pk] = list(day.prescriptions.select_related("exercise"))
    return [
        SessionExercise.prescribed(session, order, p.exercise, p.dose)
        for order, p in enumerate(_PRESCRIPTIONS[day.pk], start=1)
    ]


def _logs(item: SessionExercise, when, rng: random.Random, skip: int = 0) -> list[SetLog]:
    slots = item.slots()
    return [
        SetLog(
            item=item,
            set_number=n,
            side=side,
            reps=item.reps,
            hold_seconds=max(0, item.hold_seconds + rng.randint(-3, 3)) if item.hold_seconds else 0,
            logged_at=when + timedelta(seconds=40 * i),
        )
        for i, (n, side) in enumerate(slots[: len(slots) - skip])
    ]


# --- two years of history ----------------------------------------------------------------------


@transaction.atomic
def _history(user: User, sessions: int, days_back: int, rng: random.Random) -> Plan:
    """`sessions` finished sessions spread over `days_back` days, moving up the stages."""
    plan = _plan_for(user)
    plan.created_at = timezone.now() - timedelta(days=days_back + 1)
    program = plan.program
    stages = list(program.stages.prefetch_related("days"))
    plan.save(update_fields=["created_at"])
    PlanChange.objects.create(
        plan=plan,
        kind=ChangeKind.START,
        to_stage=stages[0],
        reason="Bench.",
        created_at=plan.created_at,
    )

    # At least a full round of each stage's days, however short the history.
    limits = _cumulative(tuple(max(3, round(share * sessions)) for share in STAGE_SHARES))
    rows, stage_of = [], []
    start = timezone.now() - timedelta(days=days_back)
    for n in range(sessions):
        passed = sum(1 for limit in limits if n >= limit)
        stage = stages[min(passed, len(stages) - 1)]
        days = list(stage.days.all())
        when = start + timedelta(days=days_back * n / sessions, hours=rng.randint(7, 20))
        pain_before = rng.randint(1, 5)
        rows.append(
            WorkoutSession(
                user=user,
                plan=plan,
                day=days[n % len(days)],
                stage=stage,
                status=SessionStatus.FINISHED,
                started_at=when,
                local_date=when.date(),
                finished_at=when + timedelta(minutes=rng.randint(15, 30)),
                pain_before=pain_before,
                pain_after=max(0, pain_before + rng.choice([-2, -1, -1, 0, 0, 0, 1])),
            )
        )
        stage_of.append(stage)
    WorkoutSession.objects.bulk_create(rows, batch_size=500)

    items = []
    for session in rows:
        items += _items(session, session.day)
    SessionExercise.objects.bulk_create(items, batch_size=1000)

    logs = []
    for item in items:
        # Now and then a set is left out, as happens in real life.
        logs += _logs(item, item.session.started_at, rng, skip=1 if rng.random() < 0.05 else 0)
    SetLog.objects.bulk_create(logs, batch_size=2000)

    for previous, following, session in zip(stage_of, stage_of[1:], rows[1:], strict=False):
        if previous != following:
            PlanChange.objects.create(
                plan=plan,
                session=session,
                kind=ChangeKind.ADVANCE,
                from_stage=previous,
                to_stage=following,
                reason="Bench: moved up.",
                created_at=session.started_at,
            )
    # A made-up history written as a whole, as the factories do: the care rules are exercised
    # by the tests, not by the benchmark's data.
    plan.stage = stage_of[-1]
    plan.stage_entered_at = next(
        (s.started_at for s, stage in zip(rows, stage_of, strict=True) if stage == plan.stage),
        plan.created_at,
    )
    plan.save(update_fields=["stage", "stage_entered_at"])

    SelfTest.objects.bulk_create(
        SelfTest(
            user=user,
            taken_at=start + timedelta(days=14 * k),
            left_angle=min(100, 50 + k // 3),
            right_angle=min(100, 52 + k // 3),
        )
        for k in range(days_back // 14)
    )
    return plan


def _cumulative(counts: tuple[int, ...]) -> list[int]:
    total, out = 0, []
    for count in counts:
        total += count
        out.append(total)
    return out


def _open_session(user: User, plan: Plan, rng: random.Random) -> WorkoutSession:
    """Today's session, two sets in: what the player page shows mid-session."""
    session = WorkoutSession.objects.create(
        user=user,
        plan=plan,
        day=plan.next_day(),
        stage=plan.stage,
        pain_before=2,
        local_date=timezone.localdate(),
    )
    items = SessionExercise.objects.bulk_create(_items(session, session.day))
    SetLog.objects.bulk_create(_logs(items[0], timezone.now() - timedelta(minutes=2), rng)[:2])
    return session


def seed_history() -> dict:
    rng = random.Random(42)
    main_user = _person(MAIN, PASSWORD)
    small_user = _person(SMALL)
    middle_user = _person(MIDDLE)
    started = time.perf_counter()
    plan = _history(main_user, 300, 730, rng)
    _history(small_user, 10, 24, rng)
    _history(middle_user, 100, 243, rng)
    session = _open_session(main_user, plan, rng)
    cookies = _cookie_for([small_user])
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "main": {"username": MAIN, "password": PASSWORD, "open_session": session.pk},
        "small": {"cookie": cookies[small_user.pk]},
        "sessions": WorkoutSession.objects.filter(user=main_user).count(),
        "sets": SetLog.objects.filter(item__session__user=main_user).count(),
    }


# --- people mid-session, for the log-a-set POST ------------------------------------------------


@transaction.atomic
def seed_loggers(count: str, out: str) -> dict:
    """COUNT people each with an open session; every set not yet logged becomes one POST.

    One session per person (the model allows one open session each), so wrk's requests never
    fight over a slot: each POST is a new set, as in real use, never a duplicate.
    """
    count_n = int(count)
    prefix = f"bench-logger-{get_random_string(6).lower()}-"
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{n}", password="!") for n in range(count_n)], batch_size=500
    )
    program = Program.objects.get(track=Track.LENGTHEN)
    stage = program.first_stage()
    day = stage.days.order_by("number").first()
    plans = Plan.objects.bulk_create(
        [Plan(user=u, program=program, stage=stage) for u in users], batch_size=500
    )
    sessions = WorkoutSession.objects.bulk_create(
        [
            WorkoutSession(user=u, plan=p, day=day, stage=stage, pain_before=2)
            for u, p in zip(users, plans, strict=True)
        ],
        batch_size=500,
    )
    items = []
    for session in sessions:
        items += _items(session, day)
    SessionExercise.objects.bulk_create(items, batch_size=1000)
    cookies = _cookie_for(users)

    by_session: dict[int, list[SessionExercise]] = {}
    for item in items:
        by_session.setdefault(item.session_id, []).append(item)
    queues = []
    for session in sessions:
        cookie = cookies[session.user_id]
        path = reverse("programs-log-set", args=[session.pk])
        slots = [(item, n, side) for item in by_session[session.pk] for n, side in item.slots()]
        # `listed`: how many sets the screen shows, as the player posts it.
        queues.append(
            [
                f'{{"{path}","{cookie}","item={item.pk}&set_number={number}&side={side}'
                f'&reps={item.reps}&hold_seconds={item.hold_seconds}&listed={listed}"}},'
                for listed, (item, number, side) in enumerate(slots)
            ]
        )
    # Round-robin over the people: each logs its sets in order, one at a time, as a person
    # would, while wrk's connections carry many people at once.
    lines = ["return {"]
    for k in range(max(len(q) for q in queues)):
        lines += [queue[k] for queue in queues if k < len(queue)]
    lines.append("}")
    Path(out).write_text("\n".join(lines) + "\n")
    return {"people": count_n, "slots": len(lines) - 2}


# --- queries and render time, from inside ------------------------------------------------------


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _data_queries(captured) -> int:
    """Queries that read or write data; BEGIN and COMMIT are not counted."""
    return sum(1 for q in captured if not q["sql"].upper().startswith(TRANSACTION_CONTROL))


def _measure(client: Client, url: str, runs: int = 15, fresh: bool = False) -> dict:
    """Queries and median time of a page seen again; `fresh`: drawn with an empty cache."""
    client.get(url)  # the first visit after the seed draws and caches what it may
    if fresh:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = _data_queries(captured)  # now: the next request clears the log
    times = []
    for _ in range(runs):
        if fresh:
            cache.clear()
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "status": response.status_code,
        "queries": queries,
        "ms": round(statistics.median(times), 2),
        "bytes": len(response.content),
    }


def _measure_log_set() -> dict:
    """A set logged with more of the same exercise to do, by a person mid-session."""
    seed_loggers("3", os.devnull)
    user = User.objects.filter(username__startswith="bench-logger-").order_by("-pk").first()
    session = WorkoutSession.objects.in_progress().get(user=user)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend=BACKEND)
    item = next(i for i in session.items.order_by("order") if i.planned_set_count > 2)
    url = reverse("programs-log-set", args=[session.pk])
    results = []
    before = SetLog.objects.filter(item__session=session).count()
    for listed, (number, side) in enumerate(item.slots()[:-1], start=before):
        body = {
            "listed": listed,
            "item": item.pk,
            "set_number": number,
            "side": side,
            "reps": item.reps,
            "hold_seconds": item.hold_seconds,
            "client_token": get_random_string(32, "0123456789abcdef"),
        }
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(url, body, headers={"HX-Request": "true"})
            ms = (time.perf_counter() - started) * 1000
        results.append((response, _data_queries(captured), ms))
    response = results[-1][0]
    return {
        "status": response.status_code,
        "queries": max(q for _, q, _ in results),
        "ms": round(statistics.median(ms for *_, ms in results), 2),
        "bytes": max(len(r.content) for r, _, _ in results),
        "gzip_bytes": max(len(gzip.compress(r.content)) for r, _, _ in results),
    }


def measure_queries() -> dict:
    main_user = User.objects.get(username=MAIN)
    session = WorkoutSession.objects.in_progress().get(user=main_user)
    results = {}
    people = (("10 sessions", SMALL), ("100 sessions", MIDDLE), ("300 sessions", MAIN))
    for label, username in people:
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend=BACKEND)
        results[f"history, {label}"] = _measure(client, reverse("programs-history"))
        results[f"history drawn afresh, {label}"] = _measure(
            client, reverse("programs-history"), fresh=True
        )
        results[f"dashboard, {label}"] = _measure(client, reverse("programs-dashboard"))
        results[f"dashboard drawn afresh, {label}"] = _measure(
            client, reverse("programs-dashboard"), fresh=True
        )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(main_user, backend=BACKEND)
    for name, url in (
        ("player", reverse("programs-player", args=[session.pk])),
        ("plan", reverse("programs-plan")),
    ):
        results[name] = _measure(client, url)
        results[f"{name} drawn afresh"] = _measure(client, url, fresh=True)
    results["log a set (same exercise next)"] = _measure_log_set()
    return results


if __name__ == "__main__":
    main()
