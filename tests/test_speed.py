"""Speed without staleness: what is cached always equals what would be drawn from scratch, and
the hot paths keep their query counts and the size of their answers whatever the history.

Timing is never judged here (`make bench` measures it); these tests hold the shape that makes
the pages fast, and the rule that makes the caching safe.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import uuid
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from hamstrings.template_loaders import compact, is_compacted
from programs.models import (
    Exercise,
    SessionExercise,
    SetLog,
    Side,
    Step,
    WorkoutSession,
)
from tests.factories import UserFactory, build_history

BACKEND = "django.contrib.auth.backends.ModelBackend"
START = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Made afresh on every response: the CSRF token masked anew, a new token for the next set.
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|client_token" value=")[^"]+')
# Shown once, by whichever of the two drawings comes first.
MESSAGES = re.compile(r'<ul class="messages".*?</ul>', re.S)


def same_page(html: bytes) -> str:
    return re.sub(r"\s+", " ", MESSAGES.sub("", CSRF.sub(r"\1…", html.decode())))


def data_queries(captured) -> list[str]:
    """The queries that read or write data: BEGIN, COMMIT and savepoints are not counted."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [q["sql"] for q in captured if not q["sql"].upper().startswith(control)]


# --- the rule that makes the caching safe -------------------------------------------------------


class CachedPagesMachine(RuleBasedStateMachine):
    """Everything a person can do between two looks at their history, through the pages.

    After every step the history page as served (regions from the cache where their version
    is current) must equal the page drawn with no cache at all, and the player likewise. A
    write path that forgot to move the person's version on, or a content edit that did not
    move the content's, shows up here as a stale page.
    """

    def __init__(self) -> None:
        super().__init__()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # The examples share one test transaction: each starts from an empty cache, so a
        # stale page is found in the example that made it stale.
        cache.clear()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        self.user = UserFactory()
        self.client = Client()
        self.client.force_login(self.user, backend=BACKEND)

    def teardown(self) -> None:
        self.traveller.stop()

    def open_session(self) -> WorkoutSession | None:
        return WorkoutSession.objects.in_progress().filter(user=self.user).first()

    def logged(self) -> list[SetLog]:
        session = self.open_session()
        if session is None:
            return []
        return list(SetLog.objects.filter(item__session=session).order_by("pk"))

    def post(self, name: str, *args, data: dict | None = None, htmx: bool = False):
        headers = {"HX-Request": "true"} if htmx else {}
        response = self.client.post(reverse(name, args=args), data or {}, headers=headers)
        assert response.status_code < 500
        self.clock.shift(dt.timedelta(seconds=3))
        return response

    @initialize(zone=st.sampled_from(["UTC", "Pacific/Auckland"]))
    def screen_and_get_a_plan(self, zone: str) -> None:
        self.post("programs-time-zone", data={"time_zone": zone})
        data = {
            "recent_injury": "no",
            "pelvic_tilt": "no",
            "disc_problems": "no",
            "left_angle": "50",
            "right_angle": "55",
            "no_red_flags": "on",
        }
        self.post("programs-screening", data=data)

    @rule(pain=st.integers(0, 6))
    def start(self, pain: int) -> None:
        self.post("programs-start", data={"pain_before": pain, "dose": "usual"})

    @rule(htmx=st.booleans(), short=st.booleans())
    def log_the_next_set(self, htmx: bool, short: bool) -> None:
        session = self.open_session()
        slot = session and session.current_slot()
        if slot is None:
            return
        item = slot.item
        data = {
            "item": item.pk,
            "set_number": slot.set_number,
            "side": slot.side,
            "reps": max(1, item.reps - 1) if short else item.reps,
            "hold_seconds": max(1, item.hold_seconds // 2) if short else item.hold_seconds,
            "client_token": uuid.uuid4().hex,
        }
        self.post("programs-log-set", session.pk, data=data, htmx=htmx)

    @rule(data=st.data())
    def change_a_set(self, data) -> None:
        logs = self.logged()
        if not logs:
            return
        log = data.draw(st.sampled_from(logs))
        amounts = {"reps": log.reps + 1, "hold_seconds": log.hold_seconds + 1}
        self.post("programs-edit-set", log.item.session_id, log.pk, data=amounts)

    @rule(data=st.data())
    def delete_a_set(self, data) -> None:
        logs = self.logged()
        if not logs:
            return
        log = data.draw(st.sampled_from(logs))
        self.post("programs-delete-set", log.item.session_id, log.pk, htmx=True)

    @rule()
    def undo_the_delete(self) -> None:
        from programs.models import DeletedSet

        deleted = DeletedSet.objects.filter(item__session__user=self.user).last()
        if deleted is not None:
            self.post("programs-undo-delete", deleted.item.session_id, deleted.pk, htmx=True)

    @rule(data=st.data(), undo=st.booleans())
    def skip_or_take_back(self, data, undo: bool) -> None:
        session = self.open_session()
        if session is None:
            return
        item = data.draw(st.sampled_from(list(session.items.all())))
        form = {"undo": "1"} if undo else {"reason": "pain"}
        self.post("programs-skip", session.pk, item.pk, data=form)

    @rule(pain=st.integers(0, 8))
    def finish(self, pain: int) -> None:
        session = self.open_session()
        if session is not None:
            data = {"pain_after": pain, "steady_back": "yes"}
            self.post("programs-finish", session.pk, data=data)

    @rule(left=st.integers(30, 90), right=st.integers(30, 90))
    def self_test(self, left: int, right: int) -> None:
        self.post("programs-self-test", data={"left_angle": left, "right_angle": right})

    @rule(warning=st.booleans())
    def screen_again(self, warning: bool) -> None:
        data = {
            "recent_injury": "no",
            "pelvic_tilt": "no",
            "disc_problems": "no",
            "left_angle": "52",
            "right_angle": "56",
        }
        data |= {"red_flags": ["numbness"]} if warning else {"no_red_flags": "on"}
        self.post("programs-screening", data=data)

    @rule()
    def end_the_plan(self) -> None:
        self.post("programs-plan-end", data={"confirm": "yes"})

    @rule()
    def flare_up_and_over(self) -> None:
        self.post("programs-flare-up")
        self.post("programs-flare-up-over")

    @rule(zone=st.sampled_from(["UTC", "Pacific/Auckland", "America/Los_Angeles"]))
    def move_time_zone(self, zone: str) -> None:
        self.post("programs-time-zone", data={"time_zone": zone})

    @rule(days=st.sets(st.integers(0, 6), min_size=1), hour=st.integers(0, 23))
    def choose_session_days(self, days: set[int], hour: int) -> None:
        self.post("programs-schedule", data={"days": sorted(days), "time": f"{hour:02}:00"})

    @rule()
    def a_clinician_clears_them(self) -> None:
        today = dt.datetime.now(dt.UTC).date()
        self.post("programs-clearance", data={"seen_on": today.isoformat(), "confirm": "on"})

    # Seconds (a rest counting down), a quarter of an hour (an undo's window), hours and days
    # (a move of time zone settling, a day's session, rest days).
    @rule(
        gap=st.sampled_from(
            [dt.timedelta(seconds=5), dt.timedelta(seconds=40), dt.timedelta(minutes=16)]
            + [dt.timedelta(hours=hours) for hours in (1, 12, 24, 72)]
        )
    )
    def time_passes(self, gap: dt.timedelta) -> None:
        self.clock.shift(gap)

    @rule(data=st.data())
    def an_editor_changes_the_content(self, data) -> None:
        # As an edit in the admin does: saved through the model. A step of what the person is
        # doing now, if anything, so the edit is on the page being checked.
        session = self.open_session()
        steps = Step.objects.order_by("pk")
        if session is not None:
            slot = session.current_slot()
            item = slot.item if slot else session.items.first()
            steps = steps.filter(exercise=item.exercise_id)
        step = data.draw(st.sampled_from(list(steps[:40])))
        step.text = f"{step.text.rstrip('.')} (revised)."
        step.save()
        if data.draw(st.booleans()):
            exercise = step.exercise
            exercise.name = f"{exercise.name}*"
            exercise.save()

    def served_and_fresh(self, url: str, htmx: bool = False) -> tuple[str, str]:
        headers = {"HX-Request": "true"} if htmx else {}
        served = self.client.get(url, headers=headers)
        with override_settings(CACHES=NO_CACHE):
            fresh = self.client.get(url, headers=headers)
        assert served.status_code == fresh.status_code
        return same_page(served.content), same_page(fresh.content)

    @invariant()
    def the_dashboard_and_the_plan_are_never_stale(self) -> None:
        for name in ("programs-dashboard", "programs-plan"):
            served, fresh = self.served_and_fresh(reverse(name))
            assert served == fresh, f"{name} served from the cache differs from a fresh drawing"

    @invariant()
    def the_history_is_never_stale(self) -> None:
        served, fresh = self.served_and_fresh(reverse("programs-history"))
        assert served == fresh, "the history served from the cache differs from a fresh drawing"

    @invariant()
    def the_player_is_never_stale(self) -> None:
        session = self.open_session()
        if session is None:
            return
        url = reverse("programs-player", args=[session.pk])
        for address, htmx in ((url, False), (f"{url}?item=1", True)):
            served, fresh = self.served_and_fresh(address, htmx)
            assert served == fresh, f"the player at {address} served from the cache is stale"


CachedPagesMachine.TestCase.settings = settings(
    max_examples=10,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.django_db
def test_cached_pages_equal_pages_drawn_from_scratch_after_any_sequence():
    with override_settings(SESSION_COOKIE_AGE=10 * 365 * 24 * 3600):
        run_state_machine_as_test(CachedPagesMachine, settings=CachedPagesMachine.TestCase.settings)


# --- the shape of each hot path ----------------------------------------------------------------


def log_url(session) -> str:
    return reverse("programs-log-set", args=[session.pk])


def next_set(item: SessionExercise, number: int, side: str) -> dict:
    return {
        "item": item.pk,
        "set_number": number,
        "side": side,
        "reps": item.reps,
        "hold_seconds": item.hold_seconds,
        "client_token": uuid.uuid4().hex,
    }


def history_of(user, sessions: int) -> None:
    """More finished sessions before today's, made in bulk as a long history would be."""
    from programs.care.events import lock_person
    from programs.models import Plan

    if sessions <= 0:
        return
    plan = Plan.objects.filter(user=user).first()
    already = WorkoutSession.objects.filter(user=user).count()
    build_history(plan, sessions, days_back_from=already + 1)
    # Made behind the views' back: moved on as every write through them does.
    lock_person(user.pk)


@pytest.mark.parametrize("past", [0, 12])
def test_logging_a_set_reads_and_writes_six_times_at_most(user_client, user, session, ninety, past):
    history_of(user, past)
    user_client.post(
        log_url(session), next_set(ninety, 1, Side.LEFT), headers={"HX-Request": "true"}
    )
    with CaptureQueriesContext(connection) as captured:
        response = user_client.post(
            log_url(session), next_set(ninety, 1, Side.RIGHT), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    # The session and the user (every page's two), the person's lock, the items with their
    # session, their sets, the insert.
    assert len(data_queries(captured)) <= 6, data_queries(captured)


def test_the_answer_to_a_set_is_small_when_more_of_the_exercise_is_to_do(
    user_client, session, ninety
):
    sizes = []
    for listed, (number, side) in enumerate(ninety.slots()[:-1]):
        # As the screen posts it: with how many sets it shows.
        data = next_set(ninety, number, side) | {"listed": listed}
        response = user_client.post(log_url(session), data, headers={"HX-Request": "true"})
        assert response.headers["HX-Retarget"] == "#work-card"
        sizes.append((len(response.content), len(gzip.compress(response.content))))
    # On the wire (compressed, as the browser is sent it) at most 3 KB, however many sets
    # are logged already: a new row is added to the list, the list is not sent again.
    assert max(wire for _, wire in sizes) <= 3 * 1024, sizes
    assert max(raw for raw, _ in sizes) - min(raw for raw, _ in sizes) < 600, sizes


@pytest.mark.parametrize("page", ["programs-dashboard", "programs-plan", "programs-history"])
def test_a_page_runs_the_same_queries_for_a_long_history(user_client, user, session, page):
    url = reverse(page)
    counts = []
    for past in (2, 20):
        history_of(user, past - len(counts) * 2)
        user_client.get(url)  # drawn afresh once, after the change; then as most visits are
        with CaptureQueriesContext(connection) as captured:
            assert user_client.get(url).status_code == 200
        counts.append(len(data_queries(captured)))
    assert counts[0] == counts[1], counts


def test_a_history_seen_again_costs_three_queries(user_client, user, session):
    history_of(user, 20)
    user_client.get(reverse("programs-history"))
    with CaptureQueriesContext(connection) as captured:
        user_client.get(reverse("programs-history"))
    # The session and the user, and the versions of the record and the content.
    assert len(data_queries(captured)) == 3, data_queries(captured)


def test_the_player_runs_the_same_queries_for_a_long_history(user_client, user, session, ninety):
    url = reverse("programs-player", args=[session.pk])
    counts = []
    for past in (1, 15):
        history_of(user, past - len(counts))
        user_client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert user_client.get(url).status_code == 200
        counts.append(len(data_queries(captured)))
    assert counts[0] == counts[1] <= 8, counts


def test_an_edit_in_the_admin_reaches_the_player_at_once(user_client, session):
    url = reverse("programs-player", args=[session.pk])
    first = session.items.order_by("order").first()
    step = Step.objects.filter(exercise=first.exercise).first()
    assert step.text in user_client.get(url).content.decode()
    step.text = "A revised step, read from the library."
    step.save()
    assert "A revised step, read from the library." in user_client.get(url).content.decode()


def test_a_content_load_moves_the_content_version_on(db):
    from programs.caching import content_version
    from programs.content import load_content

    before = content_version()
    Exercise.objects.update(name="Renamed in bulk")  # no signal: the loader must say so itself
    load_content(force=True)
    # A new random number (never one a cache may hold entries under), not one more.
    assert content_version() != before


# --- templates without their indentation --------------------------------------------------------


def our_templates() -> list[Path]:
    return sorted(p for p in (django_settings.BASE_DIR / "templates").rglob("*") if p.is_file())


def test_compacting_a_template_keeps_white_space_wherever_there_was_some():
    compacted = [p for p in our_templates() if is_compacted(p.name)]
    assert len(compacted) > 20
    for path in compacted:
        text = path.read_text()
        assert re.sub(r"\s+", " ", compact(text)) == re.sub(r"\s+", " ", text), path
        # Where leading spaces are content, compacting would change what is shown.
        assert "<pre" not in text and "<textarea" not in text, path


def test_mail_keeps_its_lines_and_blank_lines():
    from django.template.loader import get_template

    for name in (
        "registration/password_reset_email.html",
        "registration/password_reset_subject.txt",
    ):
        assert not is_compacted(name)
        source = (django_settings.BASE_DIR / "templates" / name).read_text()
        assert get_template(name).template.source == source


def test_a_screen_that_missed_a_set_gets_the_list_and_the_map_whole(user_client, session, ninety):
    warm_up = session.items.get(order=1)
    first = next_set(ninety, 1, Side.LEFT) | {"listed": "0"}
    answer = user_client.post(log_url(session), first, headers={"HX-Request": "true"})
    assert f'id="map-{ninety.pk}" hx-swap-oob="true"' in answer.content.decode()
    # Another tab logs the warm-up: this screen still says it shows one set.
    number, side = warm_up.slots()[0]
    user_client.post(log_url(session), next_set(warm_up, number, side) | {"hold_seconds": 60})
    stale = next_set(ninety, 1, Side.RIGHT) | {"listed": "1"}
    body = user_client.post(log_url(session), stale, headers={"HX-Request": "true"}).content
    body = body.decode()
    assert 'id="logged" hx-swap-oob="true"' in body and 'id="session-map"' in body
    assert "beforeend:#logged-list" not in body
    fresh = next_set(ninety, 2, Side.LEFT) | {"listed": "3"}
    body = user_client.post(log_url(session), fresh, headers={"HX-Request": "true"}).content
    body = body.decode()
    assert "beforeend:#logged-list" in body and 'id="session-map"' not in body


# --- a person's pages served from the cache -----------------------------------------------------

TOKENS = re.compile(r'(?:csrfmiddlewaretoken|client_token)" value="([^"]+)"')


def served_twice(client, url: str) -> tuple[str, list[str]]:
    """The page drawn once, then as seen again: its HTML and the queries the second look ran."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), data_queries(captured)


@pytest.mark.parametrize("page", ["programs-dashboard", "programs-plan", "programs-player"])
def test_a_page_seen_again_costs_three_queries(user_client, session, page):
    url = reverse(page, args=[session.pk] if page == "programs-player" else [])
    _, queries = served_twice(user_client, url)
    # The session and the user, and the versions of the record and the content.
    assert len(queries) == 3, queries


def test_a_served_player_has_new_tokens_that_work(user, session, bridge):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend=BACKEND)
    url = reverse("programs-player", args=[session.pk]) + f"?item={bridge.order}"
    drawn = TOKENS.findall(client.get(url).content.decode())
    served, queries = served_twice(client, url)
    assert len(queries) == 3, "not served from the cache"
    again = TOKENS.findall(served)
    assert len(again) == len(drawn) >= 2
    assert not set(again) & set(drawn), "a served page repeats a token of the page it was drawn as"
    csrf = again[0]
    token = re.search(r'client_token" value="([^"]+)"', served).group(1)
    data = next_set(bridge, 1, Side.NONE) | {"client_token": token, "csrfmiddlewaretoken": csrf}
    assert client.post(log_url(session), data).status_code == 303
    assert SetLog.objects.filter(item=bridge, client_token=token).exists()


def test_a_rest_counting_down_is_drawn_afresh(user_client, session, bridge):
    url = reverse("programs-player", args=[session.pk]) + f"?item={bridge.order}"
    with time_machine.travel(START, tick=False) as clock:
        user_client.post(log_url(session), next_set(bridge, 1, Side.NONE))
        user_client.get(url)
        clock.shift(dt.timedelta(seconds=7))
        body = user_client.get(url).content.decode()
    left = re.search(r'data-rest-ms="(\d+)"', body)
    assert left and int(left.group(1)) == (bridge.rest_seconds - 7) * 1000, body


def test_an_undo_is_no_longer_offered_once_its_time_is_up(user_client, session, bridge):
    url = reverse("programs-player", args=[session.pk]) + f"?item={bridge.order}"
    with time_machine.travel(START, tick=False) as clock:
        user_client.post(log_url(session), next_set(bridge, 1, Side.NONE))
        logged = SetLog.objects.get(item=bridge)
        user_client.post(reverse("programs-delete-set", args=[session.pk, logged.pk]))
        assert "undo-form" in user_client.get(url).content.decode()
        clock.shift(dt.timedelta(minutes=16))
        assert "undo-form" not in user_client.get(url).content.decode()


def test_pages_are_drawn_afresh_for_a_day_after_a_move_of_time_zone(user_client, session):
    url = reverse("programs-dashboard")
    with time_machine.travel(START, tick=False) as clock:
        user_client.post(reverse("programs-time-zone"), {"time_zone": "Asia/Tokyo"})
        user_client.get(url)  # where the message about the move is shown
        # Whether a session today counts depends on the hour until the move has settled.
        _, queries = served_twice(user_client, url)
        assert len(queries) > 3
        clock.shift(dt.timedelta(hours=25))
        _, queries = served_twice(user_client, url)
        assert len(queries) == 3


def test_a_message_waiting_is_shown_on_a_page_seen_before(user_client, session):
    _, queries = served_twice(user_client, reverse("programs-plan"))
    assert len(queries) == 3
    # Refused without a change to the record: the version stays, the message must show.
    answer = user_client.post(reverse("programs-plan-end"), follow=True)
    assert "Nothing was changed: tick the box" in answer.content.decode()


def test_a_page_drawn_by_another_release_is_not_served(user_client, session, monkeypatch):
    from programs import caching

    url = reverse("programs-dashboard")
    served_twice(user_client, url)
    monkeypatch.setattr(caching, "release", lambda: "another")
    with CaptureQueriesContext(connection) as captured:
        user_client.get(url)
    assert len(data_queries(captured)) > 3


def test_a_page_drawn_under_another_secret_key_is_never_served_with_its_hole(
    user_client, session, monkeypatch
):
    from programs import caching

    url = reverse("programs-dashboard")
    served_twice(user_client, url)
    old = caching.CSRF_HOLE
    # Another machine, or this one after the secret key was rotated, with the cache shared.
    monkeypatch.setattr(caching, "HOLE", "f" * 24)
    monkeypatch.setattr(caching, "CSRF_HOLE", "csrf-" + "f" * 24)
    body = user_client.get(url).content.decode()
    assert old not in body and "csrf-" + "f" * 24 not in body


def test_every_new_record_has_its_own_version(db):
    from programs.models import Profile

    first, second = UserFactory(), UserFactory()
    versions = {Profile.objects.get_or_create(user=u)[0].version for u in (first, second)}
    assert len(versions) == 2 and 0 not in versions


def test_a_change_to_the_account_reaches_the_pages_at_once(user_client, user, session):
    url = reverse("programs-dashboard")
    served_twice(user_client, url)
    assert "Editors" not in user_client.get(url).content.decode()
    user.is_staff = True  # as an admin would make them
    user.save()
    assert "Editors" in user_client.get(url).content.decode()


@pytest.mark.parametrize("order", ["²", "٣", "99", "x"])
def test_an_item_that_names_nothing_shows_the_session(user_client, session, order):
    url = reverse("programs-player", args=[session.pk])
    response = user_client.get(url, {"item": order})
    assert response.status_code == 200
    assert same_page(response.content) == same_page(user_client.get(url).content)


def test_without_a_record_nothing_is_served_from_the_cache(user):
    from programs import caching
    from programs.models import Profile

    Profile.objects.filter(user=user).delete()
    first, second = caching.record(user), caching.record(user)
    assert first.key != second.key and not first.steady
