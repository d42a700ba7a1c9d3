"""Security: response headers, no inline code anywhere, login attempts limited, CSRF on POSTs."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    PASSWORD,
    PlanFactory,
    SelfTestFactory,
    UserFactory,
    WorkoutSessionFactory,
    finished_session,
)
from tests.production import evaluate, production_env

ROOT = Path(__file__).resolve().parents[1]


# --- headers -----------------------------------------------------------------------------------


def _csp(response) -> dict[str, list[str]]:
    policy = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


@pytest.mark.django_db
def test_the_content_security_policy_allows_nothing_inline_and_nothing_foreign(client):
    response = client.get(reverse("programs-home"))
    policy = _csp(response)

    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "unsafe-hashes" not in header
    assert "*" not in header
    assert policy["default-src"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    # Only what the app uses: its own images, fetches, manifest and service worker.
    assert set(policy) == {
        "default-src",
        "script-src",
        "style-src",
        "img-src",
        "connect-src",
        "manifest-src",
        "worker-src",
        "form-action",
        "object-src",
        "base-uri",
        "frame-ancestors",
    }
    assert policy["img-src"] == ["'self'"]


@pytest.mark.django_db
def test_pages_forbid_framing_sniffing_leaky_referrers_and_shared_windows(client):
    response = client.get(reverse("programs-home"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_for_a_signed_in_person_are_never_stored_in_any_cache(user_client):
    response = user_client.get(reverse("programs-home"))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_public_pages_for_anonymous_visitors_may_be_cached(client):
    response = client.get(reverse("programs-home"))

    assert "no-store" not in response.get("Cache-Control", "")


_HTTPS_PROBE = """
from django.test import Client
client = Client(HTTP_HOST="hamstrings.example")
https = client.get("/healthz", headers={"x-forwarded-proto": "https"})
plain_page = client.get("/accounts/login/")
plain_health = client.get("/healthz")
result = {
    "hsts": https.get("Strict-Transport-Security"),
    "plain_page": [plain_page.status_code, plain_page.get("Location")],
    "plain_health": plain_health.status_code,
}
"""


def test_behind_the_tls_proxy_production_sends_hsts_for_a_year_and_redirects_plain_http(
    tmp_path,
):
    probe = evaluate(production_env(tmp_path), _HTTPS_PROBE)

    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["plain_page"] == [301, "https://hamstrings.example/accounts/login/"]
    # The balancer probes /healthz on plain http inside the network.
    assert probe["plain_health"] == 200


def test_without_debug_off_there_is_no_hsts_so_a_laptop_never_pins_https(tmp_path):
    probe = evaluate(production_env(tmp_path, DJANGO_DEBUG="1"), _HTTPS_PROBE)

    assert probe["hsts"] is None
    assert probe["plain_health"] == 200


# --- nothing inline ----------------------------------------------------------------------------

_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_HANDLER = re.compile(r"(?:^|\s)(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)
_STYLE_ATTR = re.compile(r"(?:^|\s)style\s*=", re.I)
_SRC_ATTR = re.compile(r"(?:^|\s)src\s*=", re.I)
_DANGEROUS_JS = [
    (re.compile(r"\beval\s*\("), "eval()"),
    (re.compile(r"\bnew\s+Function\s*\("), "new Function()"),
    (re.compile(r"\bset(?:Timeout|Interval)\s*\(\s*[\"'`]"), "string timer"),
    (re.compile(r"setAttribute\s*\(\s*[\"'`](?:style|on[a-z]+)[\"'`]", re.I), "inline attribute"),
    (re.compile(r"[\"'`][^\"'`]*<(?:script|style)\b", re.I), "markup with script or style"),
    (
        re.compile(r"[\"'`][^\"'`]*\s(?:style|on[a-z]+)\s*=", re.I),
        "markup with an inline attribute",
    ),
]


def inline_code_in_markup(text: str) -> list[str]:
    """Everything in an HTML template (or SVG) that a strict CSP would block."""
    found = []
    for match in _TAG.finditer(text):
        tag, attributes = match.group(1).lower(), match.group(2)
        if tag == "script" and not _SRC_ATTR.search(attributes):
            found.append("<script> without src")
        if tag == "style":
            found.append("<style> block")
        if _STYLE_ATTR.search(attributes):
            found.append(f"style= on <{tag}>")
        handler = _HANDLER.search(attributes)
        if handler:
            found.append(f"{handler.group(1)}= on <{tag}>")
    if re.search(r"javascript:", text, re.I):
        found.append("javascript: URL")
    return found


def inline_code_in_script(text: str) -> list[str]:
    """Everything in a static JS file that needs 'unsafe-eval' or writes inline code."""
    return [name for pattern, name in _DANGEROUS_JS if pattern.search(text)]


def _markup_files() -> list[Path]:
    folders = [ROOT / "templates", ROOT / "programs" / "templates", ROOT / "static"]
    return sorted(
        path
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.suffix in {".html", ".svg", ".txt"} and path.is_file()
    )


def _script_files() -> list[Path]:
    return sorted(path for path in (ROOT / "static").rglob("*.js") if path.is_file())


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">go()</script>',
        "<style>p { color: red }</style>",
        '<p style="color: red">',
        "<div\n  class=\"x\"\n  style='width: 2px'>",
        '<button onclick="go()">',
        '<body onload="go()">',
        '<button hx-on:click="go()">',
        '<a href="javascript:go()">',
    ],
)
def test_the_markup_scanner_catches_each_kind_of_inline_code(snippet):
    assert inline_code_in_markup(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        'eval("1")',
        'new Function("return 1")',
        'setTimeout("go()", 10)',
        'el.setAttribute("style", "color: red")',
        "el.setAttribute('onclick', 'go()')",
        'el.innerHTML = "<script>go()</script>"',
        "el.innerHTML = '<p style=\"color: red\">'",
        "el.insertAdjacentHTML('beforeend', '<b onclick=go()>')",
    ],
)
def test_the_script_scanner_catches_each_kind_of_inline_code(snippet):
    assert inline_code_in_script(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/player.js" defer></script>',
        '<p class="note" data-style="calm">Hold on, then breathe out.</p>',
        '<input name="onset" value="3">',
        '<a href="/" hx-get="/" hx-target="#main">Home</a>',
    ],
)
def test_the_markup_scanner_lets_external_scripts_and_data_attributes_through(snippet):
    assert inline_code_in_markup(snippet) == []


def test_the_script_scanner_lets_cssom_and_timers_with_functions_through():
    script = 'el.style.width = "40%";\nsetTimeout(tick, 1000);\nel.textContent = "on=1";'

    assert inline_code_in_script(script) == []


def test_no_template_or_static_file_contains_inline_scripts_styles_or_handlers():
    files = _markup_files()
    assert any(path.name == "base.html" for path in files)

    problems = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := inline_code_in_markup(path.read_text(encoding="utf-8")))
    }

    assert problems == {}


def test_no_static_script_needs_eval_or_writes_inline_code():
    problems = {
        str(path.relative_to(ROOT)): found
        for path in _script_files()
        if not path.name.endswith(".min.js")
        if (found := inline_code_in_script(path.read_text(encoding="utf-8")))
    }

    assert problems == {}


def test_htmx_is_configured_without_eval_script_tags_or_injected_styles():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', base)

    assert config, "base.html should configure htmx in a meta tag"
    assert '"allowEval": false' in config.group(1)
    assert '"allowScriptTags": false' in config.group(1)
    assert '"includeIndicatorStyles": false' in config.group(1)


# --- login attempts ----------------------------------------------------------------------------


def _log_in(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _fail_until_locked(client: Client, username: str, address: str = "203.0.113.7") -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, username, "not-the-password", address)


@pytest.mark.django_db
def test_wrong_passwords_below_the_limit_still_let_the_right_one_in(client):
    person = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _log_in(client, person.username, "not-the-password").status_code == 200

    response = _log_in(client, person.username, PASSWORD)

    assert response.status_code == 302


@pytest.mark.django_db
def test_repeated_failures_lock_the_username_from_that_address_with_a_clear_page(client):
    person = UserFactory()
    _fail_until_locked(client, person.username)

    response = _log_in(client, person.username, PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed log-ins" in page
    assert "15 minutes" in page
    assert reverse("password_reset") in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_lockout_does_not_block_the_same_person_from_another_address(client):
    person = UserFactory()
    _fail_until_locked(client, person.username, address="203.0.113.7")

    response = _log_in(client, person.username, PASSWORD, address="198.51.100.20")

    assert response.status_code == 302


@pytest.mark.django_db
def test_a_lockout_does_not_block_other_people_on_the_same_address(client):
    person, neighbour = UserFactory(), UserFactory()
    _fail_until_locked(client, person.username)

    response = _log_in(client, neighbour.username, PASSWORD)

    assert response.status_code == 302


@pytest.mark.django_db
def test_the_lockout_lifts_after_the_cool_off(client):
    person = UserFactory()
    _fail_until_locked(client, person.username)

    AccessAttempt.objects.update(
        attempt_time=_ago(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    )
    assert _log_in(client, person.username, PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=_ago(settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    )
    assert _log_in(client, person.username, PASSWORD).status_code == 302


def _log_in_through_balancer(client: Client, username: str, password: str, forwarded: str):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.2",  # the load balancer
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_behind_a_balancer_a_lockout_is_per_visitor_not_for_everyone(client, settings):
    settings.PROXY_COUNT = 1
    person = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in_through_balancer(client, person.username, "wrong", "203.0.113.7")

    locked = _log_in_through_balancer(client, person.username, PASSWORD, "203.0.113.7")
    elsewhere = _log_in_through_balancer(Client(), person.username, PASSWORD, "198.51.100.20")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_behind_a_balancer_a_made_up_forwarded_address_does_not_dodge_the_lockout(client, settings):
    settings.PROXY_COUNT = 1
    person = UserFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The visitor writes a new address each time; the balancer appends the real one.
        _log_in_through_balancer(client, person.username, "wrong", f"192.0.2.{n}, 203.0.113.7")

    response = _log_in_through_balancer(
        client, person.username, PASSWORD, "192.0.2.99, 203.0.113.7"
    )

    assert response.status_code == 429


@pytest.mark.django_db
def test_without_a_proxy_the_forwarded_header_is_ignored(client, settings):
    settings.PROXY_COUNT = 0
    person = UserFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": person.username, "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    assert _log_in(client, person.username, PASSWORD, "203.0.113.7").status_code == 429


def _ago(delta: timedelta):
    from django.utils import timezone

    return timezone.now() - delta


# --- CSRF --------------------------------------------------------------------------------------


def _all_url_patterns(resolver=None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _all_url_patterns(entry, prefix + str(entry.pattern))
        else:
            found.append((prefix + str(entry.pattern), entry))
    return found


def _example_path(route: str) -> str:
    """A concrete path for a route; the ids need not exist, CSRF is checked before the view."""
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<slug:\w+>|<str:\w+>|<uidb64>|<token>", "x", path)
    path = re.sub(r"<\w+:?\w*>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


# Posted by a mail client's one-click unsubscribe (RFC 8058), which has no CSRF token to send:
# the signed token in the address is the key, and all it can do is stop the reminders.
CSRF_EXEMPT = {"/reminders/stop/x/"}


def _program_routes() -> list[str]:
    return sorted(
        {
            _example_path(route)
            for route, _ in _all_url_patterns()
            if not route.startswith("admin/") and "(?P" not in route
        }
        - CSRF_EXEMPT
    )


def test_the_one_post_without_csrf_is_the_signed_unsubscribe():
    from programs.views.schedule import stop_reminders

    exempt = {
        _example_path(route)
        for route, entry in _all_url_patterns()
        if getattr(getattr(entry, "callback", None), "csrf_exempt", False)
        and not route.startswith("admin/")
    }
    assert exempt == CSRF_EXEMPT
    assert stop_reminders.csrf_exempt


def test_the_csrf_route_list_covers_the_app():
    routes = _program_routes()

    assert "/accounts/login/" in routes
    assert "/sessions/1/sets/" in routes
    assert "/history/delete-account/" in routes


@pytest.mark.django_db
@pytest.mark.parametrize("path", _program_routes())
def test_every_post_without_a_csrf_token_is_refused(path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(), backend="django.contrib.auth.backends.ModelBackend")

    response = client.post(path, {"anything": "1"}, headers={"hx-request": "true"})

    assert response.status_code == 403, f"{path} accepted a POST without a CSRF token"


@pytest.mark.django_db
def test_a_login_post_without_a_token_is_refused_and_with_the_form_token_succeeds():
    client = Client(enforce_csrf_checks=True)
    person = UserFactory()
    assert _log_in(client, person.username, PASSWORD).status_code == 403

    page = client.get(reverse("login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        reverse("login"),
        {"username": person.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


def htmx_token(client: Client, path: str) -> str:
    """The token htmx sends: base.html puts it on <body> in hx-headers."""
    page = client.get(path).content.decode()
    match = re.search(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert match, f"no CSRF header for htmx on {path}"
    return match.group(1)


@pytest.mark.django_db
def test_an_htmx_post_with_the_header_from_the_page_succeeds():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(), backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(reverse("logout"), headers={"hx-request": "true"}).status_code == 403

    token = htmx_token(client, reverse("programs-home"))
    response = client.post(reverse("logout"), headers={"hx-request": "true", "x-csrftoken": token})

    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session


# --- the pages as rendered, with real records in them -----------------------------------------


@pytest.fixture
def person_with_history(db):
    person = UserFactory()
    plan = PlanFactory(user=person)
    done = [finished_session(plan) for _ in range(3)]
    SelfTestFactory(user=person)
    open_session = WorkoutSessionFactory(user=person, plan=plan)
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    pages = [
        reverse("programs-dashboard"),
        reverse("programs-plan"),
        reverse("programs-screening"),
        reverse("programs-screening-result", args=[plan.screening_id]),
        reverse("programs-player", args=[open_session.pk]),
        reverse("programs-history"),
        reverse("programs-session", args=[done[0].pk]),
        reverse("programs-exercise-history", args=[open_session.items.first().exercise.slug]),
        reverse("programs-self-test"),
        reverse("programs-delete-account"),
        reverse("programs-export-csv"),
        reverse("programs-export-json"),
        reverse("password_change"),
    ]
    return client, pages, open_session


def test_personal_pages_with_records_are_never_cached_and_carry_no_inline_code(
    person_with_history,
):
    client, pages, _ = person_with_history

    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response["Content-Type"].startswith("text/html"):
            assert inline_code_in_markup(body.decode()) == [], path


def test_logging_a_set_over_htmx_needs_the_token_the_player_page_carries(person_with_history):
    _, _, session = person_with_history
    client = Client(enforce_csrf_checks=True)
    client.force_login(session.user, backend="django.contrib.auth.backends.ModelBackend")
    item = session.items.order_by("order").first()
    number, side = item.slots()[0]
    form = {
        "item": item.pk,
        "set_number": number,
        "side": side,
        "reps": item.reps,
        "hold_seconds": item.hold_seconds,
        "client_token": "6a0c7f0e-5b8e-4c55-9a59-1f1d3f1f0b11",
    }
    url = reverse("programs-log-set", args=[session.pk])

    refused = client.post(url, form, headers={"hx-request": "true"})
    assert refused.status_code == 403
    assert not item.logs.exists()

    token = htmx_token(client, reverse("programs-player", args=[session.pk]))
    response = client.post(url, form, headers={"hx-request": "true", "x-csrftoken": token})

    assert response.status_code == 200
    assert item.logs.count() == 1
