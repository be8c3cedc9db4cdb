"""Why two accounts are tied (`tierscope explain`): every pair of their shares behind the edge.

``explain_pair`` reads a run's options (kinds, window, fdr), the two accounts' memberships, the
edge's tests (from the run's full edge table kept beside the database, else from the
COORDINATED_WITH edges stored in Neo4j) and every share each account made of the objects the
run's kinds pair on. ``pair_shares`` then pairs them as detection does: the same object
(retweeted post, hashtag, URL, or text normalised as detection normalises it), one share by
each account. A pair made at most ``window`` seconds apart is a *meeting*: meetings make the
edge's ``weight`` (time view), and the distinct objects both shared its ``common`` (overlap
view). Pairs further apart are listed too, marked, because they are what the overlap view saw.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl

from tierscope.graphdb import cypherlib
from tierscope.graphdb.detect.coordination import normalise_text
from tierscope.graphdb.detect.run import edges_path, resolve_run
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.export import EDGE_COLUMNS
from tierscope.graphdb.store import Store

MAX_PAIRS = 10_000  # pairs of shares listed at most; the counts cover them all
EDGE_FIELDS = EDGE_COLUMNS[2:]  # weight ... q_value, as `export edges` gives them


@dataclass(frozen=True)
class Membership:
    community_id: int
    operation_id: int
    tier: str
    flagged: bool


@dataclass(frozen=True)
class PairAccount:
    id: str
    screen_name: str | None
    memberships: list[Membership]

    @property
    def name(self) -> str:
        return f"@{self.screen_name}" if self.screen_name else self.id

    def where(self) -> str:
        """'core of community 3 (operation 1)', or 'in no community of this run'."""
        if not self.memberships:
            return "in no community of this run"
        return "; ".join(
            f"{m.tier} of community {m.community_id} (operation {m.operation_id}"
            + (", flagged)" if m.flagged else ")")
            for m in self.memberships
        )


@dataclass(frozen=True)
class EdgeTest:
    """One kind's tested pair (docs/method.md §2): meetings and common objects, what the nulls
    expect, the kind's p-value and the pair's fused q-value."""

    kind: str
    weight: int
    mean_delta: float | None
    expected: float | None
    common: int | None
    expected_common: float | None
    p_value: float | None
    q_value: float | None
    significant: bool


@dataclass(frozen=True)
class Share:
    """One share as read: an account shared an object at a time (Unix seconds)."""

    account: str
    kind: str
    object: str
    post: str
    time: int
    original: str | None = None
    author: str | None = None
    author_name: str | None = None
    original_text: str | None = None


@dataclass(frozen=True)
class SharePair:
    """A share of one object by each account; ``delta_s`` is B's time less A's."""

    kind: str
    object: str
    original_id: str | None
    original_author_id: str | None
    original_author_name: str | None
    original_text: str | None
    post_a: str
    time_a: str
    post_b: str
    time_b: str
    delta_s: int
    meeting: bool  # at most the run's window apart: counts toward the edge's weight


@dataclass(frozen=True)
class KindCount:
    kind: str
    meetings: int  # pairs of shares within the window
    common: int  # distinct objects both shared
    pairs: int  # pairs of shares of a common object, whatever the delta


@dataclass(frozen=True)
class Explanation:
    run: str
    kinds: list[str]
    window: int
    fdr: float
    a: PairAccount
    b: PairAccount
    edges: list[EdgeTest]
    edge_source: str  # "edge table" (the run's Parquet) or "neo4j" (stored edges only)
    counts: list[KindCount]
    pairs: list[SharePair]
    pairs_total: int

    @property
    def tied(self) -> bool:
        return any(e.significant for e in self.edges)

    def verdict(self) -> str:
        """One sentence: tied, tested but not tied, or no edge at all."""
        a, b = self.a.name, self.b.name
        if self.tied:
            best = min(self.edges, key=lambda e: e.q_value if e.q_value is not None else 1.0)
            return (
                f"{a} and {b} are tied in run {self.run}: {best.kind} q = {_p(best.q_value)} "
                f"≤ {self.fdr:g}."
            )
        shared = sum(c.common for c in self.counts)
        also = (
            f" They still shared {shared:,} object(s), listed below."
            if shared
            else " They shared nothing the run's kinds pair on."
        )
        if self.edges:
            best = min(self.edges, key=lambda e: e.q_value if e.q_value is not None else 1.0)
            return (
                f"{a} and {b} were tested in run {self.run} but are not tied: best "
                f"{best.kind} q = {_p(best.q_value)} > {self.fdr:g}." + also
            )
        where = (
            "in the run's edge table"
            if self.edge_source == "edge table"
            else "stored in Neo4j (the run's full edge table is not on this machine, and by "
            "default only significant ties are stored)"
        )
        return f"There is no edge between {a} and {b} {where} in run {self.run}." + also


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "<1e-300" if value == 0 else f"{value:.2g}"


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _objects(shares: list[Share]) -> pl.DataFrame:
    """kind, key, index: the object each share pairs on, as detection keys it."""
    frame = pl.DataFrame(
        {
            "kind": [s.kind for s in shares],
            "object": [s.object for s in shares],
            "index": list(range(len(shares))),
        },
        schema={"kind": pl.String, "object": pl.String, "index": pl.Int64},
    )
    return frame.with_columns(
        key=pl.when(pl.col("kind") == "co-text")
        .then(normalise_text(pl.col("object")))
        .when(pl.col("kind") == "co-hashtag")
        .then(pl.col("object").str.to_lowercase())
        .otherwise(pl.col("object"))
    ).filter(pl.col("key") != "")


def pair_shares(
    shares: Iterable[Share], a: str, b: str, window: int
) -> tuple[list[SharePair], list[KindCount]]:
    """Every pair of one share by ``a`` and one by ``b`` of the same object, by kind, then
    meetings first, then time; and per kind the meetings, common objects and pairs."""
    shares = [s for s in shares if s.account in (a, b)]
    keyed = _objects(shares)
    by_key: dict[tuple[str, str], dict[str, list[Share]]] = defaultdict(lambda: defaultdict(list))
    for kind, key, index in keyed.select("kind", "key", "index").iter_rows():
        share = shares[index]
        by_key[(kind, key)][share.account].append(share)
    pairs: list[SharePair] = []
    for (kind, key), sides in by_key.items():
        for sa in sides.get(a, []):
            for sb in sides.get(b, []):
                if sa.post == sb.post:
                    continue
                delta = sb.time - sa.time
                pairs.append(
                    SharePair(
                        kind=kind,
                        object=("#" + key) if kind == "co-hashtag" else key,
                        original_id=sa.original,
                        original_author_id=sa.author,
                        original_author_name=sa.author_name,
                        original_text=sa.original_text,
                        post_a=sa.post,
                        time_a=_iso(sa.time),
                        post_b=sb.post,
                        time_b=_iso(sb.time),
                        delta_s=delta,
                        meeting=abs(delta) <= window,
                    )
                )
    pairs.sort(key=lambda p: (p.kind, not p.meeting, p.time_a, p.time_b, p.object))
    counts = []
    for kind in sorted({p.kind for p in pairs}):
        mine = [p for p in pairs if p.kind == kind]
        counts.append(
            KindCount(
                kind=kind,
                meetings=sum(p.meeting for p in mine),
                common=len({p.object for p in mine}),
                pairs=len(mine),
            )
        )
    return pairs, counts


def run_options(store: Store, run_id: str) -> tuple[list[str], int, float]:
    """A run's kinds, window and fdr, from its DetectionRun (params JSON)."""
    (row,) = store.run(cypherlib.load("explain/run"), {"run": run_id})
    params = json.loads(row["params"] or "{}")
    kinds = list(params.get("kind") or str(row["kind"] or "co-retweet").split(","))
    return kinds, int(params.get("window", 60)), float(params.get("fdr", 0.01))


def _edge_rows(store: Store, run_id: str, a: str, b: str) -> tuple[list[dict[str, Any]], str]:
    path = edges_path(run_id)
    lo, hi = sorted((a, b))
    if path.exists():
        frame = (
            pl.scan_parquet(path)
            .filter((pl.col("account_a") == lo) & (pl.col("account_b") == hi))
            .select("kind", *EDGE_FIELDS)
            .sort("kind")
            .collect()
        )
        return frame.to_dicts(), "edge table"
    return store.run(cypherlib.load("explain/edges"), {"run": run_id, "a": a, "b": b}), "neo4j"


def _edge(row: dict[str, Any], fdr: float) -> EdgeTest:
    q = row.get("q_value")
    return EdgeTest(
        kind=str(row["kind"]),
        weight=int(row.get("weight") or 0),
        mean_delta=row.get("mean_delta"),
        expected=row.get("expected"),
        common=row.get("common"),
        expected_common=row.get("expected_common"),
        p_value=row.get("p_value"),
        q_value=q,
        significant=q is not None and q <= fdr,
    )


def explain_pair(store: Store, account_a: str, account_b: str, run: str = "latest") -> Explanation:
    """The edge between two accounts in ``run`` (an id or latest), and every pair of shares
    behind it; see the module docstring."""
    if account_a == account_b:
        raise InputError("give two different accounts")
    run_id = resolve_run(store, run)
    kinds, window, fdr = run_options(store, run_id)
    ids = [account_a, account_b]
    rows = store.run(cypherlib.load("explain/accounts"), {"run": run_id, "ids": ids})
    missing = [r["id"] for r in rows if not r["found"]]
    if missing:
        raise InputError(f"no account with id {', '.join(map(repr, missing))} in the database")
    a, b = (
        PairAccount(
            id=r["id"],
            screen_name=r["screen_name"],
            memberships=[Membership(**m) for m in r["memberships"]],
        )
        for r in rows
    )
    edge_rows, source = _edge_rows(store, run_id, account_a, account_b)
    shares = [
        Share(**r)
        for r in store.run(cypherlib.load("explain/shares"), {"ids": ids, "kinds": kinds})
    ]
    pairs, counts = pair_shares(shares, account_a, account_b, window)
    return Explanation(
        run=run_id,
        kinds=kinds,
        window=window,
        fdr=fdr,
        a=a,
        b=b,
        edges=[_edge(r, fdr) for r in edge_rows],
        edge_source=source,
        counts=counts,
        pairs=pairs[:MAX_PAIRS],
        pairs_total=len(pairs),
    )


CSV_COLUMNS = (
    "run",
    "account_a",
    "account_b",
    "kind",
    "object",
    "original_id",
    "original_author_id",
    "original_author_name",
    "original_text",
    "post_a",
    "time_a",
    "post_b",
    "time_b",
    "delta_s",
    "meeting",
    "weight",
    "expected",
    "common",
    "expected_common",
    "p_value",
    "q_value",
    "tier_a",
    "community_a",
    "tier_b",
    "community_b",
)


def csv_rows(e: Explanation) -> list[list[Any]]:
    """One row per pair of shares, with its kind's edge tests and both accounts' places."""
    tests = {t.kind: t for t in e.edges}

    def place(account: PairAccount) -> tuple[str, str]:
        ms = account.memberships
        return (
            ";".join(m.tier for m in ms),
            ";".join(str(m.community_id) for m in ms),
        )

    out = []
    for p in e.pairs:
        t = tests.get(p.kind)
        edge = [getattr(t, f) if t else None for f in ("weight", "expected", "common")]
        edge += [getattr(t, f) if t else None for f in ("expected_common", "p_value", "q_value")]
        out.append(
            [
                e.run,
                e.a.id,
                e.b.id,
                p.kind,
                p.object,
                p.original_id,
                p.original_author_id,
                p.original_author_name,
                p.original_text,
                p.post_a,
                p.time_a,
                p.post_b,
                p.time_b,
                p.delta_s,
                "true" if p.meeting else "false",
                *edge,
                *place(e.a),
                *place(e.b),
            ]
        )
    return out
