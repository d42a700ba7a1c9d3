from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE

PASSWORD = "a-long-enough-password-42"


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_new_person_signs_up_screens_and_sees_today(page, live_server, screenshot):
    page.goto(reverse("signup"))
    page.fill("#id_username", "walker")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/screening/")

    # Sent back with messages first: nothing chosen yet.
    page.get_by_role("button", name="See my result").click()
    assert page.locator("#form-errors li").count() >= 4
    _fits(page, PHONE["width"])
    screenshot(page, "screening-errors-phone")

    page.get_by_label("None of these apply to me").check()
    page.locator("#id_recent_injury_1").check()
    page.get_by_label("No, it looks level").check()
    page.locator("#id_disc_problems_0").check()
    page.fill("#id_left_angle", "50")
    page.fill("#id_right_angle", "55")
    screenshot(page, "screening-phone")
    page.get_by_role("button", name="See my result").click()
    page.wait_for_url("**/screening/*/")
    assert page.get_by_role("heading", name="What is left out").is_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "screening-result-phone")

    page.get_by_role("link", name="Go to today's session").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name="Today", exact=True).is_visible()
    assert page.get_by_role("group", name="How much pain do you have right now?").is_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "dashboard-phone")

    page.set_viewport_size(DESKTOP)
    screenshot(page, "dashboard-desktop")
    page.goto(reverse("programs-plan"))
    assert page.locator(".stage-current").count() == 1
    screenshot(page, "plan-desktop")


def test_a_red_flag_shows_the_clinician_page(page, live_server, screenshot):
    page.goto(reverse("signup"))
    page.fill("#id_username", "careful")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/screening/")

    page.get_by_label("Numbness, tingling or weakness").check()
    page.locator("#id_recent_injury_1").check()
    page.get_by_label("I am not sure").check()
    page.locator("#id_disc_problems_1").check()
    page.get_by_role("button", name="See my result").click()
    page.wait_for_url("**/screening/*/")
    assert page.get_by_role("heading", name="See a clinician first").is_visible()
    _fits(page, PHONE["width"])
    screenshot(page, "screening-clinician-phone")
