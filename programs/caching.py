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

import functools
import hashlib
import secrets
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
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


@dataclass(frozen=True)
class Record:
    """Where a person's record stands, read in one query: what pages drawn from it are cached
    under, and whether the clock alone could change them before the next write."""

    key: str
    # Within a day of moving their days to another zone, whether a session counts depends on
    # the hour (care.events.not_counted): pages are drawn afresh until that has passed.
    steady: bool


def record(user) -> Record:
    """Whose record it is, its version and the content's, and the day and time zone it is
    drawn for, both the person's own calendar day and the one this browser is shown in.

    Every write to the record moves its version on in the write's own transaction
    (`care.events.lock_person`), so a cached page is never older than the record it shows.
    """
    from .care.events import ZONE_GRACE
    from .care.models import Profile

    row = (
        Profile.objects.filter(user_id=user.pk)
        .annotate(content=Subquery(ContentVersion.objects.values("number")[:1]))
        .values_list("version", "content", "time_zone", "time_zone_changed_at")
        .first()
    )
    if row is None:
        # Nothing written yet: nothing to key a page on that a later record could not share,
        # so a key no entry was ever made under (the history's regions miss too).
        return Record(f"{user.pk}.new.{secrets.token_hex(8)}", steady=False)
    version, content, own_zone, moved = row
    now = timezone.now()
    try:
        own_day = timezone.localtime(now, zoneinfo.ZoneInfo(own_zone)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        own_day = now.date()
    zone = timezone.get_current_timezone_name()
    days = f"{own_day:%Y%m%d}.{timezone.localdate(now):%Y%m%d}"
    key = f"{release()}.{HOLE[:8]}.{user.pk}.{version}.{content or 0}.{days}.{zone}"
    return Record(key, steady=moved is None or now - moved >= ZONE_GRACE)


def record_key(user) -> str:
    """What a page drawn from a person's record is cached under (`record`). One query."""
    return record(user).key


@functools.cache
def release() -> str:
    """A digest of the code, the templates and the static files' manifest this process runs.

    In every key, so with a cache shared by every machine a page drawn by one release is never
    served by another (old wording, or static files under names the new release does not have),
    during a rolling deploy or after it.
    """
    root = Path(settings.BASE_DIR)
    files = sorted(
        [
            *root.glob("programs/**/*.py"),
            *root.glob("hamstrings/*.py"),
            *root.glob("templates/**/*"),
        ]
    )
    if settings.STATIC_ROOT:
        files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(
                str(path.relative_to(root) if path.is_relative_to(root) else path).encode()
            )
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


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
    key = f"guide:{release()}:{content_version()}:{exercise_id}"
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


# --- a person's pages, drawn once per version of their record ---------------------------------

# Where a page served from the cache gets what must be new in every response: the CSRF token
# (masked afresh each time, as Django does) and one-use tokens such as a set's client token.
# From the secret key, so nothing a person types can contain it.
HOLE = salted_hmac("programs.caching.hole", "page").hexdigest()[:24]
CSRF_HOLE = f"csrf-{HOLE}"


@dataclass(frozen=True)
class Drawn:
    """A person's page as its view drew it."""

    response: HttpResponse
    # False when the clock alone changes it before the next write: a rest counting down, an
    # undo on offer for a few minutes.
    keep: bool = True
    # One-use values drawn into it (a set's client token): each serve gets new ones.
    tokens: tuple[str, ...] = ()


def person_page(request: HttpRequest, parts: tuple, draw: Callable[[], Drawn]) -> HttpResponse:
    """The page `draw` makes for this person, served from the cache while their record, the
    content, the day and the time zone are those it was drawn from.

    `parts` tell the page apart from the person's other pages (its name, the ids in its
    address, the htmx fragment or the whole page); they come from the view, never raw from the
    query string. What a person may see is checked by `draw`: an entry is only ever made from
    a page drawn for this person, under their own id.

    Not from the cache: a page with a message waiting to be shown once, and any answer but a
    200. The views give the rest of what the clock changes (`Drawn.keep`, `Record.steady`).
    """
    if len(get_messages(request)):
        return draw().response
    now = record(request.user)
    key = "page:" + ":".join(str(part) for part in parts) + ":" + now.key
    if now.steady and (entry := cache.get(key)) is not None:
        return _served(request, entry)
    request.drawing_for_cache = True
    try:
        drawn = draw()
    finally:
        request.drawing_for_cache = False
    response = drawn.response
    if response.streaming:
        return response
    content = response.content.decode()
    if now.steady and drawn.keep and response.status_code == 200:
        kept = content
        for number, token in enumerate(drawn.tokens):
            kept = kept.replace(token, f"{HOLE}:t{number}:")
        entry = {"content": kept, "type": response["Content-Type"], "tokens": len(drawn.tokens)}
        cache.set(key, entry, TIMEOUT)
    response.content = content.replace(CSRF_HOLE, get_token(request))
    return response


def _served(request: HttpRequest, entry: dict) -> HttpResponse:
    content = entry["content"].replace(CSRF_HOLE, get_token(request))
    for number in range(entry["tokens"]):
        content = content.replace(f"{HOLE}:t{number}:", str(uuid.uuid4()))
    return HttpResponse(content, content_type=entry["type"])


def csrf_hole(request: HttpRequest) -> dict:
    """A context processor: while a page is drawn for the cache, its CSRF token is a hole that
    each serve fills (`person_page`). After Django's own, so it wins while it applies."""
    if getattr(request, "drawing_for_cache", False):
        return {"csrf_token": CSRF_HOLE}
    return {}
