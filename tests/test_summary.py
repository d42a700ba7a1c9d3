"""The summary for a clinician: the page, the PDF (its text read back with pdftotext), and the
share link's access matrix."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs.models import SelfTest, SetLog, Side, WorkoutSession
from programs.summary.models import SummaryShare
from tests.factories import (
    PlanFactory,
    SelfTestFactory,
    UserFactory,
    finished_session,
)

SUMMARY = reverse("programs-summary")
# Required in CI (REQUIRE_BROWSER=1), where .ci/run installs poppler-utils.
NEEDS_POPPLER = pytest.mark.skipif(
    not shutil.which("pdftotext") and os.environ.get("REQUIRE_BROWSER") != "1",
    reason="pdftotext (poppler-utils) not installed",
)
NOW = dt.datetime(2026, 5, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def record(user):
    """Five weeks of sessions with pain, two self-tests, a note, and one older session."""
    plan = PlanFactory(user=user)
    pains = [(5, 4), (4, 4), (4, 3), (3, 3), (3, 2)]
    sessions = [
        finished_session(
            plan, pain_before=b, pain_after=a, when=NOW - dt.timedelta(days=30 - 6 * n)
        )
        for n, (b, a) in enumerate(pains)
    ]
    WorkoutSession.objects.filter(pk=sessions[2].pk).update(note="Tight behind the left knee.")
    WorkoutSession.objects.filter(pk=sessions[3].pk).update(note="Felt easier today.")
    finished_session(plan, pain_before=9, pain_after=9, when=NOW - dt.timedelta(days=80))
    SelfTestFactory(user=user, left_angle=48, right_angle=55, taken_at=NOW - dt.timedelta(days=28))
    SelfTestFactory(user=user, left_angle=56, right_angle=60, taken_at=NOW - dt.timedelta(days=3))
    return {"plan": plan, "sessions": sessions}


def test_it_shows_six_weeks_by_default_with_the_numbers(user_client, record):
    with time_machine.travel(NOW, tick=False):
        response = user_client.get(SUMMARY)
    summary = response.context["summary"]
    assert summary.weeks == 6 and len(summary.pain) == 5
    assert summary.pain_before_avg == 3.8 and summary.pain_after_avg == 3.2
    body = response.content.decode()
    assert "Average before: <strong>3.8</strong>; after: <strong>3.2</strong>" in body
    assert "48°" in body and "60°" in body
    # The session of 80 days ago, with its 9s, is outside the period.
    assert summary.pain[0].pain_before == 5 and "9</td>" not in body


def test_no_note_is_included_unless_ticked(user_client, record):
    with time_machine.travel(NOW, tick=False):
        plain = user_client.get(SUMMARY).content.decode()
        ticked = user_client.get(SUMMARY, {"note": record["sessions"][2].pk}).content.decode()
    assert "Notes the person chose to include" not in plain
    document = ticked.split('<article class="summary"')[1].split("</article>")[0]
    assert "Tight behind the left knee." in document and "Felt easier today." not in document


@NEEDS_POPPLER
def test_the_pdf_carries_the_numbers_on_the_page(user_client, record):
    with time_machine.travel(NOW, tick=False):
        page = user_client.get(SUMMARY, {"note": record["sessions"][2].pk})
        response = user_client.get(
            reverse("programs-summary-pdf"), {"note": record["sessions"][2].pk}
        )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    summary = page.context["summary"]
    for shown in (
        f"{summary.adherence.done} sessions finished of {summary.adherence.planned} planned",
        f"Average before: {summary.pain_before_avg}; after: {summary.pain_after_avg}",
        "Tight behind the left knee.",
        page.context["shown_name"],
    ):
        assert shown in " ".join(text.split()), shown
    for test in summary.self_tests:
        assert f"{test.left_angle}°" in text and f"{test.right_angle}°" in text


@NEEDS_POPPLER
def test_the_pdf_comes_on_letter_paper_too(user_client, record):
    a4 = user_client.get(reverse("programs-summary-pdf")).content
    letter = user_client.get(reverse("programs-summary-pdf"), {"paper": "letter"}).content
    sizes = [
        subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        for pdf in (a4, letter)
    ]
    assert "(A4)" in sizes[0]
    assert "612 x 792 pts (letter)" in sizes[1]


def share_link(client, weeks=6, days=30, notes=()) -> SummaryShare:
    client.post(
        reverse("programs-summary-share"), {"weeks": weeks, "days": days, "note": list(notes)}
    )
    return SummaryShare.objects.latest("pk")


def test_a_share_shows_the_summary_and_nothing_else(user_client, user, record):
    with time_machine.travel(NOW, tick=False):
        share = share_link(user_client, notes=[record["sessions"][3].pk])
        response = Client().get(reverse("programs-shared-summary", args=[share.token]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Felt easier today." in body and "Tight behind the left knee." not in body
    # No way into the account from it: no nav, no forms, no other page's links.
    assert "<form" not in body and "/history/" not in body and "/dashboard/" not in body
    assert "<script" not in body
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"].startswith("noindex")
    policy = response["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "form-action 'none'" in policy


def test_the_person_sees_when_it_was_opened(user_client, user, record):
    share = share_link(user_client)
    assert "Not opened yet." in user_client.get(SUMMARY).content.decode()
    Client().get(reverse("programs-shared-summary", args=[share.token]))
    Client().get(reverse("programs-shared-summary", args=[share.token]))
    share.refresh_from_db()
    assert share.opened == 2 and share.first_opened_at <= share.last_opened_at
    assert "Opened 2 times" in user_client.get(SUMMARY).content.decode()


def not_found_like_nowhere(path: str) -> None:
    answer, nowhere = Client().get(path), Client().get("/no-such-page/")
    assert answer.status_code == nowhere.status_code == 404
    token_free = re.compile(rb'"X-CSRFToken": "[^"]+"')
    assert token_free.sub(b"", answer.content) == token_free.sub(b"", nowhere.content)


def test_a_revoked_link_is_gone(user_client, record):
    share = share_link(user_client)
    user_client.post(reverse("programs-summary-revoke", args=[share.pk]))
    not_found_like_nowhere(reverse("programs-shared-summary", args=[share.token]))
    not_found_like_nowhere(reverse("programs-shared-summary-pdf", args=[share.token]))


def test_an_expired_link_is_gone(user_client, record):
    with time_machine.travel(NOW, tick=False):
        share = share_link(user_client, days=7)
    with time_machine.travel(NOW + dt.timedelta(days=7, seconds=1), tick=False):
        not_found_like_nowhere(reverse("programs-shared-summary", args=[share.token]))
    with time_machine.travel(NOW + dt.timedelta(days=6), tick=False):
        assert (
            Client().get(reverse("programs-shared-summary", args=[share.token])).status_code == 200
        )


def test_a_wrong_token_is_gone(user_client, record):
    share = share_link(user_client)
    not_found_like_nowhere(reverse("programs-shared-summary", args=[share.token[:-2] + "zz"]))


def test_another_persons_share_cannot_be_revoked_or_seen_in_my_page(user_client, record):
    other = UserFactory()
    theirs = SummaryShare.objects.create(
        user=other,
        weeks=6,
        period_end=timezone.now().date(),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    assert user_client.post(reverse("programs-summary-revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert theirs.token not in user_client.get(SUMMARY).content.decode()


def test_a_share_shows_only_its_owners_record(user_client, user, record):
    other = UserFactory()
    other_plan = PlanFactory(user=other)
    finished_session(other_plan, pain_before=7, pain_after=8)
    SelfTest.objects.create(user=other, left_angle=33, right_angle=34)
    share = share_link(user_client)
    body = Client().get(reverse("programs-shared-summary", args=[share.token])).content.decode()
    assert other.username not in body and "33°" not in body


def test_a_note_of_someone_elses_session_cannot_be_shared(user_client, record):
    other = UserFactory()
    theirs = finished_session(PlanFactory(user=other), pain_before=2, pain_after=2)
    WorkoutSession.objects.filter(pk=theirs.pk).update(note="Somebody else's note.")
    share = share_link(user_client, notes=[theirs.pk])
    assert share.note_sessions == []


@pytest.mark.parametrize("days", ["", "365", "x"])
def test_a_share_needs_a_length_from_the_list(user_client, record, days):
    user_client.post(reverse("programs-summary-share"), {"weeks": 6, "days": days})
    assert not SummaryShare.objects.exists()


def test_left_against_right_hold_time_is_in_the_summary(user_client, user, record):
    logs = SetLog.objects.filter(item__session__user=user, side__in=[Side.LEFT, Side.RIGHT])
    left = sum(
        log.hold_seconds
        for log in logs
        if log.side == Side.LEFT and log.item.session.started_at >= NOW - dt.timedelta(weeks=6)
    )
    with time_machine.travel(NOW, tick=False):
        summary = user_client.get(SUMMARY).context["summary"]
    assert summary.left_hold == left > 0


def test_the_summary_needs_a_login(db):
    assert Client().get(SUMMARY).status_code == 302
    assert Client().get(reverse("programs-summary-pdf")).status_code == 302


def test_without_pango_the_pdf_says_so_and_the_page_still_works(user_client, record, monkeypatch):
    from programs.summary import pdf

    def no_pango(*args, **kwargs):
        raise pdf.PdfUnavailable("cannot load library 'pango-1.0-0'")

    monkeypatch.setattr(pdf, "render", no_pango)
    response = user_client.get(reverse("programs-summary-pdf"))
    assert response.status_code == 503 and "Print the page instead" in response.content.decode()
    assert user_client.get(SUMMARY).status_code == 200


@NEEDS_POPPLER
def test_a_clinician_can_download_the_shared_summary_as_a_pdf(user_client, record):
    with time_machine.travel(NOW, tick=False):
        share = share_link(user_client, notes=[record["sessions"][2].pk])
        response = Client().get(reverse("programs-shared-summary-pdf", args=[share.token]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Tight behind the left knee." in text and "Felt easier today." not in text


def test_adherence_counts_as_the_history_does(user_client, user):
    """A plan begun two weeks into the period: the weeks before it are not held against the
    person, and the week in progress counts only once its target is met."""
    plan = PlanFactory(user=user)
    plan.created_at = NOW - dt.timedelta(days=16)
    plan.save(update_fields=["created_at"])
    for days_ago in (15, 13, 11, 8, 6, 4):
        finished_session(plan, pain_before=3, pain_after=3, when=NOW - dt.timedelta(days=days_ago))
    with time_machine.travel(NOW, tick=False):
        summary = user_client.get(SUMMARY).context["summary"]
        history = user_client.get(reverse("programs-history")).context["adherence"]
    history = history() if callable(history) else history
    assert (summary.adherence.done, summary.adherence.planned) == (history.done, history.planned)
    assert summary.adherence.planned <= 3 * 3 and summary.adherence.percent <= 100


def test_a_shared_link_keeps_the_weeks_the_person_looked_at(user_client, record):
    with time_machine.travel(NOW, tick=False):
        share = share_link(user_client)
        seen = user_client.get(SUMMARY).context["summary"]
    with time_machine.travel(NOW + dt.timedelta(days=25), tick=False):
        later = Client().get(reverse("programs-shared-summary", args=[share.token]))
    shown = later.context["summary"]
    assert (shown.start, shown.end) == (seen.start, seen.end)
    assert [s.pk for s in shown.pain] == [s.pk for s in seen.pain]


def test_the_shared_page_names_the_person_only_if_they_choose(user_client, user, record):
    plain = share_link(user_client)
    client = Client()
    body = client.get(reverse("programs-shared-summary", args=[plain.token])).content.decode()
    assert user.username not in body
    user_client.post(
        reverse("programs-summary-share"), {"weeks": 6, "days": 30, "display_name": "Sam K."}
    )
    named = SummaryShare.objects.latest("pk")
    assert (
        "Sam K."
        in client.get(reverse("programs-shared-summary", args=[named.token])).content.decode()
    )


def test_a_head_request_is_not_counted_as_opened(user_client, record):
    share = share_link(user_client)
    Client().head(reverse("programs-shared-summary", args=[share.token]))
    share.refresh_from_db()
    assert share.opened == 0


@NEEDS_POPPLER
def test_twelve_busy_weeks_still_fit_on_one_page(user_client, user):
    plan = PlanFactory(user=user)
    for n in range(40):
        when = NOW - dt.timedelta(days=82 - 2 * n)
        session = finished_session(plan, pain_before=n % 6, pain_after=(n + 1) % 6, when=when)
        if n % 3 == 0:
            item = session.items.order_by("order").first()
            item.skipped_reason = "pain"
            item.save(update_fields=["skipped_reason"])
    for n in range(10):
        SelfTestFactory(
            user=user,
            left_angle=40 + n,
            right_angle=45 + n,
            taken_at=NOW - dt.timedelta(days=80 - 8 * n),
        )
    for paper in ("a4", "letter"):
        with time_machine.travel(NOW, tick=False):
            pdf = user_client.get(
                reverse("programs-summary-pdf"), {"weeks": 12, "paper": paper}
            ).content
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
        assert b"Pages:           1" in info, (paper, info)
