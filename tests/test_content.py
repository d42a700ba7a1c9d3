import shutil

import pytest
from django.core.management import call_command

from programs.content import CONTENT_DIR, ContentError, load_content
from programs.models import (
    Article,
    Caution,
    Exercise,
    Phase,
    Prescription,
    Program,
    ProgramDay,
    Stage,
    Step,
)

pytestmark = pytest.mark.django_db

EXPECTED_SLUGS = {
    "standing-spine-arch",
    "seated-hamstring-stretch",
    "ninety-ninety-active-hamstring-stretch",
    "active-straight-leg-raise",
    "plate-elevation-hamstring-stretch",
    "standing-hip-hinge-stretch",
    "doorway-hamstring-stretch",
    "supine-toe-draw-stretch",
    "lunging-hip-flexor-stretch",
    "standing-quad-stretch",
    "glute-bridge",
    "donkey-kick",
    "clamshell",
    "foam-rolling",
    "extended-triangle-pose",
    "plank",
    "dynamic-warm-up",
}


def _counts() -> dict[str, int]:
    models = [Article, Exercise, Step, Caution, Program, Stage, ProgramDay, Prescription]
    return {m.__name__: m.objects.count() for m in models}


def test_every_exercise_the_articles_describe_is_in_the_library():
    assert set(Exercise.objects.values_list("slug", flat=True)) == EXPECTED_SLUGS


def test_every_article_is_recorded():
    assert set(Article.objects.values_list("code", flat=True)) == {
        "000",
        "001",
        "002",
        "003",
        "004",
    }


@pytest.mark.parametrize("slug", sorted(EXPECTED_SLUGS))
def test_each_exercise_is_complete(slug):
    exercise = Exercise.objects.get(slug=slug)
    steps = list(exercise.steps.order_by("number"))
    assert len(steps) >= 3
    assert [s.number for s in steps] == list(range(1, len(steps) + 1))
    phases = [s.phase for s in steps]
    # All set-up comes before any movement, and there is movement to do.
    assert phases == sorted(phases, key=lambda p: p != Phase.SETUP)
    assert Phase.MOVEMENT in phases
    assert exercise.cautions.exists()
    assert exercise.sets >= 1 and exercise.rest_seconds >= 0
    assert exercise.reps >= 1 or exercise.hold_seconds >= 1
    if exercise.effort in ("hold", "reps_hold", "timed"):
        assert exercise.hold_seconds > 0
    assert exercise.source.code in {"000", "001", "002", "003", "004"}
    assert len(exercise.mistake_list) >= 2


def test_standing_folds_name_a_supported_alternative():
    folds = Exercise.objects.filter(standing_fold=True)
    assert folds.exists()
    for exercise in folds:
        assert exercise.alternative is not None
        assert not exercise.alternative.standing_fold


def test_the_article_dose_is_kept_where_the_article_gives_one():
    arch = Exercise.objects.get(slug="standing-spine-arch")
    assert (arch.reps, arch.level, arch.source.code) == (5, "easy", "000")
    assert 3 <= arch.hold_seconds <= 5
    for slug in ("glute-bridge", "donkey-kick", "clamshell"):
        glute = Exercise.objects.get(slug=slug)
        assert glute.sets == 3 and 10 <= glute.reps <= 12


def test_the_release_track_never_stretches_the_hamstrings():
    release = Program.objects.get(track="release")
    stretched = Prescription.objects.filter(
        day__stage__program=release, exercise__stretches_hamstrings=True
    )
    assert not stretched.exists()


def test_the_lengthen_track_keeps_plate_elevation_for_the_last_stage():
    lengthen = Program.objects.get(track="lengthen")
    stages_with_plate = Prescription.objects.filter(
        day__stage__program=lengthen, exercise__slug="plate-elevation-hamstring-stretch"
    ).values_list("day__stage__number", flat=True)
    last = lengthen.stages.order_by("-number").first().number
    assert set(stages_with_plate) == {last}


@pytest.mark.parametrize("track", ["release", "lengthen"])
def test_each_day_warms_up_first_and_glutes_come_twice_a_week(track):
    program = Program.objects.get(track=track)
    for stage in program.stages.all():
        days = list(stage.days.all())
        glute_days = 0
        for day in days:
            first = day.prescriptions.order_by("order").first()
            assert first.exercise.slug == "dynamic-warm-up"
            glute_days += day.prescriptions.filter(exercise__purpose="activate").exists()
        assert glute_days * program.sessions_per_week / len(days) == 2


def test_loading_twice_changes_nothing():
    before = _counts()
    ids = list(Step.objects.order_by("pk").values_list("pk", "text"))
    report = load_content()
    assert report.loaded == []
    assert _counts() == before
    assert list(Step.objects.order_by("pk").values_list("pk", "text")) == ids


def test_migrate_loads_content_idempotently():
    before = _counts()
    call_command("migrate", verbosity=0)
    assert _counts() == before


@pytest.fixture
def content_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def test_editing_a_file_updates_the_database(content_copy):
    path = content_copy / "exercises" / "plank.toml"
    text = path.read_text().replace('name = "', 'name = "Edited ', 1)
    path.write_text(text)
    report = load_content(content_copy)
    assert [rel for rel in report.loaded if not rel.startswith("programs/")] == [
        "exercises/plank.toml"
    ]
    assert Exercise.objects.get(slug="plank").name.startswith("Edited ")


def test_editing_an_exercise_dose_reaches_the_programme_days(content_copy):
    path = content_copy / "exercises" / "clamshell.toml"
    text = path.read_text()
    assert "reps = 10" in text
    path.write_text(text.replace("reps = 10", "reps = 11", 1))
    load_content(content_copy)
    days = Prescription.objects.filter(exercise__slug="clamshell")
    overridden = days.filter(day__stage__program__track="lengthen", day__stage__number=3)
    assert set(days.exclude(pk__in=overridden).values_list("reps", flat=True)) == {11}
    # A dose the programme file sets itself stays as the file says.
    assert set(overridden.values_list("reps", flat=True)) == {12}


def test_a_second_file_for_the_same_slug_is_refused(content_copy):
    exercises = content_copy / "exercises"
    shutil.copy(exercises / "plank.toml", exercises / "plank-again.toml")
    with pytest.raises(ContentError, match=r"plank-again\.toml"):
        load_content(content_copy)
    assert Exercise.objects.filter(slug="plank").count() == 1
    assert Exercise.objects.count() == len(EXPECTED_SLUGS)


def test_free_standing_work_waits_for_a_steady_back():
    stages = Stage.objects.filter(program__track="lengthen").order_by("number")
    assert [s.steady_back_sessions for s in stages] == [0, 0, 3]


def test_an_admin_edit_survives_until_the_file_changes(content_copy):
    Exercise.objects.filter(slug="plank").update(summary="Changed in the admin.")
    load_content(content_copy)
    assert Exercise.objects.get(slug="plank").summary == "Changed in the admin."


def test_a_bad_file_names_the_problem_and_changes_nothing(content_copy):
    path = content_copy / "exercises" / "plank.toml"
    path.write_text(path.read_text().replace('level = "', 'level = "impossible-', 1))
    before = _counts()
    with pytest.raises(ContentError, match=r"plank\.toml: level"):
        load_content(content_copy)
    assert _counts() == before


def test_the_spine_arch_holds_each_shape_in_every_rep():
    arch = Exercise.objects.get(slug="standing-spine-arch")
    assert [shape.split(":")[0] for shape in arch.rep_phase_list] == ["Round", "Arch"]


def test_phases_without_a_hold_are_refused(content_copy):
    path = content_copy / "exercises" / "glute-bridge.toml"
    path.write_text(path.read_text().replace("[dose]\n", '[dose]\nphases = ["Up", "Down"]\n', 1))
    with pytest.raises(ContentError, match=r"glute-bridge\.toml: dose\.phases needs"):
        load_content(content_copy)
