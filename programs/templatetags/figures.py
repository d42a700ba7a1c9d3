"""Template tags that draw the exercise figures (see programs/figures.py).

{% load figures %}
{% step_figure step %}                 one step's position, at the scale of its exercise
{% exercise_motion exercise %}         the exercise's move, for the player (figures.css)
{% pose_motion start_step end_step %}  the move between any two steps of one exercise
{% leg_raise 60 %}                     the self-test's picture of a leg raised 60 degrees
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from .. import figures
from ..models import Effort

register = template.Library()
log = logging.getLogger(__name__)


# Drawing is pure: the same steps give the same SVG. Kept per process, keyed by everything the
# drawing reads, so an edit in the admin simply makes a new key; bounded by the library's size.
_drawn: dict[tuple, str] = {}
_DRAWN_MAX = 2000


def _memo(key: tuple, draw: Callable[[], str]) -> SafeString:
    svg = _drawn.get(key)
    if svg is None:
        svg = draw()
        if len(_drawn) >= _DRAWN_MAX:
            _drawn.clear()
        _drawn[key] = svg
    return mark_safe(svg)


def _signature(steps: list[Any]) -> tuple:
    return tuple(
        (s.number, s.phase, s.cue, s.text, json.dumps(s.pose, sort_keys=True)) for s in steps
    )


def _steps(step: Any) -> list[Any]:
    # On the library page the steps are prefetched and each knows its exercise already.
    return list(step.exercise.steps.all())


def _box(steps: list[Any]) -> figures.Box | None:
    poses = figures.exercise_poses(steps)
    return figures.frame_box(poses) if poses else None


@register.simple_tag
def step_figure(step: Any) -> SafeString:
    """The figure for one step, or nothing when the step has no pose."""
    if not step.pose:
        return mark_safe("")
    key = ("step", step.exercise.slug, step.number, _signature(_steps(step)))
    return _memo(key, lambda: _step_figure(step))


def _step_figure(step: Any) -> str:
    try:
        pose = figures.step_pose(step)
        if pose is None:
            return mark_safe("")
        svg = figures.render(pose, figures.describe(pose, step), _box(_steps(step)))
    except figures.PoseError as exc:
        # A pose broken by an edit in the admin costs the picture, not the page.
        log.warning("no figure: %s", exc)
        return ""
    return svg


def _motion_kind(exercise: Any) -> str:
    return "hold" if exercise.effort == Effort.HOLD else "reps"


def _motion(start_step: Any, end_step: Any, steps: list[Any], kind: str) -> SafeString:
    kind = kind or _motion_kind(end_step.exercise)
    key = ("motion", end_step.exercise.slug, start_step.number, end_step.number, kind)
    return _memo(key + _signature(steps), lambda: _draw_motion(start_step, end_step, steps, kind))


def _draw_motion(start_step: Any, end_step: Any, steps: list[Any], kind: str) -> str:
    try:
        start, end = figures.step_pose(start_step), figures.step_pose(end_step)
        if start is None or end is None:
            return ""
        box = figures.frame_box(
            [
                *figures.exercise_poses(steps),
                *(start.blend(end, i / (figures.FRAMES - 1)) for i in range(figures.FRAMES)),
            ]
        )
        label = figures.describe(end, end_step)
        svg = figures.render_motion(start, end, label, kind, box)
    except figures.PoseError as exc:
        log.warning("no moving figure: %s", exc)
        return ""
    return svg


@register.simple_tag
def pose_motion(start_step: Any, end_step: Any, kind: str = "") -> SafeString:
    """The move from one step's position to another's, as a figure the player can set going."""
    return _motion(start_step, end_step, _steps(end_step), kind)


@register.simple_tag
def exercise_motion(exercise: Any, kind: str = "") -> SafeString:
    """The exercise's own move: from its start position to the position held or repeated."""
    steps = list(exercise.steps.all())
    pair = figures.motion_steps(steps)
    if pair is None:
        return mark_safe("")
    return _motion(*pair, steps, kind)


@register.simple_tag
def leg_raise(angle: int, phone: bool = False) -> SafeString:
    """The self-test's picture of a straight leg raised ``angle`` degrees (``phone`` on the shin)."""
    if phone:
        label = (
            f"A person lying on their back with one straight leg raised {angle} degrees and a "
            f"phone lying flat on the front of that shin, just below the knee."
        )
    else:
        label = f"A person lying on their back with one straight leg raised {angle} degrees."
    return _memo(("leg-raise", angle, phone), lambda: figures.leg_raise(angle, label, phone))
