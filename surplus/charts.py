"""Server-side SVG charts (no script, no CDN): readable in print (dark outlines, value labels,
hatching that survives greyscale) and accessible (role="img" with a title and a description;
each chart sits next to the table that holds its data)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Fill, and a pattern id for greyscale print, per series position.
_STYLES = [("#1f5f8b", "solid"), ("#9ac1dd", "hatch"), ("#c0392b", "dots")]

_DEFS = """<defs>
<pattern id="{p}-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
  patternTransform="rotate(45)"><rect width="6" height="6" fill="#9ac1dd"/>
  <line x1="0" y1="0" x2="0" y2="6" stroke="#1b2a36" stroke-width="1.5"/></pattern>
<pattern id="{p}-dots" width="6" height="6" patternUnits="userSpaceOnUse">
  <rect width="6" height="6" fill="#e8a39b"/><circle cx="3" cy="3" r="1.4" fill="#1b2a36"/>
</pattern></defs>"""


@dataclass
class Series:
    name: str
    values: list


def _fill(prefix: str, index: int) -> str:
    colour, pattern = _STYLES[index % len(_STYLES)]
    return colour if pattern == "solid" else f"url(#{prefix}-{pattern})"


def _fmt(value) -> str:
    if isinstance(value, Decimal | float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{int(value):,}"


def _head(prefix: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{prefix}-title {prefix}-desc">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
        _DEFS.format(p=prefix),
    ]


def _legend(prefix: str, series: list[Series], y: int) -> list[str]:
    parts, x = [], 10
    for index, each in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="{_fill(prefix, index)}" '
            'stroke="#1b2a36"/>'
        )
        parts.append(f'<text x="{x + 20}" y="{y + 12}" font-size="13">{escape(each.name)}</text>')
        x += 30 + 8 * len(each.name)
    return parts


def _scale(values, width: int) -> float:
    top = max([0.0] + [float(v) for v in values if v is not None])
    return width / top if top > 0 else 0


def bar_chart(
    prefix: str,
    title: str,
    desc: str,
    labels: list[str],
    series: list[Series],
    *,
    per_row: bool = False,
) -> SafeString:
    """Horizontal grouped bars, one group per label, each bar labelled with its value. A value
    of None (a requirement not stated) draws no bar and is labelled "—", never as a zero.

    `per_row`: each group drawn to its own scale, for groups whose sizes differ by orders of
    magnitude (rounds of small-arms ammunition beside shells), where one shared scale leaves most
    bars a pixel wide; the bars then compare within a group and the labels give the values."""
    bar, gap, label_w, plot_w = 14, 10, 180, 520
    group_h = bar * len(series) + gap
    height = 40 + group_h * max(1, len(labels)) + 10
    shared = _scale([v for each in series for v in each.values], plot_w)
    parts = _head(prefix, label_w + plot_w + 110, height, title, desc)
    parts += _legend(prefix, series, 6)
    for row, label in enumerate(labels):
        scale = _scale([each.values[row] for each in series], plot_w) if per_row else shared
        y0 = 32 + row * group_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + bar * len(series) / 2 + 4}" font-size="12" '
            f'text-anchor="end">{escape(label[:28])}</text>'
        )
        for index, each in enumerate(series):
            value = each.values[row]
            width = 0.0 if value is None else max(0.0, float(value) * scale)
            y = y0 + index * bar
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{width:.1f}" height="{bar - 2}" '
                f'fill="{_fill(prefix, index)}" stroke="#1b2a36" stroke-width="0.6"/>'
            )
            parts.append(
                f'<text x="{label_w + width + 4:.1f}" y="{y + bar - 4}" font-size="11">'
                f"{'—' if value is None else _fmt(value)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def line_chart(
    prefix: str, title: str, desc: str, labels: list[str], series: list[Series]
) -> SafeString:
    """Lines over time (one point per snapshot day), markers shaped per series for print."""
    width, height, left, bottom, top_pad = 720, 260, 80, 40, 36
    plot_w, plot_h = width - left - 20, height - bottom - top_pad
    top = max([0] + [float(v) for each in series for v in each.values])
    scale = plot_h / top if top > 0 else 0
    step = plot_w / max(1, len(labels) - 1)
    parts = _head(prefix, width, height, title, desc)
    parts += _legend(prefix, series, 6)
    base = top_pad + plot_h
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#1b2a36"/>'
    )
    parts.append(
        f'<text x="{left - 6}" y="{top_pad + 4}" font-size="11" text-anchor="end">'
        f"{_fmt(top)}</text>"
    )
    parts.append(f'<text x="{left - 6}" y="{base}" font-size="11" text-anchor="end">0</text>')
    for index, label in enumerate(labels):
        if len(labels) <= 12 or index % max(1, len(labels) // 8) == 0:
            parts.append(
                f'<text x="{left + index * step:.1f}" y="{base + 16}" font-size="11" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    dashes = ["", ' stroke-dasharray="6 3"', ' stroke-dasharray="2 3"']
    for index, each in enumerate(series):
        colour = _STYLES[index % len(_STYLES)][0]
        points = [(left + i * step, base - float(v) * scale) for i, v in enumerate(each.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
            f"{dashes[index % len(dashes)]}/>"
        )
        for x, y in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" stroke="#1b2a36"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
