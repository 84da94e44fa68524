"""A dependency-free SVG line chart of indicators over months, with targets and reference figures as lines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 900, 420
LEFT, RIGHT, BOTTOM = 64, 24, 56
COLOURS = ("#1b6ca8", "#d1495b", "#2a9d8f", "#e9a23b", "#6a4c93", "#3d405b")


@dataclass(frozen=True, slots=True)
class Line:
    """One indicator over time: a label and a value per month (None where there is nothing to show)."""

    label: str
    points: Sequence[tuple[date, float | None]]


@dataclass(frozen=True, slots=True)
class Level:
    """A horizontal line: a target or a reference figure."""

    label: str
    value: float


def svg(title: str, unit: str, lines: Sequence[Line], levels: Sequence[Level] = ()) -> str:
    """The chart as an SVG document; shares are drawn in percent."""
    months = sorted({day for line in lines for day, _ in line.points})
    scale = 100.0 if unit == "share" else 1.0
    values = [v * scale for line in lines for _, v in line.points if v is not None]
    top = 100.0 if unit == "share" else _nice(max([*values, *(lv.value for lv in levels), 1.0]) * 1.1)
    head = 48 + 14 * len(lines)  # title and legend above the plot
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - head - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(months) - 1) if len(months) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return head + plot_h * (1 - min(v, top) / top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
             f"<title>{escape(title)}</title>", f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>']
    suffix = " %" if unit == "share" else (" days" if unit == "days" else "")
    for k in range(6):
        v = top * k / 5
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e4e4e4"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}{suffix}</text>')
    step = max(1, math.ceil(len(months) / 12))
    for i, month in enumerate(months):
        if i % step == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
                         f"{month:%Y-%m}</text>")
    for level in levels:
        ly = y(level.value * scale)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ly:.1f}" y2="{ly:.1f}" stroke="#888" '
                     'stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{ly - 4:.1f}" text-anchor="end" fill="#555">'
                     f"{escape(level.label)}</text>")
    index = {month: i for i, month in enumerate(months)}
    for n, line in enumerate(lines):
        colour = COLOURS[n % len(COLOURS)]
        for segment in _segments(line.points):
            coords = " ".join(f"{x(index[d]):.1f},{y(v * scale):.1f}" for d, v in segment)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
            parts += [f'<circle cx="{x(index[d]):.1f}" cy="{y(v * scale):.1f}" r="3" fill="{colour}"/>'
                      for d, v in segment]
        parts.append(f'<rect x="{LEFT + 4}" y="{34 + 14 * n}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{LEFT + 20}" y="{43 + 14 * n}">{escape(line.label)}</text>')
    if not values:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#888">no data</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _segments(points: Sequence[tuple[date, float | None]]) -> list[list[tuple[date, float]]]:
    """Runs of consecutive points with a value (a gap breaks the line)."""
    runs: list[list[tuple[date, float]]] = [[]]
    for day, value in sorted(points):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((day, value))
    return [run for run in runs if run]


def _nice(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2 or 5 times a power of ten)."""
    power = float(10 ** math.floor(math.log10(value)))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)
