"""Server-side SVG charts: no JavaScript, no CDN, legible at a glance (axes, units, target).

Each function takes plain numbers and labels and returns SVG markup; the table
with the same rows is always rendered beside the chart, and the chart's text
alternative points to it. Counts get whole-number axes (never "7.5 breaches") and
every number is written in the active language's format ("2,5" in Portuguese).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 56
COLORS = ["#2453c7", "#16a34a", "#c2410c", "#7c3aed", "#0891b2", "#b3261e"]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    exponent: float = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _count_axis(highest: float) -> tuple[int, int]:
    """(top, step) of an axis of whole numbers: about four steps, each 1, 2, 2.5 or 5
    times a power of ten and a whole number, so every tick is a count one could have."""
    if highest <= 0:
        return 1, 1
    rough = highest / 4
    exponent = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(
        (
            int(m * exponent)
            for m in (1, 2, 2.5, 5, 10)
            if m * exponent >= rough and float(m * exponent).is_integer()
        ),
        int(10 * exponent),
    )
    step = max(step, 1)
    return step * math.ceil(highest / step), step


def _number(value: float) -> str:
    """A figure in the active language's format, without a pointless ".0"."""
    if float(value).is_integer():
        return number_format(int(value))
    return number_format(value, decimal_pos=1)


def _frame(
    title: str, y_label: str, y_max: float, parts: list[str], *, ticks: int = 4, summary: str = ""
) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    grid = []
    for index in range(ticks + 1):
        value = y_max * index / ticks
        y = TOP + plot_h - plot_h * index / ticks
        label = _number(value)
        grid.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{label}</text>'
        )
    label = f"{title}. {summary}" if summary else title
    svg = (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'class="chart" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
        f"{''.join(grid)}"
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        f'class="axis"/><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>'
        f'<text x="12" y="{TOP + plot_h / 2:.1f}" transform="rotate(-90 12 {TOP + plot_h / 2:.1f})"'
        f' text-anchor="middle" class="unit">{escape(y_label)}</text>'
        f"{''.join(parts)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every label above is escaped


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    y_label: str,
    target_after: int | None = None,
    target_label: str = "",
    summary: str = "",
) -> SafeString:
    """Grouped vertical bars: one group per label, one bar per series; optionally a dashed
    target line after the group at index `target_after` (e.g. after "75–100%").

    Whole-number series (counts) get an axis of whole numbers. `summary` is added to the
    chart's text alternative (e.g. where its table is)."""
    values_seen = [v for _name, values in series for v in values]
    highest = max([*values_seen, 0])
    ticks = 4
    y_max: float
    if all(float(v).is_integer() for v in values_seen):
        top, step = _count_axis(highest)
        y_max, ticks = top, top // step
    else:
        y_max = _nice_max(highest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    groups = max(len(labels), 1)
    group_w = plot_w / groups
    bar_w = max(2.0, (group_w * 0.8) / max(len(series), 1))
    parts = []
    for g, label in enumerate(labels):
        x0 = LEFT + g * group_w + group_w * 0.1
        for s, (name, values) in enumerate(series):
            value = values[g] if g < len(values) else 0
            h = plot_h * value / y_max
            x = x0 + s * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{COLORS[s % len(COLORS)]}">'
                f"<title>{escape(name)} · {escape(label)}: {_number(value)}</title></rect>"
            )
        if groups <= 16 or g % math.ceil(groups / 16) == 0:
            cx = LEFT + g * group_w + group_w / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{TOP + plot_h + 14}" text-anchor="end" class="tick" '
                f'transform="rotate(-35 {cx:.1f} {TOP + plot_h + 14})">{escape(label)}</text>'
            )
    if target_after is not None:
        x = LEFT + (target_after + 1) * group_w
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" class="target"/>'
            f'<text x="{x - 4:.1f}" y="{TOP + 10}" text-anchor="end" class="target-label">'
            f"{escape(target_label)}</text>"
        )
    if len(series) > 1:
        for s, (name, _values) in enumerate(series):
            x = LEFT + 8 + s * 130
            parts.append(
                f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" '
                f'fill="{COLORS[s % len(COLORS)]}"/><text x="{x + 14}" y="{HEIGHT - 5}" '
                f'class="tick">{escape(name)}</text>'
            )
    return _frame(title, y_label, y_max, parts, ticks=ticks, summary=summary)
