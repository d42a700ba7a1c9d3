import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs import stats
from programs.models import (
    ChangeKind,
    Exercise,
    PlanChange,
    SelfTest,
    SetLog,
    SkipReason,
)
from tests.factories import (
    PlanFactory,
    SelfTestFactory,
    WorkoutSessionFactory,
    build_history,
    finish_session,
    finished_session,
)
from tests.pages import shown

HISTORY = reverse("programs-history")
MONDAY = dt.date(2025, 3, 3)


def _weeks_with(*counts: int, start: dt.date = MONDAY) -> dict[dt.date, int]:
    return {start + dt.timedelta(weeks=i): n for i, n in enumerate(counts) if n}


def _days(*days: dt.date) -> dict[dt.date, int]:
    found: dict[dt.date, int] = {}
    for day in days:
        found[day] = found.get(day, 0) + 1
    return found


# --- streak and adherence rules --------------------------------------------------------------


def test_a_streak_counts_whole_weeks_that_met_the_target():
    weeks = _weeks_with(3, 3, 4)
    today = MONDAY + dt.timedelta(weeks=3, days=2)  # the Wednesday of the fourth week
    assert stats.current_streak(weeks, today=today, target=3) == 3


def test_rest_days_and_an_unfinished_week_do_not_break_the_streak():
    # Mon, Wed, Fri every week: four rest days a week, and nothing yet this week.
    days = _days(*(MONDAY + dt.timedelta(weeks=w, days=d) for w in range(3) for d in (0, 2, 4)))
    today = MONDAY + dt.timedelta(weeks=3, days=5)  # Saturday, no session this week
    assert stats.current_streak(stats.per_week(days), today=today, target=3) == 3


def test_this_week_joins_the_streak_once_its_target_is_met():
    today = MONDAY + dt.timedelta(weeks=2, days=3)
    assert stats.current_streak(_weeks_with(3, 3, 2), today=today, target=3) == 2
    assert stats.current_streak(_weeks_with(3, 3, 3), today=today, target=3) == 3


def test_a_whole_week_short_of_the_target_ends_the_streak():
    today = MONDAY + dt.timedelta(weeks=4, days=1)
    assert stats.current_streak(_weeks_with(3, 3, 2, 3), today=today, target=3) == 1
    assert stats.current_streak(_weeks_with(3, 3, 3, 1), today=today, target=3) == 0


def test_the_longest_streak_is_the_longest_run_of_met_weeks():
    assert stats.longest_streak(_weeks_with(3, 3, 0, 3, 3, 3, 1), target=3) == 3
    assert stats.longest_streak({}, target=3) == 0


def test_the_calendar_shows_twelve_weeks_ending_with_this_one():
    today = MONDAY + dt.timedelta(weeks=11, days=2)
    days = _days(MONDAY, today, today)
    weeks = stats.calendar(days, today=today, target=3, began=MONDAY)
    assert len(weeks) == 12
    assert weeks[0].start == MONDAY and weeks[-1].is_current
    assert weeks[0].days[0].sessions == 1
    assert weeks[-1].days[2].is_today and weeks[-1].days[2].sessions == 2
    assert [d.is_future for d in weeks[-1].days] == [False] * 3 + [True] * 4


def test_adherence_counts_planned_sessions_from_the_week_you_began():
    today = MONDAY + dt.timedelta(weeks=11, days=2)
    began = MONDAY + dt.timedelta(weeks=8, days=4)
    days = _days(
        began,
        MONDAY + dt.timedelta(weeks=9),
        MONDAY + dt.timedelta(weeks=9, days=2),
        MONDAY + dt.timedelta(weeks=10),
    )
    weeks = stats.calendar(days, today=today, target=3, began=began)
    result = stats.adherence(weeks)
    # Weeks 9, 10 and 11 count; the current week does not until it is met.
    assert (result.done, result.planned, result.weeks) == (4, 9, 3)
    assert result.percent == 44
    assert sum(w.before_start for w in weeks) == 8


def test_extra_sessions_in_one_week_do_not_make_up_for_another():
    today = MONDAY + dt.timedelta(weeks=2)
    days = {MONDAY: 5, MONDAY + dt.timedelta(weeks=1): 1}
    weeks = stats.calendar(days, today=today, target=3, began=MONDAY, weeks=3)
    assert (stats.adherence(weeks).done, stats.adherence(weeks).planned) == (4, 6)


def test_a_met_current_week_counts_towards_adherence():
    today = MONDAY + dt.timedelta(days=4)
    weeks = stats.calendar({MONDAY: 3}, today=today, target=3, began=MONDAY, weeks=2)
    assert stats.adherence(weeks).percent == 100


# --- the history page ------------------------------------------------------------------------


def test_it_sends_visitors_to_log_in(client):
    response = client.get(HISTORY)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_empty_history_explains_what_will_appear(user_client):
    response = user_client.get(HISTORY)
    assert response.status_code == 200
    assert b"No sessions yet" in response.content
    assert shown(response, "streak") == 0


def test_it_lists_my_sessions_newest_first(user_client, user, other_user):
    plan = PlanFactory(user=user)
    now = timezone.now()
    older = finished_session(plan, when=now - dt.timedelta(days=3))
    newer = finished_session(plan, when=now - dt.timedelta(days=1))
    finished_session(PlanFactory(user=other_user), when=now)
    response = user_client.get(HISTORY)
    assert [s.pk for s in shown(response, "page")] == [newer.pk, older.pk]
    content = response.content.decode()
    assert content.index(reverse("programs-session", args=[newer.pk])) < content.index(
        reverse("programs-session", args=[older.pk])
    )


def test_each_session_shows_its_sets_against_the_plan_and_its_pain(user_client, user):
    session = finished_session(PlanFactory(user=user), pain_before=4, pain_after=2)
    item = session.items.first()
    item.skipped_reason = SkipReason.PAIN
    item.save()
    item.logs.all().delete()
    done = sum(i.planned_set_count for i in session.items.all() if not i.is_skipped)
    # Against the whole plan: the skipped exercise is counted as skipped, not dropped from it.
    planned = sum(i.planned_set_count for i in session.items.all())
    row = shown(user_client.get(HISTORY), "page")[0]
    assert (row.sets_done, row.sets_planned, row.skipped_count) == (done, planned, 1)
    assert b"Pain 4 \xe2\x86\x92 2" in user_client.get(HISTORY).content


def test_it_paginates_sessions(user_client, user):
    plan = PlanFactory(user=user)
    now = timezone.now()
    for i in range(stats_page_size() + 2):
        finished_session(plan, when=now - dt.timedelta(days=i))
    first = user_client.get(HISTORY)
    assert len(shown(first, "page")) == stats_page_size()
    second = user_client.get(HISTORY, {"page": 2})
    assert len(shown(second, "page")) == 2
    assert b"Newer" in second.content
    assert user_client.get(HISTORY, {"page": "nonsense"}).status_code == 200


def stats_page_size() -> int:
    from programs.views.history import SESSIONS_PER_PAGE

    return SESSIONS_PER_PAGE


def test_an_htmx_page_request_gets_only_the_session_list(user_client, user):
    finished_session(PlanFactory(user=user))
    response = user_client.get(HISTORY, {"page": 1}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="sessions"')
    assert "<h1>" not in content
    assert "HX-Request" in response["Vary"]


def test_it_shows_the_week_calendar_streak_and_adherence(user_client, user):
    plan = PlanFactory(user=user, created_at=timezone.now() - dt.timedelta(weeks=3))
    today = timezone.localdate()
    monday = stats.week_start(today)
    for weeks_back in (1, 2):
        for day in (0, 2, 4):
            when = timezone.make_aware(
                dt.datetime.combine(monday - dt.timedelta(weeks=weeks_back, days=-day), dt.time(8))
            )
            finished_session(plan, when=when)
    response = user_client.get(HISTORY)
    assert shown(response, "streak") == 2
    assert shown(response, "target") == plan.program.sessions_per_week
    weeks = shown(response, "weeks")
    assert [w.done for w in weeks[-3:]] == [3, 3, 0]
    assert weeks[-2].days[2].sessions == 1
    assert b"rest days never do" in response.content


def test_the_charts_carry_my_pain_and_self_tests_only(user_client, user, other_user):
    plan = PlanFactory(user=user)
    finished_session(plan, pain_before=6, pain_after=4)
    finished_session(PlanFactory(user=other_user), pain_before=9, pain_after=9)
    SelfTestFactory(user=user, left_angle=44, right_angle=47)
    SelfTestFactory(user=other_user, left_angle=117, right_angle=117)
    response = user_client.get(HISTORY)
    pain = shown(response, "pain_chart")
    assert [[p.value for p in s.points] for s in pain.series] == [[6], [4]]
    tests = shown(response, "self_test_chart")
    assert [[p.value for p in s.points] for s in tests.series] == [[44], [47]]
    content = response.content.decode()
    assert 'data-value="117"' not in content
    assert "style=" not in content


def test_weekly_and_side_totals_add_up_what_was_logged(user_client, user):
    session = finished_session(PlanFactory(user=user))
    logs = SetLog.objects.filter(item__session=session).select_related("item__exercise")
    # Each named for what it is: holds are not repetitions, timed work is not time held.
    expected_hold = sum(log.total_hold_seconds for log in logs if not log.item.is_timed)
    expected_timed = sum(log.total_hold_seconds for log in logs if log.item.is_timed)
    expected_reps = sum(log.reps for log in logs if log.item.counts_reps)
    assert expected_timed and expected_reps < sum(log.reps for log in logs)
    response = user_client.get(HISTORY)
    this_week = shown(response, "weekly_totals")[-1]
    assert (this_week.hold_seconds, this_week.reps, this_week.sets, this_week.timed_seconds) == (
        expected_hold,
        expected_reps,
        len(logs),
        expected_timed,
    )
    sides = {t.slug: t for t in shown(response, "side_totals")}
    per_side = [log for log in logs if log.item.per_side]
    slug = per_side[0].item.exercise.slug
    left = sum(
        log.total_hold_seconds
        for log in per_side
        if log.item.exercise.slug == slug and log.side == "left"
    )
    assert sides[slug].left_hold == left


# --- session detail --------------------------------------------------------------------------


def test_the_session_page_shows_every_set_against_its_plan(user_client, user):
    session = WorkoutSessionFactory(user=user, pain_before=3)
    item = session.items.get(order=2)
    SetLog.objects.create(
        item=item, set_number=1, side=item.sides[0], reps=item.reps, hold_seconds=12
    )
    finish_session(session, pain_after=2, note="Tight on the left.")
    response = user_client.get(reverse("programs-session", args=[session.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert item.hold_seconds and not item.counts_reps
    # A hold is named as a hold, and one cut short says so beside what was planned.
    assert re.search(
        rf"held 12 s <span class=\"short-badge\">short</span></td>\s*<td[^>]*>hold {item.hold_seconds} s",
        content,
    )
    assert "1 rep" not in content
    assert "Not done" in content
    assert shown(response, "sets_done") == 1
    assert "Tight on the left." in content
    assert "3 → 2" in content


def test_the_session_page_shows_skipped_exercises_with_the_reason(user_client, user):
    session = WorkoutSessionFactory(user=user)
    item = session.items.first()
    item.skipped_reason = SkipReason.EQUIPMENT
    item.skipped_at = timezone.now()
    item.save()
    finish_session(session, pain_after=3)
    content = user_client.get(reverse("programs-session", args=[session.pk])).content.decode()
    assert "Skipped:</strong> No equipment" in content


def test_the_session_page_shows_the_plan_change_it_caused_with_its_reason(user_client, user):
    session = WorkoutSessionFactory(user=user, pain_before=2)
    change = finish_session(session, pain_after=5)
    # At the first stage already, a rise holds the stage (and says so) instead of stepping back.
    assert change.kind == ChangeKind.HOLD
    response = user_client.get(reverse("programs-session", args=[session.pk]))
    content = response.content.decode()
    assert "Stayed at this stage" in content
    assert change.reason in content
    assert shown(response, "changes") == [change]


def test_a_session_without_a_plan_change_says_the_plan_stays(user_client, user):
    session = finished_session(PlanFactory(user=user))
    PlanChange.objects.filter(session=session).delete()
    response = user_client.get(reverse("programs-session", args=[session.pk]))
    assert b"Your plan stays as it is" in response.content


def test_an_open_session_links_to_the_player(user_client, user):
    session = WorkoutSessionFactory(user=user)
    response = user_client.get(reverse("programs-session", args=[session.pk]))
    assert response.status_code == 200
    assert reverse("programs-player", args=[session.pk]).encode() in response.content


def test_it_rejects_a_foreign_session(user_client, other_user):
    session = finished_session(PlanFactory(user=other_user))
    response = user_client.get(reverse("programs-session", args=[session.pk]))
    assert response.status_code == 404


# --- per-exercise history --------------------------------------------------------------------


def test_the_exercise_page_lists_every_set_of_mine_and_no_one_elses(user_client, user, other_user):
    mine = finished_session(PlanFactory(user=user))
    finished_session(PlanFactory(user=other_user))
    item = mine.items.filter(hold_seconds__gt=0).first()
    response = user_client.get(reverse("programs-exercise-history", args=[item.exercise.slug]))
    assert response.status_code == 200
    listed = list(response.context["page"])
    assert {log.item.session_id for log in listed} == {mine.pk}
    assert len(listed) == item.planned_set_count
    chart = shown(response, "chart")
    assert [p.value for s in chart.series for p in s.points] == [float(item.hold_seconds)] * len(
        chart.series
    )


def test_the_exercise_trend_averages_holds_per_session_and_side(user):
    plan = PlanFactory(user=user)
    first = finished_session(plan, when=timezone.now() - dt.timedelta(days=2))
    item = first.items.filter(per_side=True, hold_seconds__gt=0).first()
    SetLog.objects.filter(item=item, side="left", set_number=1).update(hold_seconds=10)
    trend = stats.exercise_trend(user, item.exercise)
    left = next(t for t in trend if t.side == "left")
    expected = (10 + item.hold_seconds * (item.sets - 1)) / item.sets
    assert left.average_hold == pytest.approx(expected)


def test_an_exercise_never_logged_shows_an_empty_page(user_client):
    exercise = Exercise.objects.get(slug="plank")
    response = user_client.get(reverse("programs-exercise-history", args=[exercise.slug]))
    assert response.status_code == 200
    assert f"You have not logged {exercise.name.lower()} yet" in response.content.decode()


def test_an_unknown_exercise_is_not_found(user_client):
    response = user_client.get(reverse("programs-exercise-history", args=["no-such-thing"]))
    assert response.status_code == 404


# --- repeating the self-test -----------------------------------------------------------------

SELF_TEST = reverse("programs-self-test")


def test_the_self_test_page_gives_the_instructions(user_client):
    response = user_client.get(SELF_TEST)
    assert response.status_code == 200
    assert b"the leg points straight at the ceiling" in response.content
    assert b'name="left_angle"' in response.content


def test_a_repeat_self_test_is_stored_and_joins_the_chart(user_client, user):
    SelfTestFactory(
        user=user, left_angle=50, right_angle=52, taken_at=timezone.now() - dt.timedelta(days=20)
    )
    response = user_client.post(SELF_TEST, {"left_angle": "58", "right_angle": "61", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == HISTORY + "#self-test"
    test = SelfTest.objects.get(user=user, left_angle=58)
    assert test.right_angle == 61
    page = user_client.get(HISTORY)
    chart = shown(page, "self_test_chart")
    assert [p.value for p in chart.series[0].points] == [50, 58]
    assert "left leg 58°" in page.content.decode()


@pytest.mark.parametrize(
    ("left", "right", "message"),
    [
        ("130", "60", "cannot be above 120 degrees"),
        ("-5", "60", "cannot be below 0 degrees"),
        ("abc", "60", "whole number of degrees"),
        ("", "60", "Measure your left leg with the phone"),
    ],
)
def test_bad_angles_get_a_clear_message_and_store_nothing(user_client, user, left, right, message):
    response = user_client.post(SELF_TEST, {"left_angle": left, "right_angle": right})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b"Nothing was saved" in response.content
    assert not SelfTest.objects.filter(user=user).exists()


def test_the_self_test_is_stored_for_me_only(user_client, user, other_user):
    user_client.post(SELF_TEST, {"left_angle": "40", "right_angle": "42"})
    assert SelfTest.objects.filter(user=user).count() == 1
    assert not SelfTest.objects.filter(user=other_user).exists()


# --- cost ------------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["history", "session", "exercise"])
def test_pages_run_the_same_queries_for_10_or_300_sessions(
    user_client, user, page, django_assert_max_num_queries
):
    plan = PlanFactory(user=user)
    sessions = build_history(plan, 10)
    newest = sessions[0]
    slug = newest.items.first().exercise.slug
    urls = {
        "history": HISTORY,
        "session": reverse("programs-session", args=[newest.pk]),
        "exercise": reverse("programs-exercise-history", args=[slug]),
    }
    small = _queries(user_client, urls[page])
    assert small <= 20
    build_history(plan, 290, days_back_from=10)
    assert SetLog.objects.filter(item__session__user=user).count() > 3000
    with django_assert_max_num_queries(small):
        response = user_client.get(urls[page])
    assert response.status_code == 200
