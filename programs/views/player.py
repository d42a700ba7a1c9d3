"""The guided session: start it, follow it one exercise at a time, log each set as it is done.

Every view answers a plain form post with a redirect and an htmx request with the ``#player``
partial, so the player works without JavaScript and swaps in place with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, replace_url, reswap, retarget

from .. import caching, services
from ..care import events
from ..care.state import situation
from ..forms.player import FinishForm, SetAmountsForm, SetLogForm, SkipForm, StartForm
from ..models import (
    DeletedSet,
    Effort,
    Exercise,
    PlanStatus,
    SessionExercise,
    SetLog,
    Side,
    SkipReason,
    WorkoutSession,
    duration_text,
)

TEMPLATE = "programs/player/player.html"
# Errors in these fields mean the form itself is stale or tampered with, not a typo in a number.
SLOT_FIELDS = ("item", "set_number", "side", "client_token")
SKIP_FIELDS = ["skipped_reason", "skipped_at"]


# --- ownership -------------------------------------------------------------------------------


def _get_session_for_user(request: HttpRequest, session_id: int) -> WorkoutSession:
    return get_object_or_404(
        WorkoutSession.objects.select_related("plan"), pk=session_id, user=request.user
    )


def _get_session_with_items_for_user(
    request: HttpRequest, session_id: int
) -> tuple[WorkoutSession, list[SessionExercise]]:
    """The person's session and its items, in the query that reads the items."""
    items = services.items_with_session(request.user, session_id)
    # No items: another person's session (404), or one with nothing in it.
    session = items[0].session if items else _get_session_for_user(request, session_id)
    return session, items


def _get_item_for_user(request: HttpRequest, session_id: int, item_id: int) -> SessionExercise:
    return get_object_or_404(
        SessionExercise.objects.select_related("session__plan", "exercise"),
        pk=item_id,
        session_id=session_id,
        session__user=request.user,
    )


def _get_set_for_user(request: HttpRequest, session_id: int, set_id: int) -> SetLog:
    return get_object_or_404(
        SetLog.objects.select_related("item__session__plan", "item__exercise"),
        pk=set_id,
        item__session_id=session_id,
        item__session__user=request.user,
    )


# --- views -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    open_session = (
        WorkoutSession.objects.for_user(request.user).in_progress().select_related("plan").first()
    )
    if open_session is not None and _plan_running(open_session):
        # A second start (another tab, the back button) resumes instead of forking a session.
        return _go(request, open_session.get_absolute_url())
    now = situation(request.user)
    if not now.can_train:
        messages.info(
            request,
            f"There is no session to start: your plan is not running ({now.state.label.lower()}). "
            f"Your dashboard says why and what comes next.",
        )
        return _go(request, reverse("programs-dashboard"))

    offer = events.session_offer(now)
    data = request.POST if request.method == "POST" else None
    form = StartForm(data, asks_day_after=offer.asks_day_after)
    choosing = False
    if request.method == "POST" and form.is_valid():
        pain = form.cleaned_data["pain_before"]
        offer = events.session_offer(now, pain)
        # A bad day: offer the gentler session first, and let the person choose.
        choosing = offer.gentle_suggested and form.gentle is None
        if not choosing:
            answers = events.StartAnswers(
                pain_before=pain,
                felt_after_last=form.cleaned_data.get("felt_after_last", ""),
                gentle=form.gentle,
            )
            try:
                session = events.session_started(request.user, answers)
            except events.CareError as error:
                messages.error(request, str(error))
                return _go(request, reverse("programs-dashboard"))
            return _go(request, session.get_absolute_url())
    plan = now.plan
    ctx = {
        "form": form,
        "plan": plan,
        "now": now,
        "offer": offer,
        "choosing": choosing,
        "day": None if now.flare_up else plan.next_day(),
    }
    return render(request, "programs/player/start.html", ctx, status=400 if form.errors else 200)


@login_required
@require_safe
@vary_on_headers("HX-Request")
def player(request: HttpRequest, session_id: int) -> HttpResponse:
    order = request.GET.get("item", "")
    # Only an order the session could have names its own entry; any other is no choice at all.
    chosen = int(order) if order.isascii() and order.isdigit() and len(order) <= 3 else None
    parts = ("player", session_id, chosen, _template(request))
    return caching.person_page(request, parts, lambda: _draw_player(request, session_id, chosen))


def _draw_player(request: HttpRequest, session_id: int, order: int | None) -> caching.Drawn:
    session, items = _get_session_with_items_for_user(request, session_id)
    if not session.is_open:
        return caching.Drawn(redirect(session.get_absolute_url()), keep=False)
    if not _plan_running(session):
        return caching.Drawn(_closed(request, session), keep=False)
    shown = _item_by_order(items, str(order)) if order is not None else None
    ctx = _player_ctx(session, items, shown, chosen=shown is not None)
    set_form = ctx.get("set_form")
    return caching.Drawn(
        render(request, _template(request), ctx),
        # A rest counts down from the last set and an undo is offered for minutes: the clock
        # changes those pages, so they are drawn afresh each time.
        # An order that names no item draws the session's own page: not kept twice.
        keep=not ctx.get("rest_ms")
        and not any(item.undo_pending for item in items)
        and (order is None or shown is not None),
        tokens=(str(set_form["client_token"].value()),) if set_form else (),
    )


@dataclass
class _Logged:
    """What storing one posted set came to, decided under the person's lock, drawn after it."""

    session: WorkoutSession
    items: list[SessionExercise] = field(default_factory=list)
    form: SetLogForm | None = None
    saved: SetLog | None = None
    problem: str = ""
    closed: bool = False
    inserted: bool = False  # stored by this request, not found stored by an earlier one


@login_required
@require_POST
def log_set(request: HttpRequest, session_id: int) -> HttpResponse:
    outcome = _log_posted_set(request, session_id)
    session, items, form = outcome.session, outcome.items, outcome.form
    if outcome.closed:
        return _closed(request, session)
    if form is not None and not form.is_valid():
        item = form.cleaned_data.get("item")
        stale = any(form.has_error(name) for name in SLOT_FIELDS) or item.next_slot() is None
        if stale:
            # A stale or altered form: say what was wrong and offer the right set afresh.
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
            return _render_player(request, session, items, item, errors=errors, status=422)
        return _render_player(request, session, items, item, set_form=form, status=422)
    item = next(i for i in items if i.pk == form.cleaned_data["item"].pk)
    if outcome.problem:
        return _render_player(request, session, items, item, errors=[outcome.problem], status=422)
    saved = outcome.saved
    return _after_change(request, session, item, announce=f"{saved.label} saved.", logged=outcome)


def _log_posted_set(request: HttpRequest, session_id: int) -> _Logged:
    """Store one set exactly once, in one transaction that reads the session once.

    The same client token posted again (a double tap, a retry after a lost answer) finds the
    set already stored and counts as success; another token for a set already logged does not.
    Nothing is rendered here: on SQLite the transaction holds the database's write lock.
    """
    try:
        with transaction.atomic():
            # First, so a finish or the care rules ending the session queue up behind this set
            # (or this set behind them) instead of crossing.
            events.lock_person(request.user.pk)
            session, items = _get_session_with_items_for_user(request, session_id)
            if not session.is_open or not _plan_running(session):
                return _Logged(session, closed=True)
            form = SetLogForm(request.POST, items=items)
            if not form.is_valid():
                return _Logged(session, items, form)
            item, data = form.cleaned_data["item"], form.cleaned_data
            saved = SetLog.objects.create(
                item=item,
                set_number=data["set_number"],
                side=data["side"],
                reps=data["reps"],
                hold_seconds=data["hold_seconds"],
                client_token=data["client_token"],
            )
            item.add_logged(saved)
            return _Logged(session, items, form, saved, inserted=True)
    except IntegrityError:
        pass
    # Lost a race or a resend: the same post stored already (success), or this set and side
    # logged from another tab in the meantime, or the token used for another set.
    session = _get_session_for_user(request, session_id)
    items = services.session_items(session)
    form = SetLogForm(request.POST, items=items)
    if not form.is_valid():
        return _Logged(session, items, form)
    item, data = form.cleaned_data["item"], form.cleaned_data
    stored = SetLog.objects.filter(client_token=data["client_token"]).first()
    if stored is not None:
        if stored.item_id == item.pk and (stored.set_number, stored.side) == (
            data["set_number"],
            data["side"],
        ):
            return _Logged(session, items, form, stored)
        problem = "This form was already used for another set. Reload the page to carry on."
    else:
        problem = (
            f"{SetLog(set_number=data['set_number'], side=data['side']).label} of "
            f"{item.exercise.name} is already logged. To change it, edit it in the list of "
            f"logged sets."
        )
    return _Logged(session, items, form, problem=problem)


@login_required
@require_POST
def edit_set(request: HttpRequest, session_id: int, set_id: int) -> HttpResponse:
    log = _get_set_for_user(request, session_id, set_id)
    session = log.item.session
    if not session.is_open or not _plan_running(session):
        return _closed(request, session)
    form = SetAmountsForm(request.POST, item=log.item)
    if not form.is_valid():
        items = services.session_items(session)
        item = next(i for i in items if i.pk == log.item_id)
        edit = {"log_id": log.pk, "form": form}
        return _render_player(request, session, items, item, edit=edit, status=422)
    log.reps = form.cleaned_data["reps"]
    log.hold_seconds = form.cleaned_data["hold_seconds"]
    if not _write_if_open(session, lambda: log.save(update_fields=["reps", "hold_seconds"])):
        return _closed(request, session)
    return _after_change(request, session, log.item, announce=f"{log.label} changed.", stay=True)


@login_required
@require_POST
def delete_set(request: HttpRequest, session_id: int, set_id: int) -> HttpResponse:
    log = _get_set_for_user(request, session_id, set_id)
    session = log.item.session
    if not session.is_open or not _plan_running(session):
        return _closed(request, session)
    label = log.label

    def delete() -> None:
        # Kept for a while so an unintended delete can be undone; old snapshots go with it.
        DeletedSet.objects.filter(
            item__session__user=request.user, deleted_at__lt=timezone.now() - DeletedSet.UNDO_FOR
        ).delete()
        # The same set deleted before and posted again (Back, or a resend): the newer delete is
        # the one to undo.
        DeletedSet.objects.filter(client_token=log.client_token).delete()
        DeletedSet.keep(log)
        log.delete()

    if not _write_if_open(session, delete):
        return _closed(request, session)
    return _after_change(
        request, session, log.item, announce=f"{label} deleted. Undo is offered.", stay=True
    )


@login_required
@require_POST
def undo_delete(request: HttpRequest, session_id: int, deleted_id: int) -> HttpResponse:
    session = _get_session_for_user(request, session_id)
    if not session.is_open or not _plan_running(session):
        return _closed(request, session)
    deleted = get_object_or_404(
        DeletedSet.objects.select_related("item__exercise"), pk=deleted_id, item__session=session
    )
    label = deleted.label

    def refuse(problem: str) -> HttpResponse:
        # Nothing restored: the player again at that exercise, saying why.
        items = services.session_items(session)
        shown = next((i for i in items if i.pk == deleted.item_id), None)
        return _render_player(request, session, items, shown, errors=[problem], status=422)

    if deleted.deleted_at < timezone.now() - DeletedSet.UNDO_FOR:
        return refuse("That delete can no longer be undone: undo is kept for 15 minutes.")
    if deleted.item.is_skipped:
        return refuse(
            f"{deleted.item.exercise.name} is skipped now, so {label.lower()} was not brought "
            f"back. Choose “Do it after all” first if you want it back."
        )
    try:
        with transaction.atomic():
            if _locked_if_open(session) is None:
                return _closed(request, session)
            deleted.restored().save(force_insert=True)
            deleted.delete()
    except IntegrityError:
        # The same set was logged again since: the newer one stays, nothing is overwritten.
        return refuse(
            f"{label} was logged again after the delete, so the deleted one was not brought "
            f"back. Edit the new one if it is wrong."
        )
    item = SessionExercise.objects.get(pk=deleted.item_id)
    return _after_change(request, session, item, announce=f"{label} is back.", stay=True)


@login_required
@require_POST
def skip(request: HttpRequest, session_id: int, item_id: int) -> HttpResponse:
    item = _get_item_for_user(request, session_id, item_id)
    session = item.session
    if not session.is_open or not _plan_running(session):
        return _closed(request, session)
    if request.POST.get("undo"):
        item.skipped_reason, item.skipped_at = "", None
        if not _write_if_open(session, lambda: item.save(update_fields=SKIP_FIELDS)):
            return _closed(request, session)
        return _after_change(request, session, item, announce=f"{item.exercise.name} is back on.")

    form = SkipForm(request.POST)
    problem = None
    if form.is_valid() and item.is_complete():
        problem = (
            f"Every set of {item.exercise.name} is logged already, so there is nothing to skip."
        )
    if not form.is_valid() or problem:
        items = services.session_items(session)
        shown = next(i for i in items if i.pk == item.pk)
        errors = [problem] if problem else []
        return _render_player(
            request, session, items, shown, skip_form=form, errors=errors, status=422
        )
    item.skipped_reason = form.cleaned_data["reason"]
    item.skipped_at = timezone.now()
    if not _write_if_open(session, lambda: item.save(update_fields=SKIP_FIELDS)):
        return _closed(request, session)
    return _after_change(request, session, item, announce=f"{item.exercise.name} skipped.")


@login_required
@require_POST
def finish(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _get_session_for_user(request, session_id)
    items = services.session_items(session)
    form = FinishForm(request.POST, asks_steady_back=services.asks_steady_back(items))
    if session.is_open and not form.is_valid():
        return _render_player(request, session, items, None, finish_form=form, status=422)
    if not session.is_open:
        return _closed(request, session)
    try:
        # The event locks the session, so two finishes at once (a double tap) run it once.
        events.session_finished(
            session,
            events.FinishAnswers(
                pain_after=form.cleaned_data["pain_after"],
                note=form.cleaned_data["note"],
                steady_back=form.cleaned_data.get("steady_back"),
            ),
        )
    except events.CareError:
        session.refresh_from_db()
        return _closed(request, session)
    session.refresh_from_db(fields=["status"])
    # The summary page shows the plan change and its reason prominently: no second copy here.
    messages.success(request, "Session finished and saved.")
    return _go(request, session.get_absolute_url())


# --- helpers ---------------------------------------------------------------------------------


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """After a post: a 303 for a plain form, a full-page redirect for htmx."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url, status=303)


def _item_by_order(items: list[SessionExercise], order: str | None) -> SessionExercise | None:
    if order and order.isascii() and order.isdigit():
        return next((i for i in items if i.order == int(order)), None)
    return None


def _locked_if_open(session: WorkoutSession) -> WorkoutSession | None:
    """The session, if it is still open on a running plan, with its person locked for this write.

    The lock makes a change to the session and the care rules ending it queue up instead of
    crossing, so nothing is written into a session the moment after it ended.
    """
    events.lock_person(session.user_id)
    return (
        WorkoutSession.objects.in_progress()
        .filter(Q(plan__isnull=True) | Q(plan__status=PlanStatus.ACTIVE), pk=session.pk)
        .first()
    )


def _write_if_open(session: WorkoutSession, write: Callable[[], object]) -> bool:
    with transaction.atomic():
        if _locked_if_open(session) is None:
            return False
        write()
        return True


def _after_change(
    request: HttpRequest,
    session: WorkoutSession,
    item: SessionExercise,
    announce: str,
    stay: bool = False,
    logged: _Logged | None = None,
) -> HttpResponse:
    """Show the player again: the partial for htmx, a redirect for a plain form.

    It stays on the exercise being worked on until that is done, then goes on to the next
    one after it with sets to do, so someone who chose their own order keeps going forward.
    `logged` is a set just stored, with the session as it is now.
    """
    items = logged.items if logged else services.session_items(session)
    item = next(i for i in items if i.pk == item.pk)
    shown = item if stay else _next_to_do(items, item)
    url = reverse("programs-player", args=[session.pk])
    current = session.current_slot(items)
    if shown is not None and (stay or current is None or current.item.pk != shown.pk):
        url += f"?item={shown.order}"
    if not request.htmx:
        return HttpResponseRedirect(url, status=303)
    # The next set of the same exercise: only its card and a few counters change, so only they
    # are sent (the figure, steps and cautions stay on screen).
    same_exercise = not stay and shown is not None and shown.pk == item.pk
    # A set resent from the browser's store may belong to another exercise than the one on
    # screen ("whole"): then the whole player comes back, never a card for the wrong page.
    whole = request.POST.get("whole") == "1"
    # Only a set this request stored: a resend gets the list whole, so no row is drawn twice.
    added = logged is not None and logged.inserted
    if added and same_exercise and not whole and shown.next_slot() is not None:
        response = _render_set_saved(request, session, shown, logged)
        response = retarget(reswap(response, "outerHTML"), "#work-card")
    else:
        response = _render_player(request, session, items, shown, chosen=stay, announce=announce)
    # The address bar follows the player, so a reload opens what is on screen now.
    return replace_url(response, url)


def _next_to_do(items: list[SessionExercise], item: SessionExercise) -> SessionExercise | None:
    at = items.index(item)
    for candidate in items[at:] + items[:at]:
        if candidate.next_slot() is not None:
            return candidate
    return None


def _plan_running(session: WorkoutSession) -> bool:
    """Sets go only into a session whose plan is active; the care rules end any other."""
    return session.plan is None or session.plan.status == PlanStatus.ACTIVE


def _closed(request: HttpRequest, session: WorkoutSession) -> HttpResponse:
    if session.was_ended:
        message = f"{session.ended_reason} Nothing more can be logged into this session."
    elif session.is_open:
        message = (
            "Your plan is not running now, so nothing can be logged into this session. Your "
            "dashboard says why."
        )
    else:
        message = "This session is already finished, so nothing was changed."
    ctx = {"session": session, "closed": True, "closed_message": message}
    return render(request, _template(request), ctx, status=400)


def _template(request: HttpRequest) -> str:
    if request.htmx and not request.htmx.history_restore_request:
        return f"{TEMPLATE}#player"
    return TEMPLATE


def _render_player(
    request: HttpRequest,
    session: WorkoutSession,
    items: list[SessionExercise],
    shown: SessionExercise | None,
    *,
    chosen: bool = False,
    set_form: SetLogForm | None = None,
    skip_form: SkipForm | None = None,
    finish_form: FinishForm | None = None,
    edit: dict | None = None,
    errors: list[str] | None = None,
    announce: str = "",
    status: int = 200,
) -> HttpResponse:
    ctx = _player_ctx(
        session,
        items,
        shown,
        chosen=chosen,
        forms=(set_form, skip_form, finish_form),
        edit=edit,
        errors=errors,
        announce=announce,
    )
    return render(request, _template(request), ctx, status=status)


def _player_ctx(
    session: WorkoutSession,
    items: list[SessionExercise],
    shown: SessionExercise | None,
    *,
    chosen: bool = False,
    forms: tuple = (None, None, None),
    edit: dict | None = None,
    errors: list[str] | None = None,
    announce: str = "",
) -> dict:
    set_form, skip_form, finish_form = forms
    ms_per_second = settings.PLAYER_MS_PER_SECOND
    slot = session.current_slot(items)
    if shown is None and slot is not None:
        shown = slot.item
    all_done = slot is None
    ctx = {
        **_session_ctx(session, items, announce, errors),
        "all_done": all_done,
        "finish_form": finish_form or FinishForm(asks_steady_back=services.asks_steady_back(items)),
        "finish_open": finish_form is not None,
        "skip_reasons": SkipReason.choices,
        "shown": None,
        "undo": _undoable(session, items),
    }
    # With everything done the finish form leads, unless the person picked an exercise to look at.
    if shown is not None and (not all_done or chosen or edit or set_form or skip_form):
        ctx.update(_card_ctx(items, shown, ms_per_second))
        ctx.update(_guide_ctx(items, shown))
        ctx["logged_rows"] = _logged_rows(ctx["logs"], ctx["undo"], shown)
        next_slot = ctx["next_slot"]
        if set_form is None and next_slot is not None:
            set_form = SetLogForm.for_slot(shown, *next_slot)
        ctx.update(
            {
                "set_form": set_form,
                "skip_form": skip_form or SkipForm(),
                "skip_open": skip_form is not None,
                "edit": edit or {},
            }
        )
    return ctx


def _render_set_saved(
    request: HttpRequest, session: WorkoutSession, shown: SessionExercise, logged: _Logged
) -> HttpResponse:
    """The answer to a set saved with more of the same exercise to do: its card, and the few
    other places that changed. The figure, steps and cautions stay on screen, so none of the
    exercise's content is read or drawn."""
    items, added = logged.items, logged.saved
    ctx = {
        **_session_ctx(session, items, f"{added.label} saved."),
        **_card_ctx(items, shown, settings.PLAYER_MS_PER_SECOND),
        "edit": {},
    }
    ctx["set_form"] = SetLogForm.for_slot(shown, *ctx["next_slot"])
    logs = ctx["logs"]
    # The screen says how many sets it showed: all but this one (no other tab logged one in the
    # meantime), and the new row is added; otherwise the list and the map come whole.
    up_to_date = logged.form.data.get("listed") == str(ctx["logged_total"] - 1)
    ctx["stale_screen"] = not up_to_date
    if len(logs) > 1 and logs[-1] is added and not shown.undo_pending and up_to_date:
        ctx["append_row"] = added
    else:
        ctx["logged_rows"] = _logged_rows(logs, _undoable(session, items), shown)
    # The finish form asks about the back once a standing fold is done: with this set, it may.
    others_ask = services.asks_steady_back(i for i in items if i is not shown)
    if len(logs) == 1 and shown.exercise.standing_fold and not others_ask:
        ctx |= {"finish_changed": True, "finish_form": FinishForm(asks_steady_back=True)}
    return render(request, f"{TEMPLATE}#set_saved", ctx)


def _session_ctx(
    session: WorkoutSession,
    items: list[SessionExercise],
    announce: str,
    errors: list[str] | None = None,
) -> dict:
    """What every drawing of the player needs: the session, its items and its counts."""
    return {
        "session": session,
        "player_url": reverse("programs-player", args=[session.pk]),
        "items": items,
        "ms_per_second": settings.PLAYER_MS_PER_SECOND,
        "errors": errors or [],
        "announce": announce,
        "done_sets": sum(len(i.logs.all()) for i in items if not i.is_skipped),
        # Against the whole plan: a skip shows as skipped, not as a smaller plan fully done.
        "planned_sets": sum(i.planned_set_count for i in items),
        "skipped_sets": sum(i.planned_set_count for i in items if i.is_skipped),
        "logged_total": sum(len(i.logs.all()) for i in items),
    }


def _undoable(session: WorkoutSession, items: list[SessionExercise]) -> DeletedSet | None:
    """The latest delete in this session that can still be undone: its set's place is free."""
    if not any(getattr(item, "undo_pending", True) for item in items):
        return None  # read with the items: nothing was deleted lately
    deleted = DeletedSet.objects.undoable(session).first()
    if deleted is None:
        return None
    item = next((i for i in items if i.pk == deleted.item_id), None)
    taken = item is None or any(
        (log.set_number, log.side) == (deleted.set_number, deleted.side) for log in item.logs.all()
    )
    if taken:
        return None
    deleted.item = item
    return deleted


def _logged_rows(logs: list[SetLog], undo: DeletedSet | None, shown: SessionExercise) -> list:
    """The logged sets in order, with a just-deleted one in its place, offering undo."""
    rows = [{"log": log, "at": (log.set_number, log.side)} for log in logs]
    if undo is not None and undo.item_id == shown.pk:
        rows.append({"deleted": undo, "at": (undo.set_number, undo.side)})
    order = {slot: n for n, slot in enumerate(shown.slots())}
    return sorted(rows, key=lambda row: order.get(row["at"], len(order)))


def _card_ctx(items: list[SessionExercise], shown: SessionExercise, ms: int) -> dict:
    """The set to do now: drawn from the session in memory, with no query."""
    exercise = shown.exercise
    next_slot = shown.next_slot()
    rest_ms, switch_sides = 0, False
    latest = max(
        (log for i in items for log in i.logs.all()), key=attrgetter("logged_at"), default=None
    )
    if latest is not None and next_slot is not None and latest.item_id == shown.pk:
        if latest.side == Side.LEFT and next_slot == (latest.set_number, Side.RIGHT):
            switch_sides = True
        elif shown.rest_seconds:
            # From the stored time, so a reload in the middle of a rest shows what is left of it.
            elapsed_ms = (timezone.now() - latest.logged_at).total_seconds() * 1000
            rest_ms = max(0, round(shown.rest_seconds * ms - elapsed_ms))
    return {
        "shown": shown,
        "exercise": exercise,
        "next_slot": next_slot,
        "next_side": next_slot[1] if next_slot else None,
        "prescription": _prescription(exercise, shown, next_slot),
        "mode": shown.mode,
        "timed": exercise.effort == Effort.TIMED,
        "logs": list(shown.logs.all()),
        "next_item_to_do": _next_to_do(items, shown) if next_slot is None else None,
        "rest_ms": rest_ms,
        "rest_seconds_left": -(-rest_ms // ms),
        "switch_sides": switch_sides,
    }


def _guide_ctx(items: list[SessionExercise], shown: SessionExercise) -> dict:
    """Around the card: how to do it (steps, cautions, the figure), last time, the way on."""
    index = items.index(shown)
    return {
        "guide": caching.exercise_guide(shown.exercise_id),
        "last_time": shown.last_time(),
        "position": index + 1,
        "previous_item": items[index - 1] if index > 0 else None,
        "next_item": items[index + 1] if index + 1 < len(items) else None,
    }


def _prescription(
    exercise: Exercise, item: SessionExercise, slot: tuple[int, str] | None
) -> list[str]:
    """The next set in words, e.g. ["Set 2 of 3", "Left side", "5 reps", "hold 20 s"]."""
    parts = []
    if slot is not None:
        number, side = slot
        parts.append(f"Set {number} of {item.sets}")
        if side != Side.NONE:
            parts.append(f"{Side(side).label} side")
    else:
        parts.append(f"{item.sets} set{'s' if item.sets != 1 else ''}")
        if item.per_side:
            parts.append("each side")
    phases = exercise.rep_phase_list
    if item.reps > 1 or not item.hold_seconds:
        parts.append(f"{item.reps} rep{'s' if item.reps != 1 else ''}")
    if item.hold_seconds and phases:
        parts.append(f"hold {duration_text(item.hold_seconds)} in each of {len(phases)} shapes")
    elif item.hold_seconds:
        if exercise.effort == Effort.TIMED:
            parts.append(duration_text(item.hold_seconds))
        else:
            parts.append(f"hold {duration_text(item.hold_seconds)}")
    return parts
