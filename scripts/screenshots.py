"""Screenshots for the README, from the real app: `make screenshots`.

Starts the app on a free local port with a fresh SQLite database in a temporary folder, makes a
demo person with a plan, a few weeks of sessions and self-tests, then drives Chromium through
the library, the player (in the middle of a hold) and the history, at phone and desktop width,
and writes docs/screenshots/*.png. Nothing outside the temporary folder is touched but those
files.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PYTHON = sys.executable
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
USERNAME = "demo"
PASSWORD = "a-long-enough-password-42"

# Runs inside the app (manage.py shell) against the fresh database.
DEMO_DATA = """
import datetime as dt, json
from django.utils import timezone
from programs.care import events
from programs.models import Effort
from tests.factories import PlanFactory, SelfTestFactory, UserFactory, finished_session

user = UserFactory(username="demo", email="demo@example.com")
plan = PlanFactory(user=user)
now = timezone.now()
pains = [(5, 4), (4, 4), (4, 3), (3, 3), (3, 2), (3, 2), (2, 2)]
for n, (before, after) in enumerate(pains):
    when = now - dt.timedelta(days=20 - n * 3, hours=2)
    finished_session(plan, pain_before=before, pain_after=after, when=when)
for n, (left, right) in enumerate([(48, 52), (52, 55), (55, 60), (60, 62)]):
    SelfTestFactory(user=user, left_angle=left, right_angle=right,
                    taken_at=now - dt.timedelta(days=21 - n * 7))
from programs.models import Schedule
Schedule.objects.create(user=user, days=Schedule.bits([0, 2, 4]))
session = events.session_started(user, events.StartAnswers(pain_before=2))
hold = next(i for i in session.items.select_related("exercise").order_by("order")
            if i.exercise.effort == Effort.HOLD)
print("DEMO " + json.dumps({"session": session.pk, "hold_item": hold.order}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, **kwargs
    )


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer at {url}")


def shoot(page, name: str) -> None:
    path = OUT / f"{name}.png"
    page.screenshot(
        path=str(path), full_page=name.startswith(("library", "history", "schedule", "summary"))
    )
    print("wrote", path.relative_to(ROOT))


def log_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/dashboard/**")


def take_all(browser, base: str, demo: dict, width: str, viewport: dict, scheme: str) -> None:
    suffix = f"{width}" + ("-dark" if scheme == "dark" else "")
    phone = width == "phone"
    context = browser.new_context(
        viewport=viewport, base_url=base, color_scheme=scheme, has_touch=phone, is_mobile=phone
    )
    context.set_default_timeout(15_000)
    page = context.new_page()

    page.goto(f"{base}/exercises/")
    shoot(page, f"library-{suffix}")
    page.goto(f"{base}/exercises/ninety-ninety-active-hamstring-stretch/")
    page.locator("#step-2").scroll_into_view_if_needed()
    shoot(page, f"exercise-{suffix}")

    log_in(page, base)
    page.goto(f"{base}/sessions/{demo['session']}/?item={demo['hold_item']}")
    start = page.locator("[data-start]")
    if start.count():
        start.click()
        # Past "get ready" and a few seconds into the hold.
        # A locator, not wait_for_function: the page's CSP rightly refuses eval.
        page.locator("[data-phase]", has_text=re.compile(r"^\s*Hold\s*$")).wait_for(timeout=20_000)
        page.wait_for_timeout(3000)
    shoot(page, f"player-{suffix}")
    if width == "phone":
        # On a phone the set fills the first screen; the steps follow below it.
        page.evaluate("document.querySelector('.how-card').scrollIntoView({block: 'start'})")
        shoot(page, f"player-steps-{suffix}")

    page.goto(f"{base}/history/")
    page.wait_for_load_state("networkidle")
    shoot(page, f"history-{suffix}")
    page.goto(f"{base}/schedule/")
    shoot(page, f"schedule-{suffix}")
    page.goto(f"{base}/summary/")
    shoot(page, f"summary-{suffix}")

    # The self-test: on a phone mid-measurement (its tilt set as the sensor would report it), on
    # a computer the pictures to tap.
    sensor = context.new_cdp_session(page)
    sensor.send(
        "DeviceOrientation.setDeviceOrientationOverride", {"alpha": 0, "beta": 0, "gamma": 0}
    )
    page.goto(f"{base}/history/self-test/")
    if phone:
        page.get_by_role("button", name="Start measuring with the phone").click()
        page.locator("[data-zero]").click()
        sensor.send(
            "DeviceOrientation.setDeviceOrientationOverride", {"alpha": 0, "beta": 58, "gamma": 0}
        )
        page.wait_for_timeout(300)  # read, and not yet held long enough to be captured
        page.locator("[data-measure-status]").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -80)")
    else:
        page.locator("[data-pictures]").scroll_into_view_if_needed()
    shoot(page, f"self-test-{suffix}")
    context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'screenshots.sqlite3'}",
            "DJANGO_DEBUG": "1",
            "DJANGO_SECRET_KEY": "",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        manage(env, "migrate", "--noinput", "-v0")
        shell = manage(env, "shell", "-c", DEMO_DATA, capture_output=True)
        line = next(x for x in shell.stdout.splitlines() if x.startswith("DEMO "))
        demo = json.loads(line.removeprefix("DEMO "))
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base}/healthz", server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                take_all(browser, base, demo, "phone", PHONE, "light")
                take_all(browser, base, demo, "desktop", DESKTOP, "light")
                take_all(browser, base, demo, "phone", PHONE, "dark")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
