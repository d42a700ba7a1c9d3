import pytest
from django.urls import reverse
from django.utils.html import escape

from programs.models import Dose, Exercise

pytestmark = pytest.mark.django_db


def test_it_lists_every_exercise_without_login(client):
    response = client.get(reverse("programs-exercises"))
    assert response.status_code == 200
    body = response.content.decode()
    assert Exercise.objects.count() == 18
    for exercise in Exercise.objects.all():
        assert escape(exercise.name) in body


def test_it_filters_by_purpose_and_level(client):
    response = client.get(reverse("programs-exercises"), {"purpose": "activate"})
    names = {e.name for e in response.context["exercises"]}
    assert names == set(Exercise.objects.filter(purpose="activate").values_list("name", flat=True))
    assert "Glute bridge" in " ".join(names)

    response = client.get(reverse("programs-exercises"), {"purpose": "activate", "level": "hard"})
    assert all(e.level == "hard" for e in response.context["exercises"])


def test_it_ignores_an_unknown_filter_value(client):
    response = client.get(reverse("programs-exercises"), {"purpose": "<script>"})
    assert response.status_code == 200
    assert len(response.context["exercises"]) == Exercise.objects.count()
    assert "&lt;script&gt;" not in response.content.decode()


def test_it_answers_htmx_with_the_results_partial_only(client):
    response = client.get(
        reverse("programs-exercises"), {"purpose": "release"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body
    assert "Exercise library</h1>" not in body


def test_it_shows_steps_in_order_with_cautions_beside_their_step(client):
    exercise = Exercise.objects.get(slug="doorway-hamstring-stretch")
    response = client.get(exercise.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    positions = [body.index(escape(step.text)) for step in exercise.steps.all()]
    assert positions == sorted(positions)
    for caution in exercise.cautions.exclude(step=None).select_related("step"):
        step_at = body.index(f'id="step-{caution.step.number}"')
        next_step = body.find(f'id="step-{caution.step.number + 1}"')
        caution_at = body.index(escape(caution.text), step_at)
        assert next_step == -1 or caution_at < next_step
    assert escape(exercise.source.title) in body
    assert escape(exercise.mistake_list[0]) in body


def test_it_gives_404_for_an_unknown_exercise(client):
    assert client.get(reverse("programs-exercise", args=["no-such-thing"])).status_code == 404


def test_the_home_page_explains_it_is_not_a_diagnosis(client):
    body = client.get(reverse("programs-home")).content.decode()
    assert "not a diagnosis" in body


@pytest.mark.parametrize(
    ("dose", "text"),
    [
        (Dose(3, 1, 20, True, 15), "3 sets × 20 s, each side"),
        (Dose(3, 10, 0, False, 45), "3 sets × 10 reps"),
        (Dose(1, 5, 5, False, 30), "1 set × 5 reps, 5 s"),
        (Dose(1, 1, 180, False, 0), "1 set × 3 min"),
        (Dose(1, 1, 90, False, 0), "1 set × 90 s"),
    ],
)
def test_a_dose_reads_as_a_person_would_say_it(dose, text):
    assert str(dose) == text


SHARED_FOR_HAMSTRINGS = [
    "Short, gentle holds",
    "Slow and gentle, never bouncing",
    "A strained hamstring needs rest, not stretching",
    "Have a strain checked",
]


@pytest.mark.parametrize("slug", ["doorway-hamstring-stretch", "seated-hamstring-stretch"])
def test_a_hamstring_stretch_page_carries_the_librarys_stretching_cautions(client, slug):
    body = client.get(reverse("programs-exercise", args=[slug])).content.decode()
    for title in SHARED_FOR_HAMSTRINGS:
        assert escape(title) in body


def test_an_exercise_that_does_not_stretch_the_hamstrings_leaves_them_out(client):
    body = client.get(reverse("programs-exercise", args=["plank"])).content.decode()
    for title in SHARED_FOR_HAMSTRINGS:
        assert escape(title) not in body


def test_a_caution_no_article_says_is_not_credited_to_one(client):
    from tests.factories import CautionFactory

    exercise = Exercise.objects.get(slug="plank")
    CautionFactory(exercise=exercise, source=None, text="Our own advice, for a test.")
    body = client.get(reverse("programs-exercise", args=["plank"])).content.decode()
    advice = body[body.index("Our own advice, for a test.") :]
    assert advice.index("(general safety advice)") < advice.index("</div>")


OUR_STEPS = "the steps are our own general advice"


def test_steps_the_article_does_not_give_are_said_to_be_our_own(client):
    exercise = Exercise.objects.get(slug="glute-bridge")
    assert exercise.steps_ours
    body = client.get(exercise.get_absolute_url()).content.decode()
    note_at = body.index(OUR_STEPS)
    # Said once, under the steps heading and before the first step, naming the article.
    assert body.index("<h2>Steps</h2>") < note_at < body.index('id="step-1"')
    note = body[body.rindex("<p", 0, note_at) : body.index("</p>", note_at)]
    assert "Article 004" in note and escape(exercise.source.title) in note
    assert body.count(OUR_STEPS) == 1


def test_steps_the_article_gives_carry_no_such_note(client):
    exercise = Exercise.objects.get(slug="doorway-hamstring-stretch")
    assert not exercise.steps_ours
    body = client.get(exercise.get_absolute_url()).content.decode()
    assert OUR_STEPS not in body


def test_a_shared_caution_only_we_give_is_marked_as_our_own_advice(client):
    body = client.get(reverse("programs-exercise", args=["doorway-hamstring-stretch"]))
    body = body.content.decode()
    ours = body[body.index(escape("Slow and gentle, never bouncing")) :]
    assert ours.index("(general safety advice)") < ours.index("</div>")
    credited = body[body.index(escape("Short, gentle holds")) :]
    assert credited.index("(article 004)") < credited.index("</div>")
