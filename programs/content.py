"""Load the content library from the TOML files in ``programs/content``.

Runs after every ``migrate``. Each file's SHA-256 is remembered: a file that has not changed
since it was last loaded is skipped, so loading twice changes nothing and edits made in the
admin stay until somebody edits the file. A changed file is applied whole.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from .caching import content_changed
from .figures import PoseError, parse_pose
from .models import (
    AppliesTo,
    Article,
    Caution,
    ContentFile,
    Effort,
    Exercise,
    Level,
    Phase,
    Position,
    Prescription,
    Program,
    ProgramDay,
    Purpose,
    Routine,
    RoutineItem,
    Severity,
    Stage,
    Step,
    Track,
)

log = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
DOSE_FIELDS = ("sets", "reps", "hold_seconds", "per_side", "rest_seconds")


class ContentError(ValueError):
    """A content file that does not follow the schema; the message names the file and field."""


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"content: {len(self.loaded)} file(s) loaded, {len(self.unchanged)} unchanged"


def _choice(data: dict[str, Any], key: str, choices: type, where: str) -> str:
    value = data.get(key)
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ContentError(f"{where}: {key} = {value!r} is not one of {allowed}")
    return value


def _required(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] in ("", None):
        raise ContentError(f"{where}: {key} is required")
    return data[key]


def _article(code: str, where: str) -> Article:
    try:
        return Article.objects.get(code=code)
    except Article.DoesNotExist:
        raise ContentError(f"{where}: unknown source article {code!r}") from None


def _pose(entry: dict[str, Any], where: str) -> dict[str, Any]:
    pose = entry.get("pose", {})
    if pose:
        # Checked here so a slip in the angles stops the load instead of a figure vanishing.
        try:
            parse_pose(pose, f"{where} pose")
        except PoseError as exc:
            raise ContentError(str(exc)) from None
    return pose


def _files(content_dir: Path) -> list[Path]:
    # Articles first (everything cites them), then exercises, then what refers to exercises.
    return [
        content_dir / "articles.toml",
        *sorted((content_dir / "exercises").glob("*.toml")),
        content_dir / "cautions.toml",
        *sorted((content_dir / "programs").glob("*.toml")),
        *sorted((content_dir / "routines").glob("*.toml")),
    ]


@transaction.atomic
def load_content(content_dir: Path = CONTENT_DIR, force: bool = False) -> LoadReport:
    report = LoadReport()
    pending_alternatives: list[tuple[Exercise, str, str]] = []
    exercise_changed = False
    for path in _files(content_dir):
        if not path.exists():
            continue
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        rel = path.relative_to(content_dir).as_posix()
        known = ContentFile.objects.filter(path=rel).first()
        # Programme days copy each exercise's default dose, so an edited exercise file reloads
        # the programmes (which come after the exercises) even when their own files are as before.
        refresh = exercise_changed and rel.startswith(("programs/", "routines/"))
        if known and known.sha256 == digest and not force and not refresh:
            report.unchanged.append(rel)
            continue
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ContentError(f"{rel}: not valid TOML: {exc}") from None
        if rel == "articles.toml":
            _load_articles(data, rel)
        elif rel.startswith("exercises/"):
            exercise = _load_exercise(data, rel, expected_slug=path.stem)
            exercise_changed = True
            pending_alternatives.append((exercise, data.get("alternative", ""), rel))
        elif rel == "cautions.toml":
            _load_general_cautions(data, rel)
        elif rel.startswith("routines/"):
            _load_routine(data, rel, expected_slug=path.stem)
        else:
            _load_program(data, rel)
        ContentFile.objects.update_or_create(path=rel, defaults={"sha256": digest})
        report.loaded.append(rel)

    # Alternatives may point at exercises loaded later in the same run.
    for exercise, slug, rel in pending_alternatives:
        alternative = None
        if slug:
            alternative = Exercise.objects.filter(slug=slug).first()
            if alternative is None:
                raise ContentError(f"{rel}: alternative {slug!r} is not an exercise")
        if exercise.alternative_id != (alternative.pk if alternative else None):
            exercise.alternative = alternative
            exercise.save(update_fields=["alternative"])
    if report.loaded:
        # The saves above moved it on already; a delete of many rows at once may not have.
        content_changed()
    return report


def _load_articles(data: dict[str, Any], rel: str) -> None:
    for i, entry in enumerate(data.get("article", []), start=1):
        where = f"{rel} article {i}"
        Article.objects.update_or_create(
            code=_required(entry, "code", where),
            defaults={
                "seed": _required(entry, "seed", where),
                "title": _required(entry, "title", where),
                "summary": _required(entry, "summary", where),
            },
        )


def _phases(dose: dict[str, Any], rel: str) -> list[str]:
    phases = dose.get("phases", [])
    if not isinstance(phases, list) or not all(isinstance(p, str) and p for p in phases):
        raise ContentError(f"{rel}: dose.phases must be a list of short texts")
    if phases and not dose.get("hold_seconds"):
        raise ContentError(f"{rel}: dose.phases needs a dose.hold_seconds to hold each one for")
    return phases


def _load_exercise(data: dict[str, Any], rel: str, expected_slug: str) -> Exercise:
    slug = _required(data, "slug", rel)
    if slug != expected_slug:
        raise ContentError(f"{rel}: slug {slug!r} must match the file name {expected_slug!r}")
    dose = data.get("dose") or {}
    for key in ("sets", "reps", "hold_seconds", "rest_seconds"):
        value = dose.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ContentError(f"{rel}: dose.{key} must be a whole number, got {value!r}")
    if dose["sets"] < 1:
        raise ContentError(f"{rel}: dose.sets must be at least 1")
    exercise, _ = Exercise.objects.update_or_create(
        slug=slug,
        defaults={
            "name": _required(data, "name", rel),
            "order": data.get("order", 0),
            "level": _choice(data, "level", Level, rel),
            "purpose": _choice(data, "purpose", Purpose, rel),
            "effort": _choice(data, "effort", Effort, rel),
            "position": _choice(data, "position", Position, rel),
            "standing_fold": bool(data.get("standing_fold", False)),
            "forward_bend": bool(data.get("forward_bend", False)),
            "steps_ours": bool(data.get("steps_ours", False)),
            "stretches_hamstrings": bool(data.get("stretches_hamstrings", False)),
            "equipment": data.get("equipment", ""),
            "summary": _required(data, "summary", rel),
            "benefits": "\n".join(data.get("benefits", [])),
            "mistakes": "\n".join(data.get("mistakes", [])),
            "source": _article(_required(data, "source", rel), rel),
            "sets": dose["sets"],
            "reps": dose["reps"],
            "hold_seconds": dose["hold_seconds"],
            "per_side": bool(dose.get("per_side", False)),
            "rest_seconds": dose["rest_seconds"],
            "dose_note": dose.get("note", ""),
            "rep_phases": "\n".join(_phases(dose, rel)),
        },
    )

    steps = data.get("steps", [])
    seen_movement = False
    kept_numbers = []
    for number, entry in enumerate(steps, start=1):
        where = f"{rel} step {number}"
        phase = _choice(entry, "phase", Phase, where)
        if phase == Phase.SETUP and seen_movement:
            raise ContentError(f"{where}: set-up steps must come before movement steps")
        seen_movement = seen_movement or phase == Phase.MOVEMENT
        Step.objects.update_or_create(
            exercise=exercise,
            number=number,
            defaults={
                "phase": phase,
                "text": _required(entry, "text", where),
                "cue": entry.get("cue", ""),
                "pose": _pose(entry, where),
            },
        )
        kept_numbers.append(number)
    exercise.steps.exclude(number__in=kept_numbers).delete()

    # Cautions carry no identity of their own: the file's list replaces the old one.
    exercise.cautions.all().delete()
    steps_by_number = {s.number: s for s in exercise.steps.all()}
    for order, entry in enumerate(data.get("cautions", []), start=1):
        where = f"{rel} caution {order}"
        step = None
        if "step" in entry:
            step = steps_by_number.get(entry["step"])
            if step is None:
                raise ContentError(f"{where}: step {entry['step']!r} does not exist")
        # No source: the exercise's own article. An empty one: our own safety advice, which
        # no article should be credited with.
        if "source" not in entry:
            source = exercise.source
        else:
            source = _article(entry["source"], where) if entry["source"] else None
        Caution.objects.create(
            exercise=exercise,
            step=step,
            order=order,
            severity=_choice(entry, "severity", Severity, where),
            title=entry.get("title", ""),
            text=_required(entry, "text", where),
            source=source,
        )
    return exercise


def _load_general_cautions(data: dict[str, Any], rel: str) -> None:
    Caution.objects.filter(exercise__isnull=True).delete()
    for order, entry in enumerate(data.get("caution", []), start=1):
        where = f"{rel} caution {order}"
        Caution.objects.create(
            order=order,
            severity=_choice(entry, "severity", Severity, where),
            title=entry.get("title", ""),
            text=_required(entry, "text", where),
            source=_article(entry["source"], where) if entry.get("source") else None,
            applies_to=_choice(
                {"applies_to": entry.get("applies_to", AppliesTo.LIBRARY)},
                "applies_to",
                AppliesTo,
                where,
            ),
        )


def _load_program(data: dict[str, Any], rel: str) -> None:
    program, _ = Program.objects.update_or_create(
        slug=_required(data, "slug", rel),
        defaults={
            "track": _choice(data, "track", Track, rel),
            "name": _required(data, "name", rel),
            "source": _article(_required(data, "source", rel), rel),
            "sessions_per_week": data.get("sessions_per_week", 3),
            "summary": _required(data, "summary", rel),
            "why": _required(data, "why", rel),
        },
    )
    stage_numbers = []
    for stage_data in data.get("stage", []):
        where = f"{rel} stage {stage_data.get('number')}"
        stage, _ = Stage.objects.update_or_create(
            program=program,
            number=_required(stage_data, "number", where),
            defaults={
                "name": _required(stage_data, "name", where),
                "summary": _required(stage_data, "summary", where),
                "sessions_to_advance": stage_data.get("sessions_to_advance", 6),
                "steady_back_sessions": stage_data.get("steady_back_sessions", 0),
                "min_days": stage_data.get("min_days", 0),
            },
        )
        stage_numbers.append(stage.number)
        day_numbers = []
        for number, day_data in enumerate(stage_data.get("day", []), start=1):
            day_where = f"{where} day {number}"
            day, _ = ProgramDay.objects.update_or_create(
                stage=stage,
                number=number,
                defaults={"name": _required(day_data, "name", day_where)},
            )
            day_numbers.append(number)
            day.prescriptions.all().delete()
            for order, entry in enumerate(day_data.get("exercises", []), start=1):
                Prescription.objects.create(day=day, order=order, **_prescription(entry, day_where))
        stage.days.exclude(number__in=day_numbers).delete()
    # A stage someone is on stays until they move off it; the rest go.
    program.stages.exclude(number__in=stage_numbers).filter(plans__isnull=True).delete()


def _load_routine(data: dict[str, Any], rel: str, expected_slug: str) -> None:
    slug = _required(data, "slug", rel)
    if slug != expected_slug:
        raise ContentError(f"{rel}: slug {slug!r} must match the file name {expected_slug!r}")
    routine, _ = Routine.objects.update_or_create(
        slug=slug,
        defaults={
            "name": _required(data, "name", rel),
            "source": _article(data["source"], rel) if data.get("source") else None,
            "summary": _required(data, "summary", rel),
            "advice": "\n".join(data.get("advice", [])),
        },
    )
    routine.items.all().delete()
    for order, entry in enumerate(_required(data, "exercises", rel), start=1):
        where = f"{rel} exercise {order}"
        item = _prescription(entry, where)
        # A routine (the flare-up one) is offered on every track and on a bad day, so nothing
        # in it may stretch the hamstrings or bend forward.
        exercise = item["exercise"]
        unsafe = [
            reason
            for flag, reason in (
                (exercise.stretches_hamstrings, "stretches the hamstrings"),
                (exercise.forward_bend, "is a forward bend"),
                (exercise.standing_fold, "is a standing fold"),
            )
            if flag
        ]
        if unsafe:
            raise ContentError(
                f"{where}: {exercise.slug} {' and '.join(unsafe)}, which a routine must not have"
            )
        RoutineItem.objects.create(routine=routine, order=order, **item)


def _prescription(entry: str | dict[str, Any], where: str) -> dict[str, Any]:
    overrides = {} if isinstance(entry, str) else dict(entry)
    slug = entry if isinstance(entry, str) else overrides.pop("slug", None)
    exercise = Exercise.objects.filter(slug=slug).first()
    if exercise is None:
        raise ContentError(f"{where}: exercise {slug!r} is not in the library")
    unknown = set(overrides) - set(DOSE_FIELDS)
    if unknown:
        raise ContentError(f"{where}: {slug}: unknown keys {sorted(unknown)}")
    dose = {key: overrides.get(key, getattr(exercise, key)) for key in DOSE_FIELDS}
    return {"exercise": exercise, **dose}
