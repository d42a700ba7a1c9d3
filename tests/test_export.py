import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import PlanChange, SetLog
from programs.personal_data import safe_cell
from tests.factories import (
    PlanFactory,
    ScreeningFactory,
    SelfTestFactory,
    WorkoutSessionFactory,
    finish_session,
    finished_session,
)

CSV_URL = reverse("programs-export-csv")
JSON_URL = reverse("programs-export-json")


def _csv(client) -> dict[str, list[dict[str, str]]]:
    """The export as {table title: rows as dicts}, the way a program would read it back."""
    response = client.get(CSV_URL)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    tables: dict[str, list[dict[str, str]]] = {}
    lines = list(csv.reader(io.StringIO(text)))
    i = 0
    while i < len(lines):
        title, header = lines[i][0], lines[i + 1]
        i += 2
        rows = []
        while i < len(lines) and lines[i]:
            rows.append(dict(zip(header, lines[i], strict=True)))
            i += 1
        tables[title] = rows
        i += 1
    return tables


@pytest.fixture
def history(user, other_user):
    """Some of everything for me, and a history for someone else that must never show up."""
    plan = PlanFactory(user=user)
    ScreeningFactory(user=user, red_flags=[], disc_problems=True)
    SelfTestFactory(user=user, left_angle=51, right_angle=54, note="Screening baseline")
    done = finished_session(
        plan, pain_before=3, pain_after=2, when=timezone.now() - dt.timedelta(days=2)
    )
    open_then_finished = WorkoutSessionFactory(user=user, plan=plan, pain_before=2)
    change = finish_session(
        open_then_finished, pain_after=5, note="Sore after the bridges.", steady_back=False
    )

    theirs = PlanFactory(user=other_user)
    ScreeningFactory(user=other_user, red_flags=["fever"])
    SelfTestFactory(user=other_user, left_angle=99, right_angle=98, note="NOT MINE")
    finished_session(theirs, pain_before=7, pain_after=7)
    return {"plan": plan, "sessions": [done, open_then_finished], "change": change}


def test_it_needs_login(client):
    assert client.get(CSV_URL).status_code == 302
    assert client.get(JSON_URL).status_code == 302


def test_the_csv_is_a_dated_attachment(user_client):
    response = user_client.get(CSV_URL)
    today = timezone.localdate().isoformat()
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="hamstrings-data-{today}.csv"'


def _json(client) -> dict:
    response = client.get(JSON_URL)
    assert response.streaming  # built as it is sent, not in memory first
    return json.loads(b"".join(response.streaming_content))


def test_the_json_is_a_dated_attachment(user_client):
    response = user_client.get(JSON_URL)
    today = timezone.localdate().isoformat()
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="hamstrings-data-{today}.json"'


def test_the_csv_holds_exactly_my_rows(user_client, user, history):
    tables = _csv(user_client)
    assert list(tables) == [
        "Account",
        "Session days",
        "Screenings",
        "Self-tests",
        "Plans",
        "Plan changes",
        "Sessions",
        "Flare-ups",
        "Clinicians' checks",
        "Exercises in sessions",
        "Summary links shared",
        "Sets",
    ]
    assert tables["Account"] == [
        {
            "username": user.username,
            "email": user.email,
            "date_joined": tables["Account"][0]["date_joined"],
        }
    ]
    assert [s["id"] for s in tables["Sessions"]] == [str(s.pk) for s in history["sessions"]]
    assert [(s["pain_before"], s["pain_after"]) for s in tables["Sessions"]] == [
        ("3", "2"),
        ("2", "5"),
    ]
    assert tables["Sessions"][1]["note"] == "Sore after the bridges."
    assert [s["steady_back"] for s in tables["Sessions"]] == ["", "no"]
    assert len(tables["Sets"]) == SetLog.objects.filter(item__session__user=user).count()
    assert {row["session_id"] for row in tables["Sets"]} <= {str(s.pk) for s in history["sessions"]}
    assert [r["left_angle"] for r in tables["Self-tests"]] == ["51"]
    # The plan's own screening first, then the later one that reported disc problems.
    assert [r["disc_problems"] for r in tables["Screenings"]] == ["no", "yes"]
    changes = {r["id"]: r for r in tables["Plan changes"]}
    assert changes[str(history["change"].pk)]["reason"] == history["change"].reason
    assert len(changes) == PlanChange.objects.filter(plan__user=user).count()
    assert "NOT MINE" not in str(tables)
    assert {r["left_angle"] for r in tables["Self-tests"]} == {"51"}


def test_the_json_holds_exactly_my_rows_with_sets_inside_sessions(user_client, user, history):
    data = _json(user_client)
    assert data["account"]["username"] == user.username
    assert [s["id"] for s in data["sessions"]] == [s.pk for s in history["sessions"]]
    done = data["sessions"][0]
    assert (done["pain_before"], done["pain_after"], done["status"]) == (3, 2, "finished")
    sets = [log for item in done["exercises"] for log in item["sets"]]
    assert len(sets) == SetLog.objects.filter(item__session=history["sessions"][0]).count()
    assert {"set_number", "side", "reps", "hold_seconds", "logged_at"} <= set(sets[0])
    assert [t["left_angle"] for t in data["self_tests"]] == [51]
    assert [s["disc_problems"] for s in data["screenings"]] == [False, True]
    assert history["change"].reason in [c["reason"] for c in data["plan_changes"]]
    assert "NOT MINE" not in json.dumps(data)
    assert "fever" not in json.dumps(data)
    assert all(isinstance(s["red_flags"], list) for s in data["screenings"])


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_cells_a_spreadsheet_would_run_are_made_text(user_client, user, text):
    session = finished_session(PlanFactory(user=user))
    session.note = text
    session.save()
    row = _csv(user_client)["Sessions"][0]
    assert row["note"] == "'" + text


def test_plain_text_and_numbers_are_left_alone():
    assert safe_cell("Felt fine - easier") == "Felt fine - easier"
    assert safe_cell(3) == 3
    assert safe_cell(None) == ""
    assert safe_cell(True) == "yes"
    assert safe_cell(["numbness", "fever"]) == "numbness; fever"
    assert safe_cell(["-x"]) == "'-x"


def test_the_json_keeps_the_text_exactly(user_client, user):
    session = finished_session(PlanFactory(user=user))
    session.note = "=1+1"
    session.save()
    data = _json(user_client)
    assert data["sessions"][0]["note"] == "=1+1"


def _export_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            response.content  # noqa: B018 - reading it is the point
    return len(queries)


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_the_export_runs_the_same_queries_for_a_long_history(
    user_client, user, url, django_assert_max_num_queries
):
    plan = PlanFactory(user=user)
    for i in range(3):
        finished_session(plan, when=timezone.now() - dt.timedelta(days=i))
    small = _export_queries(user_client, url)
    for i in range(3, 40):
        finished_session(plan, when=timezone.now() - dt.timedelta(days=i))
    with django_assert_max_num_queries(small):
        response = user_client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
