"""Operations: the health check, static files as production serves them, gunicorn's settings,
and the benchmark-only views."""

import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import reverse

from programs.models import ContentFile
from tests.production import evaluate, production_env

ROOT = Path(__file__).resolve().parents[1]


# --- /healthz ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_head_for_balancers_that_use_it(client):
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch(
        "programs.views.ops.connection.cursor",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert b"database unavailable" in response.content


@pytest.mark.django_db
def test_healthz_answers_503_when_the_query_fails_on_an_open_connection(client):
    broken = mock.MagicMock()
    broken.__enter__.return_value.execute.side_effect = OperationalError("server closed")
    with mock.patch("programs.views.ops.connection.cursor", return_value=broken):
        response = client.get("/healthz")

    assert response.status_code == 503


def test_healthz_answers_503_when_postgresql_cannot_be_reached_at_all(tmp_path):
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    env = production_env(tmp_path, DATABASE_URL="postgres://app:pw@127.0.0.1:1/hamstrings")

    status = evaluate(
        env,
        """
        from django.test import Client
        result = Client(HTTP_HOST="hamstrings.example").get("/healthz", secure=True).status_code
        """,
    )

    assert status == 503


@pytest.mark.django_db
def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405


# --- static files ------------------------------------------------------------------------------


MANIFEST_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="module")
def _static_root(tmp_path_factory):
    """collectstatic as `make serve` runs it, into a throwaway folder, once for this module."""
    root = tmp_path_factory.mktemp("static")
    from django.conf import settings

    storages = {**settings.STORAGES, "staticfiles": MANIFEST_STORAGE}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def collected_static(settings, _static_root):
    settings.DEBUG = False
    settings.STATIC_ROOT = _static_root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST_STORAGE}
    return _static_root


@pytest.mark.django_db
def test_pages_link_hashed_static_files_that_are_cached_forever_and_compressed(collected_static):
    client = Client()  # a fresh handler, so WhiteNoise indexes the new folder
    page = client.get(reverse("programs-home")).content.decode()
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
    assert css, "the stylesheet link should carry a content hash"

    response = client.get(css.group(1), HTTP_ACCEPT_ENCODING="br, gzip")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "br"
    assert int(response["Content-Length"]) < (collected_static / "css/app.css").stat().st_size


@pytest.mark.django_db
def test_static_files_fall_back_to_gzip_for_clients_without_brotli(collected_static):
    names = sorted(p.name for p in (collected_static / "css").glob("app.*.css"))
    hashed = next(n for n in names if re.fullmatch(r"app\.[0-9a-f]{12}\.css", n))

    response = Client().get(f"/static/css/{hashed}", HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"


@pytest.mark.django_db
def test_images_are_served_as_they_are_not_gzipped_on_every_request(collected_static):
    names = sorted(p.name for p in (collected_static / "icons").glob("icon-192.*.png"))
    hashed = next(n for n in names if re.fullmatch(r"icon-192\.[0-9a-f]{12}\.png", n))

    response = Client().get(f"/static/icons/{hashed}", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert int(response["Content-Length"]) == (collected_static / "icons" / hashed).stat().st_size


@pytest.mark.django_db
def test_unhashed_static_names_are_cached_only_briefly(collected_static):
    response = Client().get("/static/css/app.css")

    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_are_compressed_for_browsers_that_accept_gzip(user_client):
    response = user_client.get(reverse("programs-dashboard"), HTTP_ACCEPT_ENCODING="gzip, br")
    plain = user_client.get(reverse("programs-dashboard"))

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert len(response.content) < len(plain.content) / 2
    assert "Content-Encoding" not in plain


# --- gunicorn ----------------------------------------------------------------------------------


def _gunicorn_config(**env: str) -> dict[str, str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hamstrings.wsgi",
            "--config",
            "hamstrings/gunicorn.conf.py",
            "--print-config",
        ],
        cwd=ROOT,
        # DEBUG on: this reads gunicorn's numbers, not the production settings' own checks.
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    config = {}
    for line in result.stdout.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            config[name.strip()] = value.strip()
    return config


def test_gunicorn_runs_several_sync_workers_with_timeouts_and_an_access_log():
    config = _gunicorn_config()

    assert config["worker_class"] == "sync"
    assert int(config["workers"]) >= 2
    assert int(config["timeout"]) == 30
    assert int(config["graceful_timeout"]) == 30
    assert config["accesslog"] == "-"
    assert config["bind"] == "['127.0.0.1:8000']"


def test_gunicorn_takes_its_numbers_from_the_environment():
    config = _gunicorn_config(WEB_CONCURRENCY="7", PORT="9123", GUNICORN_TIMEOUT="12")

    assert config["workers"] == "7"
    assert config["bind"] == "['127.0.0.1:9123']"
    assert config["timeout"] == "12"


# --- benchmark-only views ----------------------------------------------------------------------


@pytest.mark.django_db
def test_benchmark_views_do_not_exist_unless_turned_on(client):
    assert client.get(reverse("programs-bench-bare")).status_code == 404
    assert client.post(reverse("programs-bench-insert")).status_code == 404
    assert not ContentFile.objects.filter(path__startswith="bench/").exists()


@pytest.mark.django_db
def test_the_bare_benchmark_view_does_nothing(client, settings, django_assert_num_queries):
    settings.BENCH_BARE_VIEW = True

    with django_assert_num_queries(0):
        response = client.get(reverse("programs-bench-bare"))

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_bare_insert_writes_exactly_one_row(client, settings, django_assert_num_queries):
    settings.BENCH_BARE_VIEW = True

    with django_assert_num_queries(1):
        response = client.post(reverse("programs-bench-insert"))

    assert response.status_code == 201
    assert ContentFile.objects.filter(path__startswith="bench/").count() == 1
