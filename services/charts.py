"""SVG charts for reports that read without colour: patterns tell series apart, every bar
carries its number, and each chart has a title, a description and a table beside it.

Only presentation attributes are used (no style attributes): the staff view's
Content-Security-Policy allows no inline styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 30, 50

PATTERNS = """<defs>
<pattern id="{p}-solid" width="6" height="6" patternUnits="userSpaceOnUse">
<rect width="6" height="6" fill="#1b1b1b"/></pattern>
<pattern id="{p}-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>
<line x1="0" y1="0" x2="0" y2="6" stroke="#1b1b1b" stroke-width="3"/></pattern>
<pattern id="{p}-dots" width="6" height="6" patternUnits="userSpaceOnUse">
<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.6" fill="#1b1b1b"/>
</pattern></defs>"""
FILLS = ("solid", "hatch", "dots")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


def _header(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d" class="chart" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
        PATTERNS.format(p=chart_id),
    ]


def _legend(chart_id: str, series: Sequence[Series], y: int) -> list[str]:
    parts, x = [], LEFT
    for index, s in enumerate(series):
        fill = f"url(#{chart_id}-{FILLS[index % len(FILLS)]})"
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="{fill}" stroke="#1b1b1b"/>'
            f'<text x="{x + 20}" y="{y + 12}" font-size="13">{escape(s.name)}</text>'
        )
        x += 30 + 8 * len(s.name)
    return parts


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    suffix: str = "",
) -> Markup:
    """Grouped vertical bars, one group per label, numbers written above the bars."""
    height = HEIGHT
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = height - TOP - BOTTOM
    top = max((v for s in series for v in s.values), default=0) or 1
    group = plot_w / max(len(labels), 1)
    bar = min(40.0, (group - 8) / max(len(series), 1))
    parts = _header(chart_id, title, description, height)
    base = TOP + plot_h
    parts.append(
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#1b1b1b"/>'
    )
    for i, label in enumerate(labels):
        x0 = LEFT + i * group + (group - bar * len(series)) / 2
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / top
            x = x0 + j * bar
            fill = f"url(#{chart_id}-{FILLS[j % len(FILLS)]})"
            shown = f"{value:g}{suffix}"
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" '
                f'fill="{fill}" stroke="#1b1b1b"><title>{escape(s.name)}, {escape(label)}: '
                f"{escape(shown)}</title></rect>"
                f'<text x="{x + (bar - 2) / 2:.1f}" y="{base - h - 4:.1f}" font-size="12" '
                f'text-anchor="middle">{escape(shown)}</text>'
            )
        parts.append(
            f'<text x="{LEFT + i * group + group / 2:.1f}" y="{base + 16}" font-size="12" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.extend(_legend(chart_id, series, height - 20))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)
