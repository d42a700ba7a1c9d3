"""Sign-up, log-in, log-out, password change and reset, on django.contrib.auth."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-77"


def logged_in_user(client):
    return client.get(reverse("programs-home")).wsgi_request.user


def test_signup_logs_you_in_and_lands_on_the_screening(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "newperson",
            "email": "new@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("programs-screening")
    assert logged_in_user(client).username == "newperson"
    assert client.get(response.url).status_code == 200


def test_signup_rejects_a_password_under_12_characters(client):
    response = client.post(
        reverse("signup"),
        {"username": "shorty", "password1": "tiny-pass-1", "password2": "tiny-pass-1"},
    )

    assert response.status_code == 400
    assert "at least 12 characters" in response.content.decode()
    assert not get_user_model().objects.filter(username="shorty").exists()


def test_login_with_the_right_password_goes_to_the_dashboard(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("programs-dashboard")
    assert logged_in_user(client) == user


def test_login_follows_next_to_the_page_asked_for(client, user):
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD, "next": reverse("programs-plan")},
    )
    assert response.url == reverse("programs-plan")


def test_login_with_a_wrong_password_says_so(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})

    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert not logged_in_user(client).is_authenticated


def test_logout_rejects_get(user_client, user):
    assert user_client.get(reverse("logout")).status_code == 405
    assert logged_in_user(user_client) == user


def test_logout_by_post_logs_you_out(user_client):
    response = user_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("programs-home")
    assert not logged_in_user(user_client).is_authenticated


def test_password_change_needs_the_old_password_and_keeps_you_logged_in(user_client, user):
    page = user_client.get(reverse("password_change"))
    assert "Change your password" in page.content.decode()

    response = user_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert "Password changed" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert logged_in_user(user_client) == user


def test_password_change_with_a_wrong_old_password_changes_nothing(user_client, user):
    response = user_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "old password was entered incorrectly" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_emails_a_link_that_sets_a_new_password(client, user):
    response = client.post(reverse("password_reset"), {"email": user.email}, follow=True)

    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "Reset your Hamstrings password"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Password saved" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # The link works once.
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, user):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)

    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "name", ["login", "signup", "password_reset", "password_reset_done", "password_reset_complete"]
)
def test_the_account_pages_use_our_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="site-header"' in body
    assert "Django administration" not in body
