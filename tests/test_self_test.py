"""The self-test: each leg from the phone's readings, a picture or a typed number, stored with
how it was taken; the sensors allowed on its pages only; left against right beyond the usual
error. The phone itself is driven in tests/browser/test_self_test_browser.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Measured, SelfTest
from programs.selftest.difference import USUAL_ERROR_DEGREES, side_difference
from tests.factories import SelfTestFactory

SELF_TEST = reverse("programs-self-test")
HISTORY = reverse("programs-history")
SCREENING = reverse("programs-screening")


def _post(client, **fields):
    data = {"left_angle": "", "right_angle": "", "note": ""}
    data.update({k: str(v) for k, v in fields.items()})
    return client.post(SELF_TEST, data)


@pytest.mark.parametrize(
    ("fields", "left", "right"),
    [
        (
            {
                "left_readings": "52,55",
                "left_angle": 55,
                "right_readings": "58,60",
                "right_angle": 60,
            },
            (55, Measured.SENSOR, "52,55"),
            (60, Measured.SENSOR, "58,60"),
        ),
        # The phone's readings without the number (the box cleared): the better try is kept.
        (
            {"left_readings": "48,44", "right_picture": 70},
            (48, Measured.SENSOR, "48,44"),
            (70, Measured.PICTURE, ""),
        ),
        # A number changed by hand after measuring is the person's own.
        (
            {"left_readings": "52,55", "left_angle": 58, "right_angle": 41},
            (58, Measured.TYPED, ""),
            (41, Measured.TYPED, ""),
        ),
        (
            {"left_picture": 40, "right_picture": 90},
            (40, Measured.PICTURE, ""),
            (90, Measured.PICTURE, ""),
        ),
        # The same angle as picture and number (no script to clear one): no question to ask.
        (
            {"left_picture": 50, "left_angle": 50, "right_angle": 52},
            (50, Measured.TYPED, ""),
            (52, Measured.TYPED, ""),
        ),
    ],
)
def test_it_stores_each_leg_with_how_it_was_measured(user_client, user, fields, left, right):
    response = _post(user_client, **fields)
    assert response.status_code == 302
    test = SelfTest.objects.get(user=user)
    assert (test.left_angle, test.left_measured, test.left_readings) == left
    assert (test.right_angle, test.right_measured, test.right_readings) == right


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"left_readings": "5", "right_angle": 40}, "was not one we can use"),
        ({"left_readings": "150,40", "right_angle": 40}, "two tries, each 10 to 120 degrees"),
        ({"left_readings": "40", "right_angle": 40}, "was not one we can use"),
        ({"left_readings": "40,41,42", "right_angle": 40}, "was not one we can use"),
        ({"left_readings": "4x", "right_angle": 40}, "was not one we can use"),
        ({"left_readings": "٤٠", "right_angle": 40}, "was not one we can use"),
        ({"left_picture": 45, "right_angle": 40}, "Choose one of the pictures for the left leg"),
        ({"left_picture": 40, "left_angle": 60, "right_angle": 40}, "chose the 40° picture"),
        ({"right_angle": 40}, "Measure your left leg with the phone"),
    ],
)
def test_bad_readings_say_what_to_do_and_store_nothing(user_client, user, fields, message):
    response = _post(user_client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SelfTest.objects.filter(user=user).exists()


def _answers(**changes):
    data = {
        "no_red_flags": "on",
        "recent_injury": "no",
        "pelvic_tilt": "no",
        "disc_problems": "no",
        "left_angle": "",
        "right_angle": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_screening_keeps_how_the_baseline_was_measured(user_client, user):
    response = user_client.post(
        SCREENING, _answers(left_readings="61,63", left_angle="63", right_picture="60")
    )
    assert response.status_code == 302
    test = SelfTest.objects.get(user=user)
    assert (test.left_angle, test.left_measured, test.left_readings) == (63, "sensor", "61,63")
    assert (test.right_angle, test.right_measured) == (60, "picture")


def test_a_warning_sign_still_lets_the_screening_skip_the_self_test(user_client, user):
    response = user_client.post(SCREENING, _answers(red_flags="numbness", no_red_flags=None))
    assert response.status_code == 302
    assert not SelfTest.objects.filter(user=user).exists()


def test_one_leg_alone_is_asked_about_even_when_the_test_may_be_skipped(user_client, user):
    response = user_client.post(
        SCREENING, _answers(red_flags="numbness", no_red_flags=None, left_picture="50")
    )
    assert response.status_code == 400
    assert "Measure both legs, or leave both empty" in response.content.decode()


@pytest.mark.parametrize("url", [SELF_TEST, SCREENING])
def test_the_motion_sensors_are_allowed_on_the_self_test_pages(user_client, url):
    policy = user_client.get(url)["Permissions-Policy"]
    assert "accelerometer=(self)" in policy
    assert "gyroscope=(self)" in policy
    # A compass heading is not needed for a tilt; everything else stays off.
    assert "magnetometer=()" in policy
    assert "camera=()" in policy and "geolocation=()" in policy


@pytest.mark.parametrize(
    "name", ["programs-history", "programs-dashboard", "programs-plan", "programs-home"]
)
def test_the_motion_sensors_are_off_everywhere_else(user_client, name):
    policy = user_client.get(reverse(name))["Permissions-Policy"]
    assert "accelerometer=()" in policy and "gyroscope=()" in policy


def test_the_pictures_are_drawn_by_the_figure_code(user_client):
    body = user_client.get(SELF_TEST).content.decode()
    for angle in range(20, 100, 10):
        assert f'name="left_picture" value="{angle}"' in body
        assert f"straight leg raised {angle} degrees" in body


def test_the_history_marks_how_each_point_was_taken(user_client, user):
    SelfTestFactory(user=user, left_measured=Measured.PICTURE, right_measured=Measured.TYPED)
    SelfTestFactory(user=user, left_measured=Measured.SENSOR, right_measured=Measured.SENSOR)
    body = user_client.get(HISTORY).content.decode()
    assert body.count('data-measured="sensor"') == 2
    assert body.count('data-measured="picture"') == 1
    assert body.count('data-measured="typed"') == 1
    assert "Left leg 55 (phone sensor)" in body


@pytest.mark.parametrize(
    ("left", "right", "shown"),
    [
        (60, 60 + USUAL_ERROR_DEGREES, False),
        (60, 60 + USUAL_ERROR_DEGREES + 1, True),
        (74, 50, True),
    ],
)
def test_the_difference_between_the_legs_shows_only_beyond_the_usual_error(
    user_client, user, left, right, shown
):
    SelfTestFactory(
        user=user,
        left_angle=left,
        right_angle=right,
        left_measured=Measured.SENSOR,
        right_measured=Measured.SENSOR,
    )
    body = user_client.get(HISTORY).content.decode()
    assert ("data-side-difference>" in body) is shown
    assert "doi.org/10.1016/j.jbmt.2024.05.033" in body
    if shown:
        higher, lower = ("left", "right") if left > right else ("right", "left")
        assert f"your {higher} leg lifts {abs(left - right)}° higher than your {lower} leg" in body
        assert "rougher than the phone" not in body


def test_a_difference_by_eye_says_it_is_rougher(user):
    test = SelfTest(user=user, left_angle=40, right_angle=70, left_measured=Measured.PICTURE)
    gap = side_difference(test)
    assert (gap.degrees, gap.higher, gap.by_eye) == (30, "right", True)
    assert side_difference(None) is None


@pytest.mark.parametrize(
    "fields",
    [
        {"left_readings": "5,60", "right_angle": 40},
        {"left_picture": 40, "left_angle": 60, "right_angle": 40},
    ],
)
def test_a_wrong_leg_gets_one_message_not_two(user_client, fields):
    body = _post(user_client, **fields).content.decode()
    assert "Measure your left leg" not in body


def test_a_wrong_leg_is_not_called_missing_when_the_test_may_be_skipped(user_client):
    answers = _answers(
        red_flags="numbness", no_red_flags=None, left_readings="5,40", right_angle="40"
    )
    body = user_client.post(SCREENING, answers).content.decode()
    assert "was not one we can use" in body
    assert "Measure both legs, or leave both empty" not in body


def test_the_screening_lists_its_errors_in_the_order_of_its_questions(user_client):
    body = user_client.post(SCREENING, {}).content.decode()
    summary = body[: body.index("</ul>", body.index("Some answers need another look"))]
    assert summary.index("#q-no_red_flags") < summary.index("#q-left_angle")


def test_a_failed_save_links_each_message_to_its_leg(user_client):
    body = _post(user_client, left_readings="500,40", right_angle=40).content.decode()
    assert '<a href="#q-left_angle">' in body
    assert 'id="q-left_angle"' in body


@pytest.mark.parametrize(
    ("left", "right", "said"),
    [(55, 60, False), (25, 28, True), (45, 70, True), (60, 70, False)],
)
def test_a_low_or_lopsided_raise_says_when_to_see_a_clinician(user_client, user, left, right, said):
    response = user_client.post(
        SCREENING, _answers(left_angle=str(left), right_angle=str(right)), follow=True
    )
    assert ("data-self-test-care" in response.content.decode()) is said
    history = user_client.get(HISTORY).content.decode()
    assert ("data-self-test-care" in history) is said
    if said:
        assert "tingling or numbness down the leg" in history
        assert "Our own general advice" in history
        # It says which of the two it is, not both by default.
        assert ("much less than the other" in history) is (abs(left - right) > 10)
        assert ("less than 30°" in history) is (min(left, right) < 30)
