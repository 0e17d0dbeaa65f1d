"""Server-side SVG charts: no JavaScript, no CDN, legible at a glance (axes, units, target).

Each function takes plain numbers and labels and returns SVG markup; the table
with the same rows is always rendered beside the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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


def _frame(
    title: str, y_label: str, y_max: float, parts: list[str], *, ticks: int = 4
) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    grid = []
    for index in range(ticks + 1):
        value = y_max * index / ticks
        y = TOP + plot_h - plot_h * index / ticks
        label = f"{value:g}"
        grid.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{label}</text>'
        )
    svg = (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'class="chart" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
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
) -> SafeString:
    """Grouped vertical bars: one group per label, one bar per series; optionally a dashed
    target line after the group at index `target_after` (e.g. after "75–100%")."""
    highest = max([v for _name, values in series for v in values] + [0])
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
                f"<title>{escape(name)} · {escape(label)}: {value:g}</title></rect>"
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
    return _frame(title, y_label, y_max, parts)
