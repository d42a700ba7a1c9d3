"""The self-test in Chromium: the phone's tilt driven through the DevTools protocol
(DeviceOrientation.setDeviceOrientationOverride), the pictures on a laptop, and the angle maths
of static/js/self-test.js run where it runs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Measured, SelfTest
from tests.factories import UserFactory

from .conftest import DESKTOP, signed_in_context
from .test_accessibility import _violations, axe_script  # noqa: F401 - a fixture

SELF_TEST = reverse("programs-self-test")
PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 740}]


def _context(browser, live_server, user, viewport, touch=True, **extra):
    return signed_in_context(
        browser, live_server, user, viewport=viewport, has_touch=touch, is_mobile=touch, **extra
    )


class Phone:
    """A page on a phone whose tilt the test sets, as the sensor would report it."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def tilt(self, beta: float, gamma: float = 0.0) -> None:
        self.cdp.send(
            "DeviceOrientation.setDeviceOrientationOverride",
            {"alpha": 0, "beta": beta, "gamma": gamma},
        )

    def lift(self, to: float, start: float = 0.0, gamma: float = 0.0) -> None:
        """A slow lift from ``start`` to ``to`` degrees, then held still there."""
        for step in range(1, 6):
            self.tilt(start + (to - start) * step / 5, gamma)
            self.page.wait_for_timeout(120)

    def zero(self, beta: float = 0.0) -> None:
        """The leg at rest for a moment (Zero wants the phone still), then Zero."""
        self.tilt(beta)
        self.page.wait_for_timeout(700)
        self.page.locator("[data-zero]").click()

    def wait_for_read(self, angle: int) -> None:
        self.page.wait_for_function(
            "(a) => document.querySelector('[data-measure-status]').textContent"
            ".startsWith('Read ' + a + '°')",
            arg=angle,
            timeout=6_000,
        )

    def measure(self, to: float, floor: float = 0.0) -> None:
        """One try: Zero with the leg on the floor, lift and hold until read, then lower it."""
        self.zero(floor)
        self.lift(to, start=floor)
        self.wait_for_read(round(to - floor))
        self.tilt(floor)

    def tries(self) -> list[str]:
        return self.page.locator("[data-tries] li").all_inner_texts()

    def wait_for_tries(self, count: int) -> None:
        self.page.wait_for_function(
            "(n) => document.querySelectorAll('[data-tries] li').length >= n",
            arg=count,
            timeout=6_000,
        )

    def status(self) -> str:
        return self.page.locator("[data-measure-status]").inner_text()


@pytest.fixture
def user(db):
    return UserFactory()


def _phone(browser, live_server, user, viewport=PHONES[0], **extra) -> Phone:
    context = _context(browser, live_server, user, viewport, **extra)
    page = context.new_page()
    phone = Phone(page)
    phone.tilt(0)
    page.goto(SELF_TEST)
    return phone


@pytest.mark.parametrize("viewport", PHONES, ids=["390", "360"])
def test_a_phone_measures_both_legs_without_typing(
    browser, live_server, user, viewport, screenshot
):
    phone = _phone(browser, live_server, user, viewport)
    page = phone.page
    start = page.get_by_role("button", name="Start measuring with the phone")
    start.scroll_into_view_if_needed()
    box = start.bounding_box()
    start.tap()
    # Start has done its job: it goes, so a second tap cannot begin the run again.
    assert start.is_hidden()
    live = page.locator(".live-angle")
    zero = page.locator("[data-zero]")
    # What the person needs while measuring is in view together, and what now sits under the
    # finger that tapped Start is not a button that saves or sends anything.
    for shown in (live, zero, page.locator("[data-measure-status]")):
        b = shown.bounding_box()
        assert b["y"] >= 0 and b["y"] + b["height"] <= viewport["height"], shown
    under = page.evaluate(
        "([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.closest('button, a, input') ? (e.closest('button, a, input').type || e.closest('button, a, input').tagName) : null }",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert under != "submit"

    # Left: zeroed flat, lifted to 62 and read, lowered (the try ends), then 65 the second time.
    phone.zero(0)
    assert "Zeroed" in phone.status()
    phone.lift(62)
    phone.wait_for_read(62)
    assert live.inner_text().startswith("62")
    assert phone.tries() == []  # the leg is still up: a higher hold could still replace it
    phone.tilt(0)
    phone.wait_for_tries(1)
    phone.measure(65)
    phone.wait_for_tries(2)
    assert "Move the phone to your right shin, then tap Zero" in phone.status()
    screenshot(page, f"self-test-phone-{viewport['width']}")
    # Right: the shin is not level on the floor (zeroed at 4 degrees), so 62 reads 58.
    phone.measure(62, floor=4)
    phone.wait_for_tries(3)
    phone.measure(59, floor=4)
    phone.wait_for_tries(4)
    assert phone.tries() == [
        "Left leg, try 1: 62°",
        "Left leg, try 2: 65°",
        "Right leg, try 1: 58°",
        "Right leg, try 2: 55°",
    ]
    assert "left 65°, right 58°" in phone.status()
    assert page.locator("[data-zero]").is_hidden()
    assert page.get_by_role("button", name="Measure both legs again").is_visible()
    # The last try's angle is not the result, so it is no longer shown large.
    assert live.is_hidden()
    assert page.input_value("#id_left_angle") == "65"

    page.get_by_role("button", name="Save this self-test").click()
    page.wait_for_url("**/history/#self-test")
    test = SelfTest.objects.get(user=user)
    assert (test.left_angle, test.right_angle) == (65, 58)
    assert test.left_measured == test.right_measured == Measured.SENSOR
    assert (test.left_readings, test.right_readings) == ("62,65", "58,55")
    assert page.locator('#self-test [data-measured="sensor"]').count() == 2
    assert not phone.errors


def test_zero_is_refused_with_the_leg_raised(browser, live_server, user):
    phone = _phone(browser, live_server, user)
    phone.page.get_by_role("button", name="Start measuring with the phone").tap()
    phone.zero(40)
    assert "Not zeroed: the phone points 40° off level" in phone.status()
    # Lowering the leg from there is not a lift of 40 degrees.
    phone.lift(0, start=40)
    phone.page.wait_for_timeout(1500)
    assert phone.tries() == []


def test_zero_waits_for_a_still_phone_and_not_in_the_middle_of_a_try(browser, live_server, user):
    phone = _phone(browser, live_server, user)
    page = phone.page
    page.get_by_role("button", name="Start measuring with the phone").tap()
    page.wait_for_timeout(700)
    for beta in (12, 8, 4):  # on its way down to the floor
        phone.tilt(beta)
        page.wait_for_timeout(60)
    page.locator("[data-zero]").click()
    assert "Not zeroed: the phone is still moving" in phone.status()
    phone.zero(0)
    phone.lift(50)
    phone.wait_for_read(50)
    page.locator("[data-zero]").click()
    assert "Lower the leg to the floor first" in phone.status()
    # Rolled over at the top after the reading: the try keeps what was read.
    phone.tilt(50, gamma=45)
    phone.wait_for_tries(1)
    assert phone.tries() == ["Left leg, try 1: 50°"]


def test_a_picture_chosen_while_measuring_stops_the_phone(browser, live_server, user):
    phone = _phone(browser, live_server, user)
    page = phone.page
    page.get_by_role("button", name="Start measuring with the phone").tap()
    phone.zero(0)
    page.locator("label[for='id_left_picture_2']").tap()
    assert "Measuring stopped" in phone.status()
    assert page.locator("[data-inclinometer]").is_hidden()
    phone.lift(60)
    page.wait_for_timeout(1500)
    assert page.input_value("#id_left_readings") == ""
    assert page.locator("#id_left_picture_2").is_checked()


def test_a_pause_on_the_way_up_does_not_end_the_try(browser, live_server, user):
    phone = _phone(browser, live_server, user)
    phone.page.get_by_role("button", name="Start measuring with the phone").tap()
    phone.zero(0)
    phone.lift(30)
    phone.wait_for_read(30)
    phone.lift(60, start=30)
    phone.wait_for_read(60)
    phone.tilt(0)
    phone.wait_for_tries(1)
    assert phone.tries() == ["Left leg, try 1: 60°"]


def test_measuring_again_starts_both_legs_afresh(browser, live_server, user):
    phone = _phone(browser, live_server, user)
    page = phone.page
    # As left by an earlier run on this page.
    page.evaluate(
        "() => { for (const [n, v] of [['left_readings', '50,52'], ['left_angle', '52'], "
        "['right_readings', '58'], ['right_angle', '58']]) document.getElementsByName(n)[0].value = v; }"
    )
    page.get_by_role("button", name="Start measuring with the phone").tap()
    for name in ("left_readings", "left_angle", "right_readings", "right_angle"):
        assert page.input_value(f"[name={name}]") == ""


def test_a_shaky_leg_is_not_read(browser, live_server, user):
    phone = _phone(browser, live_server, user)
    phone.page.get_by_role("button", name="Start measuring with the phone").tap()
    phone.zero(0)
    for n in range(45):  # over six seconds, never still for one
        phone.tilt(45 if n % 2 else 52)
        phone.page.wait_for_timeout(140)
    assert phone.tries() == []
    assert "Still moving, so nothing was read" in phone.status()


@pytest.mark.parametrize(
    ("beta", "gamma", "reason"),
    [
        (50, 40, "the phone tipped sideways by 40°"),
        (150, 0, "150° is more than 120°"),
        (6, 0, "6° is under 10°, hardly off the floor"),
    ],
    ids=["sideways", "beyond-a-straight-leg", "hardly-lifted"],
)
def test_a_reading_that_cannot_be_right_is_refused_with_the_reason(
    browser, live_server, user, beta, gamma, reason
):
    phone = _phone(browser, live_server, user)
    phone.page.get_by_role("button", name="Start measuring with the phone").tap()
    phone.zero(0)
    phone.lift(beta, gamma=gamma)
    phone.page.wait_for_function(
        "() => document.querySelector('[data-measure-status]').textContent.startsWith('Not read')",
        timeout=6_000,
    )
    assert reason in phone.status()
    if beta >= 10:  # a reading refused: the try starts again from a new Zero
        assert "tap Zero to try again" in phone.status()
    assert phone.tries() == []
    # Held there, nothing is read later either: the try starts again only from a new Zero.
    phone.page.wait_for_timeout(1500)
    assert phone.tries() == []


def test_a_refused_permission_leads_to_the_pictures(browser, live_server, user, screenshot):
    context = _context(browser, live_server, user, PHONES[0])
    # As iOS Safari does when the person taps "Don't allow".
    context.add_init_script(
        "DeviceOrientationEvent.requestPermission = () => Promise.resolve('denied');"
    )
    page = context.new_page()
    page.goto(SELF_TEST)
    page.get_by_role("button", name="Start measuring with the phone").tap()
    fallback = page.locator("[data-sensor-fallback]")
    page.wait_for_function(
        "() => document.querySelector('[data-sensor-fallback]').textContent.includes('not allowed')"
    )
    assert page.locator("[data-sensor-panel]").is_hidden()
    # The reason has the focus, in view, and the pictures follow right below it.
    page.wait_for_function("() => document.activeElement.hasAttribute('data-sensor-fallback')")
    box = fallback.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONES[0]["height"]
    first_picture = page.locator("label[for='id_left_picture_0']").bounding_box()
    assert first_picture["y"] < PHONES[0]["height"]
    screenshot(page, "self-test-refused")

    page.locator("label[for='id_left_picture_3']").tap()  # 50°
    page.locator("label[for='id_right_picture_4']").tap()  # 60°
    page.get_by_role("button", name="Save this self-test").tap()
    page.wait_for_url("**/history/#self-test")
    test = SelfTest.objects.get(user=user)
    assert (test.left_angle, test.right_angle) == (50, 60)
    assert test.left_measured == test.right_measured == Measured.PICTURE


def test_a_device_with_no_sensor_says_so_and_offers_the_pictures(browser, live_server, user):
    context = _context(browser, live_server, user, PHONES[0])
    page = context.new_page()
    page.goto(SELF_TEST)  # no override: Chromium's event carries no angles, as without a sensor
    page.get_by_role("button", name="Start measuring with the phone").tap()
    fallback = page.locator("[data-sensor-fallback]")
    page.wait_for_function(
        "() => document.querySelector('[data-sensor-fallback]').textContent.includes('gave no')",
        timeout=6_000,
    )
    box = fallback.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONES[0]["height"]


def test_a_laptop_taps_a_picture_and_can_still_type(browser, live_server, user, screenshot):
    context = _context(browser, live_server, user, DESKTOP, touch=False)
    page = context.new_page()
    page.goto(SELF_TEST)
    # No touch screen: the phone's panel is not offered, the pictures are.
    assert page.locator("[data-sensor-panel]").is_hidden()
    screenshot(page, "self-test-desktop")
    page.locator("label[for='id_left_picture_2']").click()  # 40°
    page.fill("#id_right_angle", "47")
    page.get_by_role("button", name="Save this self-test").click()
    page.wait_for_url("**/history/#self-test")
    test = SelfTest.objects.get(user=user)
    assert (test.left_angle, test.left_measured) == (40, Measured.PICTURE)
    assert (test.right_angle, test.right_measured) == (47, Measured.TYPED)


def test_a_picture_tapped_after_typing_replaces_the_number(browser, live_server, user):
    context = _context(browser, live_server, user, DESKTOP, touch=False)
    page = context.new_page()
    page.goto(SELF_TEST)
    page.fill("#id_left_angle", "33")
    page.locator("label[for='id_left_picture_5']").click()  # 70°
    assert page.input_value("#id_left_angle") == ""
    page.fill("#id_left_angle", "71")
    assert not page.locator("#id_left_picture_5").is_checked()


def test_the_motion_sensors_are_readable_on_the_self_test_page_only(browser, live_server, user):
    phone = _phone(browser, live_server, user)
    listen = """() => new Promise(done => {
        window.addEventListener('deviceorientation', e => done(e.beta), {once: true});
        setTimeout(() => done('no event'), 800);
    })"""
    phone.tilt(33)
    assert phone.page.evaluate(listen) == 33
    phone.page.goto(reverse("programs-history"))
    phone.tilt(34)
    assert phone.page.evaluate(listen) == "no event"


def test_the_angle_maths(browser, live_server, user):
    page = _phone(browser, live_server, user).page
    result = page.evaluate(
        """() => {
        const m = window.selfTestMath;
        const r = (x) => Math.round(x * 10) / 10;
        return {
            zeroed: r(m.lift(62, 4)),
            floorTiltedBack: r(m.lift(-3 + 40, -3)),
            topTowardsTheHead: r(m.lift(-40, 0)),
            faceDown: r(m.lift(180 - 40, 180)),
            faceDownWrapped: r(m.lift(-170, 175)),
            beyondNinety: r(m.lift(100, 0)),
            faceDownBeyondNinety: r(m.lift(80, 180)),
            slopes: [0, 180, -175, 40, 100].map(b => r(m.slope(b))),
            level: r(m.roll({beta: 60, gamma: 0}, {beta: 0, gamma: 0})),
            rolled: r(m.roll({beta: 30, gamma: 25}, {beta: 0, gamma: 0})),
            rolledAtZeroThenLifted: r(m.roll({beta: 80, gamma: 20}, {beta: 0, gamma: 20})),
            rolledBack: r(m.roll({beta: 40, gamma: -8}, {beta: 0, gamma: 8})),
            rolledNearVertical: r(m.roll({beta: 89.5, gamma: 60}, {beta: 0, gamma: 0})),
            wrap: [m.wrap(190), m.wrap(-190), m.wrap(180), m.wrap(-180), m.wrap(720)],
            still: m.judge([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000].map(t => ({t, lift: 60 + (t % 200 ? 0.5 : 0), sideways: 2})), 1000, [10, 120]),
            short: m.judge([{t: 600, lift: 60, sideways: 0}, {t: 1000, lift: 60, sideways: 0}], 1000, [10, 120]),
            low: m.judge([0, 500, 1000].map(t => ({t, lift: 4, sideways: 0})), 1000, [10, 120]),
            floor: m.judge([0, 500, 1000].map(t => ({t, lift: 1, sideways: 0})), 1000, [10, 120]),
        };
    }"""
    )
    assert result["zeroed"] == 58
    assert result["floorTiltedBack"] == 40
    assert result["topTowardsTheHead"] == 40
    assert result["faceDown"] == 40
    assert result["faceDownWrapped"] == 15
    assert result["beyondNinety"] == 100
    assert result["faceDownBeyondNinety"] == 100
    # Flat on the shin whichever way up; a raised leg is far from flat.
    assert result["slopes"] == [0, 0, 5, 40, 80]
    assert result["level"] == 0
    assert result["rolled"] == 25
    # Rolled on the shin when zeroed and lifted without rolling further: nothing moved sideways.
    assert result["rolledAtZeroThenLifted"] == 0
    assert result["rolledBack"] == 16
    assert result["rolledNearVertical"] == 0
    assert result["wrap"] == [-170, 170, 180, 180, 0]
    assert result["still"] == {"kind": "still", "angle": 60}
    assert result["short"] == {"kind": "moving"}
    # Held a little off the floor is said out loud; on the floor the page simply waits.
    assert result["low"] == {"kind": "low", "angle": 4}
    assert result["floor"] == {"kind": "low"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_while_measuring(browser, live_server, user, axe_script, scheme):  # noqa: F811
    context = _context(browser, live_server, user, PHONES[0], bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    Phone(page).tilt(0)
    page.goto(SELF_TEST)
    page.get_by_role("button", name="Start measuring with the phone").tap()
    page.locator("[data-zero]").click()
    assert _violations(page, axe_script) == []
    page.locator("label[for='id_left_picture_3']").tap()
    assert _violations(page, axe_script) == []
    page.goto(reverse("programs-screening"))
    assert _violations(page, axe_script) == []
