"""Real Chromium through Playwright. Skipped, with a message, on a machine without Chromium;
required (a failure, not a skip) when REQUIRE_BROWSER=1, as in CI."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Without these, Chromium keeps dialling Google's hosts on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: browser tests skipped (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def fast_timers(settings):
    """Timers in browser tests run on a shortened clock; production's clock is never faked."""
    settings.PLAYER_MS_PER_SECOND = 50
    return settings.PLAYER_MS_PER_SECOND


@pytest.fixture
def page(browser, live_server, fast_timers) -> Iterator:
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()
    # A script error or a CSP violation in the page is a failure even if the flow got through.
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        # caret="initial": hiding the caret leaves style="" on inputs, which the strict CSP reports.
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return take


def signed_in_context(browser, live_server, user, **options):
    """A browser context already signed in as ``user`` (no trip through the login form)."""
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context
