"""The tier report's pictures, drawn as inline SVG: crisp at any zoom, no plotting library,
no fonts or files to ship, and a page of them renders in milliseconds.

Every picture uses the same tier colours (Okabe-Ito, safe for colour-blind readers) and carries
its own title, axis labels and legend; hovering a bar, band or dot shows its numbers (SVG
``<title>``, no script). Text is styled by the page's CSS (classes ``title``, ``label``,
``tick``); the SVGs have no xmlns because HTML parses inline ``<svg>`` into the SVG namespace.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape

import igraph
import numpy as np

TIERS = ("principal", "core", "amplifier")  # tier 0, 1, 2
TIER_COLOURS = {"principal": "#E69F00", "core": "#D55E00", "amplifier": "#0072B2"}
TIER_LABELS = {
    "principal": "Principals (tier 0)",
    "core": "Core (tier 1)",
    "amplifier": "Amplifiers (tier 2)",
}
FLAGGED_COLOUR = "#333333"
OTHER_COLOUR = "#C8C8C8"
LAYOUT_SEED = 42

# Counts over time of each tier: {tier: (epoch seconds, counts)}.
TierSeries = Mapping[str, tuple[Sequence[int], Sequence[int]]]

HOUR = 3_600
DAY = 86_400
# Bin widths a time axis may use, finest first; months are calendar months.
_SECOND_WIDTHS = (HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY)
_MONTH_WIDTHS = (1, 2, 3, 6, 12, 24, 60)


def _svg(width: float, height: float, body: Sequence[str], label: str) -> str:
    return (
        f'<svg viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def _text(
    x: float, y: float, text: str, cls: str = "tick", anchor: str = "start", extra: str = ""
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="{anchor}"{extra}>'
        f"{escape(text)}</text>"
    )


def _fill(tier: str) -> str:
    """A tier's colour for text, as a style: the page's CSS would override a fill attribute."""
    return f' style="fill:{TIER_COLOURS[tier]}"'


def _legend(items: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    """Swatches in one row from (x, y); returns the SVG elements."""
    out = []
    for label, colour in items:
        out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="12" fill="{colour}"/>')
        out.append(_text(x + 16, y + 1, label, "label"))
        x += 16 + 7.2 * len(label) + 18
    return out


def nice_ticks(top: float, n: int = 4) -> list[float]:
    """0 and round steps (1, 2 or 5 times a power of ten) up to at least ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / n
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _count(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000:
        return f"{value / 1_000:g}k"
    return f"{value:,.0f}"


def _month_start(t: float, months: int = 1) -> datetime:
    d = datetime.fromtimestamp(t, UTC)
    index = (d.year * 12 + d.month - 1) // months * months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _add_months(d: datetime, months: int) -> datetime:
    index = d.year * 12 + d.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def time_bins(lo: float, hi: float, max_bins: int, min_width: int = HOUR) -> tuple[list[int], str]:
    """Bin edges (epoch seconds) covering [lo, hi] with at most about ``max_bins`` bins of the
    finest width allowed, and the width's name ("6 hours", "month")."""
    span = max(hi - lo, 1)
    for width in _SECOND_WIDTHS:
        if width >= min_width and span / width <= max_bins:
            start = int(lo // width * width)
            edges = list(range(start, int(hi) + width + 1, width))
            while len(edges) > 2 and edges[-2] > hi:
                edges.pop()
            return edges, _width_name(width)
    for months in _MONTH_WIDTHS:
        if span / (months * 30.44 * DAY) <= max_bins or months == _MONTH_WIDTHS[-1]:
            d = _month_start(lo, months)
            edges = [int(d.timestamp())]
            while edges[-1] <= hi:
                d = _add_months(d, months)
                edges.append(int(d.timestamp()))
            return edges, "month" if months == 1 else f"{months} months"
    raise AssertionError("unreachable: the last month width always fits")


def _width_name(seconds: int) -> str:
    if seconds < DAY:
        hours = seconds // HOUR
        return "hour" if hours == 1 else f"{hours} hours"
    days = seconds // DAY
    return {1: "day", 7: "week"}.get(days, f"{days} days")


def time_ticks(lo: float, hi: float, n: int = 6) -> list[tuple[float, str]]:
    """At most about ``n`` round instants in [lo, hi], labelled ISO-style at their precision."""
    edges, _ = time_bins(lo, hi, n)
    step = edges[1] - edges[0] if len(edges) > 1 else DAY
    if step < DAY:
        fmt = "%m-%d %H:%M"
    elif step < 28 * DAY:
        fmt = "%Y-%m-%d"
    elif step < 365 * DAY:
        fmt = "%Y-%m"
    else:
        fmt = "%Y"
    return [(t, datetime.fromtimestamp(t, UTC).strftime(fmt)) for t in edges if lo <= t <= hi]


def _scale(lo: float, hi: float, a: float, b: float) -> np.ndarray:
    """Coefficients (offset, factor) mapping [lo, hi] onto [a, b]."""
    factor = (b - a) / (hi - lo) if hi > lo else 0.0
    return np.array([a - lo * factor, factor])


def _at(coef: np.ndarray, value: float) -> float:
    return float(coef[0] + coef[1] * value)


def _y_axis(ticks: list[float], y: np.ndarray, x: float, right: float) -> list[str]:
    out = []
    for t in ticks:
        py = _at(y, t)
        out.append(
            f'<line x1="{x:.1f}" x2="{right:.1f}" y1="{py:.1f}" y2="{py:.1f}" class="grid"/>'
        )
        out.append(_text(x - 4, py + 4, _count(t), anchor="end"))
    return out


def _x_time_axis(lo: float, hi: float, x: np.ndarray, y: float, n: int) -> list[str]:
    x0, x1 = _at(x, lo), _at(x, hi)
    out = [f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{y:.1f}" y2="{y:.1f}" class="axis"/>']
    for t, label in time_ticks(lo, hi, n):
        px = _at(x, t)
        out.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{y:.1f}" y2="{y + 4:.1f}" class="axis"/>'
        )
        out.append(_text(px, y + 16, label, anchor="middle"))
    return out


# --- principal amplification -----------------------------------------------------------------


def _count_axis(
    ticks: list[float], x: np.ndarray, top: float, axis_y: float, mid: float
) -> list[str]:
    """Vertical grid lines at the ticks of a horizontal bar chart of retweets received."""
    out = []
    for t in ticks:
        px = _at(x, t)
        out.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top - 4:.1f}" y2="{axis_y:.1f}" class="grid"/>'
        )
        out.append(_text(px, axis_y + 14, _count(t), anchor="middle"))
    out.append(_text(mid, axis_y + 32, "retweets received", "label", "middle"))
    return out


def principal_bars(rows: Sequence[tuple[str, int, int]], limit: int = 15) -> str:
    """Horizontal bars: retweets each principal received, split into those from flagged accounts
    and the rest. ``rows`` are (label, retweets, flagged_retweets), biggest first."""
    rows = list(rows)[:limit]
    width, left, right, bar, gap = 900.0, 190.0, 150.0, 18.0, 8.0
    top = 58.0
    height = top + len(rows) * (bar + gap) + 40
    biggest = max([r[1] for r in rows] + [1])
    ticks = nice_ticks(biggest, 5)
    x = _scale(0, ticks[-1], left, width - right)
    body = [
        _text(0, 18, "Retweets received by each principal", "title"),
        *_legend(
            [("from flagged accounts", FLAGGED_COLOUR), ("from other accounts", OTHER_COLOUR)],
            0,
            42,
        ),
    ]
    axis_y = top + len(rows) * (bar + gap)
    body += _count_axis(ticks, x, top, axis_y, (left + width - right) / 2)
    for i, (label, retweets, flagged) in enumerate(rows):
        y = top + i * (bar + gap)
        x0, x1, x2 = left, _at(x, flagged), _at(x, retweets)
        share = flagged / retweets if retweets else 0.0
        body += [
            _text(left - 8, y + bar - 5, label, "label", "end"),
            f'<rect x="{x0:.1f}" y="{y:.1f}" width="{x1 - x0:.1f}" height="{bar}" '
            f'fill="{FLAGGED_COLOUR}"><title>{flagged:,} retweets from flagged accounts'
            "</title></rect>",
            f'<rect x="{x1:.1f}" y="{y:.1f}" width="{x2 - x1:.1f}" height="{bar}" '
            f'fill="{OTHER_COLOUR}"><title>{retweets - flagged:,} other retweets</title></rect>',
            _text(x2 + 6, y + bar - 5, f"{retweets:,} · {share:.0%} flagged", "label"),
        ]
    return _svg(width, height, body, "Retweets received by each principal")


def before_after(title: str, rows: Sequence[tuple[str, int, int]], limit: int = 15) -> str:
    """A takedown's effect on each principal: two bars, the retweets it received before and
    those left after. ``rows`` are (label, before, after), biggest loss first."""
    rows = list(rows)[:limit]
    width, left, right, bar, gap = 900.0, 190.0, 190.0, 14.0, 12.0
    top = 58.0
    step = 2 * bar + gap
    height = top + len(rows) * step + 40
    biggest = max([r[1] for r in rows] + [1])
    ticks = nice_ticks(biggest, 5)
    x = _scale(0, ticks[-1], left, width - right)
    after_colour = TIER_COLOURS["principal"]
    body = [
        _text(0, 18, title, "title"),
        *_legend([("before", OTHER_COLOUR), ("after the takedown", after_colour)], 0, 42),
    ]
    axis_y = top + len(rows) * step
    body += _count_axis(ticks, x, top, axis_y, (left + width - right) / 2)
    for i, (label, before, after) in enumerate(rows):
        y = top + i * step
        lost = 1 - after / before if before else 0.0
        xb, xa = _at(x, before), _at(x, after)
        body += [
            _text(left - 8, y + bar + 4, label, "label", "end"),
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{xb - left:.1f}" height="{bar}" '
            f'fill="{OTHER_COLOUR}"><title>{before:,} retweets before</title></rect>',
            f'<rect x="{left:.1f}" y="{y + bar:.1f}" width="{xa - left:.1f}" height="{bar}" '
            f'fill="{after_colour}"><title>{after:,} retweets after</title></rect>',
            _text(xb + 6, y + bar - 3, f"{before:,} before", "tick"),
            _text(xa + 6, y + 2 * bar - 3, f"{after:,} after (−{lost:.0%})", "tick"),
        ]
    return _svg(width, height, body, title)


# --- tier flow ---------------------------------------------------------------------------------

_COLUMN = {"principal": 0, "core": 1, "amplifier": 2}


def tier_flow(
    flows: Sequence[tuple[int, str, int, str, int]], sizes: dict[tuple[int, str], int]
) -> str:
    """A Sankey diagram of retweets between tiers: principals on the left, core in the middle,
    amplifiers on the right, band width in proportion to retweets.

    ``flows`` are (source community, source tier, target community, target tier, retweets);
    ``sizes`` the accounts of each (community, tier), for the labels. Retweets within one tier
    column (core to core) are not shown: the diagram is about the flow up the tiers.
    """
    # An unflagged community's members have no tier ('member'): they are no part of the flow.
    kept = [
        f
        for f in flows
        if f[1] in _COLUMN and f[3] in _COLUMN and _COLUMN[f[1]] > _COLUMN[f[3]] and f[4] > 0
    ]
    width, height_per_node, node_w = 900.0, 34.0, 14.0
    xs = {0: 150.0, 1: (width - node_w) / 2, 2: width - 150.0 - node_w}
    out_total: dict[tuple[int, str], int] = defaultdict(int)
    in_total: dict[tuple[int, str], int] = defaultdict(int)
    for s, st, t, tt, n in kept:
        out_total[(s, st)] += n
        in_total[(t, tt)] += n
    nodes = sorted(set(out_total) | set(in_total), key=lambda k: (_COLUMN[k[1]], k[0]))
    value = {k: max(out_total[k], in_total[k]) for k in nodes}
    columns: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for k in nodes:
        columns[_COLUMN[k[1]]].append(k)
    tallest = max([len(c) for c in columns.values()] + [1])
    top, gap = 70.0, 14.0
    inner = max(380.0, tallest * height_per_node)
    height = top + inner + 40
    # Retweets to pixels: the fullest column fills the height.
    scale = min(
        ((inner - gap * (len(c) - 1)) / max(sum(value[k] for k in c), 1) for c in columns.values()),
        default=1.0,
    )
    y0: dict[tuple[int, str], float] = {}
    h: dict[tuple[int, str], float] = {}
    for column in columns.values():
        y = top
        for k in column:
            y0[k], h[k] = y, max(value[k] * scale, 2.0)
            y += h[k] + gap
    body = [_text(0, 18, "Who retweets whom: principals ← core ← amplifiers", "title")]
    for tier, col in _COLUMN.items():
        body.append(
            _text(
                xs[col] + node_w / 2, 50, TIER_LABELS[tier], "label strong", "middle", _fill(tier)
            )
        )
    for a, b in ((0, 1), (1, 2)):
        body.append(_text((xs[a] + xs[b] + node_w) / 2, 50, "← retweets", "tick", "middle"))
    # Bands leave each source, and reach each target, stacked in the order of the other end.
    out_used = dict.fromkeys(nodes, 0.0)
    in_used = dict.fromkeys(nodes, 0.0)
    for s, st, t, tt, n in sorted(kept, key=lambda f: (y0[(f[0], f[1])], y0[(f[2], f[3])])):
        src, dst = (s, st), (t, tt)
        band = n * scale
        sx, tx = xs[_COLUMN[st]], xs[_COLUMN[tt]] + node_w
        sy = y0[src] + out_used[src]
        ty = y0[dst] + in_used[dst]
        out_used[src] += band
        in_used[dst] += band
        mx = (sx + tx) / 2
        body.append(
            f'<path d="M{sx:.1f},{sy:.1f} C{mx:.1f},{sy:.1f} {mx:.1f},{ty:.1f} {tx:.1f},{ty:.1f} '
            f"L{tx:.1f},{ty + band:.1f} C{mx:.1f},{ty + band:.1f} {mx:.1f},{sy + band:.1f} "
            f'{sx:.1f},{sy + band:.1f} Z" fill="{TIER_COLOURS[st]}" fill-opacity="0.35">'
            f"<title>C{s} {st} → C{t} {tt}: {n:,} retweets</title></path>"
        )
    for k in nodes:
        community, tier = k
        col = _COLUMN[tier]
        x = xs[col]
        body.append(
            f'<rect x="{x:.1f}" y="{y0[k]:.1f}" width="{node_w}" height="{h[k]:.1f}" '
            f'fill="{TIER_COLOURS[tier]}"><title>C{community} {tier}: '
            f"{sizes.get(k, 0):,} accounts, {in_total[k]:,} retweets in, "
            f"{out_total[k]:,} out</title></rect>"
        )
        n_accounts = sizes.get(k, 0)
        label = f"C{community}: {n_accounts:,} account" + ("" if n_accounts == 1 else "s")
        mid = y0[k] + h[k] / 2 + 4
        if col == 0:
            body.append(_text(x - 6, mid, label, "label", "end"))
        else:
            body.append(_text(x + node_w + 6, mid, label, "label halo"))
    if not kept:
        body.append(
            _text(width / 2, top + inner / 2, "no retweets between tiers", "label", "middle")
        )
    body.append(
        _text(
            0,
            height - 10,
            "C1 is the most suspicious community (rank 1); band width is retweets.",
        )
    )
    return _svg(width, height, body, "Who retweets whom: principals ← core ← amplifiers")


# --- timeline ----------------------------------------------------------------------------------


TIMELINE_TITLE = "Retweets over time by the core and amplifiers of each community"


def timeline(panels: Sequence[tuple[str, TierSeries]]) -> str:
    """Activity over time, one row per community on a shared time axis: the core's and the
    amplifiers' retweets per bin as areas, the principals' own posts as ticks underneath.

    ``panels`` are (title, {tier: (times, counts)}) with hourly times in epoch seconds.
    """
    width, left, right = 900.0, 60.0, 20.0
    row, strip, gap, top = 92.0, 10.0, 30.0, 62.0
    retweet_times = [
        t
        for _, series in panels
        for tier, (times, _) in series.items()
        if tier != "principal"
        for t in times
    ]
    height = top + len(panels) * (row + strip + gap) + 30
    body = [
        _text(0, 18, TIMELINE_TITLE, "title"),
        *_legend(
            [
                ("core retweets", TIER_COLOURS["core"]),
                ("amplifier retweets", TIER_COLOURS["amplifier"]),
                ("principal posts", TIER_COLOURS["principal"]),
            ],
            0,
            42,
        ),
    ]
    if not retweet_times:
        body.append(_text(width / 2, top + 20, "no retweets", "label", "middle"))
        return _svg(width, top + 40, body, TIMELINE_TITLE)
    lo, hi = min(retweet_times), max(retweet_times) + HOUR
    edges, bin_name = time_bins(lo, hi, 300)
    x = _scale(edges[0], edges[-1], left, width - right)
    body.append(_text(width - right, 42, f"retweets per {bin_name}", "label", "end"))
    for i, (title, series) in enumerate(panels):
        y_top = top + i * (row + strip + gap)
        base = y_top + row
        binned = {
            tier: np.histogram(times, bins=edges, weights=counts)[0]
            for tier, (times, counts) in series.items()
        }
        peak = max([float(v.max()) for t, v in binned.items() if t != "principal"] + [1.0])
        ticks = nice_ticks(peak, 3)
        y = _scale(0, ticks[-1], base, y_top + 14)
        body.append(_text(left, y_top + 8, title, "label"))
        body += _y_axis(ticks[1:], y, left, width - right)
        for tier in ("amplifier", "core"):
            if tier not in binned:
                continue
            body.append(_area(edges, binned[tier], x, y, TIER_COLOURS[tier]))
        body.append(
            f'<line x1="{left:.1f}" x2="{width - right:.1f}" y1="{base:.1f}" y2="{base:.1f}" '
            'class="axis"/>'
        )
        posts = binned.get("principal")
        if posts is not None:
            for j in np.flatnonzero(posts):
                px = _at(x, (edges[j] + edges[j + 1]) / 2)
                body.append(
                    f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{base + 2:.1f}" '
                    f'y2="{base + strip:.1f}" stroke="{TIER_COLOURS["principal"]}" '
                    'stroke-width="1.5"/>'
                )
    last = top + len(panels) * (row + strip + gap) - gap + 4
    body += _x_time_axis(edges[0], edges[-1], x, last, 7)
    return _svg(width, height, body, TIMELINE_TITLE)


def _area(
    edges: Sequence[int], values: np.ndarray, x: np.ndarray, y: np.ndarray, colour: str
) -> str:
    """A step area over the bins, from the zero line."""
    points = [f"{_at(x, edges[0]):.1f},{_at(y, 0):.1f}"]
    for j, v in enumerate(values):
        py = _at(y, float(v))
        points.append(f"{_at(x, edges[j]):.1f},{py:.1f}")
        points.append(f"{_at(x, edges[j + 1]):.1f},{py:.1f}")
    points.append(f"{_at(x, edges[-1]):.1f},{_at(y, 0):.1f}")
    return (
        f'<polygon points="{" ".join(points)}" fill="{colour}" fill-opacity="0.55" '
        f'stroke="{colour}" stroke-width="0.8"/>'
    )


# --- account creation dates --------------------------------------------------------------------


def creation_histogram(title: str, series: TierSeries) -> str:
    """Accounts created per bin, stacked by tier. ``series``: {tier: (days, counts)}, with days
    as epoch seconds at midnight."""
    width, height, left, right, top, bottom = 420.0, 230.0, 44.0, 12.0, 48.0, 36.0
    body = [_text(0, 16, title, "title")]
    days = [t for times, _ in series.values() for t in times]
    if not days:
        body.append(_text(width / 2, height / 2, "no creation dates", "label", "middle"))
        return _svg(width, height, body, title)
    edges, bin_name = time_bins(min(days), max(days) + DAY, 60, min_width=DAY)
    binned = {
        tier: np.histogram(times, bins=edges, weights=counts)[0]
        for tier, (times, counts) in series.items()
    }
    order = [t for t in ("principal", "core", "amplifier") if t in binned]
    stacked = np.sum([binned[t] for t in order], axis=0)
    ticks = nice_ticks(float(stacked.max()), 3)
    x = _scale(edges[0], edges[-1], left, width - right)
    y = _scale(0, ticks[-1], height - bottom, top)
    body += _legend([(t, TIER_COLOURS[t]) for t in order], 0, 34)
    body.append(_text(width - right, 34, f"accounts per {bin_name}", "tick", "end"))
    body += _y_axis(ticks[1:], y, left, width - right)
    base = np.zeros(len(edges) - 1)
    for tier in order:
        for j in np.flatnonzero(binned[tier]):
            x0, x1 = _at(x, edges[j]), _at(x, edges[j + 1])
            y_lo, y_hi = _at(y, base[j]), _at(y, base[j] + binned[tier][j])
            when = datetime.fromtimestamp(edges[j], UTC).strftime("%Y-%m-%d")
            body.append(
                f'<rect x="{x0:.1f}" y="{y_hi:.1f}" width="{max(x1 - x0 - 0.5, 0.8):.1f}" '
                f'height="{y_lo - y_hi:.1f}" fill="{TIER_COLOURS[tier]}">'
                f"<title>{int(binned[tier][j]):,} {tier} accounts, {bin_name} of {when}</title>"
                "</rect>"
            )
        base += binned[tier]
    body += _x_time_axis(edges[0], edges[-1], x, height - bottom, 4)
    return _svg(width, height, body, title)


# --- networks ----------------------------------------------------------------------------------


def network(
    title: str,
    nodes: Sequence[tuple[str, str, str]],
    edges: Sequence[tuple[str, str, int]],
) -> str:
    """A force-directed drawing of accounts, coloured by tier. ``nodes`` are (id, label, tier);
    ``edges`` (source id, target id, weight), ends among the nodes."""
    size, pad, top = 420.0, 14.0, 48.0
    body = [_text(0, 16, title, "title")]
    body += _legend([(t, TIER_COLOURS[t]) for t in ("principal", "core", "amplifier")], 0, 34)
    index = {n[0]: i for i, n in enumerate(nodes)}
    pairs = [(index[a], index[b]) for a, b, _ in edges]
    # A tie found in the overlap view alone has no meetings (weight 0): it still pulls.
    weights = [max(float(w), 1.0) for _, _, w in edges]
    graph = igraph.Graph(n=len(nodes), edges=pairs, directed=False)
    # igraph draws from the installed generator: a fixed one makes the drawing reproducible.
    igraph.set_random_number_generator(random.Random(LAYOUT_SEED))
    try:
        layout = graph.layout_fruchterman_reingold(weights=weights or None, niter=500)
    finally:
        igraph.set_random_number_generator(random)
    coords = np.asarray(layout.coords, dtype=float).reshape(-1, 2)
    if len(nodes):
        # One scale for both axes, so the drawing is not stretched.
        lo, hi = coords.min(axis=0), coords.max(axis=0)
        span = max(float((hi - lo).max()), 1e-9)
        coords = (coords - (lo + hi) / 2) / span * (size - 2 * pad) + size / 2
        coords[:, 1] += top
    heaviest = max(weights + [1.0])
    for (i, j), w in zip(pairs, weights, strict=True):
        (x1, y1), (x2, y2) = coords[i], coords[j]
        stroke = 0.4 + 1.6 * math.log1p(w) / math.log1p(heaviest)
        body.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="edge" '
            f'stroke-width="{stroke:.2f}"/>'
        )
    radius = {"principal": 7.0, "core": 4.5, "amplifier": 3.2}
    for tier in ("amplifier", "core", "principal"):
        for i, (_, label, node_tier) in enumerate(nodes):
            if node_tier != tier:
                continue
            x, y = coords[i]
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius[tier]}" '
                f'fill="{TIER_COLOURS[tier]}" stroke="#fff" stroke-width="0.8">'
                f"<title>{escape(label)} ({tier})</title></circle>"
            )
    return _svg(size, size + top, body, title)
