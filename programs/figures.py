"""Exercise figures: a step's body position, stored as a few joint angles, drawn as an SVG.

The model is a flat stick figure in one plane. The side view (the default) draws the body
from the side; the front view draws it from the front, for poses whose movement happens
sideways (the triangle pose, the clamshell).

Angles are in degrees. In the side view every angle is authored for a figure facing right
(``facing = "left"`` mirrors the finished drawing):

- ``trunk``: lean of the line pelvis → shoulders from upright; positive leans forward, so
  standing is 0, bent over with a level back is 90, lying on the back is -90 and lying face
  down is 90.
- ``spine``: curve of the back; positive rounds it (flexion), negative arches it.
- ``head``: neck flexion; positive brings the chin down, negative looks up.
- ``hip``: flexion of the thigh from the trunk line; 0 in line, 90 at a right angle forward.
- ``knee``: flexion, 0 straight. ``elbow``: flexion, 0 straight.
- ``ankle``: 0 with the foot square to the shin, positive points the toes, negative draws them
  up toward the shin.
- ``shoulder``: flexion of the upper arm from the trunk line; 0 along the side, 180 overhead.

In the front view ``trunk`` and ``pelvis`` tilt the body sideways (positive toward the right of
the picture), ``hip`` and ``shoulder`` open the limb away from the body's midline, ``flex``
bends the hip toward the viewer, ``open`` turns a bent leg's knee up around the line from hip
to foot (the clamshell), ``turn`` turns the foot out and ``reach`` brings an arm forward.

Limb angles given at the top level apply to both sides; ``left = {...}`` and ``right = {...}``
override them for one side. In the side view the person's left side faces the viewer (facing
right), so it is drawn in front and the right side behind it, lighter. A hand can reach a
target (``hand = "knee"``) instead of following its angles.

The pelvis is the root. After the joints are placed the figure is lowered until its lowest
point touches the floor (or the mat), then moved sideways so its anchor (the feet when
standing, the pelvis otherwise) stays put from step to step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.utils.html import escape

# Segment lengths in centimetres for a person about 175 cm tall.
TRUNK = 52.0  # hip joint to shoulder joint
NECK = 7.0
HEAD_R = 11.0
THIGH = 44.0
SHIN = 43.0
FOOT = 18.0
HEEL = 5.0
UPPER_ARM = 30.0
FOREARM = 26.0
HIP_HALF = 9.0  # front view: hip joint from the midline
SHOULDER_HALF = 18.0  # front view: shoulder joint from the midline

# Stroke widths: the capsules' thickness.
W_TRUNK_SIDE = 24.0
W_TRUNK_FRONT = 27.0
W_THIGH = 15.0
W_SHIN = 11.0
W_FOOT = 6.0
W_UPPER_ARM = 9.0
W_FOREARM = 8.0
W_NECK = 9.0
HAND_R = 4.5
MAT_H = 2.5
PAD = 6.0

BASES = {
    "standing": "standing",
    "sitting": "sitting",
    "lying": "lying on the back",
    "prone": "lying face down",
    "kneeling": "kneeling",
    "all-fours": "on hands and knees",
    "side-lying": "lying on one side",
}
VIEWS = ("side", "front")
FACINGS = ("right", "left")
PROPS = ("mat", "door-frame", "plate", "roller", "chair", "support", "phone")
HAND_TARGETS = ("knee", "thigh", "shin", "ankle", "hip", "support")
MOTION_MARKS = ("start", "end")
ANCHORS = (
    "pelvis",
    "feet",
    "hands",
    "left-knee",
    "right-knee",
    "left-ankle",
    "right-ankle",
)
# Limits are generous: they catch typing slips (a hip of 900), not unusual positions.
BODY_ANGLES = {"trunk": (-180, 180), "pelvis": (-180, 180), "spine": (-60, 60), "head": (-80, 80)}
LIMB_ANGLES = {
    "hip": (-90, 180),
    "knee": (-10, 170),
    "ankle": (-45, 80),
    "shoulder": (-90, 200),
    "elbow": (-10, 170),
    "flex": (-30, 150),
    "open": (0, 90),
    "turn": (-45, 100),
    "reach": (0, 120),
}
LIMB_DEFAULTS = {name: 0.0 for name in LIMB_ANGLES}
SIDES = ("left", "right")
FRAMES = 6  # pictures per movement in the animated figure; figures.css has a keyframe for each


class PoseError(ValueError):
    """A pose that cannot be drawn; the message names the key and the value."""


@dataclass(frozen=True)
class Limb:
    hip: float = 0.0
    knee: float = 0.0
    ankle: float = 0.0
    shoulder: float = 0.0
    elbow: float = 0.0
    flex: float = 0.0
    open: float = 0.0
    turn: float = 0.0
    reach: float = 0.0
    hand: str = ""


@dataclass(frozen=True)
class Pose:
    base: str
    view: str = "side"
    facing: str = "right"
    trunk: float = 0.0
    pelvis: float | None = None
    spine: float = 0.0
    head: float = 0.0
    left: Limb = field(default_factory=Limb)
    right: Limb = field(default_factory=Limb)
    props: tuple[str, ...] = ()
    motion: str = ""
    anchor: str = ""
    roller_at: float = 0.6

    def blend(self, other: Pose, f: float) -> Pose:
        """The pose a fraction ``f`` of the way from this one to ``other``."""

        def mix(a: Any, b: Any) -> Any:
            if isinstance(a, float) and isinstance(b, float):
                return a + (b - a) * f
            return a if f < 0.5 else b

        values = {}
        for fld in fields(self):
            a, b = getattr(self, fld.name), getattr(other, fld.name)
            if isinstance(a, Limb):
                values[fld.name] = Limb(
                    **{lf.name: mix(getattr(a, lf.name), getattr(b, lf.name)) for lf in fields(a)}
                )
            elif fld.name == "pelvis":
                pa = self.trunk if a is None else a
                pb = other.trunk if b is None else b
                values[fld.name] = mix(pa, pb)
            else:
                values[fld.name] = mix(a, b)
        # Props, view and base come from the end pose so the two ends agree on the scenery.
        return replace(Pose(**values), props=other.props, view=other.view, base=other.base)


# --- parsing -----------------------------------------------------------------------------------


def _angle(data: Mapping[str, Any], key: str, limits: tuple[int, int], where: str) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PoseError(f"{where}.{key} must be a number of degrees, got {value!r}")
    low, high = limits
    if not low <= value <= high:
        raise PoseError(f"{where}.{key} = {value} is outside {low} to {high} degrees")
    return float(value)


def _one_of(data: Mapping[str, Any], key: str, allowed: Iterable[str], where: str) -> str:
    value = data[key]
    allowed = tuple(allowed)
    if value not in allowed:
        raise PoseError(f"{where}.{key} = {value!r} is not one of {', '.join(allowed)}")
    return value


def _limb(data: Mapping[str, Any], shared: Mapping[str, Any], where: str) -> Limb:
    values = dict(shared)
    for key in data:
        if key in LIMB_ANGLES:
            values[key] = _angle(data, key, LIMB_ANGLES[key], where)
        elif key == "hand":
            values[key] = _one_of(data, key, HAND_TARGETS, where)
    return Limb(**values)


def parse_pose(data: Any, where: str = "pose") -> Pose:
    """Check a pose table from the content and turn it into a Pose; PoseError says what is wrong."""
    if not isinstance(data, Mapping):
        raise PoseError(f"{where} must be a table of joint angles, got {data!r}")
    if "base" not in data:
        raise PoseError(f"{where}.base is required (one of {', '.join(BASES)})")
    known = {
        *BODY_ANGLES,
        *LIMB_ANGLES,
        *SIDES,
        "hand",
        "base",
        "view",
        "facing",
        "props",
        "motion",
        "anchor",
        "roller_at",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise PoseError(f"{where}: unknown key {unknown[0]!r}")
    shared: dict[str, Any] = {}
    for key in data:
        if key in LIMB_ANGLES:
            shared[key] = _angle(data, key, LIMB_ANGLES[key], where)
        elif key == "hand":
            shared[key] = _one_of(data, key, HAND_TARGETS, where)
    sides = {}
    for side in SIDES:
        side_data = data.get(side, {})
        if not isinstance(side_data, Mapping):
            raise PoseError(f"{where}.{side} must be a table of joint angles, got {side_data!r}")
        bad = sorted(set(side_data) - {*LIMB_ANGLES, "hand"})
        if bad:
            raise PoseError(f"{where}.{side}: unknown key {bad[0]!r}")
        sides[side] = _limb(side_data, shared, f"{where}.{side}")
    props = data.get("props", [])
    if not isinstance(props, list) or any(p not in PROPS for p in props):
        raise PoseError(f"{where}.props = {props!r}: each must be one of {', '.join(PROPS)}")
    roller_at = data.get("roller_at", 0.6)
    if isinstance(roller_at, bool) or not isinstance(roller_at, int | float):
        raise PoseError(f"{where}.roller_at must be a fraction of the thigh, got {roller_at!r}")
    if not 0 <= roller_at <= 1:
        raise PoseError(f"{where}.roller_at = {roller_at} must be between 0 and 1")
    body = {key: _angle(data, key, BODY_ANGLES[key], where) for key in BODY_ANGLES if key in data}
    return Pose(
        base=_one_of(data, "base", BASES, where),
        view=_one_of(data, "view", VIEWS, where) if "view" in data else "side",
        facing=_one_of(data, "facing", FACINGS, where) if "facing" in data else "right",
        left=sides["left"],
        right=sides["right"],
        props=tuple(props),
        motion=_one_of(data, "motion", MOTION_MARKS, where) if "motion" in data else "",
        anchor=_one_of(data, "anchor", ANCHORS, where) if "anchor" in data else "",
        roller_at=float(roller_at),
        **body,
    )


# --- geometry ----------------------------------------------------------------------------------

Point = tuple[float, float]


def _dir(angle: float) -> Point:
    """Unit vector for an angle measured from straight down, positive turning forward."""
    r = math.radians(angle)
    return (math.sin(r), -math.cos(r))


def _add(p: Point, q: Point, k: float = 1.0) -> Point:
    return (p[0] + q[0] * k, p[1] + q[1] * k)


def _sub(p: Point, q: Point) -> Point:
    return (p[0] - q[0], p[1] - q[1])


def _len(p: Point) -> float:
    return math.hypot(p[0], p[1])


def _rot(p: Point, degrees: float) -> Point:
    """Rotate clockwise (as a positive sideways tilt looks in the picture)."""
    r = math.radians(-degrees)
    c, s = math.cos(r), math.sin(r)
    return (p[0] * c - p[1] * s, p[0] * s + p[1] * c)


def _two_bone(s: Point, t: Point, l1: float, l2: float, side: int) -> tuple[Point, Point]:
    """Elbow and hand for an arm from s reaching for t; side -1 bends the elbow clockwise."""
    d = _sub(t, s)
    dist = _len(d)
    if dist < 1e-6:
        return _add(s, (0.0, -l1)), s
    reach = l1 + l2 - 0.01
    if dist >= reach:
        u = (d[0] / dist, d[1] / dist)
        return _add(s, u, l1), _add(s, u, reach)
    cos_b = (l1 * l1 + dist * dist - l2 * l2) / (2 * l1 * dist)
    b = math.degrees(math.acos(max(-1.0, min(1.0, cos_b))))
    u = (d[0] / dist, d[1] / dist)
    elbow = _add(s, _rot(u, b if side < 0 else -b), l1)
    return elbow, t


@dataclass
class Shape:
    kind: str  # "line", "curve", "circle" or "rect"
    points: tuple[Point, ...]
    width: float  # stroke width, or radius for a circle
    css: str


@dataclass
class Figure:
    """A posed body: named joints and the shapes to draw, in centimetres, y up, floor at 0."""

    pose: Pose
    joints: dict[str, Point]
    layers: dict[str, list[Shape]]  # "far", "body", "near"
    props: list[Shape] = field(default_factory=list)

    def shift(self, dx: float, dy: float) -> None:
        self.joints = {k: (x + dx, y + dy) for k, (x, y) in self.joints.items()}
        for shapes in self.layers.values():
            for shape in shapes:
                shape.points = tuple((x + dx, y + dy) for x, y in shape.points)

    def body_shapes(self) -> Iterable[Shape]:
        for shapes in self.layers.values():
            yield from shapes

    def lowest(self) -> float:
        return min(_shape_box(s)[1] for s in self.body_shapes())

    def box(self) -> tuple[float, float, float, float]:
        boxes = [_shape_box(s) for s in [*self.body_shapes(), *self.props]]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def mirrored(self) -> Figure:
        def flip(points: Iterable[Point]) -> tuple[Point, ...]:
            return tuple((-x, y) for x, y in points)

        for shape in [*self.body_shapes(), *self.props]:
            shape.points = flip(shape.points)
        self.joints = {k: (-x, y) for k, (x, y) in self.joints.items()}
        return self


def _shape_box(shape: Shape) -> tuple[float, float, float, float]:
    xs = [p[0] for p in shape.points]
    ys = [p[1] for p in shape.points]
    if shape.kind == "rect":
        return min(xs), min(ys), max(xs), max(ys)
    # A curve stays inside the hull of its control points, so this box is a little generous.
    r = shape.width if shape.kind == "circle" else shape.width / 2
    return min(xs) - r, min(ys) - r, max(xs) + r, max(ys) + r


def _line(a: Point, b: Point, width: float, css: str) -> Shape:
    return Shape("line", (a, b), width, css)


def _side_view(pose: Pose) -> Figure:
    t, s = pose.trunk, pose.spine
    pelvis = (0.0, 0.0)
    lower = _dir(180 - (t - s / 2))
    upper = _dir(180 - (t + s / 2))
    mid = _add(pelvis, lower, TRUNK / 2)
    shoulder = _add(mid, upper, TRUNK / 2)
    head_dir = _dir(180 - (t + s / 2 + pose.head))
    neck = _add(shoulder, head_dir, NECK)
    head = _add(neck, head_dir, HEAD_R)
    joints: dict[str, Point] = {"pelvis": pelvis, "mid": mid, "shoulder": shoulder, "head": head}

    legs: dict[str, list[Shape]] = {}
    for side in SIDES:
        limb: Limb = getattr(pose, side)
        thigh = limb.hip - t
        shin = thigh - limb.knee
        foot = shin + 90 - limb.ankle
        knee = _add(pelvis, _dir(thigh), THIGH)
        ankle = _add(knee, _dir(shin), SHIN)
        sole = _add(ankle, _dir(shin), 4)
        heel = _add(sole, _dir(foot), -HEEL)
        toe = _add(sole, _dir(foot), FOOT)
        joints |= {f"{side}-knee": knee, f"{side}-ankle": ankle, f"{side}-toe": toe}
        joints[f"{side}-heel"] = heel
        legs[side] = [
            _line(pelvis, knee, W_THIGH, "fig-thigh"),
            _line(knee, ankle, W_SHIN, "fig-shin"),
            _line(heel, toe, W_FOOT, "fig-foot"),
        ]

    arm_root = _add(shoulder, upper, -4)
    arms: dict[str, list[Shape]] = {}
    for side in SIDES:
        limb = getattr(pose, side)
        target = _hand_target(limb.hand, side, joints, pose)
        if target is not None:
            elbow, wrist = _two_bone(arm_root, target, UPPER_ARM, FOREARM, -1)
        else:
            arm = limb.shoulder - t
            elbow = _add(arm_root, _dir(arm), UPPER_ARM)
            wrist = _add(elbow, _dir(arm + limb.elbow), FOREARM)
        joints |= {f"{side}-elbow": elbow, f"{side}-wrist": wrist}
        arms[side] = [
            _line(arm_root, elbow, W_UPPER_ARM, "fig-arm"),
            _line(elbow, wrist, W_FOREARM, "fig-arm"),
            Shape("circle", (wrist,), HAND_R, "fig-hand"),
        ]

    control = _sub(_add(mid, mid), ((pelvis[0] + shoulder[0]) / 2, (pelvis[1] + shoulder[1]) / 2))
    trunk_shapes = [
        _line(shoulder, neck, W_NECK, "fig-neck"),
        Shape("curve", (pelvis, control, shoulder), W_TRUNK_SIDE, "fig-trunk"),
        Shape("circle", (head,), HEAD_R, "fig-head"),
        Shape(
            "circle",
            (_add(head, _dir(90 - (t + s / 2 + pose.head)), HEAD_R - 3.2),),
            1.6,
            "fig-eye",
        ),
    ]
    # The person's left side faces the viewer when the figure faces right.
    layers = {
        "far": [*arms["right"], *legs["right"]],
        "body": trunk_shapes,
        "near": [*legs["left"], *arms["left"]],
    }
    return Figure(pose, joints, layers)


def _front_leg(limb: Limb, sign: int) -> list[tuple[float, float, float]]:
    """Knee, ankle and toe of a leg seen from the front, relative to its hip joint.

    Works in three dimensions (x across, y up the body, z toward the viewer) so that a hip bent
    toward the viewer looks shorter, as it does; the caller decides how z shows.
    """

    def leg_dir(angle: float) -> tuple[float, float, float]:
        r = math.radians(angle)
        return (0.0, -math.cos(r), math.sin(r))

    thigh = leg_dir(limb.flex)
    shin = leg_dir(limb.flex - limb.knee)
    foot = leg_dir(limb.flex - limb.knee + 90 - limb.ankle)
    knee = tuple(THIGH * c for c in thigh)
    ankle = tuple(k + SHIN * c for k, c in zip(knee, shin, strict=True))
    turn = math.radians(limb.turn)
    foot = (
        sign * math.sin(turn) * math.hypot(foot[1], foot[2]),
        foot[1] * math.cos(turn),
        foot[2] * math.cos(turn),
    )
    toe = tuple(a + FOOT * c for a, c in zip(ankle, foot, strict=True))
    if limb.open:
        # Turn the knee outward around the line from the hip to the ankle (the clamshell).
        knee = _rodrigues(knee, _unit3(ankle), -sign * limb.open)
    points = []
    for x, y, z in (knee, ankle, toe):
        # Open the leg away from the midline in the picture plane.
        x, y = _rot((x, y), -sign * limb.hip)
        points.append((x, y, z))
    return points


def _unit3(v: tuple[float, ...]) -> tuple[float, float, float]:
    n = math.sqrt(sum(c * c for c in v)) or 1.0
    return (v[0] / n, v[1] / n, v[2] / n)


def _rodrigues(
    v: tuple[float, ...], k: tuple[float, float, float], degrees: float
) -> tuple[float, float, float]:
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    dot = sum(vi * ki for vi, ki in zip(v, k, strict=True))
    cross = (k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0])
    return tuple(v[i] * c + cross[i] * s + k[i] * dot * (1 - c) for i in range(3))  # type: ignore[return-value]


def _front_view(pose: Pose) -> Figure:
    t = pose.trunk
    tilt_pelvis = t if pose.pelvis is None else pose.pelvis
    # Lying on one side is seen from the front and a little above, or bent legs would hide
    # behind each other: what comes toward the viewer is drawn lower down the picture.
    oblique = 0.55 if pose.base == "side-lying" else 0.0
    pelvis = (0.0, 0.0)
    up = _rot((0.0, 1.0), t)
    shoulder = _add(pelvis, up, TRUNK)
    head_up = _rot((0.0, 1.0), t + pose.head)
    neck = _add(shoulder, head_up, NECK)
    head = _add(neck, head_up, HEAD_R)
    joints: dict[str, Point] = {"pelvis": pelvis, "shoulder": shoulder, "head": head}
    legs: dict[str, list[Shape]] = {}
    arms: dict[str, list[Shape]] = {}
    # Seen from the front the person's right side is on the left of the picture.
    for side, sign in (("right", -1), ("left", 1)):
        limb: Limb = getattr(pose, side)
        hip = _rot((sign * HIP_HALF, 0.0), tilt_pelvis)
        knee, ankle, toe = (
            _add(_add(hip, _rot((x, y), tilt_pelvis)), (0.0, -z * oblique))
            for x, y, z in _front_leg(limb, sign)
        )
        joints |= {f"{side}-hip": hip, f"{side}-knee": knee, f"{side}-ankle": ankle}
        joints[f"{side}-toe"] = toe
        legs[side] = [
            _line(hip, knee, W_THIGH, "fig-thigh"),
            _line(knee, ankle, W_SHIN, "fig-shin"),
            _line(ankle, toe, W_FOOT, "fig-foot"),
        ]
    for side, sign in (("right", -1), ("left", 1)):
        limb = getattr(pose, side)
        root = _add(shoulder, _rot((sign * SHOULDER_HALF, -4.0), t))
        target = _hand_target(limb.hand, side, joints, pose)
        if target is not None:
            elbow, wrist = _two_bone(root, target, UPPER_ARM, FOREARM, sign)
        else:
            # ``reach`` brings the arm forward, toward the viewer: shorter, and lower when
            # seen from above.
            r = math.radians(limb.reach)
            down = (0.0, -math.cos(r))
            arm = _rot(_rot(down, -sign * limb.shoulder), t)
            elbow = _add(_add(root, arm, UPPER_ARM), (0.0, -math.sin(r) * oblique * UPPER_ARM))
            fore = _rot(_rot(down, -sign * (limb.shoulder + limb.elbow)), t)
            wrist = _add(_add(elbow, fore, FOREARM), (0.0, -math.sin(r) * oblique * FOREARM))
        joints |= {f"{side}-elbow": elbow, f"{side}-wrist": wrist}
        arms[side] = [
            _line(root, elbow, W_UPPER_ARM, "fig-arm"),
            _line(elbow, wrist, W_FOREARM, "fig-arm"),
            Shape("circle", (wrist,), HAND_R, "fig-hand"),
        ]
    # Two capsules side by side make a trunk wider at the shoulders than at the hips.
    hips = _rot((HIP_HALF * 0.6, 0.0), tilt_pelvis)
    chest = [_add(shoulder, _rot((sign * SHOULDER_HALF * 0.55, -3.0), t)) for sign in (-1, 1)]
    trunk_shapes = [
        _line(shoulder, neck, W_NECK, "fig-neck"),
        _line(_add(pelvis, hips, -1), chest[0], W_TRUNK_FRONT, "fig-trunk"),
        _line(_add(pelvis, hips), chest[1], W_TRUNK_FRONT, "fig-trunk"),
        Shape("circle", (head,), HEAD_R, "fig-head"),
    ]
    if pose.base == "side-lying":
        # The lower limbs are further from the viewer: drawn behind, like the far side.
        return Figure(
            pose,
            joints,
            {
                "far": [*arms["right"], *legs["right"]],
                "body": trunk_shapes,
                "near": [*legs["left"], *arms["left"]],
            },
        )
    return Figure(
        pose,
        joints,
        {
            "far": [],
            "body": [*legs["right"], *legs["left"], *trunk_shapes],
            "near": [*arms["right"], *arms["left"]],
        },
    )


def _hand_target(target: str, side: str, joints: Mapping[str, Point], pose: Pose) -> Point | None:
    if not target:
        return None
    limb: Limb = getattr(pose, side)
    if target == "support":
        return (joints["shoulder"][0] + 42.0, joints["pelvis"][1] + 12.0)
    if target == "hip":
        return _add(joints["pelvis"], _dir(90 - pose.trunk), 6.0)
    if target == "knee":
        knee = joints[f"{side}-knee"]
        thigh = _sub(joints["pelvis"], knee)
        u = (thigh[0] / _len(thigh), thigh[1] / _len(thigh))
        front = (u[1], -u[0])  # the front of the thigh, for a figure facing right
        return _add(_add(knee, u, 7.0), front, 10.0)
    if target == "thigh":
        # Both hands behind the raised thigh: the back of its middle.
        knee = joints[f"{side}-knee"]
        mid = ((joints["pelvis"][0] + knee[0]) / 2, (joints["pelvis"][1] + knee[1]) / 2)
        return _add(mid, _dir(limb.hip - pose.trunk - 90), 2.0)
    if target == "shin":
        knee, ankle = joints[f"{side}-knee"], joints[f"{side}-ankle"]
        return ((knee[0] * 0.45 + ankle[0] * 0.55), (knee[1] * 0.45 + ankle[1] * 0.55) + 6.0)
    if target == "ankle":
        return _add(joints[f"{side}-ankle"], (0.0, 0.0))
    raise PoseError(f"unknown hand target {target!r}")


def build(pose: Pose, floor: float | None = None) -> Figure:
    """Place every joint, put the lowest point on the floor and the anchor at x = 0."""
    figure = _front_view(pose) if pose.view == "front" else _side_view(pose)
    # Every body rests on the mat's top: lying on the side included, where a band reaching
    # behind the body made the lower leg look as if it went through the mat.
    floor_y = MAT_H if "mat" in pose.props else 0.0
    figure.shift(0.0, floor_y - figure.lowest())
    figure.shift(-_anchor_x(figure), 0.0)
    figure.props = _props(figure, floor_y)
    if pose.facing == "left":
        figure.mirrored()
    return figure


def _anchor_x(figure: Figure) -> float:
    pose, j = figure.pose, figure.joints
    anchor = pose.anchor or ("feet" if pose.base == "standing" else "pelvis")
    if anchor == "feet":
        return (j["left-ankle"][0] + j["right-ankle"][0]) / 2
    if anchor == "hands":
        return (j["left-wrist"][0] + j["right-wrist"][0]) / 2
    return j[anchor][0]


def _props(figure: Figure, floor_y: float) -> list[Shape]:
    pose, j = figure.pose, figure.joints
    props: list[Shape] = []
    xs = [x for s in figure.body_shapes() for x, _ in s.points]
    left, right = min(xs), max(xs)
    if "mat" in pose.props:
        props.append(Shape("rect", ((left - 8, 0.0), (right + 8, floor_y)), 0, "fig-mat"))
    if "chair" in pose.props:
        # The seat sits under the pelvis, the back behind it.
        seat_y = j["pelvis"][1] - W_THIGH / 2
        back_x = j["pelvis"][0] - 14
        front_x = j["pelvis"][0] + 26
        props += [
            _line((back_x, seat_y), (front_x, seat_y), 4, "fig-prop"),
            _line((back_x, 0.0), (back_x, seat_y + 42), 4, "fig-prop"),
            _line((front_x - 3, 0.0), (front_x - 3, seat_y), 4, "fig-prop"),
        ]
    if "support" in pose.props:
        top_x = j["shoulder"][0] + 42.0
        top_y = j["pelvis"][1] + 12.0
        seat_y = top_y - 40
        props += [
            _line((top_x, top_y), (top_x, 0.0), 4, "fig-prop"),
            _line((top_x, seat_y), (top_x + 36, seat_y), 4, "fig-prop"),
            _line((top_x + 34, seat_y), (top_x + 34, 0.0), 4, "fig-prop"),
        ]
    if "door-frame" in pose.props:
        leg = [j["left-knee"], j["left-ankle"], j.get("left-heel", j["left-ankle"])]
        raised = max(p[1] for p in leg) > 40
        x = max(p[0] for p in leg) + W_SHIN / 2 + 3 if raised else j["pelvis"][0] + 30
        props.append(Shape("rect", ((x, 0.0), (x + 9, 150.0)), 0, "fig-door"))
    if "plate" in pose.props:
        toe = j["left-toe"]
        if toe[1] - W_FOOT / 2 < floor_y + 1.5:
            # Foot flat on the floor: the plate waits just in front of it.
            props.append(Shape("rect", ((toe[0] + 8, floor_y), (toe[0] + 30, 2.5)), 0, "fig-plate"))
        else:
            top = toe[1] - W_FOOT / 2
            props.append(Shape("rect", ((toe[0] - 16, floor_y), (toe[0] + 6, top)), 0, "fig-plate"))
    if "phone" in pose.props:
        # Flat on the front of the raised shin, just below the knee, its top towards the foot.
        knee, ankle = j["left-knee"], j["left-ankle"]
        along = _sub(ankle, knee)
        unit = (along[0] / _len(along), along[1] / _len(along))
        # The shin's front faces away from the floor side of the leg: turn the line a quarter.
        out = (-unit[1], unit[0]) if unit[0] >= 0 else (unit[1], -unit[0])
        lift = W_SHIN / 2 + 2.0
        a = _add(_add(knee, unit, 6.0), out, lift)
        b = _add(a, unit, 15.0)
        props.append(_line(a, b, 4.0, "fig-phone"))
    if "roller" in pose.props:
        knee = j["left-knee"]
        p = j["pelvis"]
        f = pose.roller_at
        at = (p[0] + (knee[0] - p[0]) * f, p[1] + (knee[1] - p[1]) * f)
        gap = at[1] - W_THIGH / 2 - floor_y
        r = max(gap / 2, 5.0)
        props.append(Shape("circle", ((at[0], floor_y + r),), r, "fig-roller"))
    return props


# --- SVG ---------------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    text = f"{v:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _svg_shape(shape: Shape) -> str:
    # SVG's y runs down; the model's runs up.
    pts = [(x, -y) for x, y in shape.points]
    if shape.kind == "line":
        (x1, y1), (x2, y2) = pts
        return (
            f'<line class="{shape.css}" x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" '
            f'y2="{_fmt(y2)}" stroke-width="{_fmt(shape.width)}"/>'
        )
    if shape.kind == "curve":
        (x1, y1), (cx, cy), (x2, y2) = pts
        return (
            f'<path class="{shape.css}" d="M{_fmt(x1)} {_fmt(y1)}Q{_fmt(cx)} {_fmt(cy)} '
            f'{_fmt(x2)} {_fmt(y2)}" stroke-width="{_fmt(shape.width)}"/>'
        )
    if shape.kind == "circle":
        (x, y) = pts[0]
        return (
            f'<circle class="{shape.css}" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(shape.width)}"/>'
        )
    (x1, y1), (x2, y2) = pts
    return (
        f'<rect class="{shape.css}" x="{_fmt(min(x1, x2))}" y="{_fmt(min(y1, y2))}" '
        f'width="{_fmt(abs(x2 - x1))}" height="{_fmt(abs(y2 - y1))}" rx="1"/>'
    )


def _body_svg(figure: Figure) -> str:
    parts = [_svg_shape(s) for s in figure.props if s.css != "fig-mat"]
    if figure.layers["far"]:
        parts.append(
            '<g class="fig-far">' + "".join(_svg_shape(s) for s in figure.layers["far"]) + "</g>"
        )
    parts += [_svg_shape(s) for s in figure.layers["body"]]
    if figure.layers["near"]:
        # A thin outline in the background colour keeps a limb in front of the trunk visible.
        halo = [
            replace(s, width=s.width + (1.5 if s.kind == "circle" else 3.0))
            for s in figure.layers["near"]
        ]
        parts.append('<g class="fig-halo">' + "".join(_svg_shape(s) for s in halo) + "</g>")
    parts += [_svg_shape(s) for s in figure.layers["near"]]
    return "".join(parts)


Box = tuple[float, float, float, float]


def union(boxes: Iterable[Box]) -> Box:
    boxes = list(boxes)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def frame_box(poses: Iterable[Pose]) -> Box:
    """The picture area that holds every one of these poses at the same scale."""
    x0, y0, x1, y1 = union(build(p).box() for p in poses)
    x0, x1 = x0 - PAD, x1 + PAD
    y0, y1 = min(y0, 0.0) - PAD / 2, y1 + PAD
    # Keep very flat or very tall pictures from looking lost in their column.
    width, height = x1 - x0, y1 - y0
    if height < width * 0.5:
        y1 += width * 0.5 - height
    if width < height * 0.8:
        grow = (height * 0.8 - width) / 2
        x0, x1 = x0 - grow, x1 + grow
    return x0, y0, x1, y1


def _svg_open(box: Box, label: str, css: str, extra: str = "") -> str:
    x0, y0, x1, y1 = box
    view = f"{_fmt(x0)} {_fmt(-y1)} {_fmt(x1 - x0)} {_fmt(y1 - y0)}"
    label = escape(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="{view}" role="img" '
        f'aria-label="{label}"{extra}><title>{label}</title>'
    )


def _scenery(box: Box, figure: Figure) -> str:
    x0, _, x1, _ = box
    parts = [_svg_shape(s) for s in figure.props if s.css == "fig-mat"]
    if figure.pose.base != "side-lying":
        parts.append(f'<line class="fig-floor" x1="{_fmt(x0)}" y1="0" x2="{_fmt(x1)}" y2="0"/>')
    return "".join(parts)


def render(pose: Pose, label: str, box: Box | None = None) -> str:
    """One still figure as an SVG element."""
    figure = build(pose)
    box = box or frame_box([pose])
    return (
        _svg_open(box, label, "figure fig")
        + _scenery(box, figure)
        + f'<g class="fig-body">{_body_svg(figure)}</g></svg>'
    )


def render_motion(
    start: Pose, end: Pose, label: str, kind: str = "hold", box: Box | None = None
) -> str:
    """The move from ``start`` to ``end`` as stacked pictures that figures.css fades through.

    CSS can only animate what it knows; the angles live in the content, so the in-between
    positions are drawn here and the stylesheet only decides which one shows when.
    """
    # Eased spacing: the body starts and finishes a movement slowly.
    steps = [i / (FRAMES - 1) for i in range(FRAMES)]
    poses = [start.blend(end, f * f * (3 - 2 * f)) for f in steps]
    box = box or frame_box(poses)
    figures = [build(p) for p in poses]
    frames = "".join(
        f'<g class="fig-body pose-frame pose-frame-{i}">{_body_svg(f)}</g>'
        for i, f in enumerate(figures)
    )
    extra = f' data-motion="{escape(kind)}"'
    return (
        _svg_open(box, label, "figure fig pose-motion", extra)
        + _scenery(box, figures[0])
        + frames
        + "</svg>"
    )


# --- steps and exercises -----------------------------------------------------------------------


def step_pose(step: Any) -> Pose | None:
    if not step.pose:
        return None
    return parse_pose(step.pose, f"{step.exercise.slug} step {step.number} pose")


def describe(pose: Pose, step: Any) -> str:
    words = step.cue or step.text
    return f"Figure {BASES[pose.base]}: {words}"


def exercise_poses(steps: Iterable[Any]) -> list[Pose]:
    """The poses of these steps that can be drawn (a broken one is left out, not fatal)."""
    poses = []
    for step in steps:
        try:
            pose = step_pose(step)
        except PoseError:
            continue
        if pose is not None:
            poses.append(pose)
    return poses


def motion_steps(steps: Iterable[Any]) -> tuple[Any, Any] | None:
    """The two steps whose poses an exercise moves between during a hold or a repetition.

    A pose may say ``motion = "start"`` or ``"end"``; without that, the move goes from the last
    set-up step to the first movement step that looks different.
    """
    steps = [s for s in steps if s.pose]
    if not steps:
        return None
    marked = {s.pose.get("motion"): s for s in steps if s.pose.get("motion")}
    if "start" in marked and "end" in marked:
        return marked["start"], marked["end"]
    setup = [s for s in steps if s.phase == "setup"]
    start = marked.get("start") or (setup[-1] if setup else steps[0])
    end = marked.get("end") or next(
        (s for s in steps if s.phase == "movement" and s.pose != start.pose), start
    )
    return start, end


# --- the self-test -----------------------------------------------------------------------------


def leg_raise_pose(angle: float, phone: bool = False) -> Pose:
    """Lying on the back, the near (left) leg raised straight ``angle`` degrees off the floor."""
    return Pose(
        base="lying",
        trunk=-90.0,
        left=Limb(hip=float(angle)),
        props=("mat", "phone") if phone else ("mat",),
    )


def leg_raise(angle: float, label: str, phone: bool = False) -> str:
    """The self-test's picture at one angle, framed like its neighbours so they compare.

    Every angle shares one frame (the leg straight up at 90 is the tallest), so tapping through
    the pictures shows only the leg moving, never the person shrinking.
    """
    box = frame_box([leg_raise_pose(a) for a in (0, 90)])
    return render(leg_raise_pose(angle, phone), label, box)
