"""axe-core finds nothing on any page, in light and dark mode, and nothing scrolls sideways at
360 px. axe-core comes from the npm registry (`make test` installs it into node_modules)."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from programs.models import Exercise, Schedule
from programs.schedule import reminders
from programs.summary.models import SummaryShare
from tests.factories import (
    PlanFactory,
    UserFactory,
    WorkoutSessionFactory,
    finished_session,
    log_all_sets,
)

from .conftest import PHONE

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
NARROW = {"width": 360, "height": 800}

PUBLIC = [
    "home",
    "library",
    "exercise",
    "signup",
    "login",
    "password-reset",
    "reset-confirm",
    "reminders-stop",
    "reminders-confirm",
    "shared-summary",
]
PERSONAL = [
    "screening",
    "screening-result",
    "dashboard",
    "plan",
    "player",
    "player-all-done",
    "history",
    "session",
    "exercise-history",
    "self-test",
    "schedule",
    "summary",
    "delete-account",
    "password-change",
]
# Answered with a status other than 200 on purpose; checked all the same.
STATUS = {"not-found": 404}
PAGES = PUBLIC + PERSONAL + list(STATUS)


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        message = (
            f"no {AXE.relative_to(AXE.parents[2])}: run `npm install axe-core@4` (make test does)"
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return AXE


@pytest.fixture
def person(db):
    """Someone with a plan, two finished sessions and one open: every personal page has data."""
    user = UserFactory()
    plan = PlanFactory(user=user)
    finished = finished_session(plan, pain_before=4, pain_after=3)
    finished_session(plan, pain_before=3, pain_after=2)
    open_session = WorkoutSessionFactory(user=user, plan=plan)
    schedule = Schedule.objects.create(
        user=user, days=Schedule.bits([0, 2, 4]), reminders=True, reminder_email="me@example.org"
    )
    confirm = reminders.verification_mail(schedule, "").body
    shared = SummaryShare.objects.create(
        user=user,
        weeks=6,
        period_end=timezone.now().date(),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    slug = finished.items.first().exercise.slug
    # One open session a person: the finish of a session needs someone else.
    done = UserFactory()
    all_done = WorkoutSessionFactory(user=done, plan=PlanFactory(user=done))
    log_all_sets(all_done)
    return {
        "user": user,
        "users": {"player-all-done": done},
        "urls": {
            "screening-result": reverse("programs-screening-result", args=[plan.screening.pk]),
            "player-all-done": reverse("programs-player", args=[all_done.pk]),
            "self-test": reverse("programs-self-test"),
            "schedule": reverse("programs-schedule"),
            "summary": reverse("programs-summary"),
            "shared-summary": reverse("programs-shared-summary", args=[shared.token]),
            "reminders-stop": reminders.unsubscribe_url(schedule).removeprefix(settings.SITE_URL),
            "reminders-confirm": re.search(r"/reminders/confirm/\S+/", confirm).group(0),
            "delete-account": reverse("programs-delete-account"),
            "password-change": reverse("password_change"),
            "password-reset": reverse("password_reset"),
            "reset-confirm": reverse(
                "password_reset_confirm",
                args=[
                    urlsafe_base64_encode(force_bytes(user.pk)),
                    default_token_generator.make_token(user),
                ],
            ),
            "not-found": "/exercises/no-such-exercise/",
            "home": reverse("programs-home"),
            "library": reverse("programs-exercises"),
            "exercise": Exercise.objects.get(slug="doorway-hamstring-stretch").get_absolute_url(),
            "signup": reverse("signup"),
            "login": reverse("login"),
            "screening": reverse("programs-screening"),
            "dashboard": reverse("programs-dashboard"),
            "plan": reverse("programs-plan"),
            "player": reverse("programs-player", args=[open_session.pk]),
            "history": reverse("programs-history"),
            "session": reverse("programs-session", args=[finished.pk]),
            "exercise-history": reverse("programs-exercise-history", args=[slug]),
        },
    }


def _context(browser, live_server, person, name: str, scheme: str, viewport: dict):
    # bypass_csp only here, for axe: add_script_tag(path=...) inlines the file, which our strict
    # CSP rightly blocks. Every other browser test runs under the real policy.
    context = browser.new_context(
        viewport=viewport, base_url=live_server.url, color_scheme=scheme, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    if name in PERSONAL:
        client = Client()
        user = person["users"].get(name, person["user"])
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    return context


def _violations(page, axe_script: Path) -> list[str]:
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
    ]


def _open(context, person, name: str):
    page = context.new_page()
    response = page.goto(person["urls"][name])
    assert response.status == STATUS.get(name, 200), f"{name}: {response.status}"
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_on_the_page(
    browser, live_server, axe_script, person, name, scheme, screenshot
):
    context = _context(browser, live_server, person, name, scheme, PHONE)
    try:
        page = _open(context, person, name)
        page.wait_for_load_state("networkidle")
        problems = _violations(page, axe_script)
        if problems:
            screenshot(page, f"axe-{name}-{scheme}")
        assert not problems, f"{name} ({scheme}):\n" + "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("name", PAGES)
def test_nothing_scrolls_sideways_at_360_px_and_controls_are_big_enough(
    browser, live_server, person, name
):
    context = _context(browser, live_server, person, name, "light", NARROW)
    try:
        page = _open(context, person, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], name
        # Buttons and form controls people tap: at least 44 px high (links inside text are not).
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                 'button, .button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),'
                 + ' select, summary, nav a')]
               .filter(el => el.offsetParent !== null)
               .filter(el => el.getBoundingClientRect().height < 43.5)
               .map(el => el.outerHTML.slice(0, 90))"""
        )
        assert not small, f"{name}: controls under 44 px: {small}"
    finally:
        context.close()
