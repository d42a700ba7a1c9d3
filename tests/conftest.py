"""Settings for the database the tests run on. The fixtures every test shares are in
tests/plugin.py; this one stays a conftest so it wins over pytest-django's own."""

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test on a file as production does, not in memory: only a file has WAL and
    real locking between connections, which the concurrency tests depend on. A fresh folder per
    run, so several runs on one machine never share a database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
