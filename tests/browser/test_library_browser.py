from django.urls import reverse


def test_the_library_filters_in_place_and_opens_an_exercise(page, live_server, screenshot):
    page.goto(reverse("programs-exercises"))
    assert page.locator(".exercise-card").count() == 18
    page.select_option("#purpose", "activate")
    page.wait_for_url("**purpose=activate**")
    page.wait_for_function("document.querySelectorAll('.exercise-card').length === 3")
    screenshot(page, "library-phone")
    page.get_by_role("link", name="Glute bridge").click()
    page.wait_for_url("**/exercises/glute-bridge/")
    assert page.locator("ol.steps > li").count() >= 3
    # Nothing wider than the phone: no sideways scrolling at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "exercise-phone")
