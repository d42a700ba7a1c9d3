import csv
import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone

from programs.models import SetLog, Side
from programs.services import session_items
from tests.browser.conftest import DESKTOP
from tests.factories import (
    PASSWORD,
    PlanFactory,
    SelfTestFactory,
    UserFactory,
    WorkoutSessionFactory,
    finish_session,
    finished_session,
)


def _log_in(page, user) -> None:
    page.goto(reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _some_weeks_of_history(user):
    plan = PlanFactory(user=user)
    now = timezone.now()
    pains = [(4, 3), (4, 4), (3, 3), (5, 3), (3, 2), (3, 3), (2, 2), (3, 2), (2, 1), (2, 2)]
    for i, (before, after) in enumerate(pains):
        finished_session(
            plan,
            pain_before=before,
            pain_after=after,
            when=now - dt.timedelta(days=3 * (len(pains) - i) + 2, hours=1),
        )
    SelfTestFactory(
        user=user,
        left_angle=48,
        right_angle=55,
        note="Screening baseline",
        taken_at=now - dt.timedelta(days=34),
    )
    SelfTestFactory(user=user, left_angle=52, right_angle=57, taken_at=now - dt.timedelta(days=16))
    return plan


def _part_done_today(plan):
    """Today's session with one exercise logged, left open for the player to finish."""
    session = WorkoutSessionFactory(user=plan.user, plan=plan, pain_before=3)
    item = session_items(session)[1]
    SetLog.objects.bulk_create(
        SetLog(item=item, set_number=n, side=side, reps=item.reps, hold_seconds=h)
        for (n, side), h in zip(item.slots(), [22, 18, 25, 20, 24, 21], strict=False)
    )
    return session


def _finish_today(plan):
    """The same, finished through the service (for tests that do not drive the player)."""
    session = _part_done_today(plan)
    finish_session(session, pain_after=2, note="Felt looser on the left today.")
    return session


def _finish_in_the_player(page, session) -> None:
    page.goto(reverse("programs-player", args=[session.pk]))
    page.get_by_text("Finish the session early").click()
    page.locator(".pain-option", has_text="2").first.click()
    page.get_by_label("Note (optional)").fill("Felt looser on the left today.")
    page.get_by_role("button", name="Finish the session").click()
    page.wait_for_url(f"**{reverse('programs-session', args=[session.pk])}")


def test_a_finished_session_shows_in_the_history_and_in_the_export(page, screenshot, tmp_path):
    user = UserFactory()
    plan = _some_weeks_of_history(user)
    session = _part_done_today(plan)
    planned = sum(item.planned_set_count for item in session.items.all())
    _log_in(page, user)

    # The player sends a finished session to its summary: what was done, pain, note, change.
    _finish_in_the_player(page, session)
    summary = page.inner_text("main")
    assert "Felt looser on the left today." in summary
    assert f"6 of {planned} planned" in summary.replace("\n", " ")
    assert "You stay at stage 1" in page.locator(".plan-change").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "session-summary-phone")

    page.goto(reverse("programs-history"))
    newest = page.locator(".session-card").first
    assert timezone.localtime(session.started_at).strftime("%Y") in newest.inner_text()
    assert "Stayed at this stage" in newest.inner_text()
    assert page.locator("#pain-chart-title").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "history-phone")

    newest.get_by_role("link").click()
    page.wait_for_url(f"**{reverse('programs-session', args=[session.pk])}")
    assert "Felt looser on the left today." in page.inner_text("main")

    page.goto(reverse("programs-history") + "#self-test")
    page.get_by_text("Repeat the self-test").click()
    page.fill("#id_left_angle", "61")
    page.fill("#id_right_angle", "63")
    page.get_by_role("button", name="Save this self-test").click()
    page.wait_for_url("**/history/#self-test")
    assert "left leg 61°" in page.locator(".messages").inner_text()
    assert page.locator('#self-test .chart-point-a[data-value="61"]').count() == 1

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV (spreadsheet)").click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("hamstrings-data-")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    sessions = rows[rows.index(["Sessions"]) + 2 :]
    exported = next(row for row in sessions if row and row[0] == str(session.pk))
    assert "Felt looser on the left today." in exported
    sets = rows[rows.index(["Sets"]) + 2 :]
    assert sum(1 for row in sets if row and row[1] == str(session.pk)) == 6
    assert any(Side.LEFT in row for row in sets)

    page.set_viewport_size(DESKTOP)
    page.goto(reverse("programs-history"))
    screenshot(page, "history-desktop")
    page.emulate_media(color_scheme="dark")
    screenshot(page, "history-desktop-dark")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "history-phone-dark")
    page.goto(reverse("programs-exercise-history", args=["ninety-ninety-active-hamstring-stretch"]))
    screenshot(page, "exercise-history-phone-dark")


def test_older_sessions_load_in_place_and_keep_their_address(page):
    user = UserFactory()
    plan = PlanFactory(user=user)
    now = timezone.now()
    sessions = [finished_session(plan, when=now - dt.timedelta(days=i)) for i in range(17)]
    _log_in(page, user)
    page.goto(reverse("programs-history"))
    # A mark on the page that a full reload would wipe: only the list should be swapped.
    page.evaluate("document.body.dataset.stayed = 'yes'")
    page.get_by_role("link", name="Older").click()
    page.wait_for_url("**/history/?page=2#sessions")
    assert "Page 2 of 2" in page.locator("#sessions .pager").inner_text()
    cards = page.locator(".session-card")
    assert cards.count() == 2
    oldest = reverse("programs-session", args=[sessions[-1].pk])
    assert page.locator(f".session-card a[href='{oldest}']").count() == 1
    assert page.evaluate("document.body.dataset.stayed") == "yes"
    page.get_by_role("link", name="Newer").click()
    page.wait_for_url("**/history/?page=1#sessions")
    assert page.locator(".session-card").count() == 15
