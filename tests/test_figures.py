"""Exercise figures: every step has a pose, every pose draws as valid SVG, and the drawings
match what the articles describe."""

import json
import math
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse

from programs import figures
from programs.content import CONTENT_DIR, ContentError, load_content
from programs.models import Exercise, Step
from tests.factories import ExerciseFactory, StepFactory

SVG = "{http://www.w3.org/2000/svg}"


def _joints(slug: str, number: int) -> dict[str, tuple[float, float]]:
    step = Step.objects.get(exercise__slug=slug, number=number)
    return figures.build(figures.step_pose(step)).joints


def _angle_from_vertical(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.degrees(math.atan2(abs(b[0] - a[0]), abs(b[1] - a[1])))


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


# --- content ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_step_of_every_exercise_has_a_pose_that_draws_as_valid_svg():
    steps = Step.objects.select_related("exercise")
    assert steps.count() > 60
    for step in steps:
        assert step.pose, f"{step} has no pose"
        pose = figures.step_pose(step)
        root = _parse(figures.render(pose, figures.describe(pose, step)))
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        assert step.cue in root.get("aria-label")
        assert root.find(f"{SVG}title").text == root.get("aria-label")
        # Colours come from the stylesheet, and the CSP forbids style attributes anyway.
        assert not [el for el in root.iter() if "style" in el.attrib or "fill" in el.attrib]


@pytest.mark.django_db
def test_every_exercise_moves_between_two_of_its_own_steps():
    for exercise in Exercise.objects.prefetch_related("steps"):
        start, end = figures.motion_steps(exercise.steps.all())
        assert start.exercise_id == end.exercise_id == exercise.pk
        assert start.pose != end.pose, f"{exercise.slug}: the figure would not move"


@pytest.mark.django_db
def test_the_figure_lies_on_the_floor_and_never_below_it():
    for step in Step.objects.select_related("exercise"):
        figure = figures.build(figures.step_pose(step))
        floor = figures.MAT_H if "mat" in figure.pose.props else 0.0
        assert figure.lowest() == pytest.approx(floor), str(step)
        # Lying on the side too: the mat is under the lowest limb, never drawn over the legs.
        mats = [s for s in figure.props if s.css == "fig-mat"]
        assert all(max(y for _, y in mat.points) <= floor for mat in mats), str(step)


# --- geometry the articles ask for -----------------------------------------------------------------


@pytest.mark.django_db
def test_ninety_ninety_puts_hip_and_knee_at_right_angles_with_the_foot_above_the_hip():
    step = Step.objects.get(exercise__slug="ninety-ninety-active-hamstring-stretch", number=2)
    raised = step.pose["left"]
    assert raised["hip"] == 90
    assert raised["knee"] == 90
    j = _joints(step.exercise.slug, 2)
    assert j["left-ankle"][1] > j["pelvis"][1] + figures.THIGH * 0.9
    # Thigh upright, shin level.
    assert _angle_from_vertical(j["pelvis"], j["left-knee"]) < 3
    assert abs(j["left-knee"][1] - j["left-ankle"][1]) < 3


@pytest.mark.django_db
def test_ninety_ninety_straightens_the_knee_while_the_thigh_stays_upright():
    before = _joints("ninety-ninety-active-hamstring-stretch", 3)
    after = _joints("ninety-ninety-active-hamstring-stretch", 5)
    assert _angle_from_vertical(after["pelvis"], after["left-knee"]) < 3
    assert after["left-ankle"][1] > before["left-ankle"][1] + 20


@pytest.mark.django_db
def test_the_doorway_stretch_raises_one_leg_near_vertical_and_keeps_the_other_flat():
    for number in (3, 5):
        j = _joints("doorway-hamstring-stretch", number)
        assert _angle_from_vertical(j["pelvis"], j["left-ankle"]) < 15
        assert abs(j["right-ankle"][1] - j["pelvis"][1]) < 5
    step = Step.objects.get(exercise__slug="doorway-hamstring-stretch", number=5)
    assert "door-frame" in step.pose["props"]


@pytest.mark.django_db
def test_the_spine_arch_rounds_then_arches_with_hands_on_the_knees():
    steps = {s.number: s.pose for s in Step.objects.filter(exercise__slug="standing-spine-arch")}
    rounded, arched = steps[4], steps[7]
    assert rounded["spine"] > 20 and rounded["head"] > 0  # back up, chin down
    assert arched["spine"] < -20 and arched["head"] < 0  # middle down, eyes up
    for number in (2, 4, 7):
        assert steps[number]["hand"] == "knee"
        j = _joints("standing-spine-arch", number)
        for side in ("left", "right"):
            hand, knee = j[f"{side}-wrist"], j[f"{side}-knee"]
            assert math.dist(hand, knee) < 18, f"step {number}: {side} hand is off the knee"


@pytest.mark.django_db
def test_the_seated_stretch_sits_on_a_chair_with_the_trunk_on_the_thighs():
    folded = Step.objects.get(exercise__slug="seated-hamstring-stretch", number=4).pose
    assert folded["base"] == "sitting" and "chair" in folded["props"]
    assert folded["trunk"] > 45
    start = _joints("seated-hamstring-stretch", 3)
    straight = _joints("seated-hamstring-stretch", 5)
    # Only the knee moves: the thigh and the trunk stay where they were.
    assert straight["left-knee"] == pytest.approx(start["left-knee"], abs=0.5)
    assert straight["shoulder"] == pytest.approx(start["shoulder"], abs=0.5)
    assert straight["left-ankle"][0] > start["left-ankle"][0] + 15


@pytest.mark.django_db
def test_the_seated_stretch_ends_by_pushing_up_to_sitting_with_the_hands_on_the_thighs():
    steps = list(Step.objects.filter(exercise__slug="seated-hamstring-stretch").order_by("number"))
    folded, rising, upright = (s.pose for s in steps[-3:])
    assert folded["trunk"] > rising["trunk"] > upright["trunk"] == 0
    for pose in (rising, upright):
        assert pose["base"] == "sitting" and pose["hand"] == "thigh"
        assert "chair" in pose["props"]
    assert [s.phase for s in steps[-2:]] == ["movement", "movement"]


@pytest.mark.django_db
def test_moist_heat_rests_face_down_so_the_pack_lies_on_the_backs_of_the_thighs():
    steps = {s.number: s for s in Step.objects.filter(exercise__slug="moist-heat")}
    start, end = figures.motion_steps(steps.values())
    assert start.pose["base"] == end.pose["base"] == "prone"
    assert end.phase == "movement"


@pytest.mark.django_db
def test_the_hip_hinge_pushes_the_hips_back_over_still_feet():
    upright = _joints("standing-hip-hinge-stretch", 3)
    hinged = _joints("standing-hip-hinge-stretch", 5)
    assert hinged["pelvis"][0] < upright["pelvis"][0] - 5
    for joint in ("left-ankle", "right-ankle"):
        assert hinged[joint][0] == pytest.approx(upright[joint][0], abs=4)
    pose = Step.objects.get(exercise__slug="standing-hip-hinge-stretch", number=5).pose
    assert pose.get("spine", 0) == 0  # a long back, not rounded
    assert pose["left"]["knee"] == 0 and pose["right"]["knee"] > 0


@pytest.mark.django_db
def test_the_plate_is_under_the_front_forefoot_with_the_heel_down():
    j = _joints("plate-elevation-hamstring-stretch", 2)
    assert j["left-toe"][1] > j["left-heel"][1] + 2
    step = Step.objects.get(exercise__slug="plate-elevation-hamstring-stretch", number=2)
    figure = figures.build(figures.step_pose(step))
    (plate,) = [s for s in figure.props if s.css == "fig-plate"]
    xs = sorted(p[0] for p in plate.points)
    assert xs[0] <= j["left-toe"][0] <= xs[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "base"),
    [
        ("lunging-hip-flexor-stretch", "kneeling"),
        ("glute-bridge", "lying"),
        ("donkey-kick", "all-fours"),
        ("clamshell", "side-lying"),
        ("plank", "all-fours"),
        ("extended-triangle-pose", "standing"),
        ("supine-toe-draw-stretch", "lying"),
        ("standing-quad-stretch", "standing"),
        ("dynamic-warm-up", "standing"),
    ],
)
def test_each_exercise_starts_from_the_position_its_article_describes(slug, base):
    assert Step.objects.get(exercise__slug=slug, number=1).pose["base"] == base


@pytest.mark.django_db
def test_the_glute_bridge_lifts_the_hips_into_a_line_from_shoulders_to_knees():
    down = _joints("glute-bridge", 2)
    up = _joints("glute-bridge", 3)
    assert up["pelvis"][1] > down["pelvis"][1] + 15
    # Shoulder, hip and knee in one line.
    (sx, sy), (px, py), (kx, ky) = up["shoulder"], up["pelvis"], up["left-knee"]
    assert abs((px - sx) * (ky - sy) - (py - sy) * (kx - sx)) / math.dist((sx, sy), (kx, ky)) < 4


@pytest.mark.django_db
def test_the_donkey_kick_lifts_the_thigh_level_with_the_body_and_the_sole_up():
    j = _joints("donkey-kick", 3)
    assert abs(j["left-knee"][1] - j["pelvis"][1]) < 10
    assert j["left-ankle"][1] > j["left-knee"][1] + 30


@pytest.mark.django_db
def test_the_clamshell_opens_the_top_knee_and_keeps_the_feet_together():
    closed = _joints("clamshell", 2)
    opened = _joints("clamshell", 3)
    assert opened["left-knee"][1] > closed["left-knee"][1] + 10
    assert opened["left-ankle"] == pytest.approx(closed["left-ankle"], abs=1)
    assert math.dist(opened["left-ankle"], opened["right-ankle"]) < 25


@pytest.mark.django_db
def test_the_plank_holds_a_straight_line_from_shoulders_to_heels():
    j = _joints("plank", 3)
    (sx, sy), (px, py), (ax, ay) = j["shoulder"], j["pelvis"], j["left-ankle"]
    assert abs((px - sx) * (ay - sy) - (py - sy) * (ax - sx)) / math.dist((sx, sy), (ax, ay)) < 3


@pytest.mark.django_db
def test_the_triangle_is_drawn_from_the_front_with_the_trunk_tipped_over_the_front_leg():
    pose = Step.objects.get(exercise__slug="extended-triangle-pose", number=4).pose
    assert pose["view"] == "front"
    j = _joints("extended-triangle-pose", 4)
    assert j["head"][0] > j["pelvis"][0] + 30
    assert j["left-wrist"][1] < j["left-knee"][1]  # the lower hand rests below the knee


@pytest.mark.django_db
def test_the_toe_draw_pulls_the_raised_foot_back_toward_the_face():
    relaxed = Step.objects.get(exercise__slug="supine-toe-draw-stretch", number=2).pose
    drawn = Step.objects.get(exercise__slug="supine-toe-draw-stretch", number=3).pose
    assert drawn["left"]["ankle"] < 0 < relaxed["left"]["ankle"]


@pytest.mark.django_db
def test_the_quad_stretch_holds_the_ankle_behind_with_a_hand():
    j = _joints("standing-quad-stretch", 3)
    assert math.dist(j["left-wrist"], j["left-ankle"]) < 6
    assert j["left-ankle"][0] < j["left-knee"][0]  # heel behind
    assert j["left-ankle"][1] > j["left-knee"][1]  # and up


@pytest.mark.django_db
def test_foam_rolling_puts_a_roller_under_the_thigh():
    step = Step.objects.get(exercise__slug="foam-rolling", number=1)
    figure = figures.build(figures.step_pose(step))
    (roller,) = [s for s in figure.props if s.css == "fig-roller"]
    (_, cy), r = roller.points[0], roller.width
    assert cy - r == pytest.approx(0, abs=0.5)  # on the floor
    assert figure.joints["pelvis"][1] > 2 * r  # the body rests on it, off the floor


# --- parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pose", "message"),
    [
        ({"trunk": 0}, "base is required"),
        ({"base": "floating"}, "base = 'floating' is not one of"),
        ({"base": "lying", "hip": "ninety"}, "hip must be a number of degrees"),
        ({"base": "lying", "knee": 400}, "knee = 400 is outside"),
        ({"base": "lying", "left": {"elbow": 10, "wing": 3}}, "left: unknown key 'wing'"),
        ({"base": "lying", "tail": 3}, "unknown key 'tail'"),
        ({"base": "lying", "props": ["trampoline"]}, "props"),
        ({"base": "lying", "hand": "nose"}, "hand = 'nose' is not one of"),
        ("lying", "must be a table"),
    ],
)
def test_a_bad_pose_is_refused_with_a_message_naming_the_key(pose, message):
    with pytest.raises(figures.PoseError, match=message):
        figures.parse_pose(pose)


@pytest.mark.django_db
def test_a_bad_pose_in_a_content_file_stops_the_load_naming_the_file_and_step(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    path = content / "exercises" / "glute-bridge.toml"
    text = path.read_text()
    path.write_text(text.replace("hip = 60,", 'hip = "sixty",', 1))
    with pytest.raises(ContentError, match=r"glute-bridge.toml step 1 pose.hip must be a number"):
        load_content(content, force=True)
    assert Step.objects.get(exercise__slug="glute-bridge", number=1).pose["hip"] == 60


def test_a_blend_halfway_averages_the_angles():
    a = figures.parse_pose({"base": "lying", "trunk": -90, "left": {"hip": 0}})
    b = figures.parse_pose({"base": "lying", "trunk": -90, "left": {"hip": 90}})
    assert a.blend(b, 0.5).left.hip == 45
    assert a.blend(b, 0).left.hip == 0 and a.blend(b, 1).left.hip == 90


def test_facing_left_mirrors_the_drawing():
    right = figures.build(figures.parse_pose({"base": "standing", "hip": 30}))
    left = figures.build(figures.parse_pose({"base": "standing", "hip": 30, "facing": "left"}))
    assert left.joints["left-knee"][0] == pytest.approx(-right.joints["left-knee"][0])


# --- template tags and pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_exercise_page_shows_a_figure_for_every_step(client, django_assert_max_num_queries):
    exercise = Exercise.objects.get(slug="doorway-hamstring-stretch")
    with django_assert_max_num_queries(6):
        response = client.get(exercise.get_absolute_url())
    page = response.content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="figure fig"') == 6
    assert "Figure lying on the back: One leg up, one leg flat" in page


@pytest.mark.django_db
def test_a_step_without_a_pose_or_with_a_broken_one_costs_only_its_picture(client):
    exercise = ExerciseFactory()
    StepFactory(exercise=exercise, number=1, pose={})
    StepFactory(exercise=exercise, number=2, pose={"base": "lying", "hip": "up"})
    StepFactory(exercise=exercise, number=3, pose={"base": "lying", "trunk": -90})
    response = client.get(exercise.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("<svg") == 1


@pytest.mark.django_db
def test_the_motion_tag_stacks_pictures_from_the_start_to_the_end_position():
    exercise = Exercise.objects.get(slug="ninety-ninety-active-hamstring-stretch")
    html = Template("{% load figures %}{% exercise_motion exercise %}").render(
        Context({"exercise": exercise})
    )
    root = _parse(html)
    assert "pose-motion" in root.get("class")
    assert root.get("data-motion") == "hold"
    frames = [g for g in root.iter(f"{SVG}g") if "pose-frame" in (g.get("class") or "")]
    assert [g.get("class").split()[-1] for g in frames] == [
        f"pose-frame-{i}" for i in range(figures.FRAMES)
    ]


@pytest.mark.django_db
def test_repetitions_move_back_and_forth_and_holds_move_once():
    bridge = Exercise.objects.get(slug="glute-bridge")
    html = Template("{% load figures %}{% exercise_motion exercise %}").render(
        Context({"exercise": bridge})
    )
    assert _parse(html).get("data-motion") == "reps"


def test_the_stylesheet_animates_every_frame_and_stays_still_for_reduced_motion():
    css = (Path(__file__).resolve().parents[1] / "static/css/figures.css").read_text()
    for i in range(figures.FRAMES):
        assert f"@keyframes pose-frame-{i} " in css
        assert f".is-holding .pose-frame-{i}" in css
    reduced = css.split("prefers-reduced-motion: reduce")[1]
    assert "animation: none" in reduced


# --- installable app --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    precache = json.loads(body.split("var PRECACHE = ")[1].split(";\n")[0])
    assert "/static/css/app.css" in precache and "/static/js/sw.js" not in precache
    # The self-test's own files wait for its page: every first visit stays light.
    assert "/static/js/self-test.js" not in precache
    assert 'request.method !== "GET"' in body  # never touches a POST


@pytest.mark.django_db
def test_the_service_worker_caches_only_static_files(client):
    body = client.get(reverse("programs-service-worker")).content.decode()
    assert 'url.pathname.indexOf("/static/") !== 0) return;' in body


@pytest.mark.django_db
def test_the_service_worker_refuses_posts(client):
    assert client.post("/sw.js").status_code == 405


@pytest.mark.django_db
def test_every_page_links_the_manifest_theme_colour_and_the_registering_script(client):
    page = client.get(reverse("programs-home")).content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert '<meta name="theme-color"' in page
    assert 'data-service-worker="/sw.js"' in page


def test_the_manifest_names_the_app_and_lists_our_icons():
    static = Path(__file__).resolve().parents[1] / "static"
    manifest = json.loads((static / "manifest.webmanifest").read_text())
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        data = (static / icon["src"]).read_bytes()
        if icon["type"] == "image/png":
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
            assert f"{width}x{height}" == icon["sizes"]
    assert any(i.get("purpose") == "maskable" for i in manifest["icons"])


@pytest.mark.django_db
def test_the_manifest_is_served_as_a_web_app_manifest_with_icon_urls(client):
    response = client.get(reverse("programs-manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    icons = json.loads(response.content)["icons"]
    assert {i["src"] for i in icons} >= {"/static/icons/icon-192.png", "/static/icons/icon-512.png"}


# --- any pose the checks let through can be drawn ------------------------------------------------


def _limb_strategy():
    from hypothesis import strategies as st

    angles = {
        key: st.floats(low, high, allow_nan=False)
        for key, (low, high) in figures.LIMB_ANGLES.items()
    }
    return st.fixed_dictionaries(
        {}, optional={**angles, "hand": st.sampled_from(figures.HAND_TARGETS)}
    )


def _pose_strategy():
    from hypothesis import strategies as st

    body = {
        key: st.floats(low, high, allow_nan=False)
        for key, (low, high) in figures.BODY_ANGLES.items()
    }
    return st.fixed_dictionaries(
        {"base": st.sampled_from(list(figures.BASES))},
        optional={
            **body,
            "view": st.sampled_from(figures.VIEWS),
            "facing": st.sampled_from(figures.FACINGS),
            "props": st.lists(st.sampled_from(figures.PROPS), unique=True),
            "anchor": st.sampled_from(figures.ANCHORS),
            "roller_at": st.floats(0, 1),
            "left": _limb_strategy(),
            "right": _limb_strategy(),
        },
    )


def test_any_pose_that_passes_the_checks_draws_as_valid_svg():
    from hypothesis import given, settings

    @settings(max_examples=200, deadline=None)
    @given(_pose_strategy())
    def check(data):
        pose = figures.parse_pose(data)
        root = _parse(figures.render(pose, "A figure"))
        x, y, width, height = (float(v) for v in root.get("viewBox").split())
        assert width > 0 and height > 0
        assert all(math.isfinite(v) for v in (x, y, width, height))
        end = figures.parse_pose({**data, "trunk": 0})
        _parse(figures.render_motion(pose, end, "Moving"))

    check()
