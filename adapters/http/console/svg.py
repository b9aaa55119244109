"""Server-side SVG charts: no script, no CDN (the console runs without internet access)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
    threshold: float | None = None,
) -> str:
    """A vertical bar chart as an ``<svg>`` string; every text is XML-escaped.

    Args:
        labels: one per bar (shown below it).
        values: bar heights; None draws no bar (no data that day).
        title: the accessible name of the chart.
        threshold: draws a dashed line (e.g. the SLA target) and marks bars above it.
    """
    left, right, top, bottom = 36, 8, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    present = [v for v in values if v is not None]
    peak = max([*present, threshold or 0, 1])
    step = plot_w / max(1, len(values))
    bar_w = max(2.0, step * 0.62)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        'class="axis"/>',
    ]
    for tick in (0.5, 1.0):
        y = top + plot_h - plot_h * tick
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" class="tick" text-anchor="end">'
            f"{_fmt(peak * tick)}</text>"
        )
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + index * step + (step - bar_w) / 2
        if value is not None:
            h = plot_h * value / peak
            cls = "bar over" if threshold is not None and value > threshold else "bar"
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" class="{cls}"><title>{escape(label)}: {_fmt(value)}</title>'
                "</rect>"
            )
            if value:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" '
                    f'class="value" text-anchor="middle">{_fmt(value)}</text>'
                )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" class="label" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if threshold is not None:
        y = top + plot_h - plot_h * threshold / peak
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="target"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
