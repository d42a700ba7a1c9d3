"""The player held in one hand: real Chromium with a touch screen at 390 x 844 and 360 x 740,
asserting with bounding boxes what must be on the first screen and what lands under a finger
that just pressed something. Timers run on the shortened clock of `fast_timers`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from programs.models import DeletedSet, SetLog, Side
from tests.browser.conftest import ARTIFACTS, signed_in_context
from tests.factories import PlanFactory, UserFactory, WorkoutSessionFactory

PHONES = {"390x844": {"width": 390, "height": 844}, "360x740": {"width": 360, "height": 740}}


@pytest.fixture
def person(db):
    user = UserFactory()
    session = WorkoutSessionFactory(user=user, plan=PlanFactory(user=user))
    return user, session


def _phone(browser, live_server, user, viewport) -> Iterator:
    context = signed_in_context(
        browser, live_server, user, viewport=viewport, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    problems: list[str] = []
    # Every console error counts here, the CSP's included, and every warning htmx logs.
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None,
    )
    return context, page, problems


@pytest.fixture(params=list(PHONES))
def phone(request, browser, live_server, fast_timers, person):
    context, page, problems = _phone(browser, live_server, person[0], PHONES[request.param])
    page.size_name = request.param
    yield page
    context.close()
    assert not problems, f"errors in the page: {problems}"


def _player(page, session, item=None) -> None:
    url = reverse("programs-player", args=[session.pk])
    page.goto(url + (f"?item={item.order}" if item else ""))
    expect(page.locator("[data-work]")).to_be_visible()


def _on_first_screen(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    assert box is not None, f"{selector} is not drawn"
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (
        f"{selector} at y {box['y']:.0f}-{box['y'] + box['height']:.0f}, "
        f"outside the first {viewport['height']} px"
    )
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    return box


def _settle(page) -> None:
    """A person's next tap on a freshly drawn set: after the moment in which the player ignores
    taps, so a stray one from the last set cannot start this one."""
    page.wait_for_timeout(1000)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # The default caret handling writes style="" on inputs; htmx no longer copies it onward.
    page.screenshot(path=str(ARTIFACTS / f"{name}-{page.size_name}.png"))


SET_ESSENTIALS = [
    "#exercise-title",
    "[data-prescription]",
    ".caution-compact summary",
    "[data-step-figure] svg",
    "[data-timer]",
    "[data-start]",
]


def test_a_hold_set_fits_the_first_screen_on_load_and_while_holding(phone, person):
    _, session = person
    ninety = session.items.get(exercise__slug="ninety-ninety-active-hamstring-stretch")
    _player(phone, session, ninety)
    assert phone.evaluate("window.scrollY") == 0
    for selector in SET_ESSENTIALS:
        _on_first_screen(phone, selector)
    expect(phone.locator("[data-prescription]")).to_contain_text("Set 1 of 3")
    expect(phone.locator("[data-prescription]")).to_contain_text("Left side")
    expect(phone.locator("[data-prescription]")).to_contain_text("hold 20 s")
    # The stop caution is folded but its word and title stay in view.
    expect(phone.locator(".caution-compact summary")).to_contain_text(re.compile(r"^\s*Stop\b"))
    _shot(phone, "phone-hold-first-screen")

    phone.locator("[data-start]").tap()
    expect(phone.locator("[data-phase]")).to_have_text("Hold")
    expect(phone.locator("[data-step-figure]")).to_have_class("player-figure is-holding")
    for selector in ["[data-timer]", "[data-step-figure] svg", "[data-pause]", "[data-end]"]:
        _on_first_screen(phone, selector)
    _shot(phone, "phone-holding-first-screen")


def test_a_rep_set_fits_the_first_screen_with_its_counter_and_log(phone, person):
    _, session = person
    bridge = session.items.get(exercise__slug="glute-bridge")
    _player(phone, session, bridge)
    for selector in ["#exercise-title", "[data-prescription]", "[data-step-figure] svg",
                     "[data-rep-button]", "[data-log]"]:  # fmt: skip
        _on_first_screen(phone, selector)
    # Nought reps is not a set: Log waits for the first counted rep.
    expect(phone.locator("[data-log]")).to_be_disabled()
    phone.locator("[data-rep-button]").tap()
    expect(phone.locator("[data-log]")).to_be_enabled()
    _shot(phone, "phone-reps-first-screen")


@pytest.mark.parametrize("delay_ms", [100, 300, 600, 900])
def test_a_second_tap_after_log_leaves_exactly_one_set(phone, person, delay_ms):
    _, session = person
    bridge = session.items.get(exercise__slug="glute-bridge")
    _player(phone, session, bridge)
    for _ in range(10):
        phone.locator("[data-rep-button]").tap()
    log = _on_first_screen(phone, "[data-log]")
    x, y = log["x"] + log["width"] / 2, log["y"] + log["height"] / 2

    phone.touchscreen.tap(x, y)
    phone.wait_for_timeout(delay_ms)
    phone.touchscreen.tap(x, y)  # the same finger, a moment later

    expect(phone.locator("[data-prescription]")).to_contain_text("Set 2 of 3")
    phone.wait_for_timeout(1200)  # anything the second tap could have set off has landed
    assert list(SetLog.objects.filter(item=bridge).values_list("set_number", "reps")) == [(1, 10)]
    # What sits under the finger now is the next set's Log, waiting for reps: nothing deletes.
    under = phone.evaluate("([x, y]) => document.elementFromPoint(x, y).outerHTML", [x, y])
    assert "data-delete" not in under and "Delete" not in under


def test_after_a_set_the_next_action_is_on_screen_and_focused(phone, person):
    _, session = person
    ninety = session.items.get(exercise__slug="ninety-ninety-active-hamstring-stretch")
    _player(phone, session, ninety)
    phone.evaluate("window.scrollTo(0, 400)")  # reading the steps below, then back to work
    phone.locator("[data-start]").tap()
    expect(phone.locator("[data-prescription]")).to_contain_text("Right side", timeout=15_000)
    expect(phone.locator(".cue")).to_contain_text("Switch sides")
    _on_first_screen(phone, "[data-start]")
    _on_first_screen(phone, ".cue")
    assert phone.evaluate("document.activeElement.matches('[data-start]')")

    _settle(phone)
    phone.locator("[data-start]").tap()
    expect(phone.locator("[data-prescription]")).to_contain_text("Set 2 of 3", timeout=15_000)
    # The rest appears where the person is looking, above the timer, not off the screen.
    _on_first_screen(phone, "[data-rest]")
    _on_first_screen(phone, "[data-start]")
    _shot(phone, "phone-rest-first-screen")


def test_undo_after_delete_brings_the_set_back(phone, person):
    _, session = person
    bridge = session.items.get(exercise__slug="glute-bridge")
    _player(phone, session, bridge)
    for _ in range(9):
        phone.locator("[data-rep-button]").tap()
    phone.locator("[data-log]").tap()
    expect(phone.locator("[data-prescription]")).to_contain_text("Set 2 of 3")
    stored = SetLog.objects.get(item=bridge)

    phone.locator(".set-edit summary").tap()
    phone.locator("[data-delete]").tap()
    expect(phone.locator(".is-deleted")).to_contain_text("Set 1 deleted.")
    assert not SetLog.objects.filter(item=bridge).exists()
    assert DeletedSet.objects.filter(item=bridge).count() == 1
    _shot(phone, "phone-deleted-undo")
    # Focus moved to Undo (read from the page: Playwright's check also needs the window focused).
    assert phone.evaluate("document.activeElement.matches('[data-undo]')")

    phone.locator("[data-undo]").tap()
    expect(phone.locator(".logged-set:not(.is-deleted)")).to_contain_text("9 reps")
    again = SetLog.objects.get(item=bridge)
    assert (again.set_number, again.side, again.reps, again.client_token) == (
        1, Side.NONE, 9, stored.client_token,
    )  # fmt: skip
    expect(phone.locator("[data-prescription]")).to_contain_text("Set 2 of 3")


def test_a_reload_in_the_middle_of_a_set_resumes_it(phone, person):
    _, session = person
    bridge = session.items.get(exercise__slug="glute-bridge")
    _player(phone, session, bridge)
    for _ in range(10):
        phone.locator("[data-rep-button]").tap()
    phone.locator("[data-log]").tap()
    expect(phone.locator("[data-prescription]")).to_contain_text("Set 2 of 3")
    expect(phone.locator("[data-rest]")).to_be_visible()

    phone.reload()
    expect(phone.locator("[data-work]")).to_be_visible()
    # Back at set 2 of the same exercise, its rest still counting from when set 1 was saved.
    expect(phone.locator("#exercise-title")).to_contain_text("Glute bridge")
    expect(phone.locator("[data-prescription]")).to_contain_text("Set 2 of 3")
    expect(phone.locator(".logged-set")).to_have_count(1)
    _on_first_screen(phone, "[data-rep-button]")


def test_the_keyboard_hint_stays_off_a_touch_screen(phone, person):
    _, session = person
    _player(phone, session)
    expect(phone.locator(".keys")).to_be_hidden()


def test_typed_reps_move_the_counter_and_a_number_with_an_exponent_is_refused(phone, person):
    _, session = person
    bridge = session.items.get(exercise__slug="glute-bridge")
    _player(phone, session, bridge)
    phone.get_by_role("button", name="Type in the reps").tap()
    box = phone.locator("[data-reps-input]")
    expect(box).to_be_focused()
    box.fill("12")
    expect(phone.locator("[data-rep-count]")).to_have_text("12")
    box.fill("1e2")
    expect(phone.locator("[data-rep-count]")).to_have_text("0")
    assert phone.evaluate("document.querySelector('[data-reps-input]').validity.valid") is False
    phone.locator("[data-log]").tap(force=True)  # disabled at nought: a tap does nothing
    phone.wait_for_timeout(300)
    assert not SetLog.objects.filter(item=bridge).exists()


def test_the_end_of_a_hold_and_of_a_rest_is_felt(browser, live_server, fast_timers, person):
    context, page, problems = _phone(browser, live_server, person[0], PHONES["390x844"])
    page.add_init_script(
        "navigator.vibrate = (p) => { window.buzzes = (window.buzzes || 0) + 1; return true; };"
    )
    _, session = person
    ninety = session.items.get(exercise__slug="ninety-ninety-active-hamstring-stretch")
    _player(page, session, ninety)
    page.locator("[data-start]").tap()
    expect(page.locator("[data-prescription]")).to_contain_text("Right side", timeout=15_000)
    assert page.evaluate("window.buzzes") == 1  # the hold
    _settle(page)
    page.locator("[data-start]").tap()
    expect(page.locator("[data-prescription]")).to_contain_text("Set 2 of 3", timeout=15_000)
    expect(page.locator("[data-rest]")).to_be_hidden(timeout=15_000)
    assert page.evaluate("window.buzzes") == 3  # the second hold, then the rest after it
    context.close()
    assert not problems, problems


def test_a_page_drawn_before_its_set_was_saved_fetches_itself_again(phone, person, live_server):
    """The race of 'log offline, reconnect, reload at once': the reload's page is drawn just
    before the resent set is stored, and the old page hears the answer after. The player must
    not believe the stale page."""
    _, session = person
    bridge = session.items.get(exercise__slug="glute-bridge")
    url = reverse("programs-player", args=[session.pk]) + f"?item={bridge.order}"
    _player(phone, session, bridge)
    stale = phone.request.get(url).text()  # drawn while set 1 is still to do
    token = phone.locator("[name=client_token]").input_value()
    SetLog.objects.create(
        item=bridge, set_number=1, side=Side.NONE, reps=10, hold_seconds=0, client_token=token
    )
    # What the old page's answer leaves behind: the slot it just saved.
    phone.evaluate(
        "([key, slot]) => localStorage.setItem(key, JSON.stringify({slot, at: Date.now()}))",
        [f"hamstrings.player.saved.{session.pk}", f"{bridge.pk}/1/none"],
    )
    phone.route(
        f"**{url}",
        lambda route: route.fulfill(body=stale, content_type="text/html; charset=utf-8"),
        times=1,
    )
    phone.reload()
    expect(phone.locator("[data-prescription]")).to_contain_text("Set 2 of 3")
    expect(phone.locator(".logged-set")).to_have_count(1)


def test_a_whole_session_is_followed_on_a_phone_without_scrolling_to_do_a_set(
    browser, live_server, fast_timers, person
):
    user, session = person
    context, page, problems = _phone(browser, live_server, user, PHONES["360x740"])
    page.size_name = "360x740"
    _player(page, session)
    done = 0
    while not page.locator(".finish-card").count():
        card = page.locator("[data-work-card]")
        mode = card.get_attribute("data-mode")
        token = page.locator("[name=client_token]").input_value()
        for selector in ["#exercise-title", "[data-prescription]", "[data-work]"]:
            _on_first_screen(page, selector)
        if done:
            _settle(page)
        skip_rest = page.locator("[data-skip-rest]")
        if skip_rest.is_visible():
            _on_first_screen(page, "[data-skip-rest]")
            skip_rest.tap()
        if mode == "reps":
            target = int(page.locator("[data-work]").get_attribute("data-reps"))
            for _ in range(target):
                _on_first_screen(page, "[data-rep-button]")
                page.locator("[data-rep-button]").tap()
            _on_first_screen(page, "[data-log]").get("y")
            page.locator("[data-log]").tap()
        else:
            _on_first_screen(page, "[data-start]")
            page.locator("[data-start]").tap()
        done += 1
        # The next set (a new token), or the end of the session.
        expect(
            page.locator(f".finish-card, [name=client_token]:not([value='{token}'])").first
        ).to_be_attached(timeout=20_000)
        expect(page.locator("#player-live")).to_contain_text("saved", timeout=20_000)
    assert done == SetLog.objects.filter(item__session=session).count() == 20
    _shot(page, "phone-all-done")
    page.locator(".pain-option", has_text="2").first.tap()
    page.get_by_role("button", name="Finish the session").tap()
    page.wait_for_url(f"**{reverse('programs-session', args=[session.pk])}")
    context.close()
    assert not problems, f"errors in the page: {problems}"


@pytest.mark.parametrize("delay_ms", [150, 500])
def test_a_second_tap_on_end_now_does_not_start_the_next_hold(phone, person, delay_ms):
    _, session = person
    ninety = session.items.get(exercise__slug="ninety-ninety-active-hamstring-stretch")
    _player(phone, session, ninety)
    phone.locator("[data-start]").tap()
    expect(phone.locator("[data-phase]")).to_have_text("Hold")
    end = _on_first_screen(phone, "[data-end]")
    x, y = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2

    phone.touchscreen.tap(x, y)  # ends the hold: the set saves itself, the next set comes in
    expect(phone.locator("[data-prescription]")).to_contain_text("Right side")
    phone.wait_for_timeout(max(0, delay_ms - 100))
    phone.touchscreen.tap(x, y)  # the same finger again, over the next set's Start

    phone.wait_for_timeout(2500)  # long enough for a started hold to have run and saved
    expect(phone.locator("[data-phase]")).to_have_text("Ready to hold")
    assert SetLog.objects.filter(item=ninety).count() == 1


def test_a_rep_ended_early_is_not_counted_as_a_whole_one(browser, live_server, settings):
    """The release plan's spine arch: each rep holds a rounded, then an arched shape. Ended in
    the arch of rep 2, only rep 1 was whole: one rep is logged, at rep 1's hold."""
    from programs.models import Program, Track

    settings.PLAYER_MS_PER_SECOND = 200  # slow enough to press End now in the right shape
    user = UserFactory()
    plan = PlanFactory(user=user, program=Program.objects.get(track=Track.RELEASE))
    session = WorkoutSessionFactory(user=user, plan=plan)
    arch = session.items.get(exercise__slug="standing-spine-arch")
    context, page, problems = _phone(browser, live_server, user, PHONES["390x844"])
    _player(page, session, arch)
    page.locator("[data-start]").tap()
    expect(page.locator("[data-rep-now]")).to_have_text("2", timeout=20_000)
    expect(page.locator("[data-phase]")).to_have_text("Arch", timeout=20_000)
    page.locator("[data-end]").tap()
    expect(page.locator("#player-live")).to_contain_text("saved", timeout=10_000)
    log = SetLog.objects.get(item=arch)
    assert (log.reps, log.hold_seconds) == (1, arch.hold_seconds)
    context.close()
    assert not problems, problems


def _stray_text_beside_the_card(page) -> list[str]:
    """Text swapped in next to the card instead of where it belongs (a part that lost its tags)."""
    return page.evaluate(
        """() => Array.from(document.querySelector('.work-side').childNodes)
            .filter(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
            .map(n => n.textContent.trim())"""
    )


def test_the_answer_to_each_set_updates_the_list_the_map_and_the_summary(phone, person):
    user, session = person
    ninety = session.items.get(exercise__slug="ninety-ninety-active-hamstring-stretch")
    _player(phone, session, ninety)
    for done, shows in ((1, "Right side"), (2, "Set 2 of 3"), (3, "Right side")):
        _settle(phone)
        phone.locator("[data-start]").tap()
        expect(phone.locator("[data-prescription]")).to_contain_text(shows, timeout=15_000)
        expect(phone.locator("#logged-list .logged-set")).to_have_count(done)
        expect(phone.locator(f"#summary-{ninety.pk}")).to_contain_text(f"{done} of 6")
        expect(phone.locator(".session-progress label")).to_contain_text(f"{done} of ")
        assert _stray_text_beside_the_card(phone) == []
    expect(phone.locator(f"#map-{ninety.pk} .map-item")).to_have_class(re.compile("map-started"))

    # Another tab logs a set of another exercise meanwhile: this screen missed it, so the
    # answer to its next set brings the list and the map whole, not one row.
    warm_up = session.items.get(order=1)
    other = Client()
    other.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    number, side = warm_up.slots()[0]
    response = other.post(
        reverse("programs-log-set", args=[session.pk]),
        {
            "item": warm_up.pk,
            "set_number": number,
            "side": side,
            "reps": warm_up.reps,
            "hold_seconds": warm_up.hold_seconds or 0,
            "client_token": "0" * 31 + "1",
        },
    )
    assert response.status_code == 303
    _settle(phone)
    phone.locator("[data-start]").tap()
    expect(phone.locator("#logged-list .logged-set")).to_have_count(4, timeout=15_000)
    ids = phone.locator("#logged-list .logged-set").evaluate_all("rows => rows.map(r => r.id)")
    assert len(set(ids)) == 4
    expect(phone.locator(f"#map-{warm_up.pk} .map-item")).to_have_class(re.compile("map-done"))
    expect(phone.locator(".session-progress label")).to_contain_text("5 of ")
    assert _stray_text_beside_the_card(phone) == []
