"""Saving that loses nothing, in real Chromium: a set is kept in the browser from the moment it
is sent until the server has decided about it, whatever happens to the request on the way."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs.models import SetLog
from tests.factories import PASSWORD, UserFactory, WorkoutSessionFactory

LOG_POST = re.compile(r"/sessions/\d+/sets/$")


@pytest.fixture
def session(db):
    return WorkoutSessionFactory(user=UserFactory())


def _open_at(page, session, slug: str) -> None:
    page.goto(reverse("login"))
    page.fill("#id_username", session.user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/")
    item = session.items.get(exercise__slug=slug)
    page.goto(reverse("programs-player", args=[session.pk]) + f"?item={item.order}")
    expect(page.locator("[data-work]")).to_be_visible()


def _logs(session, slug: str) -> list[SetLog]:
    return list(SetLog.objects.filter(item__session=session, item__exercise__slug=slug))


def test_a_rep_set_cut_off_by_a_reload_is_sent_again_with_its_reps(page, session):
    _open_at(page, session, "active-straight-leg-raise")
    for _ in range(6):
        page.locator("[data-rep-button]").click()

    # The first send never gets an answer: the person reloads while it is on its way.
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(LOG_POST, hold_the_first)
    page.get_by_role("button", name=re.compile(r"^Log set 1 of")).click()
    page.wait_for_timeout(300)
    assert held and _logs(session, "active-straight-leg-raise") == []
    page.reload()

    expect(page.locator("[data-prescription]")).to_contain_text("Right side")
    [stored] = _logs(session, "active-straight-leg-raise")
    assert (stored.set_number, stored.side, stored.reps) == (1, "left", 6)


def test_a_server_error_keeps_the_set_and_try_again_sends_it(page, session):
    _open_at(page, session, "active-straight-leg-raise")
    for _ in range(5):
        page.locator("[data-rep-button]").click()

    page.route(LOG_POST, lambda route: route.fulfill(status=502, body="Bad gateway"))
    page.get_by_role("button", name=re.compile(r"^Log set 1 of")).click()
    error = page.locator("[data-save-error]")
    expect(error).to_contain_text("The server could not save this just now")
    assert _logs(session, "active-straight-leg-raise") == []

    page.unroute(LOG_POST)
    error.get_by_role("button", name="Try again").click()
    expect(page.locator("[data-prescription]")).to_contain_text("Right side")
    [stored] = _logs(session, "active-straight-leg-raise")
    assert stored.reps == 5
    key = f"hamstrings.player.pending.{session.pk}"
    assert page.evaluate("key => localStorage.getItem(key)", key) is None


def test_a_missing_set_says_so_instead_of_offering_a_retry(page, session):
    _open_at(page, session, "active-straight-leg-raise")
    page.route(LOG_POST, lambda route: route.fulfill(status=404, body="Not found"))
    page.locator("[data-rep-button]").click()  # Log waits for at least one rep
    page.get_by_role("button", name=re.compile(r"^Log set 1 of")).click()
    expect(page.locator("[data-save-error]")).to_contain_text("no longer there")


def test_arrow_keys_move_between_exercises(page, session):
    _open_at(page, session, "ninety-ninety-active-hamstring-stretch")
    page.locator("#exercise-title").click()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("heading", name="Active straight leg raise")).to_be_visible()
    page.locator("#exercise-title").click()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("heading", name="90-90 active hamstring stretch")).to_be_visible()


def test_enter_on_a_focused_timer_button_presses_it_instead_of_logging(page, session, settings):
    settings.PLAYER_MS_PER_SECOND = 1000  # the hold must not end (and log itself) mid-test
    _open_at(page, session, "ninety-ninety-active-hamstring-stretch")
    page.get_by_role("button", name="Start", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-phase]")).to_have_text("Get ready")
    assert _logs(session, "ninety-ninety-active-hamstring-stretch") == []


def test_a_start_after_pausing_and_ending_offers_pause_again(page, session, settings):
    settings.PLAYER_MS_PER_SECOND = 1000  # a real get-ready count, long enough to pause in
    _open_at(page, session, "ninety-ninety-active-hamstring-stretch")
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-phase]")).to_have_text("Paused")
    page.get_by_role("button", name="End now").click()

    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("[data-pause]")).to_have_text("Pause")
    expect(page.locator("[data-phase]")).to_have_text("Get ready")
    assert _logs(session, "ninety-ninety-active-hamstring-stretch") == []
