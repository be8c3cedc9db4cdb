"""The tier report of a detection run: which communities look planted, who their tiers are, whom
they amplify, and by how much.

``build_report`` reads a stored run through the ``cypher/report/*`` queries into a
``TierReport``: the run's totals, its top communities by rank with tier counts, evidence and the
strongest accounts of each tier, the FEEDS flow, the principal amplification table (recomputed
from the graph: each principal's posts, the retweets they drew and those from flagged accounts),
and the series the pictures need. The renderers are pure functions of the report: a rich
renderable for the terminal, Markdown, JSON, and one self-contained HTML page whose pictures
(``graphdb.plots``) are inline SVG.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from html import escape
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tierscope.graphdb import cypherlib, history_report, impact, plots
from tierscope.graphdb.detect.history_run import OperationHistory, read_history
from tierscope.graphdb.detect.run import resolve_run
from tierscope.graphdb.plots import TIERS
from tierscope.graphdb.store import Store

SHOWN_PER_TIER = 5  # accounts listed per tier and community in the tables
DRAWN_ACCOUNTS = 150  # accounts per network drawing
DRAWN_EDGES = 1_000  # edges per network drawing, the heaviest
TIER_FLOOR = 10  # every tier keeps this many accounts in a drawing, if it has them


def _percent(v: Any) -> str:
    return f"{v:.0%}"


def _number(v: Any) -> str:
    return f"{v:.2f}"


def _duration(v: Any) -> str:
    seconds = round(float(v))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3_600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3_600}h {seconds % 3_600 // 60:02d}m"


# The evidence stored on each Community (graphdb.detect.analyze COMMUNITY_SCHEMA).
EVIDENCE = (
    "synchrony",
    "creation_burst",
    "median_reaction_s",
    "dormant_share",
    "duplicate_text_share",
    "median_followers",
    "lang_top",
    "lang_top_share",
    "lang_entropy",
)
EVIDENCE_HEADERS = (
    "synchrony",
    "creation burst",
    "median reaction",
    "dormant",
    "duplicate text",
    "median followers",
    "top language",
    "language entropy (bits)",
)
# Each community's tests, in the order of the decision (docs/method.md), and their headers.
TESTS = {
    "p_coordination": "coordination (q)",
    "p_structure": "tier structure",
    "p_fed": "fed",
    "p_internal": "internal",
    "p_feeds": "feeds",
    "p_creation": "creation",
    "p_dormancy": "dormancy",
    "p_text": "text",
    "p_followers": "followers",
    "p_language": "language",
    "p_inauthentic": "2+ signs",
    "p_flag": "flag p",
    "q_flag": "flag q",
    "p_reaction": "reaction (not used)",
}


def _evidence_cells(evidence: dict[str, Any]) -> list[str]:
    def show(name: str, fmt: Callable[[Any], str]) -> str:
        value = evidence.get(name)
        return "–" if value is None else fmt(value)

    language = show("lang_top", str)
    if evidence.get("lang_top_share") is not None:
        language += f" {evidence['lang_top_share']:.0%}"
    return [
        show("synchrony", _number),
        show("creation_burst", _percent),
        show("median_reaction_s", _duration),
        show("dormant_share", _percent),
        show("duplicate_text_share", _percent),
        show("median_followers", lambda v: f"{v:,.0f}"),
        language,
        show("lang_entropy", lambda v: f"{abs(v):.2f}"),
    ]


def _p(value: Any) -> str:
    """A p-value for reading: 'missing' when the data cannot carry the signal."""
    if value is None or value != value:
        return "missing"
    return "<1e-300" if value == 0 else f"{value:.2g}"


@dataclass(frozen=True)
class RunInfo:
    id: str
    kind: str
    started_at: str
    finished_at: str
    params: dict[str, Any]
    communities: int
    flagged_communities: int
    operations: int
    flagged_operations: int
    principals: int
    core: int
    amplifiers: int
    flagged_accounts: int


@dataclass(frozen=True)
class Account:
    """One member of a community and its scores (``graphdb.detect.tiers``)."""

    id: str
    screen_name: str | None
    followers: int | None
    flagged: bool
    internal_share: float
    synchrony: float
    in_strength: float
    out_strength: float

    @property
    def name(self) -> str:
        return f"@{self.screen_name}" if self.screen_name else self.id


@dataclass(frozen=True)
class Community:
    id: int
    rank: int
    operation_id: int
    flagged: bool
    score: float
    size: int
    principals: int
    core: int
    amplifiers: int
    evidence: dict[str, Any]
    tests: dict[str, float | None]  # every p-value of the decision (TESTS)
    reason: str  # why it was or was not flagged, with the deciding p-values
    top: dict[str, list[Account]]  # the strongest accounts of each tier


@dataclass(frozen=True)
class Feed:
    source: int
    target: int
    weight: int


@dataclass(frozen=True)
class Principal:
    account_id: str
    screen_name: str | None
    followers: int | None
    community_id: int
    operation_id: int
    posts: int
    retweets: int
    flagged_retweets: int
    flagged_share: float
    retweeters: int
    flagged_retweeters: int

    @property
    def name(self) -> str:
        return f"@{self.screen_name}" if self.screen_name else self.account_id


@dataclass(frozen=True)
class Flow:
    """Retweets by one (community, tier) of another's posts."""

    source: int
    source_tier: str
    target: int
    target_tier: str
    retweets: int


@dataclass(frozen=True)
class Series:
    """Counts per time bin (epoch seconds of the bin's start) of one community's tier."""

    community: int
    tier: str
    times: list[int]
    counts: list[int]


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    tier: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    weight: int


@dataclass(frozen=True)
class Network:
    """The accounts of one community to draw (the strongest of each tier, with a tie to another
    drawn account), and the retweet and coordination ties among them."""

    community: int
    nodes: list[Node]
    edges: list[Edge]


@dataclass(frozen=True)
class TierReport:
    run: RunInfo
    communities: list[Community]
    principals: list[Principal]
    feeds: list[Feed]
    flows: list[Flow]
    timeline: list[Series]  # per hour: principals' own posts, core and amplifier retweets
    creation: list[Series]  # accounts created per day
    networks: list[Network]
    # What taking the flagged accounts down removes (graphdb.impact): the run's stored
    # assessments, or the whole run's when none is stored.
    impacts: list[impact.Impact] = field(default_factory=list)
    history: OperationHistory | None = None  # a run made with `detect --by`


# --- reading -----------------------------------------------------------------------------------


def build_report(store: Store, run: str = "latest", top: int = 10) -> TierReport:
    """The report on ``run`` (an id or latest), with details for its ``top`` communities."""
    run_id = resolve_run(store, run)
    (info,) = _read(store, "run", run=run_id)
    rows = _read(store, "communities", run=run_id, top=top)
    ids = [int(r["community"]["id"]) for r in rows]
    members = _members(
        _read(store, "members", run=run_id, communities=ids, per_tier=DRAWN_ACCOUNTS)
    )
    communities = [_community(r["community"], members) for r in rows]
    return TierReport(
        run=RunInfo(**{**info, "params": json.loads(info["params"] or "{}")}),
        communities=communities,
        principals=[Principal(**r) for r in _read(store, "principals", run=run_id)],
        feeds=[Feed(**r) for r in _read(store, "feeds", run=run_id, communities=ids)],
        flows=[Flow(**r) for r in _read(store, "tier_flow", run=run_id, communities=ids)],
        timeline=_series(_read(store, "timeline", run=run_id, communities=ids)),
        creation=_series(_read(store, "creation", run=run_id, communities=ids)),
        networks=_networks(store, run_id, communities, members),
        impacts=impact.stored(store, run_id) or [impact.assess_run(store, run_id, keep=False)],
        history=read_history(store, run_id),
    )


def _read(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of ``cypher/report/<name>``, with the defaults its header gives."""
    query = cypherlib.load(f"report/{name}")
    defaults = {p.name: p.default for p in query.params if not p.required}
    return store.run(query, {**defaults, **params})


Members = dict[int, dict[str, list[Account]]]


def _members(rows: list[dict[str, Any]]) -> Members:
    out: Members = defaultdict(dict)
    for r in rows:
        out[r["community"]][r["tier"]] = [
            Account(**{**a, "flagged": bool(a["flagged"])}) for a in r["accounts"]
        ]
    return out


def _community(props: dict[str, Any], members: Members) -> Community:
    tiers = members.get(props["id"], {})
    return Community(
        id=props["id"],
        rank=props["rank"],
        operation_id=props["operation_id"],
        flagged=bool(props["flagged"]),
        score=props["score"],
        size=props["size"],
        principals=props["principals"],
        core=props["core"],
        amplifiers=props["amplifiers"],
        evidence={name: props.get(name) for name in EVIDENCE},
        tests={name: props.get(name) for name in TESTS},
        reason=str(props.get("reason") or ""),
        top={t: tiers.get(t, [])[:SHOWN_PER_TIER] for t in TIERS},
    )


def _series(rows: list[dict[str, Any]]) -> list[Series]:
    return [Series(r["community"], r["tier"], list(r["times"]), list(r["counts"])) for r in rows]


def drawing_quotas(sizes: dict[str, int], cap: int = DRAWN_ACCOUNTS) -> dict[str, int]:
    """Accounts to draw per tier: each tier keeps up to TIER_FLOOR, the rest of ``cap`` is
    shared in proportion to the tiers' sizes, so thousands of amplifiers do not crowd out a
    core of dozens, and the drawing still looks like the community."""
    quotas = {t: min(n, TIER_FLOOR) for t, n in sizes.items()}
    left = cap - sum(quotas.values())
    rest = {t: n - quotas[t] for t, n in sizes.items()}
    total = sum(rest.values())
    if left <= 0 or total == 0:
        return quotas
    if total <= left:
        return dict(sizes)
    for t, n in rest.items():
        quotas[t] += n * left // total
    return quotas


def _networks(
    store: Store, run_id: str, communities: list[Community], members: Members
) -> list[Network]:
    chosen: dict[int, list[Node]] = {}
    for c in communities:
        tiers = members.get(c.id, {})
        sizes = {"principal": c.principals, "core": c.core, "amplifier": c.amplifiers}
        quotas = drawing_quotas(sizes)
        chosen[c.id] = [
            Node(a.id, a.name, tier) for tier in TIERS for a in tiers.get(tier, [])[: quotas[tier]]
        ]
    ids = [n.id for nodes in chosen.values() for n in nodes]
    rows = _read(store, "edges", run=run_id, ids=ids) if ids else []
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        weights[(min(r["source"], r["target"]), max(r["source"], r["target"]))] += r["weight"]
    networks = []
    for community, nodes in chosen.items():
        inside = {n.id for n in nodes}
        edges = sorted(
            (Edge(a, b, w) for (a, b), w in weights.items() if a in inside and b in inside),
            key=lambda e: (-e.weight, e.source, e.target),
        )[:DRAWN_EDGES]
        # An account with no tie to the others would only be a stray dot.
        tied = {e.source for e in edges} | {e.target for e in edges}
        networks.append(Network(community, [n for n in nodes if n.id in tied], edges))
    return networks


# --- shared text -------------------------------------------------------------------------------


def headline(report: TierReport) -> list[str]:
    """The report's findings in a few sentences."""
    r = report.run
    lines = [
        f"Run {r.id} ({r.kind}) found {r.communities:,} coordinated communities, "
        f"{r.flagged_communities:,} of them flagged in {r.flagged_operations:,} operation(s): "
        f"{r.principals:,} principals, {r.core:,} core and {r.amplifiers:,} amplifier accounts; "
        f"{r.flagged_accounts:,} accounts flagged."
    ]
    for p in report.principals[:3]:
        if p.flagged_retweets:
            lines.append(
                f"{p.flagged_retweeters:,} flagged accounts gave {p.name} "
                f"{p.flagged_retweets:,} retweets: {p.flagged_share:.0%} of the {p.retweets:,} "
                f"retweets its {p.posts:,} posts received."
            )
    return lines


PRINCIPAL_COLUMNS = (
    "principal",
    "community",
    "operation",
    "followers",
    "posts",
    "retweets received",
    "from flagged accounts",
    "flagged share",
    "retweeting accounts",
    "flagged retweeting accounts",
)


def _principal_cells(p: Principal) -> list[str]:
    return [
        p.name,
        str(p.community_id),
        str(p.operation_id),
        _int(p.followers),
        f"{p.posts:,}",
        f"{p.retweets:,}",
        f"{p.flagged_retweets:,}",
        f"{p.flagged_share:.1%}",
        f"{p.retweeters:,}",
        f"{p.flagged_retweeters:,}",
    ]


COMMUNITY_COLUMNS = (
    "rank",
    "community",
    "operation",
    "flagged",
    "score",
    "principals",
    "core",
    "amplifiers",
    *EVIDENCE_HEADERS,
)


def _community_cells(c: Community) -> list[str]:
    return [
        str(c.rank),
        str(c.id),
        str(c.operation_id),
        "yes" if c.flagged else "no",
        f"{c.score:.2f}",
        f"{c.principals:,}",
        f"{c.core:,}",
        f"{c.amplifiers:,}",
        *_evidence_cells(c.evidence),
    ]


ACCOUNT_COLUMNS = (
    "tier",
    "account",
    "followers",
    "synchrony",
    "internal share",
    "retweets received",
    "retweets given",
)


def _account_cells(tier: str, a: Account) -> list[str]:
    return [
        tier,
        a.name,
        _int(a.followers),
        f"{a.synchrony:.2f}",
        f"{a.internal_share:.0%}",
        f"{a.in_strength:,.0f}",
        f"{a.out_strength:,.0f}",
    ]


FEED_COLUMNS = ("from community", "to community", "retweets")


def _feed_cells(f: Feed) -> list[str]:
    return [str(f.source), str(f.target), f"{f.weight:,}"]


def _int(v: int | None) -> str:
    return "–" if v is None else f"{v:,}"


TEST_COLUMNS = ("community", "flagged", *TESTS.values())


def _test_cells(c: Community) -> list[str]:
    return [str(c.id), "yes" if c.flagged else "no", *(_p(c.tests[n]) for n in TESTS)]


def _community_title(c: Community) -> str:
    flag = "flagged" if c.flagged else "not flagged"
    return f"Community {c.id} (operation {c.operation_id}, {flag}, score {c.score:.1f})"


def _counts_line(c: Community) -> str:
    return (
        f"{c.size:,} accounts: {c.principals:,} principals, {c.core:,} core, "
        f"{c.amplifiers:,} amplifiers."
    )


def _feeds_of(report: TierReport, community: int) -> tuple[list[Feed], list[Feed]]:
    into = [f for f in report.feeds if f.target == community]
    out = [f for f in report.feeds if f.source == community]
    return into, out


def _feeds_line(report: TierReport, c: Community) -> str:
    into, out = _feeds_of(report, c.id)

    def show(feeds: list[Feed], key: Callable[[Feed], int]) -> str:
        return ", ".join(f"community {key(f)} ({f.weight:,})" for f in feeds[:5]) or "none"

    return (
        f"Receives retweets from {show(into, lambda f: f.source)}; "
        f"gives retweets to {show(out, lambda f: f.target)}."
    )


# --- Markdown ----------------------------------------------------------------------------------


def _md_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 1
) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = "|" + "".join("---:|" if i >= numeric_from else "---|" for i in range(len(columns)))
    return [line(columns), align, *(line(r) for r in rows)]


WHY = (
    "A community is flagged when its accounts meet beyond chance (coordination) and it is an "
    "operation rather than a genuine audience: it has a tier structure, or at least two signs "
    "of inauthenticity. Each column is a p-value against the background (docs/method.md); "
    "'missing' means the data cannot carry that signal, and it does not count against the "
    "community. Reaction time is shown but does not flag: fans and news bots react as fast."
)


def render_markdown(report: TierReport) -> str:
    out = [f"# Tier report: run {report.run.id}", "", *(f"- {s}" for s in headline(report)), ""]
    out += ["## Principal amplification", ""]
    out += _md_table(PRINCIPAL_COLUMNS, [_principal_cells(p) for p in report.principals])
    out += _md_impacts(report.impacts)
    out += ["", "## Communities ranked by evidence", ""]
    out += _md_table(
        COMMUNITY_COLUMNS, [_community_cells(c) for c in report.communities], numeric_from=0
    )
    shown = len(report.communities)
    if shown < report.run.communities:
        out += ["", f"The top {shown} of {report.run.communities:,} communities."]
    out += ["", "## Why each community was or was not flagged", "", WHY, ""]
    out += _md_table(TEST_COLUMNS, [_test_cells(c) for c in report.communities], numeric_from=2)
    out += [""] + [f"- Community {c.id}: {c.reason}" for c in report.communities]
    out += ["", "## Communities in detail"]
    for c in report.communities:
        out += ["", f"### {_community_title(c)}", "", c.reason, "", _counts_line(c)]
        out += ["", _feeds_line(report, c)]
        out += [""] + _md_table(
            ACCOUNT_COLUMNS, [_account_cells(t, a) for t in TIERS for a in c.top[t]], 2
        )
    out += ["", "## FEEDS between communities", ""]
    out += _md_table(FEED_COLUMNS, [_feed_cells(f) for f in report.feeds], numeric_from=0)
    return "\n".join(out) + "\n"


IMPACT_COLUMNS = ("principal", "before", "direct loss", "after", "share lost", "relayed")
IMPACT_NOTE = (
    "If the accounts are gone: each principal's retweets before and after (direct loss: "
    "those the removed accounts made), and the amplifiers' retweets of the removed core's own "
    "posts, which go with them (relayed loss). docs/impact.md gives the definitions."
)


def _impact_cells(p: impact.PrincipalImpact) -> list[str]:
    return [
        p.name,
        f"{p.before:,}",
        f"{p.direct:,}",
        f"{p.after:,}",
        f"{p.share_lost:.1%}",
        f"{p.relayed:,.0f}",
    ]


def _md_impacts(impacts: list[impact.Impact]) -> list[str]:
    if not impacts:
        return []
    out = ["", "## What a takedown removes", "", IMPACT_NOTE]
    for i in impacts:
        out += ["", f"### Removing {i.scope_label()}", "", *(f"- {s}" for s in i.sentences())]
        out += [""] + _md_table(IMPACT_COLUMNS, [_impact_cells(p) for p in i.principals])
    return out


def _html_impacts(impacts: list[impact.Impact]) -> list[str]:
    if not impacts:
        return []
    out = ['<h2 id="impact">What a takedown removes</h2>', f"<p>{escape(IMPACT_NOTE)}</p>"]
    for i in impacts:
        chart = plots.before_after(
            f"Removing {i.scope_label()}: retweets per principal",
            [(p.name, p.before, p.after) for p in i.principals],
        )
        out += [
            f"<h3>Removing {escape(i.scope_label())}</h3>",
            "".join(f"<p>{escape(s)}</p>" for s in i.sentences()),
            _html_table(IMPACT_COLUMNS, [_impact_cells(p) for p in i.principals]),
            f"<figure>{chart}</figure>",
        ]
    return out


# --- JSON --------------------------------------------------------------------------------------


def to_json(report: TierReport) -> dict[str, Any]:
    """The whole report as JSON-ready values, the picture series included."""
    return asdict(report)


# --- terminal ----------------------------------------------------------------------------------


def _rich_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 1
) -> Table:
    table = Table(
        title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, pad_edge=False
    )
    for i, name in enumerate(columns):
        table.add_column(name, justify="right" if i >= numeric_from else "left")
    for row in rows:
        table.add_row(*(Text(c) for c in row))
    return table


def render_table(report: TierReport) -> RenderableType:
    """The report for a terminal: the headline, then the tables, principal amplification first."""
    parts: list[RenderableType] = [Text(line) for line in headline(report)]
    parts.append(
        _rich_table(
            "Principal amplification",
            PRINCIPAL_COLUMNS,
            [_principal_cells(p) for p in report.principals],
        )
    )
    parts.append(
        _rich_table(
            "Communities ranked by evidence",
            COMMUNITY_COLUMNS,
            [_community_cells(c) for c in report.communities],
            numeric_from=0,
        )
    )
    tests = _rich_table(
        "Why each community was or was not flagged (p-values)",
        TEST_COLUMNS,
        [_test_cells(c) for c in report.communities],
        numeric_from=2,
    )
    tests.caption = WHY
    tests.caption_justify = "left"
    parts.append(tests)
    for c in report.communities:
        table = _rich_table(_community_title(c), ACCOUNT_COLUMNS, [], numeric_from=2)
        table.caption = f"{c.reason}. {_counts_line(c)} {_feeds_line(report, c)}"
        table.caption_justify = "left"
        for tier in TIERS:
            for a in c.top[tier]:
                cells = _account_cells(tier, a)
                tier_cell = Text(tier, style=plots.TIER_COLOURS[tier])
                table.add_row(tier_cell, *(Text(c) for c in cells[1:]))
        parts.append(table)
    parts.append(
        _rich_table(
            "FEEDS between communities",
            FEED_COLUMNS,
            [_feed_cells(f) for f in report.feeds],
            numeric_from=0,
        )
    )
    return Group(*parts)


# --- HTML --------------------------------------------------------------------------------------

_CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #222;
       max-width: 1320px; margin: 2em auto; padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: .2em; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 2px solid #ddd; padding-bottom: .2em; }
h3 { font-size: 1.05em; margin-top: 1.6em; }
.meta { color: #666; font-size: .9em; }
.headline { font-size: 1.15em; background: #f6f6f6; border-left: 5px solid #D55E00;
            padding: .6em 1em; }
.headline p { margin: .3em 0; }
table { border-collapse: collapse; margin: .8em 0; font-size: .88em; }
th, td { padding: .3em .6em; border-bottom: 1px solid #e4e4e4; }
th { background: #fafafa; text-align: left; vertical-align: bottom; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.prominent { font-size: 1em; }
table.prominent td:nth-child(7), table.prominent td:nth-child(8) { font-weight: bold; }
.tier { font-weight: bold; }
.grid-figures { display: flex; flex-wrap: wrap; gap: 1.5em; }
figure { margin: 0; }
svg { max-width: 100%; height: auto; overflow: visible; }
svg .title { font-size: 15px; font-weight: bold; fill: #222; }
svg .label { font-size: 12.5px; fill: #222; }
svg .strong { font-weight: bold; }
svg .tick { font-size: 11px; fill: #555; }
svg .halo { paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg .axis { stroke: #444; stroke-width: 1; }
svg .grid { stroke: #e6e6e6; stroke-width: 1; }
svg .edge { stroke: #8a8a8a; stroke-opacity: .35; }
"""


def _html_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric_from: int = 1,
    cls: str = "",
    tier_column: bool = False,
) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if tier_column and i == 0:
                style = f' class="tier" style="color:{plots.TIER_COLOURS.get(value, "#222")}"'
            else:
                style = ' class="n"' if i >= numeric_from else ""
            cells.append(f"<td{style}>{escape(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _tier_series(series: list[Series], community: int) -> dict[str, tuple[list[int], list[int]]]:
    return {s.tier: (s.times, s.counts) for s in series if s.community == community}


# The page needs no script and fetches nothing: its policy forbids both, so that a screen
# name that slipped past escaping still could not run or phone home.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def render_html(report: TierReport) -> str:
    """One self-contained page: inline CSS and SVG, no script, nothing fetched. Every string
    from the data (screen names, ids, languages) is escaped, in SVG text and titles too."""
    r = report.run
    sizes = {
        (c.id, tier): n
        for c in report.communities
        for tier, n in (("principal", c.principals), ("core", c.core), ("amplifier", c.amplifiers))
    }
    names = {
        c.id: f"Community {c.id}" + (" (flagged)" if c.flagged else "") for c in report.communities
    }
    flow_svg = plots.tier_flow(
        [(f.source, f.source_tier, f.target, f.target_tier, f.retweets) for f in report.flows],
        sizes,
    )
    timeline_svg = plots.timeline(
        [(names[c.id], _tier_series(report.timeline, c.id)) for c in report.communities]
    )
    creation_svgs = [
        plots.creation_histogram(
            f"{names[c.id]}: account creation dates", _tier_series(report.creation, c.id)
        )
        for c in report.communities
    ]
    community_of = {c.id: c for c in report.communities}
    network_svgs = [
        plots.network(
            f"{names[n.community]}: {len(n.nodes):,} of "
            f"{community_of[n.community].size:,} accounts",
            [(node.id, node.label, node.tier) for node in n.nodes],
            [(e.source, e.target, e.weight) for e in n.edges],
        )
        for n in report.networks
    ]
    bars_svg = plots.principal_bars(
        [(p.name, p.retweets, p.flagged_retweets) for p in report.principals]
    )
    details = []
    for c in report.communities:
        rows = [_account_cells(t, a) for t in TIERS for a in c.top[t]]
        details.append(
            f"<h3>{escape(_community_title(c))}</h3><p>{escape(c.reason)}.</p>"
            f"<p>{escape(_counts_line(c))} {escape(_feeds_line(report, c))}</p>"
            + _html_table(ACCOUNT_COLUMNS, rows, numeric_from=2, tier_column=True)
        )
    more = (
        f"<p>The top {len(report.communities)} of {r.communities:,} communities.</p>"
        if len(report.communities) < r.communities
        else ""
    )
    sections = [
        f"<h1>Tier report: run {escape(r.id)}</h1>",
        f'<p class="meta">Detection kind {escape(r.kind)}; started {escape(r.started_at)}, '
        f"finished {escape(r.finished_at)}.</p>",
        '<div class="headline">'
        + "".join(f"<p>{escape(s)}</p>" for s in headline(report))
        + "</div>",
        '<h2 id="principal-amplification">Principal amplification</h2>',
        "<p>Each principal's own posts, the retweets they received, and how many came from "
        "accounts flagged in this run.</p>",
        _html_table(
            PRINCIPAL_COLUMNS,
            [_principal_cells(p) for p in report.principals],
            cls="prominent",
        ),
        f"<figure>{bars_svg}</figure>",
        *_html_impacts(report.impacts),
        '<h2 id="tier-flow">Tier flow</h2>',
        "<p>Principals ← core ← amplifiers: retweets between the tiers of the top communities.</p>",
        f"<figure>{flow_svg}</figure>",
        '<h2 id="communities">Communities ranked by evidence</h2>',
        _html_table(
            COMMUNITY_COLUMNS,
            [_community_cells(c) for c in report.communities],
            numeric_from=0,
        ),
        more,
        '<h2 id="why">Why each community was or was not flagged</h2>',
        f"<p>{escape(WHY)}</p>",
        _html_table(TEST_COLUMNS, [_test_cells(c) for c in report.communities], numeric_from=2),
        "<ul>"
        + "".join(f"<li>Community {c.id}: {escape(c.reason)}</li>" for c in report.communities)
        + "</ul>",
        '<h2 id="timeline">Timeline of the bursts</h2>',
        f"<figure>{timeline_svg}</figure>",
        '<h2 id="creation-dates">Account creation dates</h2>',
        "<p>Accounts made in batches show up as spikes; genuine accounts trickle in.</p>",
        '<div class="grid-figures">'
        + "".join(f"<figure>{s}</figure>" for s in creation_svgs)
        + "</div>",
        '<h2 id="networks">Community networks</h2>',
        f"<p>The strongest accounts of each tier (up to {DRAWN_ACCOUNTS} per community) and the "
        "retweets and synchronised co-shares between them; accounts with no tie to the others "
        "drawn are left out.</p>",
        '<div class="grid-figures">'
        + "".join(f"<figure>{s}</figure>" for s in network_svgs)
        + "</div>",
        '<h2 id="details">Communities in detail</h2>',
        *details,
        '<h2 id="feeds">FEEDS between communities</h2>',
        _html_table(FEED_COLUMNS, [_feed_cells(f) for f in report.feeds], numeric_from=0),
    ]
    if report.history is not None:
        sections.append(history_report.html_section(report.history))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>Tier report: run {escape(r.id)}</title><style>{_CSS}</style></head>"
        "<body>" + "\n".join(sections) + "</body></html>\n"
    )
