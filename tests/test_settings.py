"""Settings read from the environment: production start-up, databases, the deploy check."""

import pytest

from tests.production import evaluate, manage, production_env


def test_the_deploy_check_reports_nothing_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_also_passes_with_postgresql_configured(tmp_path):
    env = production_env(tmp_path, DATABASE_URL="postgres://app:secret@db.example:5432/hamstrings")

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be at least 50"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must list"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be one of"),
        ({"DJANGO_CONN_MAX_AGE": "ten"}, "DJANGO_CONN_MAX_AGE must be a whole number"),
        ({"DATABASE_URL": "nonsense://where"}, "DATABASE_URL is not a database URL"),
    ],
)
def test_production_refuses_to_start_with_a_bad_setting_and_names_it(tmp_path, overrides, message):
    result = manage(production_env(tmp_path, **overrides), "check")

    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_are_strict(tmp_path):
    settings = evaluate(
        production_env(tmp_path),
        """
        from django.conf import settings as s
        result = {
            "DEBUG": s.DEBUG,
            "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
            "SECURE_PROXY_SSL_HEADER": list(s.SECURE_PROXY_SSL_HEADER),
            "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
            "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
            "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
            "staticfiles": s.STORAGES["staticfiles"]["BACKEND"],
        }
        """,
    )

    assert settings == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "staticfiles": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


def test_the_https_redirect_can_be_turned_off_for_trying_it_over_plain_http(tmp_path):
    env = production_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="0")

    redirect = evaluate(
        env, "from django.conf import settings\nresult = settings.SECURE_SSL_REDIRECT"
    )

    assert redirect is False


def test_sqlite_is_set_up_for_concurrent_writers(tmp_path):
    sqlite = evaluate(
        production_env(tmp_path),
        """
        from django.db import connection
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA busy_timeout")
            busy = cursor.fetchone()[0]
        result = {
            "journal": journal,
            "busy": busy,
            "transaction_mode": connection.settings_dict["OPTIONS"]["transaction_mode"],
            "persistent": connection.settings_dict["CONN_MAX_AGE"],
        }
        """,
    )

    assert sqlite == {
        "journal": "wal",
        "busy": 20000,
        "transaction_mode": "IMMEDIATE",
        "persistent": 600,
    }


def test_database_url_selects_postgresql_with_persistent_health_checked_connections(tmp_path):
    env = production_env(tmp_path, DATABASE_URL="postgres://app:secret@db.example:6432/hamstrings")

    database = evaluate(
        env,
        """
        from django.conf import settings
        from django.db.backends.postgresql.psycopg_any import is_psycopg3
        result = {**settings.DATABASES["default"], "psycopg3": is_psycopg3}
        """,
    )

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.example",
        6432,
        "hamstrings",
    )
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["connect_timeout"] == 5
    assert database["psycopg3"] is True


def test_nothing_is_kept_in_process_memory_so_any_worker_can_answer(tmp_path):
    stores = evaluate(
        production_env(tmp_path),
        """
        from django.conf import settings
        from axes.conf import settings as axes
        result = {"sessions": settings.SESSION_ENGINE, "axes": axes.AXES_HANDLER}
        """,
    )

    assert stores == {
        "sessions": "django.contrib.sessions.backends.db",
        "axes": "axes.handlers.database.AxesDatabaseHandler",
    }
