"""The one-page summary a person can print, download as a PDF, or share with a clinician."""

from __future__ import annotations

import datetime as dt

from csp.constants import NONE, SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ..care import events
from ..care.state import profile_for
from ..summary import pdf, report
from ..summary.models import SummaryShare

SHARE_DAYS = (7, 30, 90)
DEFAULT_SHARE_DAYS = 30


def _get_share_for_user(request: HttpRequest, share_id: int) -> SummaryShare:
    return get_object_or_404(SummaryShare, pk=share_id, user=request.user)


def _get_open_share(token: str) -> SummaryShare:
    """A share that still answers; a revoked, expired or made-up one is a 404 like any other."""
    share = SummaryShare.objects.open().filter(token=token).select_related("user").first()
    if share is None or not share.user.is_active:
        raise Http404
    return share


def _weeks(value: str | None) -> int:
    number = int(value) if value and value.isascii() and value.isdigit() else 0
    return number if number in report.WEEK_CHOICES else report.DEFAULT_WEEKS


def _ids(values: list[str]) -> set[int]:
    return {int(v) for v in values if v.isascii() and v.isdigit()}


def _chosen(request: HttpRequest) -> tuple[int, set[int]]:
    return _weeks(request.GET.get("weeks")), _ids(request.GET.getlist("note"))


@login_required
@require_safe
def summary(request: HttpRequest) -> HttpResponse:
    weeks, notes = _chosen(request)
    with timezone.override(profile_for(request.user).zone):
        ctx = {
            "summary": report.summary(request.user, weeks, notes),
            "shown_name": request.user.get_username(),
            "week_choices": report.WEEK_CHOICES,
            "share_days": SHARE_DAYS,
            "default_share_days": DEFAULT_SHARE_DAYS,
            "shares": request.user.summary_shares.all()[:20],
            "query": request.GET.urlencode(),
        }
        return render(request, "programs/summary/summary.html", ctx)


@login_required
@require_safe
def summary_pdf(request: HttpRequest) -> HttpResponse:
    weeks, notes = _chosen(request)
    with timezone.override(profile_for(request.user).zone):
        drawn = report.summary(request.user, weeks, notes)
        return _pdf_response(request, drawn, request.user.get_username())


@login_required
@require_POST
def share(request: HttpRequest) -> HttpResponse:
    weeks = _weeks(request.POST.get("weeks"))
    days = request.POST.get("days", "")
    if not (days.isascii() and days.isdigit() and int(days) in SHARE_DAYS):
        messages.error(request, "Nothing was shared: choose how long the link lasts.")
        return redirect("programs-summary")
    # Only notes of the person's own finished sessions can be chosen: anything else is dropped.
    chosen = _ids(request.POST.getlist("note"))
    own = set(request.user.workout_sessions.filter(pk__in=chosen).values_list("pk", flat=True))
    now = timezone.now()
    with transaction.atomic():
        events.lock_person(request.user.pk)
        SummaryShare.objects.create(
            user=request.user,
            weeks=weeks,
            period_end=timezone.localtime(now, profile_for(request.user).zone).date(),
            display_name=request.POST.get("display_name", "").strip()[:80],
            note_sessions=sorted(own),
            created_at=now,
            expires_at=now + dt.timedelta(days=int(days)),
        )
    messages.success(request, f"Your link is ready. It works for {days} days unless you revoke it.")
    return redirect(reverse("programs-summary") + "#shares")


@login_required
@require_POST
def revoke(request: HttpRequest, share_id: int) -> HttpResponse:
    found = _get_share_for_user(request, share_id)
    with transaction.atomic():
        events.lock_person(request.user.pk)
        SummaryShare.objects.filter(pk=found.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    messages.success(request, "The link is revoked: it no longer opens anything.")
    return redirect(reverse("programs-summary") + "#shares")


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# The shared page runs no script, posts no form and loads nothing but its stylesheet.
SHARED_CSP = {
    "script-src": [NONE],
    "connect-src": [NONE],
    "form-action": [NONE],
    "manifest-src": [NONE],
    "worker-src": [NONE],
    "img-src": [NONE],
    "style-src": [SELF],
}


@csp_replace(SHARED_CSP)
@require_safe
def shared(request: HttpRequest, token: str) -> HttpResponse:
    found = _opened(request, token)
    with timezone.override(profile_for(found.user).zone):
        ctx = {
            "summary": _shared_summary(found),
            "share": found,
            "shown_name": found.display_name,
        }
        return _private(render(request, "programs/summary/shared.html", ctx))


@require_safe
def shared_pdf(request: HttpRequest, token: str) -> HttpResponse:
    found = _opened(request, token)
    with timezone.override(profile_for(found.user).zone):
        drawn = _shared_summary(found)
        return _private(_pdf_response(request, drawn, found.display_name))


def _opened(request: HttpRequest, token: str) -> SummaryShare:
    found = _get_open_share(token)
    if request.method == "GET":  # a HEAD (a link checker, a preview's probe) is not a look
        found.mark_opened()
    return found


def _shared_summary(found: SummaryShare) -> report.Summary:
    return report.summary(found.user, found.weeks, set(found.note_sessions), found.period_end)


def _pdf_response(request: HttpRequest, summary_now: report.Summary, name: str) -> HttpResponse:
    html = render_to_string(
        "programs/summary/pdf.html", {"summary": summary_now, "shown_name": name}
    )
    try:
        body = pdf.render(html, request.GET.get("paper", "a4"))
    except pdf.PdfUnavailable:
        return HttpResponse(
            "The PDF cannot be made on this server (its Pango library is missing). Print the "
            "page instead: it is laid out for A4 and Letter.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(body, content_type="application/pdf")
    name = f"hamstring-summary-{summary_now.end:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
