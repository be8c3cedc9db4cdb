"""Coordination projections over plain arrays: co-share account pairs and the amplification graph.

``co_share`` reproduces ``detect_groups`` followed by the aggregation of
``generate_coordinated_network`` in CooRTweet 2.1, so pair sets and edge weights can be compared
one for one. Co-retweet, co-hashtag, co-URL and co-text differ only in what the caller puts in
``Shares.obj``: the retweeted post, the hashtag, the URL or the normalised text.

Memory is bounded whatever the number of pairs (a viral object can make billions): candidate
pairs are expanded ``chunk_pairs`` at a time (a chunk holds at least one share's partners); edges
are summed over sorted batches of at most ``batch_pairs`` pairs, 16 bytes each, and the partial
sums take about 48 bytes per edge. Only the pair table, when kept, grows with the pair count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from tierscope.graphdb.detect import stats
from tierscope.graphdb.errors import InputError

COORTWEET_COLUMNS = ("object_id", "account_id", "content_id", "timestamp_share")
# Small chunks keep numpy's temporaries in reused heap memory instead of fresh pages.
DEFAULT_CHUNK_PAIRS = 1 << 18
# 16M pairs (256 MB of buffers): at scale 4, 4x that was no faster and held 0.4 GB more.
EDGE_BATCH_PAIRS = 1 << 24
# Candidate pairs per range of accounts whose edges are summed apart (``_RangeSums``).
RANGE_PAIRS = 1 << 26
MAX_RANGES = 256

PAIR_SCHEMA = {
    "object_id": pl.String,
    "account_id": pl.String,
    "content_id": pl.String,
    "timestamp_share": pl.Int64,
    "account_id_y": pl.String,
    "content_id_y": pl.String,
    "timestamp_share_y": pl.Int64,
    "time_delta": pl.Int64,
}
EDGE_SCHEMA = {
    "account_a": pl.String,
    "account_b": pl.String,
    "weight": pl.Int64,
    "mean_delta": pl.Float64,
}

Ids = np.ndarray | pl.Series | Sequence[object]


def _id_series(values: Ids, name: str) -> pl.Series:
    series = pl.Series(name, values).cast(pl.String)
    if series.null_count():
        raise InputError(f"{name} has {series.null_count()} missing values")
    return series


def _factorise(ids: pl.Series) -> tuple[np.ndarray, pl.Series]:
    """Codes of ``ids`` into their sorted distinct values, and those values. A dense rank does
    both in one sort: at scale 4, ``Shares.from_ids`` took half the time of unique, sort and
    joins (1.5 s against 3.0 s)."""
    code = ids.rank("dense").to_numpy().astype(np.int64) - 1
    first = np.empty(int(code.max(initial=-1)) + 1, dtype=np.int64)
    first[code] = np.arange(len(code))
    return code, ids.gather(first).alias(ids.name)


def _seconds(values: np.ndarray | pl.Series | Sequence[float], name: str) -> np.ndarray:
    series = pl.Series(name, values)
    if isinstance(series.dtype, pl.Datetime):
        series = series.dt.epoch("s")
    if series.null_count():
        raise InputError(f"{name} has {series.null_count()} missing values")
    # A fractional second would silently move a pair across the window bound once truncated.
    if series.dtype.is_float() and (series != series.floor()).any():
        raise InputError(f"{name} must be whole Unix seconds")
    return series.cast(pl.Int64).to_numpy()


@dataclass(frozen=True)
class Shares:
    """One row per share: an account shared an object (post, hashtag, URL, text) at a time.

    All id columns are int64 codes. ``obj`` and ``share`` index the same vocabulary ``posts``, so a
    row that is the original post itself (CooRTweet's ``object_id == content_id``) has
    ``obj == share``. ``accounts`` is sorted, so comparing account codes compares the ids as
    strings, which is how CooRTweet orders the two ends of an edge.
    """

    account: np.ndarray
    obj: np.ndarray
    share: np.ndarray
    time: np.ndarray
    accounts: pl.Series
    posts: pl.Series

    def __post_init__(self) -> None:
        sizes = {len(self.account), len(self.obj), len(self.share), len(self.time)}
        if len(sizes) != 1:
            raise ValueError(f"Shares columns differ in length: {sorted(sizes)}")

    def __len__(self) -> int:
        return len(self.account)

    @classmethod
    def from_ids(
        cls,
        account_ids: Ids,
        object_ids: Ids,
        share_ids: Ids,
        times: np.ndarray | pl.Series | Sequence[float],
    ) -> Shares:
        """Factorise ids of any type (compared as strings) and times in Unix seconds."""
        account = _id_series(account_ids, "account_id")
        obj = _id_series(object_ids, "object_id")
        account_code, accounts = _factorise(account)
        post_code, posts = _factorise(pl.concat([obj, _id_series(share_ids, "content_id")]))
        return cls(
            account=account_code,
            obj=post_code[: len(obj)],
            share=post_code[len(obj) :],
            time=_seconds(times, "timestamp_share"),
            accounts=accounts,
            posts=posts,
        )

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> Shares:
        """Read CooRTweet's columns: object_id, account_id, content_id, timestamp_share."""
        missing = [name for name in COORTWEET_COLUMNS if name not in frame.columns]
        if missing:
            raise InputError(f"shares frame lacks column(s): {', '.join(missing)}")
        return cls.from_ids(
            frame["account_id"], frame["object_id"], frame["content_id"], frame["timestamp_share"]
        )


@dataclass(frozen=True)
class CodedEdges:
    """``Coordination.edges`` with the accounts as codes into ``Shares.accounts``: a < b,
    sorted by (a, b). About a third of the string table's memory."""

    a: np.ndarray
    b: np.ndarray
    weight: np.ndarray
    mean_delta: np.ndarray


@dataclass(frozen=True)
class Coordination:
    """Kept share pairs (CooRTweet's ``detect_groups`` rows) and the account edges they make.

    ``pairs`` has the older share first (``time_delta >= 0``); it is empty when the projection
    ran with ``keep_pairs=False``. ``edges`` are undirected with ``account_a < account_b``.
    ``candidate_pairs`` counts share pairs of one object within the window, after the
    participation pre-filter and before any other rule: the work the projection did.
    """

    pairs: pl.DataFrame
    coded: CodedEdges  # the edges as account codes into ``accounts``
    accounts: pl.Series
    candidate_pairs: int

    @cached_property
    def edges(self) -> pl.DataFrame:
        """EDGE_SCHEMA: the edges with their account ids."""
        if not len(self.coded.weight):
            return pl.DataFrame(schema=EDGE_SCHEMA)
        return pl.DataFrame(
            {
                "account_a": self.accounts.gather(self.coded.a),
                "account_b": self.accounts.gather(self.coded.b),
                "weight": self.coded.weight,
                "mean_delta": self.coded.mean_delta,
            },
            schema=EDGE_SCHEMA,
        )


@dataclass(frozen=True)
class SortedShares:
    """Active non-original shares sorted by (object, time, CooRTweet's row order)."""

    obj: np.ndarray
    account: np.ndarray
    share: np.ndarray
    time: np.ndarray
    # partners[i]: how many later shares of the same object fall within the window of share i.
    partners: np.ndarray

    def distinct_pairs(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Candidate pairs of shares start..stop-1, less same-share and same-account pairs."""
        counts = self.partners[start:stop]
        rows = np.arange(start, stop)
        older = np.repeat(rows, counts)
        # The k-th partner of share i sits at i + 1 + k in the sorted order.
        offset = rows + 1 - (np.cumsum(counts) - counts)
        newer = np.arange(older.size) + np.repeat(offset, counts)
        distinct = (self.account[older] != self.account[newer]) & (
            self.share[older] != self.share[newer]
        )
        return older[distinct], newer[distinct]

    def chunks(self, chunk_pairs: int) -> list[tuple[int, int]]:
        ends = np.cumsum(self.partners)
        bounds = [0]
        while bounds[-1] < ends.size:
            start = bounds[-1]
            done = int(ends[start - 1]) if start else 0
            stop = int(np.searchsorted(ends, done + chunk_pairs, side="right"))
            bounds.append(max(stop, start + 1))
        return list(zip(bounds[:-1], bounds[1:], strict=True))


def _run_ends(key: np.ndarray) -> np.ndarray:
    """Index of the last row of each run of equal values in a sorted ``key``."""
    last = np.empty(key.size, dtype=bool)
    np.not_equal(key[1:], key[:-1], out=last[:-1])
    last[-1:] = True
    return np.flatnonzero(last)


def _run_totals(values: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Sum ``values`` over the runs ending at ``ends``; overwrites ``values`` with its cumsum."""
    # Differences of a running sum beat np.add.reduceat several times over.
    totals = np.cumsum(values, out=values)[ends]
    totals[1:] -= totals[:-1]
    return totals


def _concatenate(arrays: list[np.ndarray]) -> np.ndarray:
    """Join arrays and empty the list, so the pieces can be freed before the next copy."""
    joined = np.concatenate(arrays)
    arrays.clear()
    return joined


class _EdgeSums:
    """Pair count and time-delta sum per account pair, as arrays sorted by pair key.

    Each pair is one int64 in a reused batch buffer: the account-pair key shifted left, the
    time delta in the low bits, so one in-place sort groups a batch by edge. Summed batches are
    merged whenever they have doubled since the last merge, so memory is two batch buffers plus
    about twice the edge count, and the merge work stays linear in the number of pairs.
    """

    def __init__(self, n_accounts: int, window: int, batch_pairs: int) -> None:
        """``batch_pairs``: buffer size; the candidate count when that is small enough."""
        self.n_accounts = n_accounts
        self.delta_bits = window.bit_length()
        if n_accounts**2 << self.delta_bits >= 2**63:
            raise InputError(f"{n_accounts} accounts and a {window}s window overflow pair keys")
        # Reused across batches: fresh pages are costly, and np.empty touches none up front.
        self.buffer = np.empty(batch_pairs, dtype=np.int64)
        self.keys = np.empty(batch_pairs, dtype=np.int64)
        self.filled = 0
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.held = 0
        self.merged = 0

    def add(self, account_a: np.ndarray, account_b: np.ndarray, delta: np.ndarray) -> None:
        key = np.minimum(account_a, account_b) * self.n_accounts + np.maximum(account_a, account_b)
        packed = (key << self.delta_bits) | delta
        while packed.size:
            if self.filled == self.buffer.size:
                self._flush()
            taken = packed[: self.buffer.size - self.filled]
            self.buffer[self.filled : self.filled + taken.size] = taken
            self.filled += taken.size
            packed = packed[taken.size :]

    def _flush(self) -> None:
        if not self.filled:
            return
        batch = self.buffer[: self.filled]
        self.filled = 0
        batch.sort()
        key = np.right_shift(batch, self.delta_bits, out=self.keys[: batch.size])
        delta = np.bitwise_and(batch, (1 << self.delta_bits) - 1, out=batch)
        ends = _run_ends(key)
        self.parts.append((key[ends], np.diff(ends, prepend=-1), _run_totals(delta, ends)))
        self.held += ends.size
        if len(self.parts) > 1 and self.held > 2 * self.merged:
            self._merge()

    def _merge(self) -> None:
        """Merge the parts into one, dropping each input column once it has been copied."""
        keys, weights, deltas = (list(column) for column in zip(*self.parts, strict=True))
        self.parts = []
        key = _concatenate(keys)
        # The parts are sorted runs, which a stable sort (timsort) merges in linear passes.
        order = stats.argsort(key, stable=True)
        key = key[order]
        ends = _run_ends(key)
        key = key[ends]  # before the gathers below: the sorted copy is the largest array here
        weight = _run_totals(_concatenate(weights)[order], ends)
        delta = _run_totals(_concatenate(deltas)[order], ends)
        self.parts = [(key, weight, delta)]
        self.held = self.merged = ends.size

    def totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Account codes a < b, pair count and time-delta sum of every pair, sorted."""
        self._flush()
        # The last batch is summed: the buffers go before the last merge copies the sums.
        self.buffer = self.keys = np.empty(0, dtype=np.int64)
        if not self.parts:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty, empty
        if len(self.parts) > 1:
            self._merge()
        key, weight, delta = self.parts[0]
        account_a, account_b = np.divmod(key, self.n_accounts)
        return account_a, account_b, weight, delta

    def coded(self) -> CodedEdges:
        account_a, account_b, weight, delta = self.totals()
        # Codes below 2^32 (the key check above bounds the accounts); half the memory.
        return CodedEdges(
            account_a.astype(np.uint32), account_b.astype(np.uint32), weight, delta / weight
        )


class _RangeSums:
    """``_EdgeSums`` over ranges of the smaller account code, each summed and merged on its
    own: a merge then copies one range's partial sums, not every edge's. At scale 16 (109M
    edges) one merge over all of them held 7 GB above its inputs.
    """

    def __init__(
        self, n_accounts: int, window: int, batch_pairs: int, work: np.ndarray, ranges: int
    ) -> None:
        """``work``: per account code, the candidate pairs it takes part in, to even out
        the ranges; ``batch_pairs`` is shared among them."""
        cumulative = np.cumsum(work, dtype=np.float64)
        cuts = cumulative[-1] * np.arange(1, ranges) / ranges if len(cumulative) else []
        self.bounds = np.searchsorted(cumulative, cuts, side="right")
        size = max(batch_pairs // ranges, 1)
        self.sums = [_EdgeSums(n_accounts, window, size) for _ in range(ranges)]

    def add(self, account_a: np.ndarray, account_b: np.ndarray, delta: np.ndarray) -> None:
        if len(self.sums) == 1:
            self.sums[0].add(account_a, account_b, delta)
            return
        part = np.searchsorted(self.bounds, np.minimum(account_a, account_b), side="right")
        order = np.argsort(part.astype(np.uint16), kind="stable")  # a radix sort
        ends = np.cumsum(np.bincount(part, minlength=len(self.sums)))
        account_a, account_b, delta = account_a[order], account_b[order], delta[order]
        start = 0
        for sums, end in zip(self.sums, ends, strict=True):
            if end > start:
                sums.add(account_a[start:end], account_b[start:end], delta[start:end])
            start = end

    def coded(self) -> CodedEdges:
        """Every range's edges in key order; each range's partial sums go as it is read."""
        pieces = []
        while self.sums:
            pieces.append(self.sums.pop(0).coded())
        names = ("a", "b", "weight", "mean_delta")
        columns = [[getattr(p, name) for p in pieces] for name in names]
        del pieces
        return CodedEdges(*(_concatenate(column) for column in columns))


def co_share(
    shares: Shares,
    window: int = 60,
    min_participation: int = 2,
    *,
    keep_pairs: bool = True,
    chunk_pairs: int = DEFAULT_CHUNK_PAIRS,
    batch_pairs: int = EDGE_BATCH_PAIRS,
) -> Coordination:
    """Pair shares of one object made at most ``window`` seconds apart, as CooRTweet does.

    1. Drop accounts with fewer than ``min_participation`` shares in the whole input.
    2. Pair every two shares of one object whose times differ by at most ``window``.
    3. Drop pairs involving the original post, pairs of the same share, of the same account.
    4. Keep a pair if either share belongs to an account with ``min_participation`` input rows
       whose share appears in a pair from step 3 (CooRTweet's ``filter_min_participation``).
    5. Edge weight is the number of kept pairs between two accounts; ``mean_delta`` their mean
       time difference.

    ``keep_pairs=False`` skips the pair table (about 100 bytes a pair) and so keeps memory
    bounded; ``chunk_pairs`` and ``batch_pairs`` set the bound (see the module docstring).
    """
    if window < 0:
        raise ValueError(f"window must be >= 0 seconds, got {window}")
    if chunk_pairs < 1 or batch_pairs < 1:
        raise ValueError(f"chunk_pairs and batch_pairs must be >= 1: {chunk_pairs}, {batch_pairs}")
    active = active_shares(shares, min_participation)
    ordered = sort_for_window(shares, active, window)
    chunks = ordered.chunks(chunk_pairs)
    qualified = (
        _qualified_posts(shares, active, ordered, chunks, min_participation)
        if min_participation >= 1
        else None
    )
    candidates = int(ordered.partners.sum())
    work = np.bincount(ordered.account, weights=ordered.partners, minlength=len(shares.accounts))
    ranges = int(np.clip(candidates // RANGE_PAIRS, 1, MAX_RANGES))
    sums = _RangeSums(len(shares.accounts), window, min(candidates, batch_pairs), work, ranges)
    pairs: list[pl.DataFrame] = []
    for start, stop in chunks:
        older, newer = ordered.distinct_pairs(start, stop)
        if qualified is not None:
            keep = qualified[ordered.share[older]] | qualified[ordered.share[newer]]
            older, newer = older[keep], newer[keep]
        sums.add(
            ordered.account[older],
            ordered.account[newer],
            ordered.time[newer] - ordered.time[older],
        )
        if keep_pairs:
            pairs.append(_pair_table(shares, ordered, older, newer))
    return Coordination(
        pairs=pl.concat(pairs, rechunk=False) if pairs else pl.DataFrame(schema=PAIR_SCHEMA),
        coded=sums.coded(),
        accounts=shares.accounts,
        candidate_pairs=candidates,
    )


def active_shares(shares: Shares, min_participation: int) -> np.ndarray:
    """Whether each share's account has at least ``min_participation`` shares (CooRTweet)."""
    counts = np.bincount(shares.account, minlength=len(shares.accounts))
    return counts[shares.account] >= min_participation


def sort_for_window(shares: Shares, active: np.ndarray, window: int) -> SortedShares:
    rows = (
        pl.DataFrame(
            {
                "account": shares.account,
                "obj": shares.obj,
                "share": shares.share,
                "time": shares.time,
            }
        )
        .with_row_index("row")
        .filter(pl.Series(active))
        # detect_groups regroups the filtered rows by account in order of first appearance and
        # pairs rows in that order; at equal times that order decides which share is the older.
        .with_columns(first=pl.col("row").min().over("account"))
        .filter(pl.col("obj") != pl.col("share"))
        .with_columns(
            order=pl.col("first").cast(pl.Int64) * len(shares) + pl.col("row"),
            since=pl.col("time") - pl.col("time").min().over("obj"),
        )
        .sort("obj", "time", "order")
    )
    obj = rows["obj"].to_numpy()
    since = rows["since"].to_numpy()
    # One sorted key, object-major, lets a single searchsorted find each share's window end.
    span = int(since.max()) + window + 1 if since.size else 1
    if (int(obj.max(initial=0)) + 1) * span >= 2**63:
        raise InputError("shares span too long a time to key in 64 bits")
    key = obj * span + since
    partners = np.searchsorted(key, key + window, side="right") - np.arange(key.size) - 1
    return SortedShares(
        obj=obj,
        account=rows["account"].to_numpy(),
        share=rows["share"].to_numpy(),
        time=rows["time"].to_numpy(),
        partners=partners,
    )


def _qualified_posts(
    shares: Shares,
    active: np.ndarray,
    ordered: SortedShares,
    chunks: list[tuple[int, int]],
    min_participation: int,
) -> np.ndarray:
    """Posts (share ids) of accounts that pass CooRTweet's second participation filter.

    CooRTweet counts, per account, the active input rows whose content_id is in any pair, so a
    tweet with two paired hashtags counts twice and duplicate rows count each time.
    """
    paired = np.zeros(len(shares.posts), dtype=bool)
    for start, stop in chunks:
        older, newer = ordered.distinct_pairs(start, stop)
        paired[ordered.share[older]] = True
        paired[ordered.share[newer]] = True
    account = shares.account[active]
    share = shares.share[active]
    counted = paired[share]
    participation = np.bincount(account[counted], minlength=len(shares.accounts))
    qualified = np.zeros(len(shares.posts), dtype=bool)
    qualified[share[counted & (participation[account] >= min_participation)]] = True
    return qualified


def _pair_table(
    shares: Shares, ordered: SortedShares, older: np.ndarray, newer: np.ndarray
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "object_id": shares.posts.gather(ordered.obj[older]),
            "account_id": shares.accounts.gather(ordered.account[older]),
            "content_id": shares.posts.gather(ordered.share[older]),
            "timestamp_share": ordered.time[older],
            "account_id_y": shares.accounts.gather(ordered.account[newer]),
            "content_id_y": shares.posts.gather(ordered.share[newer]),
            "timestamp_share_y": ordered.time[newer],
            "time_delta": ordered.time[newer] - ordered.time[older],
        },
        schema=PAIR_SCHEMA,
    )


def edge_weight_threshold(
    edges: pl.DataFrame, threshold: float | None = None, quantile: float | None = None
) -> pl.DataFrame:
    """Keep edges with ``weight >= threshold``, or CooRTweet's ``edge_weight`` quantile rule.

    CooRTweet marks ``weight > quantile(weight, edge_weight)`` with R's default (type 7) quantile,
    which is numpy's "linear" method; the comparison is strict, so at quantile 0.5 an edge of
    exactly the median weight is dropped.
    """
    if (threshold is None) == (quantile is None):
        raise ValueError("give exactly one of threshold or quantile")
    if quantile is None:
        return edges.filter(pl.col("weight") >= threshold)
    if not 0 <= quantile <= 1:
        raise ValueError(f"quantile must be within [0, 1], got {quantile}")
    if edges.is_empty():
        return edges
    cut = float(np.quantile(edges["weight"].to_numpy(), quantile, method="linear"))
    return edges.filter(pl.col("weight") > cut)


def combine(edge_tables: list[pl.DataFrame]) -> pl.DataFrame:
    """Sum edge weights across kinds (co-retweet, co-URL, ...); mean_delta weighted by weight."""
    if not edge_tables:
        return pl.DataFrame(schema=EDGE_SCHEMA)
    return (
        pl.concat(edge_tables)
        .group_by("account_a", "account_b")
        .agg(
            weight=pl.col("weight").sum(),
            mean_delta=(pl.col("mean_delta") * pl.col("weight")).sum() / pl.col("weight").sum(),
        )
        .sort("account_a", "account_b")
    )


def normalise_text(text: pl.Expr) -> pl.Expr:
    """Text as the co-text object: lowercase, without ``RT @x:``, URLs, mentions, punctuation."""
    return (
        text.str.to_lowercase()
        .str.replace(r"^\s*rt @\w+:", "")
        .str.replace_all(r"https?://\S+|www\.\S+", " ")
        .str.replace_all(r"@\w+", " ")
        .str.replace_all(r"[^\w\s]", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def amplification(retweeter: Ids, author: Ids, time: np.ndarray | pl.Series) -> pl.DataFrame:
    """Directed retweeter -> author edges: retweet count and first and last retweet times.

    Self-retweets are left out.
    """
    return (
        pl.DataFrame(
            {
                "retweeter": _id_series(retweeter, "retweeter"),
                "author": _id_series(author, "author"),
                "time": _seconds(time, "time"),
            }
        )
        .filter(pl.col("retweeter") != pl.col("author"))
        .group_by("retweeter", "author")
        .agg(
            weight=pl.len().cast(pl.Int64),
            first=pl.col("time").min(),
            last=pl.col("time").max(),
        )
        .sort("retweeter", "author")
    )
