"""A POST with no fields at all is a form sent empty, not a page asked for: it gets the form's
messages and changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from programs.models import Screening, SelfTest, WorkoutSession
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def _rows() -> tuple[int, ...]:
    models = [get_user_model(), Screening, SelfTest, WorkoutSession]
    return tuple(m.objects.count() for m in models)


def test_an_empty_signup_is_answered_with_its_messages(client):
    before = _rows()
    response = client.post(reverse("signup"), {})
    assert response.status_code in (200, 400)
    assert response.context["form"].errors
    assert _rows() == before


@pytest.mark.parametrize("name", ["programs-screening", "programs-start", "programs-self-test"])
def test_an_empty_form_post_is_answered_with_its_messages(user_client, user, name):
    PlanFactory(user=user)
    before = _rows()
    response = user_client.post(reverse(name), {})
    assert response.status_code in (200, 400, 422)
    assert response.context["form"].errors
    assert _rows() == before


def test_an_empty_account_deletion_post_deletes_nothing(user_client, user):
    response = user_client.post(reverse("programs-delete-account"), {})
    assert response.context["form"].errors
    assert get_user_model().objects.filter(pk=user.pk).exists()
