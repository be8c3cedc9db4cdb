"""How each operation grew (`tierscope report history`, and a section of the HTML tier report).

One picture per operation track: its size in each window by tier (stacked bars), the events
marked above them, and, on the same time axis underneath, the creation dates of every account
it ever held. Every string from the data is escaped, in SVG text and titles too.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from html import escape
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table

from tierscope.graphdb.detect.history_run import OperationHistory, Track
from tierscope.graphdb.plots import (
    DAY,
    OTHER_COLOUR,
    TIER_COLOURS,
    _at,
    _legend,
    _scale,
    _svg,
    _text,
    _x_time_axis,
    _y_axis,
    nice_ticks,
)

BARS = ("principal", "core", "amplifier", "member")
COLOURS = {**TIER_COLOURS, "member": OTHER_COLOUR}
EVENT_LABELS = {
    "appears": "appears",
    "grows": "grows",
    "core_changes": "core changes",
    "merges": "merges",
    "falls_silent": "falls silent",
}
# Creation dates are drawn from at most this long before the first window.
CREATION_LOOKBACK = 366 * DAY


def _day(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")


def track_title(track: Track) -> str:
    name = f"Operation track {track.track}"
    if track.operation is not None:
        name += f" (operation {track.operation} of the whole period)"
    return name


def to_json(history: OperationHistory) -> dict[str, Any]:
    return asdict(history)


def render_table(history: OperationHistory) -> RenderableType:
    """One table per operation track: its windows, then its events."""
    parts: list[RenderableType] = []
    if not history.tracks:
        parts.append(f"Run {history.run}: no operation in any {history.by} window.")
    for t in history.tracks:
        table = Table(title=f"{track_title(t)}, by {history.by}")
        for col in ("window", "flagged", "accounts", "principals", "core", "amplifiers", "new"):
            table.add_column(col, justify="left" if col == "window" else "right")
        table.add_column("Jaccard", justify="right")
        for p in t.points:
            table.add_row(
                _day(p.start),
                "yes" if p.flagged else "no",
                *(f"{v:,}" for v in (p.size, p.principals, p.core, p.amplifiers, p.newcomers)),
                "" if p.jaccard is None else f"{p.jaccard:.2f}",
            )
        parts.append(table)
        events = Table(show_header=False, box=None)
        for e in t.events:
            events.add_row(e["window_start"], EVENT_LABELS.get(e["event"], e["event"]), e["detail"])
        parts.append(events)
    return Group(*parts)


def growth_chart(track: Track, by: str) -> str:
    """Size by tier per window, events above, creation dates of its accounts below."""
    title = f"{track_title(track)}: accounts per {by} by tier, and when they were created"
    width, left, right = 900.0, 60.0, 20.0
    top, bars_h, gap, created_h = 80.0, 170.0, 56.0, 90.0
    height = top + bars_h + gap + created_h + 40
    body = [_text(0, 18, title, "title")]
    body += _legend([(t, COLOURS[t]) for t in BARS], 0, 42)
    if not track.points:
        body.append(_text(width / 2, top + 20, "no windows", "label", "middle"))
        return _svg(width, top + 40, body, title)
    lo = float(min(p.start for p in track.points))
    hi = float(max(p.end for p in track.points))
    silent = [e for e in track.events if e["event"] in ("falls_silent", "merges")]
    if silent:
        hi = max(hi, max(_parse(e["window_start"]) for e in silent) + (track.points[0].end - lo))
    created = {
        t: (np.asarray(d, float), np.asarray(n, float)) for t, (d, n) in track.creation.items()
    }
    earliest = min((float(d.min()) for d, _ in created.values() if len(d)), default=lo)
    lo_axis = max(min(lo, earliest), lo - CREATION_LOOKBACK)
    x = _scale(lo_axis, hi, left, width - right)

    peak = max(p.size for p in track.points)
    ticks = nice_ticks(float(peak), 3)
    base = top + bars_h
    y = _scale(0, ticks[-1], base, top + 10)
    body += _y_axis(ticks[1:], y, left, width - right)
    for p in track.points:
        x0, x1 = _at(x, p.start), _at(x, p.end)
        level = 0.0
        counts = {"principal": p.principals, "core": p.core, "amplifier": p.amplifiers}
        counts["member"] = p.members
        for tier in BARS:
            n = counts[tier]
            if not n:
                continue
            y_lo, y_hi = _at(y, level), _at(y, level + n)
            body.append(
                f'<rect x="{x0 + 0.5:.1f}" y="{y_hi:.1f}" width="{max(x1 - x0 - 1, 0.8):.1f}" '
                f'height="{y_lo - y_hi:.1f}" fill="{COLOURS[tier]}">'
                f"<title>{escape(f'{n:,} {tier} accounts, {by} of {_day(p.start)}')}</title>"
                "</rect>"
            )
            level += n
        if p.flagged:
            body.append(
                f'<line x1="{x0 + 0.5:.1f}" x2="{max(x1 - 0.5, x0 + 1):.1f}" y1="{base + 3:.1f}" '
                f'y2="{base + 3:.1f}" stroke="#333" stroke-width="3"/>'
            )
    body.append(
        f'<line x1="{left:.1f}" x2="{width - right:.1f}" y1="{base:.1f}" y2="{base:.1f}" '
        'class="axis"/>'
    )
    body.append(_text(width - right, 42, "bar underlined: flagged in that window", "tick", "end"))
    for i, e in enumerate(track.events):
        px = _at(x, _parse(e["window_start"]))
        label = EVENT_LABELS.get(e["event"], e["event"])
        body.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top - 4:.1f}" y2="{base:.1f}" '
            'stroke="#333" stroke-dasharray="3,3"/>'
        )
        body.append(_text(px + 3, top - 6 - 12 * (i % 2), label, "label"))

    c_top = base + gap
    c_base = c_top + created_h
    body.append(_text(left, c_top - 8, "accounts created per week", "label"))
    edges = np.arange(lo_axis // (7 * DAY) * 7 * DAY, hi + 7 * DAY, 7 * DAY, dtype=float)
    binned = {
        t: np.histogram(np.clip(d, edges[0], edges[-1] - 1), bins=edges, weights=n)[0]
        for t, (d, n) in created.items()
    }
    order = [t for t in BARS if t in binned]
    stacked = np.sum([binned[t] for t in order], axis=0) if order else np.zeros(len(edges) - 1)
    c_ticks = nice_ticks(float(stacked.max()) if len(stacked) else 1.0, 2)
    cy = _scale(0, c_ticks[-1], c_base, c_top + 6)
    body += _y_axis(c_ticks[1:], cy, left, width - right)
    stack = np.zeros(len(edges) - 1)
    for tier in order:
        for j in np.flatnonzero(binned[tier]):
            x0, x1 = _at(x, edges[j]), _at(x, edges[j + 1])
            y_lo, y_hi = _at(cy, stack[j]), _at(cy, stack[j] + binned[tier][j])
            body.append(
                f'<rect x="{x0:.1f}" y="{y_hi:.1f}" width="{max(x1 - x0 - 0.5, 0.8):.1f}" '
                f'height="{y_lo - y_hi:.1f}" fill="{COLOURS[tier]}">'
                f"<title>{escape(_created_note(int(binned[tier][j]), tier, edges[j]))}</title>"
                "</rect>"
            )
        stack += binned[tier]
    before = sum(float(n[d < lo_axis].sum()) for d, n in created.values())
    if before:
        body.append(
            _text(left + 4, c_top + 8, f"{before:,.0f} created before {_day(lo_axis)} (first bar)")
        )
    body += _x_time_axis(lo_axis, hi, x, c_base, 8)
    return _svg(width, height, body, title)


def _created_note(n: int, tier: str, week: float) -> str:
    return f"{n:,} {tier} accounts created in the week of {_day(week)}"


def _parse(day: str) -> float:
    return datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()


def html_section(history: OperationHistory) -> str:
    """The HTML report's section: one chart and one event list per operation track."""
    parts = [
        '<h2 id="history">How each operation grew</h2>',
        f"<p>Run {escape(history.run)} was also detected {escape(history.by)} by "
        f"{escape(history.by)} ({len(history.windows)} windows); operations were matched "
        "across windows by member overlap (docs/method.md). Bars: accounts of the operation in "
        "each window, by tier; below, on the same axis, when its accounts were created.</p>",
    ]
    if not history.tracks:
        parts.append(f"<p>No operation was flagged in any {escape(history.by)}.</p>")
    for t in history.tracks:
        parts.append(f"<h3>{escape(track_title(t))}</h3>")
        parts.append(f"<figure>{growth_chart(t, history.by)}</figure>")
        parts.append(
            "<ul>"
            + "".join(
                f"<li>{escape(e['window_start'])}: "
                f"<b>{escape(EVENT_LABELS.get(e['event'], e['event']))}</b>, "
                f"{escape(e['detail'])}</li>"
                for e in t.events
            )
            + "</ul>"
        )
    return "\n".join(parts)
