"""Small SVG charts drawn on the server, so they need no script, no CDN and no inline style.

Colours come from classes styled in ``static/css/history.css`` (through ``currentColor`` and the
site's colour variables), so one chart works in light and dark mode. Every chart scales to its
container through its ``viewBox``. Each marker carries its value in ``data-value`` and a
``<title>`` tooltip, and every chart object keeps the data it drew for the tables beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# The drawing area in user units. Narrow on purpose: text stays readable on a 390 px phone,
# where the chart is drawn at about this size; the stylesheet caps the width on a desktop.
WIDTH = 360
LINE_HEIGHT = 210
BAR_HEIGHT = 170
FONT = 13
MARGIN_LEFT = 34
MARGIN_RIGHT = 12
MARGIN_TOP = 24
MARGIN_BOTTOM = 26

# Second series are dashed with square markers, so they differ by more than colour alone.
DASHES = {"a": None, "b": "6 4"}


@dataclass(frozen=True)
class Point:
    x: dt.date | dt.datetime
    value: float
    label: str
    # How the value was taken, for a mark that shows it (the self-test: sensor, picture, typed).
    how: str = ""
    how_label: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    points: list[Point]
    key: str = "a"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    tooltip: str


@dataclass(frozen=True)
class PairedRow:
    label: str
    left: float
    right: float


@dataclass
class Chart:
    """An SVG and the data it shows: templates print ``chart.svg``, tests read the data."""

    svg: SafeString
    title: str = ""
    desc: str = ""
    series: list[Series] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    rows: list[PairedRow] = field(default_factory=list)

    def __html__(self) -> str:
        return str(self.svg)

    def __str__(self) -> str:
        return str(self.svg)


def _num(value: float) -> str:
    """Coordinates with one decimal and no trailing zeros: short, stable output."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _value_text(value: float) -> str:
    return _num(value) if value != int(value) else str(int(value))


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` gridlines."""
    if span <= 0:
        return 1
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def nice_range(
    values: Sequence[float],
    floor: float = 0,
    ceiling: float | None = None,
    min_span: float = 10,
):
    """Axis bounds that include every value with a little room, on round numbers.

    ``min_span`` keeps small changes from filling the whole height and looking dramatic.
    """
    low, high = (min(values), max(values)) if values else (floor, floor + 1)
    if high - low < min_span:
        middle = (high + low) / 2
        low, high = middle - min_span / 2, middle + min_span / 2
        if low < floor:
            low, high = floor, floor + min_span
    step = nice_step(high - low)
    low = max(floor, math.floor(low / step) * step)
    high = math.ceil(high / step) * step
    if ceiling is not None:
        high = min(high, ceiling)
    if high <= low:
        high = low + step
    return low, high, step


def _svg_open(chart_id: str, title: str, desc: str, height: float, kind: str) -> str:
    return format_html(
        '<svg class="chart chart-{kind}" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMidYMid meet" role="img" '
        'aria-labelledby="{id}-title {id}-desc" font-size="{font}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        kind=kind,
        w=WIDTH,
        h=_num(height),
        id=chart_id,
        font=FONT,
        title=title,
        desc=desc,
    )


def _y_axis(low: float, high: float, step: float, scale: Callable[[float], float], unit: str):
    parts = []
    tick = low
    while tick <= high + step / 1000:
        y = scale(tick)
        parts.append(
            f'<line class="chart-grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
            f'y1="{_num(y)}" y2="{_num(y)}"/>'
            f'<text class="chart-tick" x="{MARGIN_LEFT - 5}" y="{_num(y + 4)}" '
            f'text-anchor="end">{_value_text(tick)}</text>'
        )
        tick += step
    if unit:
        parts.append(f'<text class="chart-unit" x="0" y="{MARGIN_TOP - 10}">{escape(unit)}</text>')
    return "".join(parts)


def _timestamp(x: dt.date | dt.datetime) -> float:
    if isinstance(x, dt.datetime):
        return x.timestamp()
    return dt.datetime(x.year, x.month, x.day, tzinfo=dt.UTC).timestamp()


def _short_date(x: dt.date | dt.datetime) -> str:
    return f"{x.day} {x:%b}"


def _marker(key: str, x: float, y: float, tooltip: str, point: Point) -> str:
    """The series sets the shape (circle or square); how the value was taken sets the fill."""
    if point.how_label:
        tooltip += f" ({point.how_label})"
    title = f"<title>{escape(tooltip)}</title>"
    data = f'data-value="{_value_text(point.value)}"'
    css = f"chart-point chart-point-{key}"
    if point.how:
        css += f" chart-point-by-{point.how}"
        data += f' data-measured="{escape(point.how)}"'
    if key == "b":
        return (
            f'<rect class="{css}" x="{_num(x - 4)}" y="{_num(y - 4)}" '
            f'width="8" height="8" {data}>{title}</rect>'
        )
    return f'<circle class="{css}" cx="{_num(x)}" cy="{_num(y)}" r="4.5" {data}>{title}</circle>'


def line_chart(
    series: list[Series],
    *,
    chart_id: str,
    title: str,
    desc: str,
    unit: str = "",
    floor: float = 0,
    ceiling: float | None = None,
    fixed: tuple[float, float, float] | None = None,
    min_span: float = 10,
) -> Chart:
    """Values over time, one line per series, x spaced by real time between the points.

    ``fixed`` gives (low, high, step) for a scale that must not move, such as pain from 0 to 10.
    """
    values = [p.value for s in series for p in s.points]
    times = [_timestamp(p.x) for s in series for p in s.points]
    low, high, step = fixed or nice_range(values, floor, ceiling, min_span)
    bottom = LINE_HEIGHT - MARGIN_BOTTOM
    plot_left, plot_right = MARGIN_LEFT + 10, WIDTH - MARGIN_RIGHT - 8

    def scale_y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - MARGIN_TOP)

    first, last = (min(times), max(times)) if times else (0, 0)

    def scale_x(t: float) -> float:
        if last == first:
            return (plot_left + plot_right) / 2
        return plot_left + (t - first) / (last - first) * (plot_right - plot_left)

    parts = [_svg_open(chart_id, title, desc, LINE_HEIGHT, "line")]
    parts.append(_y_axis(low, high, step, scale_y, unit))
    parts.append(_time_labels(series, first, last, scale_x))
    for s in series:
        coords = [(scale_x(_timestamp(p.x)), scale_y(p.value), p) for p in s.points]
        if len(coords) > 1:
            dash = DASHES.get(s.key)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            points = " ".join(f"{_num(x)},{_num(y)}" for x, y, _ in coords)
            parts.append(
                f'<polyline class="chart-line chart-line-{s.key}" fill="none" '
                f'points="{points}"{dash_attr}/>'
            )
        # Many points make markers a blur: a plain line reads better past about 40.
        if len(coords) <= 40:
            parts.append(f'<g class="chart-series-{s.key}" data-series="{escape(s.name)}">')
            parts.extend(
                _marker(s.key, x, y, f"{p.label}: {s.name} {_value_text(p.value)}", p)
                for x, y, p in coords
            )
            parts.append("</g>")
    parts.append("</svg>")
    return Chart(mark_safe("".join(parts)), title, desc, series=series)


def _time_labels(series: list[Series], first: float, last: float, scale_x) -> str:
    """Dates under the first and last point and up to two between, never overlapping."""
    if not any(s.points for s in series):
        return ""
    y = LINE_HEIGHT - MARGIN_BOTTOM + 17
    stamps = [first] if last == first else [first + (last - first) * i / 3 for i in range(4)]
    parts = []
    for i, stamp in enumerate(stamps):
        when = timezone.localtime(dt.datetime.fromtimestamp(stamp, tz=dt.UTC))
        anchor = "middle"
        if len(stamps) > 1 and i == 0:
            anchor = "start"
        elif len(stamps) > 1 and i == len(stamps) - 1:
            anchor = "end"
        x = scale_x(stamp)
        if anchor == "start":
            x -= 6
        elif anchor == "end":
            x += 6
        parts.append(
            f'<text class="chart-tick" x="{_num(x)}" y="{_num(y)}" '
            f'text-anchor="{anchor}">{escape(_short_date(when))}</text>'
        )
    return "".join(parts)


def bar_chart(
    bars: list[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    unit: str = "",
    label_every: int = 2,
    key: str = "a",
) -> Chart:
    """One bar per category, left to right, labelled under every ``label_every``-th bar."""
    low, high, step = nice_range([b.value for b in bars] + [0], 0, min_span=5)
    bottom = BAR_HEIGHT - MARGIN_BOTTOM

    def scale_y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - MARGIN_TOP)

    parts = [_svg_open(chart_id, title, desc, BAR_HEIGHT, "bar")]
    parts.append(_y_axis(low, high, step, scale_y, unit))
    slot = (WIDTH - MARGIN_RIGHT - MARGIN_LEFT - 4) / max(len(bars), 1)
    width = slot * 0.68
    for i, bar in enumerate(bars):
        x = MARGIN_LEFT + 4 + i * slot + (slot - width) / 2
        top = scale_y(bar.value)
        parts.append(
            f'<rect class="chart-bar chart-bar-{key}" x="{_num(x)}" y="{_num(top)}" '
            f'width="{_num(width)}" height="{_num(max(bottom - top, 0))}" '
            f'data-value="{_value_text(bar.value)}"><title>{escape(bar.tooltip)}</title></rect>'
        )
        # The newest bar is always labelled; the others at the chosen rhythm back from it.
        if (len(bars) - 1 - i) % label_every == 0:
            parts.append(
                f'<text class="chart-tick" x="{_num(x + width / 2)}" y="{bottom + 17}" '
                f'text-anchor="middle">{escape(bar.label)}</text>'
            )
    parts.append("</svg>")
    return Chart(mark_safe("".join(parts)), title, desc, bars=bars)


def paired_bars(
    rows: list[PairedRow],
    *,
    chart_id: str,
    title: str,
    desc: str,
    format_value: Callable[[float], str],
) -> Chart:
    """Left and right side by side for each row: a label, then two horizontal bars."""
    row_height = 58
    height = 4 + row_height * max(len(rows), 1)
    biggest = max([max(r.left, r.right) for r in rows] + [1])
    label_width = 22
    value_room = 64
    track = WIDTH - MARGIN_RIGHT - label_width - value_room

    parts = [_svg_open(chart_id, title, desc, height, "paired")]
    for i, row in enumerate(rows):
        top = 4 + i * row_height
        parts.append(
            f'<text class="chart-label" x="0" y="{_num(top + 10)}">{escape(row.label)}</text>'
        )
        for j, (side, key, value) in enumerate((("L", "a", row.left), ("R", "b", row.right))):
            y = top + 18 + j * 17
            length = value / biggest * track
            parts.append(
                f'<text class="chart-tick" x="0" y="{_num(y + 11)}">{side}</text>'
                f'<rect class="chart-bar chart-bar-{key}" x="{label_width}" y="{_num(y)}" '
                f'width="{_num(max(length, 1))}" height="13" data-value="{_value_text(value)}">'
                f"<title>{escape(row.label)}, {'left' if side == 'L' else 'right'}: "
                f"{escape(format_value(value))}</title></rect>"
                f'<text class="chart-value" x="{_num(label_width + max(length, 1) + 5)}" '
                f'y="{_num(y + 11)}">{escape(format_value(value))}</text>'
            )
    parts.append("</svg>")
    return Chart(mark_safe("".join(parts)), title, desc, rows=rows)


# --- the history's charts --------------------------------------------------------------------


def duration(seconds: float) -> str:
    """Seconds as a person says them: '45 s', '3 min', '1 h 5 min'."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _average(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def pain_chart(sessions: Sequence) -> Chart | None:
    """Pain before and after each finished session (0 to 10), oldest on the left."""
    if not sessions:
        return None
    before = [
        Point(s.started_at, s.pain_before, _short_date(_local(s.started_at))) for s in sessions
    ]
    after = [Point(s.started_at, s.pain_after, _short_date(_local(s.started_at))) for s in sessions]
    latest = sessions[-1]
    desc = (
        f"Over your last {len(sessions)} session{'s' if len(sessions) != 1 else ''}, pain "
        f"before averaged {_one_decimal(_average([p.value for p in before]))} and after "
        f"{_one_decimal(_average([p.value for p in after]))} out of 10. In the latest, it went "
        f"from {latest.pain_before} before to {latest.pain_after} after."
    )
    return line_chart(
        [Series("Before", before, "a"), Series("After", after, "b")],
        chart_id="pain-chart",
        title="Pain before and after each session, 0 to 10",
        desc=desc,
        unit="pain",
        fixed=(0, 10, 2),
    )


def self_test_chart(tests: Sequence) -> Chart | None:
    """Straight-leg-raise angle of each leg at every self-test, each mark showing how it was
    taken (filled: the phone's sensor; hollow: a picture; dashed: typed in)."""
    if not tests:
        return None

    def points(side: str) -> list[Point]:
        return [
            Point(
                t.taken_at,
                getattr(t, f"{side}_angle"),
                _short_date(_local(t.taken_at)),
                how=t.measured(side).value,
                how_label=t.measured(side).label.lower(),
            )
            for t in tests
        ]

    left, right = points("left"), points("right")
    first, latest = tests[0], tests[-1]
    desc = (
        f"First measurement on {_long_date(first.taken_at)}: left {first.left_angle}°, right "
        f"{first.right_angle}°."
    )
    if len(tests) > 1:
        desc += (
            f" Latest on {_long_date(latest.taken_at)}: left {latest.left_angle}°, right "
            f"{latest.right_angle}°."
        )
    return line_chart(
        [Series("Left leg", left, "a"), Series("Right leg", right, "b")],
        chart_id="self-test-chart",
        title="Straight-leg raise angle of each leg, in degrees",
        desc=desc,
        unit="degrees",
        floor=0,
        ceiling=120,
        # A few degrees is within measuring error: keep them from looking like a big change.
        min_span=30,
    )


def weekly_charts(totals: Sequence) -> tuple[Chart, Chart]:
    """Time held (in minutes) and repetitions logged in each week, oldest week on the left.
    Holds are not counted as repetitions, and timed work is not counted as time held."""
    this_week = totals[-1]
    busiest = max(totals, key=lambda t: t.hold_seconds)
    hold_desc = f"This week so far: {duration(this_week.hold_seconds)} of holds."
    if busiest.hold_seconds:
        hold_desc += (
            f" The most in one week was {duration(busiest.hold_seconds)}, in the week of "
            f"{_short_date(busiest.start)}."
        )
    hold = bar_chart(
        [
            Bar(
                _short_date(t.start),
                round(t.hold_seconds / 60, 1),
                f"Week of {_short_date(t.start)}: {duration(t.hold_seconds)}",
            )
            for t in totals
        ],
        chart_id="hold-chart",
        title="Time held per week, in minutes",
        desc=hold_desc,
        unit="minutes",
    )
    most_reps = max(totals, key=lambda t: t.reps)
    reps_desc = f"This week so far: {this_week.reps} repetitions of exercises done in reps."
    if most_reps.reps:
        reps_desc += (
            f" The most in one week was {most_reps.reps}, in the week of "
            f"{_short_date(most_reps.start)}."
        )
    reps = bar_chart(
        [
            Bar(_short_date(t.start), t.reps, f"Week of {_short_date(t.start)}: {t.reps} reps")
            for t in totals
        ],
        chart_id="reps-chart",
        title="Repetitions per week (exercises done in reps; holds not counted)",
        desc=reps_desc,
        unit="reps",
        key="b",
    )
    return hold, reps


def side_chart(totals: Sequence) -> Chart | None:
    """Left against right hold time for each per-side exercise that has holds."""
    rows = [PairedRow(t.name, t.left_hold, t.right_hold) for t in totals if t.has_hold]
    if not rows:
        return None
    uneven = [
        r.label
        for r in rows
        if max(r.left, r.right) and abs(r.left - r.right) / max(r.left, r.right) >= 0.2
    ]
    if uneven:
        desc = (
            f"One side got at least a fifth less hold time in: {', '.join(uneven)}. Other "
            f"exercises are within a fifth between sides."
        )
    else:
        desc = "Both sides got about the same hold time in every exercise (within a fifth)."
    return paired_bars(
        rows,
        chart_id="side-chart",
        title="Time on the left and the right side, per exercise (held, or done for timed work)",
        desc=desc,
        format_value=duration,
    )


def exercise_chart(
    trend: Sequence, *, has_hold: bool, timed: bool = False, per_rep: bool = False
) -> Chart | None:
    """The hold (per repetition where a set repeats it), the time of timed work, or the reps,
    at each session, per side: each named for what it is."""
    if not trend:
        return None
    names = {"left": ("Left", "a"), "right": ("Right", "b"), "none": ("Both sides", "a")}
    series = []
    for side in ("left", "right", "none"):
        points = [
            Point(
                t.started_at,
                round(t.average_hold, 1) if has_hold else t.reps,
                _short_date(_local(t.started_at)),
            )
            for t in trend
            if t.side == side
        ]
        if points:
            name, key = names[side]
            series.append(Series(name, points, key))
    suffix = " s" if has_hold else ""
    if timed:
        what = "the time done"
    elif has_hold:
        what = "the average hold per repetition" if per_rep else "the average hold"
    else:
        what = "the repetitions"
    sessions = len({t.session_id for t in trend})
    where = {"Left": "on the left ", "Right": "on the right "}
    if sessions > 1:
        changes = [
            f"{where.get(s.name, '')}from {_value_text(s.points[0].value)}{suffix} on "
            f"{s.points[0].label} to {_value_text(s.points[-1].value)}{suffix} on "
            f"{s.points[-1].label}"
            for s in series
        ]
        desc = f"Across {sessions} sessions, {what} went {', and '.join(changes)}."
    else:
        values = [
            f"{where.get(s.name, '').removeprefix('on the ')}{_value_text(s.points[0].value)}"
            f"{suffix}"
            for s in series
        ]
        verb = "was" if has_hold else "were"
        desc = f"One session so far: {what} {verb} {', '.join(values)}."
    if timed:
        title = "Time done at each session, in seconds"
        unit = "seconds"
    elif has_hold:
        title = f"Average hold{' per repetition' if per_rep else ''} at each session, in seconds"
        unit = "seconds"
    else:
        title = "Repetitions at each session"
        unit = "reps"
    return line_chart(series, chart_id="exercise-chart", title=title, desc=desc, unit=unit)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _long_date(moment: dt.datetime) -> str:
    local = _local(moment)
    return f"{local.day} {local:%B %Y}"
