"""Error pages say what happened in plain words, in the app's own layout."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_missing_session_gives_the_apps_not_found_page(user_client):
    response = user_client.get(reverse("programs-player", args=[999999]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Nothing here" in body
    assert reverse("programs-dashboard") in body


def test_a_form_without_its_csrf_token_gives_the_expired_page(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": user.username, "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "This page has expired" in body
    assert "Nothing was saved" in body


def test_the_server_error_page_renders_without_a_request():
    from django.template import loader

    body = loader.get_template("500.html").render({})
    assert "Something went wrong on our side" in body
    assert "<script" not in body
