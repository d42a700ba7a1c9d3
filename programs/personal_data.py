"""Everything a person can take away (export) or remove (account deletion).

The export is a list of tables, each read with one query, so its cost does not grow in queries
with the history: the CSV streams them one after another, the JSON nests sets inside sessions.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .care.events import lock_person
from .models import (
    Clearance,
    FlareUp,
    Plan,
    PlanChange,
    Schedule,
    Screening,
    SelfTest,
    SessionExercise,
    SetLog,
    SummaryShare,
    WorkoutSession,
)

# A spreadsheet reads a cell starting with one of these as a formula (or a formula's start).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs: risky text gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        return safe_cell("; ".join(str(v) for v in value))
    text = str(value)
    if _looks_like_formula(text):
        return "'" + text
    return text


def _looks_like_formula(text: str) -> bool:
    """Judged on what a spreadsheet will see: compatibility forms folded (a fullwidth equals
    sign is =)
    and invisible format characters (a zero-width space) and spaces in front dropped."""
    folded = unicodedata.normalize("NFKC", text)
    start = 0
    while start < len(folded) and (
        unicodedata.category(folded[start]) == "Cf" or folded[start].isspace()
    ):
        start += 1
    return folded[start:].startswith(FORMULA_START) or text.startswith(FORMULA_START)


def _when(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: list[str]
    rows: Callable[[], Iterable[dict[str, Any]]]


def _account(user) -> Iterator[dict[str, Any]]:
    yield {
        "username": user.get_username(),
        "email": user.email,
        "date_joined": _when(user.date_joined),
    }


def _schedule(user) -> Iterator[dict[str, Any]]:
    # The calendar feed's token is a key, not data about the person: it stays out of exports.
    for chosen in Schedule.objects.filter(user=user):
        yield {
            "days": ", ".join(chosen.day_names),
            "time": chosen.time.strftime("%H:%M"),
            "reminders": chosen.reminders,
            "reminder_email": chosen.reminder_email,
            "email_confirmed": chosen.email_verified,
        }


def _summary_shares(user) -> Iterator[dict[str, Any]]:
    # Each link's token stays out: it is a key to the shared page, not data about the person.
    for share in SummaryShare.objects.filter(user=user).order_by("created_at", "pk"):
        yield {
            "id": share.pk,
            "weeks": share.weeks,
            "period_end": share.period_end.isoformat(),
            "display_name": share.display_name,
            "notes_of_sessions": list(share.note_sessions),
            "created_at": _when(share.created_at),
            "expires_at": _when(share.expires_at),
            "revoked_at": _when(share.revoked_at),
            "first_opened_at": _when(share.first_opened_at),
            "last_opened_at": _when(share.last_opened_at),
            "opened": share.opened,
        }


def _screenings(user) -> Iterator[dict[str, Any]]:
    for s in Screening.objects.filter(user=user).order_by("created_at", "pk"):
        yield {
            "id": s.pk,
            "created_at": _when(s.created_at),
            "outcome": s.outcome,
            "red_flags": list(s.red_flags),
            "recent_injury": s.recent_injury,
            "pelvic_tilt": s.pelvic_tilt,
            "disc_problems": s.disc_problems,
        }


def _self_tests(user) -> Iterator[dict[str, Any]]:
    for t in SelfTest.objects.filter(user=user).order_by("taken_at", "pk"):
        yield {
            "id": t.pk,
            "taken_at": _when(t.taken_at),
            "left_angle": t.left_angle,
            "right_angle": t.right_angle,
            "left_measured": t.left_measured,
            "right_measured": t.right_measured,
            "left_readings": t.left_readings,
            "right_readings": t.right_readings,
            "note": t.note,
        }


def _plans(user) -> Iterator[dict[str, Any]]:
    for p in Plan.objects.filter(user=user).select_related("program", "stage").order_by("pk"):
        yield {
            "id": p.pk,
            "program": p.program.name,
            "stage": p.stage.number,
            "stage_name": p.stage.name,
            "status": p.status,
            "paused_for": p.paused_for,
            "avoid_forward_bends": p.avoid_forward_bends,
            "created_at": _when(p.created_at),
            "ended_at": _when(p.ended_at),
        }


def _plan_changes(user) -> Iterator[dict[str, Any]]:
    changes = (
        PlanChange.objects.filter(plan__user=user)
        .select_related("from_stage", "to_stage")
        .order_by("created_at", "pk")
    )
    for c in changes:
        yield {
            "id": c.pk,
            "plan_id": c.plan_id,
            "session_id": c.session_id,
            "created_at": _when(c.created_at),
            "kind": c.kind,
            "cause": c.cause,
            "from_stage": c.from_stage.number if c.from_stage else None,
            "to_stage": c.to_stage.number if c.to_stage else None,
            "reason": c.reason,
        }


def _sessions(user) -> Iterator[dict[str, Any]]:
    sessions = (
        WorkoutSession.objects.for_user(user)
        .select_related("day", "stage")
        .order_by("started_at", "pk")
    )
    for s in sessions.iterator(chunk_size=500):
        yield {
            "id": s.pk,
            "plan_id": s.plan_id,
            "day": s.day.name if s.day else None,
            "stage": s.stage.number if s.stage else None,
            "status": s.status,
            "started_at": _when(s.started_at),
            "finished_at": _when(s.finished_at),
            "pain_before": s.pain_before,
            "pain_after": s.pain_after,
            "steady_back": s.steady_back,
            "local_date": s.local_date.isoformat() if s.local_date else None,
            "dose": s.dose,
            "counts_towards_progress": s.counts,
            "not_counted_because": s.get_not_counted_display() if s.not_counted else "",
            "felt_after_last": s.felt_after_last,
            "ended_reason": s.ended_reason,
            "note": s.note,
        }


def _flare_ups(user) -> Iterator[dict[str, Any]]:
    for f in FlareUp.objects.filter(user=user).order_by("started_at", "pk"):
        yield {
            "id": f.pk,
            "plan_id": f.plan_id,
            "started_at": _when(f.started_at),
            "ended_at": _when(f.ended_at),
        }


def _clearances(user) -> Iterator[dict[str, Any]]:
    for c in Clearance.objects.filter(user=user).order_by("confirmed_at", "pk"):
        yield {
            "id": c.pk,
            "plan_id": c.plan_id,
            "warning": c.warning,
            "warned_at": _when(c.warned_at),
            "seen_on": c.seen_on.isoformat(),
            "confirmed_at": _when(c.confirmed_at),
        }


def _session_exercises(user) -> Iterator[dict[str, Any]]:
    items = (
        SessionExercise.objects.filter(session__user=user)
        .select_related("exercise", "substituted_for")
        .order_by("session__started_at", "session_id", "order")
    )
    for i in items.iterator(chunk_size=2000):
        yield {
            "id": i.pk,
            "session_id": i.session_id,
            "order": i.order,
            "exercise": i.exercise.name,
            "substituted_for": i.substituted_for.name if i.substituted_for else None,
            "planned_sets": i.sets,
            "planned_reps": i.reps,
            "planned_hold_seconds": i.hold_seconds,
            "per_side": i.per_side,
            "skipped_reason": i.skipped_reason,
        }


def _sets(user) -> Iterator[dict[str, Any]]:
    logs = (
        SetLog.objects.filter(item__session__user=user)
        .select_related("item__exercise")
        .order_by("item__session__started_at", "item__session_id", "item__order", "set_number")
    )
    for log in logs.iterator(chunk_size=2000):
        yield {
            "id": log.pk,
            "session_id": log.item.session_id,
            "session_exercise_id": log.item_id,
            "exercise": log.item.exercise.name,
            "set_number": log.set_number,
            "side": log.side,
            "reps": log.reps,
            "hold_seconds": log.hold_seconds,
            # In words, named for what the exercise is made of, and whether it fell short.
            "done": log.done_text,
            "planned": log.item.planned_text,
            "short": log.is_short,
            "logged_at": _when(log.logged_at),
        }


def tables(user) -> list[Table]:
    def table(name: str, title: str, columns: str, source) -> Table:
        return Table(name, title, columns.split(), lambda: source(user))

    return [
        table("account", "Account", "username email date_joined", _account),
        table(
            "schedule",
            "Session days",
            "days time reminders reminder_email email_confirmed",
            _schedule,
        ),
        table(
            "screenings",
            "Screenings",
            "id created_at outcome red_flags recent_injury pelvic_tilt disc_problems",
            _screenings,
        ),
        table(
            "self_tests",
            "Self-tests",
            "id taken_at left_angle right_angle left_measured right_measured left_readings "
            "right_readings note",
            _self_tests,
        ),
        table(
            "plans",
            "Plans",
            "id program stage stage_name status paused_for avoid_forward_bends created_at ended_at",
            _plans,
        ),
        table(
            "plan_changes",
            "Plan changes",
            "id plan_id session_id created_at kind cause from_stage to_stage reason",
            _plan_changes,
        ),
        table(
            "sessions",
            "Sessions",
            "id plan_id day stage status started_at finished_at pain_before pain_after steady_back "
            "local_date dose counts_towards_progress not_counted_because felt_after_last "
            "ended_reason note",
            _sessions,
        ),
        table("flare_ups", "Flare-ups", "id plan_id started_at ended_at", _flare_ups),
        table(
            "clearances",
            "Clinicians' checks",
            "id plan_id warning warned_at seen_on confirmed_at",
            _clearances,
        ),
        table(
            "session_exercises",
            "Exercises in sessions",
            "id session_id order exercise substituted_for planned_sets planned_reps "
            "planned_hold_seconds per_side skipped_reason",
            _session_exercises,
        ),
        table(
            "summary_shares",
            "Summary links shared",
            "id weeks period_end display_name notes_of_sessions created_at expires_at revoked_at "
            "first_opened_at last_opened_at opened",
            _summary_shares,
        ),
        table(
            "sets",
            "Sets",
            "id session_id session_exercise_id exercise set_number side reps hold_seconds "
            "done planned short logged_at",
            _sets,
        ),
    ]


class _Echo:
    """A file-like object that hands back what it is given, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(user) -> Iterator[str]:
    """The whole export as CSV: for each table a title row, a header row, its rows and a blank.

    Starts with a byte-order mark so spreadsheet programs read the text as UTF-8.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for t in tables(user):
        yield writer.writerow([t.title])
        yield writer.writerow(t.columns)
        for row in t.rows():
            yield writer.writerow([safe_cell(row[c]) for c in t.columns])
        yield writer.writerow([])


def as_json(user) -> dict[str, Any]:
    """The whole export as one document: sessions hold their exercises, exercises their sets."""
    return json.loads("".join(json_chunks(user)))


def json_chunks(user) -> Iterator[str]:
    """The JSON export a piece at a time, for a streamed answer with bounded memory.

    Sessions, their exercises and the sets are each read in the same order (by start time,
    session, exercise), so one pass through the three merges them, holding one session at a time.
    """
    from django.core.serializers.json import DjangoJSONEncoder

    def dumps(value: Any) -> str:
        return json.dumps(value, cls=DjangoJSONEncoder)

    by_name = {t.name: t for t in tables(user)}
    yield '{"exported_at": ' + dumps(_when(timezone.now()))
    yield ',\n"account": ' + dumps(next(iter(by_name["account"].rows())))
    yield ',\n"schedule": ' + dumps(next(iter(by_name["schedule"].rows()), None))
    lists = ("screenings", "self_tests", "plans", "plan_changes", "flare_ups", "clearances")
    for name in (*lists, "summary_shares"):
        yield f",\n{dumps(name)}: ["
        for n, row in enumerate(by_name[name].rows()):
            yield ("," if n else "") + "\n" + dumps(row)
        yield "]"

    items = _Ahead(by_name["session_exercises"].rows())
    sets = _Ahead(by_name["sets"].rows())
    yield ',\n"sessions": ['
    for n, session in enumerate(by_name["sessions"].rows()):
        exercises = []
        while items.next_is("session_id", session["id"]):
            item = items.take()
            item.pop("session_id")
            item["sets"] = []
            while sets.next_is("session_exercise_id", item["id"]):
                row = sets.take()
                for name in ("session_exercise_id", "session_id", "exercise"):
                    row.pop(name)
                item["sets"].append(row)
            exercises.append(item)
        # A set whose exercise row came after the exercises were read (logged in the very
        # moment of the export) is left out with it, instead of stalling the merge.
        while sets.next_is("session_id", session["id"]):
            sets.take()
        yield ("," if n else "") + "\n" + dumps({**session, "exercises": exercises})
    yield "\n]}\n"


class _Ahead:
    """An iterator that can look at its next row without taking it."""

    def __init__(self, rows: Iterable[dict]) -> None:
        self._rows = iter(rows)
        self._next = next(self._rows, None)

    def next_is(self, field: str, value: Any) -> bool:
        return self._next is not None and self._next[field] == value

    def take(self) -> dict:
        row, self._next = self._next, next(self._rows, None)
        return row


# --- account deletion ------------------------------------------------------------------------


def _session_keys(user) -> list[str]:
    """Keys of every stored login session of this person, on database-backed session engines.

    Sessions are stored signed and encoded, so finding a person's means reading each live one.
    Other engines need nothing: once the account is gone, no session can load it.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return []
    model = store.get_model_class()
    user_id = str(user.pk)
    keys = []
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == user_id:
            keys.append(session.session_key)
    return keys


def delete_account(user) -> None:
    """Remove the person and every row that is theirs, and end all their login sessions.

    Their records cascade from the user row; login sessions and the lockout records kept under
    their username do not, so they go explicitly. Finding the sessions means reading every live
    one, which takes a while with many people signed in: it runs before the write transaction,
    so nobody else's write waits for it. A session made meanwhile cannot load a deleted account.
    """
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    keys = _session_keys(user)
    with transaction.atomic():
        # The person's lock first, as every write to their record takes it: a set logged at
        # this moment waits for the delete (and then finds nothing) instead of crossing it.
        lock_person(user.pk)
        username = user.get_username()
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username=username).delete()
        user.delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    # Through the store, so a cached copy of the session goes too, not only its row.
    for key in keys:
        store(session_key=key).delete()
