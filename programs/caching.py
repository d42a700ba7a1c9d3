"""What is drawn from the content, cached under the content's version.

The content (exercises, their steps, cautions and figures) is the same for everybody and changes
only when it is loaded or edited in the admin. Every such change moves `ContentVersion` on in the
same transaction (`content_changed`, connected to every content model's saves and deletes, and
called by the loader), and every read asks the database for the number first: a worker never
draws from a cache entry of an older version, whichever worker or machine made the change.

Django's cache framework holds the entries: local memory in each worker by default, or Redis or
memcached shared by every machine when `DJANGO_CACHE_BACKEND` names one (docs/deploy.md). The
entries hold nothing personal.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db.models import Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from .models import (
    Article,
    Caution,
    ContentVersion,
    Exercise,
    Prescription,
    Program,
    ProgramDay,
    Routine,
    RoutineItem,
    Stage,
    Step,
)

CONTENT_MODELS = (
    Article,
    Caution,
    Exercise,
    Prescription,
    Program,
    ProgramDay,
    Routine,
    RoutineItem,
    Stage,
    Step,
)
# Long enough to matter, short enough that entries of an old version do not pile up.
TIMEOUT = 24 * 3600
PLAYER = "programs/player/player.html"


def record_key(user) -> str:
    """What a page drawn from a person's record is cached under: whose it is, the version of
    their record and of the content, and the day and time zone it is drawn for. One query.

    Every write to the record moves its version on in the write's own transaction
    (`care.events.lock_person`), so a cached page is never older than the record it shows.
    """
    from .care.models import Profile

    row = (
        Profile.objects.filter(user_id=user.pk)
        .annotate(content=Subquery(ContentVersion.objects.values("number")[:1]))
        .values_list("version", "content")
        .first()
    )
    version, content = row if row else ("new", content_version())
    zone = timezone.get_current_timezone_name()
    return f"{user.pk}.{version}.{content or 0}.{timezone.localdate():%Y%m%d}.{zone}"


def content_version() -> int:
    return ContentVersion.objects.values_list("number", flat=True).first() or 0


def content_changed(**kwargs) -> None:
    """Moves the version on (a signal receiver, so it takes the signal's arguments).

    To a new random number, as the person's version (`care.events.lock_person`): a restored or
    failed-over database never hands out a number a cache already holds entries under.
    """
    number = secrets.randbits(63)
    if not ContentVersion.objects.update(number=number):
        ContentVersion.objects.create(number=number)


def exercise_guide(exercise_id: int) -> dict:
    """The player's guide to one exercise, drawn once per content version.

    `stop`: the stop-level cautions, folded, for the top of the card; `figure`: the moving
    figure; `how`: the steps with their cautions; `step` and `cue`: the figure's step.
    """
    key = f"guide:{content_version()}:{exercise_id}"
    guide = cache.get(key)
    if guide is None:
        guide = _draw_guide(exercise_id)
        cache.set(key, guide, TIMEOUT)
    return {
        name: mark_safe(value) if isinstance(value, str) else value for name, value in guide.items()
    }


def _draw_guide(exercise_id: int) -> dict:
    exercise = Exercise.objects.with_content().get(pk=exercise_id)
    steps = list(exercise.steps.all())
    # The figures tag draws this step: the first one with movement in it.
    figure_step = next((s for s in steps if s.phase == "movement"), steps[0] if steps else None)
    ctx = {
        "exercise": exercise,
        "steps": steps,
        "general_cautions": exercise.general_cautions(),
        "shared_cautions": exercise.shared_cautions(),
    }
    return {
        "stop": _part("guide_stop", ctx),
        "figure": _part("guide_figure", ctx),
        "how": _part("guide_how", ctx),
        "step": figure_step.number if figure_step else "",
        "cue": figure_step.cue if figure_step else "",
    }


def _part(name: str, ctx: dict) -> str:
    # A plain str in the cache: what comes back is marked safe again by exercise_guide.
    return str(render_to_string(f"{PLAYER}#{name}", ctx))


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in CONTENT_MODELS:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"content-{model.__name__}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"content-{model.__name__}-deleted"
        )
