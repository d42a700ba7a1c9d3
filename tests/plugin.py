"""Fixtures for every test in the project (tests/ and the packages' own tests), loaded as a
pytest plugin from pyproject.toml so each test folder sees the same ones."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The settings are production unless told otherwise; the suite runs as on a developer's machine
# (tests/production.py starts fresh processes for what production mode must do).
os.environ.setdefault("DJANGO_DEBUG", "1")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test's database is rolled back, content version included: an entry cached under a
    # version number by one test must not answer for another test's content.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def session(user):
    """An open session on the default plan (a module may define its own)."""
    from tests.factories import WorkoutSessionFactory

    return WorkoutSessionFactory(user=user)


@pytest.fixture
def ninety(session):
    """90-90 active hamstring stretch: 3 sets of a 20 s hold, each side."""
    return session.items.get(exercise__slug="ninety-ninety-active-hamstring-stretch")


@pytest.fixture
def bridge(session):
    """Glute bridge: 3 sets of 10 reps, both sides together."""
    return session.items.get(exercise__slug="glute-bridge")


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def user_client(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
