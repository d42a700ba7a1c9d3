import pytest
from django.urls import reverse

from programs.models import Exercise, Program
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _inline_data(response) -> dict[str, str]:
    """Every field of the admin change form as the browser would post it back."""
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is None or value is False:
                    continue
                data[form.add_prefix(name)] = "true" if value is True else value
    return data


def test_the_exercise_page_shows_steps_and_cautions_inline(admin_client):
    exercise = Exercise.objects.get(slug="doorway-hamstring-stretch")
    response = admin_client.get(reverse("admin:programs_exercise_change", args=[exercise.pk]))
    assert response.status_code == 200
    names = [f.formset.prefix for f in response.context["inline_admin_formsets"]]
    assert names == ["steps", "cautions"]
    assert exercise.steps.first().text in response.content.decode()


def test_an_editor_can_change_a_step_in_the_admin(admin_client):
    exercise = Exercise.objects.get(slug="plank")
    url = reverse("admin:programs_exercise_change", args=[exercise.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {k: ("true" if v is True else v) for k, v in data.items() if v is not False}
    data.update(_inline_data(page))
    data["steps-0-text"] = "Edited in the admin."
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert exercise.steps.get(number=1).text == "Edited in the admin."


@pytest.mark.parametrize(
    "name", ["exercise", "caution", "article", "program", "stage", "programday"]
)
def test_every_content_list_opens(admin_client, name):
    assert admin_client.get(reverse(f"admin:programs_{name}_changelist")).status_code == 200


def test_a_program_opens_with_its_stages_inline(admin_client):
    program = Program.objects.get(track="lengthen")
    response = admin_client.get(reverse("admin:programs_program_change", args=[program.pk]))
    assert response.status_code == 200
    assert "Floor stability" in response.content.decode()


def test_staff_can_look_at_personal_records_but_not_change_them(admin_client, user):
    from tests.factories import PlanFactory, finished_session

    session = finished_session(PlanFactory(user=user))
    url = reverse("admin:programs_workoutsession_change", args=[session.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    response = admin_client.post(url, {"note": "Changed by staff."})
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.note != "Changed by staff."
