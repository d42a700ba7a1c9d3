import datetime as dt
import re
from types import SimpleNamespace

import pytest

from programs import charts
from programs.models import SelfTest
from programs.stats import SessionTrend, SideTotal, WeekTotal

UTC = dt.UTC


def _at(day: int) -> dt.datetime:
    return dt.datetime(2025, 3, day, 9, tzinfo=UTC)


def _markers(svg: str, key: str) -> list[tuple[float, float, str]]:
    """(x, y, value) of each marker of one series, in drawing order."""
    if key == "a":
        found = re.findall(
            r'<circle class="chart-point chart-point-a[^"]*" cx="([\d.]+)" cy="([\d.]+)" '
            r'r="[\d.]+" data-value="([\d.]+)"',
            svg,
        )
        return [(float(x), float(y), v) for x, y, v in found]
    found = re.findall(
        r'<rect class="chart-point chart-point-b[^"]*" x="([\d.]+)" y="([\d.]+)" width="8" '
        r'height="8" data-value="([\d.]+)"',
        svg,
    )
    return [(float(x) + 4, float(y) + 4, v) for x, y, v in found]


def _pain_session(day: int, before: int, after: int):
    return SimpleNamespace(started_at=_at(day), pain_before=before, pain_after=after)


def test_the_pain_chart_carries_each_rating_before_and_after():
    chart = charts.pain_chart(
        [_pain_session(1, 4, 2), _pain_session(3, 5, 5), _pain_session(8, 3, 1)]
    )
    svg = str(chart.svg)
    assert [v for _, _, v in _markers(svg, "a")] == ["4", "5", "3"]
    assert [v for _, _, v in _markers(svg, "b")] == ["2", "5", "1"]
    assert [s.name for s in chart.series] == ["Before", "After"]
    assert [p.value for p in chart.series[1].points] == [2, 5, 1]


def test_the_pain_scale_is_fixed_from_0_to_10_so_higher_pain_is_drawn_higher():
    chart = charts.pain_chart([_pain_session(1, 0, 10)])
    (_, y_before, _), (_, y_after, _) = _markers(str(chart.svg), "a") + _markers(
        str(chart.svg), "b"
    )
    # SVG y grows downwards: pain 10 sits at the top gridline, pain 0 at the bottom one.
    assert y_after == charts.MARGIN_TOP
    assert y_before == charts.LINE_HEIGHT - charts.MARGIN_BOTTOM
    assert ">10</text>" in str(chart.svg)


def test_points_are_spaced_by_the_time_between_them():
    chart = charts.pain_chart(
        [_pain_session(1, 3, 3), _pain_session(2, 3, 3), _pain_session(11, 3, 3)]
    )
    xs = [x for x, _, _ in _markers(str(chart.svg), "a")]
    first_gap, second_gap = xs[1] - xs[0], xs[2] - xs[1]
    assert second_gap == pytest.approx(9 * first_gap, rel=0.02)


def test_the_pain_summary_says_the_averages_and_the_latest_session_in_words():
    chart = charts.pain_chart([_pain_session(1, 4, 2), _pain_session(3, 2, 2)])
    assert chart.desc == (
        "Over your last 2 sessions, pain before averaged 3 and after 2 out of 10. "
        "In the latest, it went from 2 before to 2 after."
    )
    assert chart.desc in str(chart.svg)


def test_there_is_no_pain_chart_without_sessions():
    assert charts.pain_chart([]) is None


def test_the_self_test_chart_has_a_line_for_each_leg_including_a_new_repeat():
    tests = [
        SelfTest(taken_at=_at(1), left_angle=50, right_angle=58),
        SelfTest(taken_at=_at(15), left_angle=61, right_angle=63),
    ]
    svg = str(charts.self_test_chart(tests).svg)
    assert [v for _, _, v in _markers(svg, "a")] == ["50", "61"]
    assert [v for _, _, v in _markers(svg, "b")] == ["58", "63"]
    assert "Latest on 15 March 2025: left 61°, right 63°." in svg


def test_a_few_degrees_do_not_fill_the_self_test_chart():
    tests = [
        SelfTest(taken_at=_at(1), left_angle=50, right_angle=50),
        SelfTest(taken_at=_at(2), left_angle=52, right_angle=52),
    ]
    (_, y1, _), (_, y2, _) = _markers(str(charts.self_test_chart(tests).svg), "a")
    plot_height = charts.LINE_HEIGHT - charts.MARGIN_BOTTOM - charts.MARGIN_TOP
    assert abs(y1 - y2) < plot_height / 5


def test_weekly_bars_carry_minutes_of_hold_and_repetitions():
    totals = [
        WeekTotal(dt.date(2025, 3, 3), hold_seconds=0, reps=0, sets=0),
        WeekTotal(dt.date(2025, 3, 10), hold_seconds=600, reps=40, sets=12),
        WeekTotal(dt.date(2025, 3, 17), hold_seconds=90, reps=8, sets=3),
    ]
    hold, reps = charts.weekly_charts(totals)
    assert re.findall(r'chart-bar-a"[^>]*data-value="([\d.]+)"', str(hold.svg)) == [
        "0",
        "10",
        "1.5",
    ]
    assert re.findall(r'chart-bar-b"[^>]*data-value="([\d.]+)"', str(reps.svg)) == [
        "0",
        "40",
        "8",
    ]
    assert "Week of 10 Mar: 10 min" in str(hold.svg)
    assert "This week so far: 1 min 30 s of holds." in hold.desc


def test_the_taller_bar_is_the_bigger_week():
    totals = [
        WeekTotal(dt.date(2025, 3, 3), hold_seconds=300, reps=10, sets=2),
        WeekTotal(dt.date(2025, 3, 10), hold_seconds=600, reps=20, sets=4),
    ]
    hold, _ = charts.weekly_charts(totals)
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" data-value', str(hold.svg))]
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.02)


def test_the_side_chart_compares_left_and_right_hold_per_exercise():
    totals = [
        SideTotal("a", "Doorway stretch", left_hold=300, right_hold=200),
        SideTotal("b", "Clamshell", left_reps=30, right_reps=30),
    ]
    chart = charts.side_chart(totals)
    assert [(r.label, r.left, r.right) for r in chart.rows] == [("Doorway stretch", 300, 200)]
    assert re.findall(r'data-value="(\d+)"', str(chart.svg)) == ["300", "200"]
    assert "5 min" in str(chart.svg) and "3 min 20 s" in str(chart.svg)
    assert "at least a fifth less hold time in: Doorway stretch" in chart.desc


def test_there_is_no_side_chart_when_no_per_side_exercise_has_holds():
    assert charts.side_chart([SideTotal("b", "Clamshell", left_reps=30, right_reps=28)]) is None


def test_the_exercise_chart_follows_each_side_of_the_average_hold():
    trend = [
        SessionTrend(1, _at(1), "left", 20.0, 20, 3, 3),
        SessionTrend(1, _at(1), "right", 18.5, 20, 3, 3),
        SessionTrend(2, _at(4), "left", 25.0, 26, 3, 3),
        SessionTrend(2, _at(4), "right", 24.0, 25, 3, 3),
    ]
    chart = charts.exercise_chart(trend, has_hold=True)
    assert [(s.name, [p.value for p in s.points]) for s in chart.series] == [
        ("Left", [20.0, 25.0]),
        ("Right", [18.5, 24.0]),
    ]
    assert [v for _, _, v in _markers(str(chart.svg), "b")] == ["18.5", "24"]


def test_the_exercise_chart_shows_repetitions_when_there_are_no_holds():
    trend = [
        SessionTrend(1, _at(1), "none", 0, 0, 24, 3),
        SessionTrend(2, _at(3), "none", 0, 0, 30, 3),
    ]
    chart = charts.exercise_chart(trend, has_hold=False)
    assert [p.value for p in chart.series[0].points] == [24, 30]
    assert "Repetitions" in chart.title


def test_labels_are_escaped_in_the_svg():
    totals = [SideTotal("x", '<script>alert("x")</script>', left_hold=10, right_hold=10)]
    svg = str(charts.side_chart(totals).svg)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_charts_use_classes_and_a_viewbox_not_inline_style():
    svg = str(charts.pain_chart([_pain_session(1, 4, 2), _pain_session(3, 5, 5)]).svg) + str(
        charts.weekly_charts([WeekTotal(dt.date(2025, 3, 3), 60, 4, 1)])[0].svg
    )
    assert "style=" not in svg
    assert "<script" not in svg
    assert 'viewBox="0 0 360 ' in svg and 'width="100%"' in svg
    assert 'role="img"' in svg and 'aria-labelledby="pain-chart-title pain-chart-desc"' in svg


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (45, "45 s"),
        (60, "1 min"),
        (130, "2 min 10 s"),
        (3600, "1 h"),
        (3900, "1 h 5 min"),
    ],
)
def test_durations_read_as_a_person_says_them(seconds, text):
    assert charts.duration(seconds) == text


def test_axis_ranges_land_on_round_numbers_around_the_values():
    assert charts.nice_range([47, 83]) == (40, 90, 10)
    assert charts.nice_range([0, 0], min_span=5) == (0, 5, 1)
    assert charts.nice_range([100, 118], ceiling=120, min_span=30)[1] == 120


def test_the_exercise_summary_describes_each_side_in_words():
    trend = [
        SessionTrend(1, _at(1), "left", 20.0, 20, 3, 3),
        SessionTrend(1, _at(1), "right", 18.5, 20, 3, 3),
        SessionTrend(2, _at(4), "left", 25.0, 26, 3, 3),
        SessionTrend(2, _at(4), "right", 24.0, 25, 3, 3),
    ]
    assert charts.exercise_chart(trend, has_hold=True).desc == (
        "Across 2 sessions, the average hold went on the left from 20 s on 1 Mar to 25 s on "
        "4 Mar, and on the right from 18.5 s on 1 Mar to 24 s on 4 Mar."
    )
    assert charts.exercise_chart(trend[:2], has_hold=True).desc == (
        "One session so far: the average hold was left 20 s, right 18.5 s."
    )


def test_the_exercise_chart_names_a_single_hold_timed_work_and_a_hold_per_rep_apart():
    trend = [SessionTrend(1, _at(1), "none", 20.0, 20, 1, 3)]
    assert charts.exercise_chart(trend, has_hold=True).title == (
        "Average hold at each session, in seconds"
    )
    per_rep = charts.exercise_chart(trend, has_hold=True, per_rep=True)
    assert per_rep.title == "Average hold per repetition at each session, in seconds"
    timed = charts.exercise_chart(trend, has_hold=True, timed=True)
    assert timed.title == "Time done at each session, in seconds"
    assert "hold" not in timed.desc
