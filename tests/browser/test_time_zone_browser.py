"""The person's days follow their own time zone: taken from the browser at sign-up, and offered
again (never switched silently) when a device's zone differs from the plan's."""

from django.contrib.auth.models import User
from django.urls import reverse

from programs.care.state import profile_for
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD, PlanFactory, UserFactory


def _context(browser, live_server, zone: str):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, timezone_id=zone)
    context.set_default_timeout(10_000)
    return context


def test_sign_up_takes_the_browsers_time_zone(browser, live_server):
    context = _context(browser, live_server, "Europe/Berlin")
    page = context.new_page()
    page.goto(reverse("signup"))
    page.fill("#id_username", "traveller")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/screening/")
    context.close()

    assert profile_for(User.objects.get(username="traveller")).time_zone == "Europe/Berlin"


def test_a_device_in_another_zone_is_offered_the_switch_and_nothing_changes_without_a_tap(
    browser, live_server
):
    user = UserFactory()
    PlanFactory(user=user)
    context = _context(browser, live_server, "Asia/Tokyo")
    page = context.new_page()
    page.goto(reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(reverse("programs-dashboard"))

    offer = page.locator("[data-zone-check]")
    offer.wait_for(state="visible")
    assert "Asia/Tokyo" in offer.inner_text()
    assert profile_for(user).time_zone == "UTC"

    offer.get_by_role("button").click()
    page.wait_for_url("**/dashboard/")
    assert profile_for(user).time_zone == "Asia/Tokyo"
    assert not page.locator("[data-zone-check]").is_visible()
    context.close()


def test_a_device_in_the_plans_zone_sees_no_offer(browser, live_server):
    user = UserFactory()
    PlanFactory(user=user)
    context = _context(browser, live_server, "UTC")
    page = context.new_page()
    page.goto(reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(reverse("programs-dashboard"))
    page.wait_for_load_state("load")
    assert not page.locator("[data-zone-check]").is_visible()
    context.close()
