"""A whole guided session in real Chromium, on a phone-sized screen, with the timers on a
shortened clock (the `fast_timers` fixture: 50 ms for each second)."""

import json
import re
from collections import Counter

from django.urls import reverse
from playwright.sync_api import expect

from programs.models import Program, SessionStatus, SetLog, Side, Track, WorkoutSession
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.factories import PASSWORD, PlanFactory, UserFactory, WorkoutSessionFactory


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _sign_up_and_screen(page) -> None:
    page.goto(reverse("signup"))
    page.fill("#id_username", "steady")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/screening/")
    page.get_by_label("None of these apply to me").check()
    page.locator("#id_recent_injury_1").check()
    page.get_by_label("No, it looks level").check()
    page.locator("#id_disc_problems_0").check()
    page.fill("#id_left_angle", "50")
    page.fill("#id_right_angle", "55")
    page.get_by_role("button", name="See my result").click()
    page.wait_for_url("**/screening/*/")
    page.get_by_role("link", name="Go to today's session").click()
    page.wait_for_url("**/dashboard/")


def _shot(page, name: str, full_page: bool = True) -> None:
    """Like the `screenshot` fixture, but leaves the caret alone: Playwright hides it by writing
    style="" on every input, and htmx then copies that attribute onto the swapped-in inputs,
    which the strict CSP reports as an inline style (a test artifact, not the app's doing)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page, caret="initial")


def _shot_of(page, selector: str, name: str) -> None:
    """The screen as the person sees it with this part of the player in view."""
    page.locator(selector).first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), caret="initial")


def _prescription(page):
    return page.locator("[data-prescription]")


def _wait_for_set(page, text: str) -> None:
    """The player swapped in the next set (htmx), or the page loaded at it."""
    expect(_prescription(page)).to_contain_text(text)


def _ready(page) -> None:
    """The script has taken over the swapped-in player (it shows the timer or the counter)."""
    expect(page.locator("[data-work]")).to_be_visible()


def _run_hold(page) -> None:
    # A set just drawn ignores taps for a moment (a stray one from the last set); a person's
    # next tap comes after it.
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Start", exact=True).click()


def test_a_whole_session_on_a_phone(page, live_server):
    _sign_up_and_screen(page)

    # Start from the dashboard with a pain rating.
    page.get_by_role("group", name="How much pain do you have right now?").get_by_role(
        "radio", name="3", exact=True
    ).check()
    page.get_by_role("button", name="Start today's session").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))
    session = WorkoutSession.objects.get(user__username="steady")
    assert session.pain_before == 3
    expect(page.get_by_role("heading", name="Gentle dynamic warm-up")).to_be_visible()
    expect(page.locator("[data-seconds]")).to_have_text("3:00")
    _fits(page, PHONE["width"])
    _shot(page, "player-warm-up-phone-first-screen", full_page=False)

    # Skip the warm-up, with a reason.
    page.get_by_text("Skip this exercise").click()
    page.get_by_label("Short of time").check()
    page.get_by_role("button", name="Skip Gentle dynamic warm-up").click()
    expect(page.get_by_role("heading", name="90-90 active hamstring stretch")).to_be_visible()
    _wait_for_set(page, "Set 1 of 3")
    _wait_for_set(page, "Left side")

    # Set 1, left: a hold paused in the middle (screenshots), resumed and run to the end.
    _run_hold(page)
    expect(page.locator("[data-phase]")).to_have_text("Hold")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-phase]")).to_have_text("Paused")
    paused_at = page.locator("[data-seconds]").inner_text()
    assert paused_at.isdigit() and 0 < int(paused_at) <= 20
    _fits(page, PHONE["width"])
    _shot(page, "player-hold-phone")
    _shot(page, "player-hold-phone-first-screen", full_page=False)
    page.set_viewport_size(DESKTOP)
    _shot(page, "player-hold-desktop")
    _shot(page, "player-hold-desktop-first-screen", full_page=False)
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    _shot(page, "player-hold-phone-dark-first-screen", full_page=False)
    page.emulate_media(color_scheme="light")
    assert page.locator("[data-seconds]").inner_text() == paused_at  # a pause holds still
    for control in ("Resume", "End now", "No timer? Type in what you did"):
        assert page.get_by_role("button", name=control, exact=True).bounding_box()["height"] >= 44
    # A hold logs itself when the timer ends: no Log button to press by mistake meanwhile.
    expect(page.locator("[data-log]")).to_be_hidden()
    page.get_by_role("button", name="Resume").click()

    # The set logs itself when the hold ends; the right side comes next.
    _wait_for_set(page, "Right side")
    expect(page.locator(".cue")).to_contain_text("Switch sides")
    expect(page.locator("#player-live")).to_contain_text("Set 1, left side saved.")

    # Set 1, right: started from the keyboard.
    _ready(page)
    page.locator("#exercise-title").click()
    page.keyboard.press("Space")
    _wait_for_set(page, "Set 2 of 3")

    # A rest comes between sets; skip it and hold set 2 left.
    expect(page.locator("[data-rest]")).to_be_visible()
    _shot_of(page, "[data-rest]", "player-rest-phone")
    rest_skip = page.get_by_role("button", name="Skip rest")
    if rest_skip.is_visible():
        rest_skip.click()
    _run_hold(page)
    _wait_for_set(page, "Right side")

    # Reload in the middle: the page comes back at set 2, right side, with every set listed.
    page.reload()
    _wait_for_set(page, "Set 2 of 3")
    _wait_for_set(page, "Right side")
    expect(page.locator(".logged-set")).to_have_count(3)
    _shot_of(page, ".logged", "player-logged-phone")
    _shot_of(page, ".item-nav", "player-nav-phone")
    expect(page.locator(".session-progress")).to_contain_text("3 of 20 sets done (1 skipped)")

    _run_hold(page)
    _wait_for_set(page, "Set 3 of 3")
    _run_hold(page)
    _wait_for_set(page, "Right side")

    # Set 3, right: ended early; the time actually held is what gets logged.
    _run_hold(page)
    expect(page.locator("[data-phase]")).to_have_text("Hold")
    expect(page.locator("[data-seconds]")).to_have_text(re.compile(r"^(1[0-5]|[1-9])$"))
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="End now").click()

    # Straight leg raise: count reps with taps, log with the button.
    expect(page.get_by_role("heading", name="Active straight leg raise")).to_be_visible()
    _wait_for_set(page, "Left side")
    rep_button = page.locator("[data-rep-button]")
    expect(rep_button).to_be_visible()  # shown by the script once the swap has settled
    box = rep_button.bounding_box()
    # Beside the figure, and still the biggest target on the screen.
    assert box["width"] >= 180 and box["height"] >= 180
    page.wait_for_timeout(1000)  # past the moment a freshly drawn set ignores taps
    for _ in range(8):
        rep_button.click()
    expect(page.locator("[data-rep-count]")).to_have_text("8")
    _shot_of(page, ".work-card", "player-reps-phone")
    page.get_by_role("button", name="Log set 1 of 2, left side").dblclick()  # one set, once
    _wait_for_set(page, "Right side")
    expect(page.locator(".logged-set")).to_have_count(1)

    # Right side from the keyboard, sent while offline: the page says so and sends it again.
    _ready(page)
    page.locator("#exercise-title").click()
    for _ in range(7):
        page.keyboard.press("Space")
    expect(page.locator("[data-rep-count]")).to_have_text("7")
    page.context.set_offline(True)
    page.keyboard.press("Enter")
    expect(page.locator("[data-save-error]")).to_be_visible()
    expect(page.locator("[data-save-error]")).to_contain_text("No connection")
    _shot_of(page, "[data-save-error]", "player-offline-phone")
    page.get_by_role("button", name="Try again").click()  # still offline: still waiting
    expect(page.locator("[data-save-error]")).to_contain_text("No connection")
    assert SetLog.objects.filter(item__session=session).count() == 7
    page.context.set_offline(False)  # back online: the set is sent again by itself
    _wait_for_set(page, "Set 2 of 2")

    # Finish early with a pain rating and a note.
    page.get_by_text("Finish the session early").click()
    page.locator(".pain-option", has_text="2").first.click()
    page.get_by_label("Note (optional)").fill("Back felt fine.")
    _shot_of(page, ".finish-form button", "player-finish-phone")
    page.get_by_role("button", name="Finish the session").click()
    page.wait_for_url(f"**{reverse('programs-session', args=[session.pk])}")

    session.refresh_from_db()
    assert session.status == SessionStatus.FINISHED
    assert (session.pain_after, session.note) == (2, "Back felt fine.")

    # Every set is in the database exactly once, as done.
    logs = list(SetLog.objects.filter(item__session=session).select_related("item__exercise"))
    slots = Counter((log.item.exercise.slug, log.set_number, log.side) for log in logs)
    assert all(count == 1 for count in slots.values())
    ninety = {
        (n, s): log
        for log in logs
        if log.item.exercise.slug.startswith("ninety")
        for n, s in [(log.set_number, log.side)]
    }
    assert len(ninety) == 6
    assert all(ninety[(n, s)].hold_seconds == 20 for n, s in ninety if (n, s) != (3, Side.RIGHT))
    assert 4 <= ninety[(3, Side.RIGHT)].hold_seconds < 20
    raises = sorted(
        (log.side, log.reps)
        for log in logs
        if log.item.exercise.slug == "active-straight-leg-raise"
    )
    assert raises == [(Side.LEFT, 8), (Side.RIGHT, 7)]
    assert len(logs) == 8

    # The finished session is on the dashboard.
    page.goto(reverse("programs-dashboard"))
    expect(
        page.locator(f"a[href='{reverse('programs-session', args=[session.pk])}']")
    ).to_be_visible()
    assert session.items.get(order=1).skipped_reason == "time"

    # With no session open, starting again asks for the pain rating first.
    page.goto(reverse("programs-start"))
    expect(page.get_by_role("group", name="How much pain do you have right now?")).to_be_visible()
    _fits(page, PHONE["width"])
    _shot(page, "player-start-phone", full_page=False)


def _log_in(page, user) -> None:
    page.goto(reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/")


def test_each_rep_runs_its_own_hold_and_a_lost_set_is_sent_after_a_reload(page, live_server):
    """The release plan's standing spine arch: 5 reps, each holding a rounded then an arched
    shape for 5 s (five arches each way), logged by itself."""
    user = UserFactory()
    plan = PlanFactory(user=user, program=Program.objects.get(track=Track.RELEASE))
    session = WorkoutSessionFactory(user=user, plan=plan)
    arch = session.items.get(exercise__slug="standing-spine-arch")
    _log_in(page, user)
    page.goto(reverse("programs-player", args=[session.pk]) + f"?item={arch.order}")
    _wait_for_set(page, "5 reps")

    # Spoken cues stay switched on across a reload.
    toggle = page.get_by_role("button", name="Spoken cues")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.get_by_role("button", name="Spoken cues")).to_have_attribute("aria-pressed", "true")

    _wait_for_set(page, "hold 5 s in each of 2 shapes")
    page.evaluate(
        """() => {
            const phase = document.querySelector("[data-phase]");
            window.heldShapes = [];
            new MutationObserver(() => window.heldShapes.push(phase.textContent))
                .observe(phase, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", name="Kneeling lunge hip-flexor stretch")).to_be_visible()
    shapes = page.evaluate("window.heldShapes")
    assert Counter(s for s in shapes if s in ("Round", "Arch")) == {"Round": 5, "Arch": 5}
    logged = SetLog.objects.get(item=arch)
    assert (logged.reps, logged.hold_seconds) == (5, 5)

    # A set kept in the browser after a failed send goes out again when the page comes back.
    lunge = session.items.get(exercise__slug="lunging-hip-flexor-stretch")
    token = "6b0c8a52-2d1e-4e2f-9a57-0c2f5bd3b0a1"
    pending = json.dumps(
        {
            "item": str(lunge.pk),
            "set_number": "1",
            "side": "left",
            "client_token": token,
            "reps": "1",
            "hold_seconds": "17",
        }
    )
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [f"hamstrings.player.pending.{session.pk}", pending],
    )
    assert not SetLog.objects.filter(item=lunge).exists()
    page.reload()
    _wait_for_set(page, "Right side")
    stored = SetLog.objects.get(item=lunge)
    assert (str(stored.client_token), stored.hold_seconds) == (token, 17)
    key = f"hamstrings.player.pending.{session.pk}"
    assert page.evaluate("key => localStorage.getItem(key)", key) is None
    page.reload()  # the address bar followed the player: the lunge again, nothing left to send
    _wait_for_set(page, "Right side")
    expect(page.get_by_role("heading", name="Kneeling lunge hip-flexor stretch")).to_be_visible()
    assert SetLog.objects.filter(item=lunge).count() == 1
