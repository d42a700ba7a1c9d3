"""Secure by default: what the security review found, each point held by a test (issue 15)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from programs import personal_data
from programs.middleware import SecurityHeadersMiddleware
from tests.factories import (
    PASSWORD,
    PlanFactory,
    ScreeningFactory,
    SetLogFactory,
    UserFactory,
    WorkoutSessionFactory,
    finished_session,
)
from tests.production import evaluate, manage, production_env

BACKEND = "django.contrib.auth.backends.ModelBackend"

# --- 1. production unless told otherwise --------------------------------------------------------


def test_with_debug_unset_and_no_secret_key_it_stops_and_says_what_to_set(tmp_path):
    result = manage(production_env(tmp_path, DJANGO_SECRET_KEY=None), "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert "DJANGO_DEBUG=1" in result.stderr and "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_with_debug_unset_it_runs_in_production_mode(tmp_path):
    env = production_env(tmp_path)
    assert "DJANGO_DEBUG" not in env
    settings = evaluate(
        env,
        """
        from django.conf import settings as s
        result = [s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT]
        """,
    )
    assert settings == [False, True, 31536000, True]


def test_the_deploy_check_is_clean_with_a_secret_hosts_and_a_mail_backend_only(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


# --- 2. no reset links in the log --------------------------------------------------------------


def test_production_never_prints_mail_unless_asked_to(tmp_path):
    code = "from django.conf import settings as s\nresult = [s.EMAIL_BACKEND, s.MAIL_CONFIGURED]"
    unset = evaluate(production_env(tmp_path, DJANGO_EMAIL_BACKEND=None), code)
    assert unset == ["django.core.mail.backends.dummy.EmailBackend", False]
    console = "django.core.mail.backends.console.EmailBackend"
    asked = evaluate(production_env(tmp_path, DJANGO_EMAIL_BACKEND=console), code)
    assert asked == [console, True]


def test_without_mail_the_deploy_check_warns(tmp_path):
    env = production_env(tmp_path, DJANGO_EMAIL_BACKEND=None)
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "programs.W001" in result.stdout + result.stderr


@pytest.mark.django_db
def test_without_mail_password_reset_says_so_and_sends_nothing(client, settings):
    settings.MAIL_CONFIGURED = False
    UserFactory(email="someone@example.com")
    page = client.get(reverse("password_reset"))
    assert "Password reset is not available here" in page.content.decode()
    response = client.post(reverse("password_reset"), {"email": "someone@example.com"})
    assert "not available here" in response.content.decode()
    assert mail.outbox == []


# --- 3, 7, 8. every URL: methods, Vary and headers -----------------------------------------------


def _patterns(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if not str(entry.pattern).startswith("admin/"):
                yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and not str(entry.pattern).startswith("admin/"):
            yield entry


@pytest.fixture
def every_url(db):
    """Every URL of the app (the admin aside) with real ids of a signed-in person's records."""
    user = UserFactory()
    screening = ScreeningFactory(user=user)
    plan = PlanFactory(user=user, screening=screening)
    done = finished_session(plan)
    open_session = WorkoutSessionFactory(user=user, plan=plan)
    item = open_session.items.order_by("order").first()
    log = SetLogFactory(item=item, set_number=1, side=item.sides[0])
    from programs.models import DeletedSet

    deleted = DeletedSet.keep(SetLogFactory.build(item=item, set_number=2, side=item.sides[0]))
    from django.utils import timezone

    from programs.models import SummaryShare

    share = SummaryShare.objects.create(
        user=user,
        weeks=6,
        period_end=timezone.now().date(),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    values = {
        "share_id": share.pk,
        "session_id": open_session.pk,
        "set_id": log.pk,
        "item_id": item.pk,
        "deleted_id": deleted.pk,
        "screening_id": screening.pk,
        "slug": item.exercise.slug,
        "uidb64": "MQ",
        "token": "set-password",
    }
    urls = {}
    for pattern in _patterns():
        names = list(pattern.pattern.regex.groupindex)
        kwargs = {name: values[name] for name in names}
        if pattern.name == "programs-session":
            kwargs["session_id"] = done.pk
        urls[pattern.name] = reverse(pattern.name, kwargs=kwargs)
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client, urls


def test_no_url_answers_methods_it_does_not_handle(every_url):
    client, urls = every_url
    for name, url in urls.items():
        for method in ("PUT", "PATCH", "DELETE", "PROPFIND"):
            response = client.generic(method, url)
            assert response.status_code == 405, f"{method} {url} ({name}): {response.status_code}"


def test_head_works_wherever_get_does(every_url):
    client, urls = every_url
    for name, url in urls.items():
        get = client.get(url)
        if get.status_code == 405:
            continue
        head = client.head(url)
        assert head.status_code == get.status_code, f"HEAD {url} ({name}): {head.status_code}"
    for url in ("/sw.js", "/manifest.webmanifest", urls["programs-player"]):
        assert client.head(url).status_code == 200


def test_every_page_varies_on_hx_request_and_carries_the_policy_headers(every_url):
    client, urls = every_url
    pages = 0
    for name, url in urls.items():
        response = client.get(url)
        if response.status_code != 200:
            continue
        assert response["Cross-Origin-Resource-Policy"] == "same-origin", url
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, url
        if response["Content-Type"].startswith("text/html"):
            pages += 1
            vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
            assert "hx-request" in vary, f"{url} ({name}) does not vary on HX-Request"
    assert pages > 15


@pytest.mark.django_db
def test_the_library_filter_fragment_is_kept_apart_from_the_page_by_caches(client):
    page = client.get(reverse("programs-exercises"))
    fragment = client.get(reverse("programs-exercises"), headers={"HX-Request": "true"})
    assert page.content != fragment.content
    assert "HX-Request" in fragment["Vary"] and "HX-Request" in page["Vary"]


@pytest.mark.django_db
def test_the_csrf_cookie_is_out_of_reach_of_scripts(client):
    response = client.get(reverse("login"))
    assert response.cookies["csrftoken"]["httponly"] is True


# --- 4. limits per address ----------------------------------------------------------------------


@pytest.fixture
def tight_limits(settings):
    settings.THROTTLES = {"signup": (2, 3600), "login": (3, 300), "password_reset": (2, 3600)}


@pytest.mark.django_db
def test_login_with_made_up_usernames_is_limited_per_address(client, tight_limits):
    for n in range(3):
        response = client.post(reverse("login"), {"username": f"nobody{n}", "password": "x"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "nobody9", "password": "x"})
    assert response.status_code == 429
    assert "Too many tries from your network" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 300  # what is left of the window
    # Another address is not held up by this one.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(reverse("login"), {"username": "a", "password": "x"}).status_code == 200


@pytest.mark.django_db
def test_sign_up_is_limited_per_address_and_the_refused_one_makes_nothing(client, tight_limits):
    def sign_up(n):
        data = {"username": f"new{n}", "password1": PASSWORD, "password2": PASSWORD}
        return Client().post(reverse("signup"), data)

    assert [sign_up(n).status_code for n in range(2)] == [302, 302]
    assert sign_up(3).status_code == 429
    assert not User.objects.filter(username="new3").exists()


@pytest.mark.django_db
def test_password_reset_is_limited_per_address(client, tight_limits):
    codes = [client.post(reverse("password_reset"), {"email": "a@example.com"}).status_code]
    codes += [client.post(reverse("password_reset"), {"email": "b@example.com"}).status_code]
    codes += [client.post(reverse("password_reset"), {"email": "c@example.com"}).status_code]
    assert codes == [302, 302, 429]


@pytest.mark.django_db
def test_a_forwarded_for_header_with_no_proxy_count_is_warned_about_once(client, caplog):
    SecurityHeadersMiddleware.warned_about_proxy = False
    with caplog.at_level(logging.WARNING, logger="programs.middleware"):
        client.get(reverse("programs-home"), headers={"X-Forwarded-For": "203.0.113.7"})
        client.get(reverse("programs-home"), headers={"X-Forwarded-For": "203.0.113.8"})
    warnings = [r for r in caplog.records if "DJANGO_PROXY_COUNT is 0" in r.getMessage()]
    assert len(warnings) == 1


# --- 5, 6. deletion and export at scale ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_account_deletion_reads_the_sessions_before_taking_the_write_lock(monkeypatch):
    user = UserFactory()
    Client().force_login(user, backend=BACKEND)
    seen = []
    original = personal_data._session_keys

    def spy(who):
        seen.append(connection.in_atomic_block)
        return original(who)

    monkeypatch.setattr(personal_data, "_session_keys", spy)
    personal_data.delete_account(user)
    assert seen == [False]
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_the_json_export_of_a_long_history_streams_in_pieces(client):
    user = UserFactory()
    plan = PlanFactory(user=user)
    for _ in range(60):
        finished_session(plan)
    client.force_login(user, backend=BACKEND)
    response = client.get(reverse("programs-export-json"))
    assert response.streaming
    pieces = list(response.streaming_content)
    assert len(pieces) > 60  # a piece per session at least: never the whole document at once
    data = json.loads(b"".join(pieces))
    assert len(data["sessions"]) == 60
    sets = sum(len(e["sets"]) for s in data["sessions"] for e in s["exercises"])
    assert sets == 60 * 20


# --- 9. spreadsheet formulas --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["\u200b=1+1", "\uff1d1+1", "\ufeff@SUM(A1)", " \u2060-2+3"])
def test_formulas_behind_invisible_or_wide_characters_are_neutralised(text):
    assert personal_data.safe_cell(text) == "'" + text


def test_plain_text_is_left_alone_in_the_csv():
    assert personal_data.safe_cell("Tight on the left = better") == "Tight on the left = better"


# --- 10. accounts ----------------------------------------------------------------------------------


def _sign_up(username, email=""):
    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return Client().post(reverse("signup"), data)


@pytest.mark.django_db
def test_an_email_address_belongs_to_one_account_whatever_its_case():
    assert _sign_up("first", "Same@Example.com").status_code == 302
    response = _sign_up("second", "same@example.COM")
    assert response.status_code == 400
    assert "already belongs to an account" in response.content.decode()
    assert not User.objects.filter(username="second").exists()
    page = Client().get(reverse("signup")).content.decode()
    assert "An address can belong to one account only." in page


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_account_with_the_address():
    UserFactory(email="one@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="ONE@example.com")
    UserFactory(email="")  # many accounts without an address are fine
    UserFactory(email="")


@pytest.mark.django_db
def test_a_username_mixing_alphabets_is_refused():
    UserFactory(username="paul")
    response = _sign_up("p\u0430ul")  # a Cyrillic a in the middle
    assert response.status_code == 400
    assert "one alphabet only" in response.content.decode()
    assert _sign_up("\u0410\u043d\u0434\u0440\u0435\u0439").status_code == 302  # one alphabet


# --- 11. the editors' link ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_editors_link_shows_to_staff_only(client):
    editors = reverse("admin:index")
    assert editors not in client.get(reverse("programs-home")).content.decode()
    client.force_login(UserFactory(), backend=BACKEND)
    assert editors not in client.get(reverse("programs-home")).content.decode()
    client.force_login(UserFactory(is_staff=True), backend=BACKEND)
    assert editors in client.get(reverse("programs-home")).content.decode()


# --- what a second review found ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_editors_login_is_limited_like_ours(client, tight_limits):
    url = reverse("admin:login")
    codes = [client.post(url, {"username": f"x{n}", "password": "y"}).status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.django_db
def test_an_ipv6_visitor_is_counted_by_the_block_it_controls(tight_limits):
    codes = []
    for n in range(4):
        visitor = Client(REMOTE_ADDR=f"2001:db8:0:1::{n + 1:x}")
        codes.append(visitor.post(reverse("login"), {"username": "a", "password": "b"}).status_code)
    assert codes == [200, 200, 200, 429]
    elsewhere = Client(REMOTE_ADDR="2001:db8:0:2::1")
    assert elsewhere.post(reverse("login"), {"username": "a", "password": "b"}).status_code == 200


@pytest.mark.django_db
def test_a_limit_of_nought_switches_it_off_and_retry_after_is_the_time_left(client, settings):
    settings.THROTTLES = {"login": (0, 300)}
    # Other names each time: axes' own lockout is per name and would answer 429 by itself.
    codes = {
        client.post(reverse("login"), {"username": f"a{n}", "password": "b"}).status_code
        for n in range(5)
    }
    assert codes == {200}
    settings.THROTTLES = {"login": (1, 300)}
    client.post(reverse("login"), {"username": "c", "password": "b"})
    refused = client.post(reverse("login"), {"username": "d", "password": "b"})
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 300


@pytest.mark.django_db
def test_an_address_differing_only_in_the_case_of_its_domain_is_refused_not_a_crash():
    UserFactory(email="b@\u00e9xample.com")
    response = _sign_up("second", "b@\u00c9XAMPLE.com")
    assert response.status_code == 400
    assert "already belongs to an account" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["\u5c71\u7530\u305f\u308d\u3046", "\u3084\u307e\u3060\u30bf\u30ed\u30a6"]
)
def test_names_written_in_scripts_used_together_are_welcome(name):
    assert _sign_up(name).status_code == 302


@pytest.mark.django_db
def test_static_files_carry_the_policy_headers_too(settings):
    # WhiteNoise answers from the source folders here, as no collectstatic ran in the test.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_head_answers_with_the_headers_and_no_body(client):
    response = client.head(reverse("programs-home"))
    assert response.status_code == 200 and response.content == b""
    assert int(response["Content-Length"]) > 0
