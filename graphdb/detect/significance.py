"""Which co-share ties are more than chance: two views of a pair of accounts, each tested
against a null model, fused, and thresholded at a false discovery rate.

**Time view** (CooRTweet's projection). ``weight`` w_ab counts the pairs of shares of one object
by accounts a and b made at most ``window`` seconds apart. Null: the share times of each object
are shuffled among its shares, which keeps every account's activity, every object's popularity
and every object's timing (a post that draws a wave of retweets keeps its wave). Under it, two
given shares of object o fall within the window with probability f_o = P_o / C(n_o, 2), where
n_o is the number of o's shares and P_o the number of its share pairs within the window. The
expected weight is E_ab = sum over objects both shared of n_ao n_bo f_o, and the p-value the
Poisson tail P(X >= w_ab). Only pairs that met at least twice are tested: a single meeting is
what chance gives two accounts that share popular posts, and leaving it untested (p = 1) can
only make the test more cautious.

**Overlap view** (what two accounts amplify, whatever the timing). ``common`` c_ab counts the
distinct objects both shared. Null: each account picks its objects week by week, in proportion
to their popularity among the other accounts (a bipartite configuration model that keeps every
account's weekly activity and every object's popularity, as in coordinationz). Then b hits
a's set A in week t with probability s_a(t) / M(t), where s_a(t) sums the popularity (less
one, for a itself) of a's objects of week t and M(t) all shares of week t, so
lambda_ab = sum over weeks of k_b(t) s_a(t) / M(t), with k_b(t) the objects b shared in week t.
The larger of lambda_ab and lambda_ba is the expectation (the more cautious direction), and the
p-value the Poisson tail P(X >= c_ab). Sharing a rare object is strong evidence, sharing a viral
one weak; the weekly blocks keep two accounts that were merely active in the same weeks from
looking coordinated. Pairs with one common object are not tested (p = 1). The view pairs
accounts only through objects shared by at most ``popularity_cap`` accounts, the largest
popularity whose pairs fit ``pair_budget``: beyond it an object is so viral that sharing it says
little about any two accounts, and pairing its sharers would cost d^2 work. Popularity, activity
and expectations are taken on that same restricted graph, so the test stays exact on it.

**Fusion and threshold.** Each view has its own family for Benjamini–Hochberg: the time shuffle
keeps who shared what, so its hypotheses are the pairs that share an object; the configuration
model lets any two accounts share, so its hypotheses are *every* pair of active accounts
(N(N-1)/2, most never computed because their p-value is 1). A pair's q-value is twice the
smaller of its two views' (Bonferroni over the views: the union of the two views' discoveries
keeps the false discovery rate, whatever their dependence), and a tie counts as coordination
when ``q_value <= fdr``. Its p-value, twice the smaller of the two, measures its strength.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse

from tierscope.graphdb.detect import stats
from tierscope.graphdb.detect.communities import codes
from tierscope.graphdb.detect.coordination import (
    CodedEdges,
    Shares,
    active_shares,
    sort_for_window,
)

WEEK = 7 * 86_400
# Pairs the sparse products may hold: about 0.4 GB for both at the most.
PAIR_BUDGET = 1 << 24
CHUNK_PAIRS = 1 << 19
# Row entries gathered at once while the viral objects' expected meetings are summed: some
# 50 MB however many viral objects each account shared (a bound in pairs grew with them), and
# faster than bigger slices (3.5 s against 9 s at scale 4).
VIRAL_ENTRIES = 1 << 20
# Bytes of bitset rows (pairs x bytes per row) ANDed at once: small enough to stay in cache,
# which made it twice as fast as 8M.
VIRAL_BYTES = 1 << 21
# The most the viral objects' bitsets may hold (accounts x bytes per row x bit planes).
BITSET_BUDGET = 1 << 27
# BYTE_BITS[v, i]: bit i of byte value v.
BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little")
# Cells (pairs x weeks) of the dense blocks the overlap expectation is summed over.
DENSE_CELLS = 1 << 23
VIEWS = 2
OVERLAP_SCHEMA = {
    "pair": pl.Int64,
    "common": pl.Int64,
    "expected_common": pl.Float64,
    "p_overlap": pl.Float64,
}

TEST_SCHEMA = {
    "account_a": pl.String,
    "account_b": pl.String,
    "weight": pl.Int64,
    "mean_delta": pl.Float64,
    "expected": pl.Float64,
    "common": pl.Int64,
    "expected_common": pl.Float64,
    "p_time": pl.Float64,
    "p_overlap": pl.Float64,
    "p_value": pl.Float64,
    "q_value": pl.Float64,
}


# TEST_SCHEMA with each pair's accounts as codes a < b into the kind's sorted account ids, and
# the counts in 32 bits (a strict cast: one that does not fit is an error, not a wrap).
CODED_SCHEMA = {
    "a": pl.UInt32,
    "b": pl.UInt32,
    **dict(list(TEST_SCHEMA.items())[2:]),
    "weight": pl.UInt32,
    "common": pl.UInt32,
}


@dataclass(frozen=True)
class EdgeTests:
    """The tested pairs of one projection kind, and the family's size.

    table: CODED_SCHEMA (the views' p-values only if asked for), every pair of the time
      view's projection (weight >= 1) and every pair with at least two common objects, sorted
      by a, b; ``expected`` is null where the pair met fewer than twice, ``common`` and
      ``expected_common`` where it shared fewer than two objects (or only viral ones).
    ids: the sorted account ids the codes index (``Shares.accounts``).
    accounts: the active accounts (each pair of them is a hypothesis).
    popularity_cap: the most popular object the overlap view paired accounts through.
    """

    table: pl.DataFrame
    ids: pl.Series
    accounts: int
    popularity_cap: int

    def frame(self) -> pl.DataFrame:
        """The table in TEST_SCHEMA, with account ids."""
        return self.table.select(
            self.ids.gather(self.table["a"]).alias("account_a"),
            self.ids.gather(self.table["b"]).alias("account_b"),
            *[pl.col(n).cast(t) for n, t in TEST_SCHEMA.items() if n in self.table.columns],
        )


def _incidences(shares: Shares, window: int, min_participation: int) -> pl.DataFrame:
    """account, obj, n (its shares of obj), f (obj's share pairs within the window), first."""
    ordered = sort_for_window(shares, active_shares(shares, min_participation), window)
    rows = pl.DataFrame(
        {"account": ordered.account, "obj": ordered.obj, "time": ordered.time}
    ).with_columns(partners=pl.Series(ordered.partners))
    per_object = rows.group_by("obj").agg(
        shares=pl.len(), close=pl.col("partners").sum(), first=pl.col("time").min()
    )
    per_object = per_object.with_columns(
        f=pl.when(pl.col("shares") > 1)
        .then(pl.col("close") / (pl.col("shares") * (pl.col("shares") - 1) / 2))
        .otherwise(0.0)
    )
    return (
        rows.group_by("obj", "account")
        .agg(n=pl.len())
        .join(per_object.select("obj", "f", "first"), on="obj")
    )


def _popularity_cap(popularity: np.ndarray, budget: int) -> int:
    """The largest popularity d such that pairing the sharers of every object of popularity
    at most d takes at most ``budget`` pairs."""
    values, counts = np.unique(popularity, return_counts=True)
    cumulative = np.cumsum(counts * values * (values - 1) // 2)
    fits = values[cumulative <= budget]
    return int(fits[-1]) if fits.size else 1


def _matrix(rows: pl.DataFrame, values: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    return sparse.csr_matrix((values, (rows["account"].to_numpy(), rows["obj"].to_numpy())), shape)


@dataclass(frozen=True)
class _Pairs:
    """The incidences both views can afford to pair, and what the popularity cap left out.

    Each view builds its own product and drops it once used: the two are 0.2-0.4 GB apiece
    at scale 4, and holding both at once set the run's peak.
    """

    kept: pl.DataFrame  # incidences of the objects of popularity at most ``cap``
    viral: pl.DataFrame  # incidences of the objects left out
    popularity: pl.DataFrame  # obj, d (its sharers), first (its first share's time)
    cap: int  # the most popular object included
    shape: tuple[int, int]  # accounts, objects

    def common(self) -> sparse.csr_matrix:
        """Accounts a < b: objects shared. The incidence matrix times its transpose."""
        incidence = _matrix(self.kept, np.ones(self.kept.height, dtype=np.int32), self.shape)
        return _upper(incidence @ incidence.T)

    def meetings(self) -> sparse.csr_matrix:
        """Accounts a < b: sum of n_ao n_bo f_o, the product weighted by sqrt(n f)."""
        weighted = _matrix(
            self.kept, (self.kept["n"] * self.kept["f"].sqrt()).to_numpy(), self.shape
        )
        return _upper(weighted @ weighted.T)

    def co_sharing(self, common: sparse.csr_matrix) -> int:
        """Pairs that share an object, at most: the kept ones and every pair of a viral
        object's sharers."""
        d = self.popularity.filter(pl.col("d") > self.cap)["d"].cast(pl.Int64)
        return common.nnz + int((d * (d - 1) // 2).sum() or 0)


def _pairs(incidences: pl.DataFrame, n_accounts: int, pair_budget: int) -> _Pairs:
    """Split the incidences at the popularity cap that ``pair_budget`` allows."""
    per_object = incidences.group_by("obj").agg(d=pl.len(), first=pl.col("first").first())
    cap = _popularity_cap(per_object["d"].to_numpy(), pair_budget)
    kept = incidences.join(per_object.filter(pl.col("d") <= cap).select("obj"), on="obj")
    viral = incidences.join(per_object.filter(pl.col("d") > cap).select("obj"), on="obj")
    shape = (n_accounts, int(incidences["obj"].to_numpy().max(initial=-1)) + 1)
    return _Pairs(kept=kept, viral=viral, popularity=per_object, cap=cap, shape=shape)


def _upper(square: sparse.csr_matrix) -> sparse.csr_matrix:
    """The entries above the diagonal (a < b), sliced from the CSR arrays: ``sparse.triu``
    goes through COO and back, which took 2 s of the tests at scale 4."""
    rows = np.repeat(np.arange(square.shape[0], dtype=np.int32), np.diff(square.indptr))
    keep = square.indices > rows
    rows = rows[keep]
    indptr = np.zeros(square.shape[0] + 1, dtype=square.indptr.dtype)
    np.cumsum(np.bincount(rows, minlength=square.shape[0]), out=indptr[1:])
    del rows
    return sparse.csr_matrix((square.data[keep], square.indices[keep], indptr), square.shape)


def expected_meetings(
    incidences: pl.DataFrame, pairs: _Pairs, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """E_ab = sum over the objects both shared of n_ao n_bo f_o, for account codes a < b: from
    the sparse product for the paired objects, and only at the pairs asked for for the viral
    ones (their whole product is what the pair budget forbids)."""
    if not len(a):
        return np.zeros(0)
    out = _lookup(pairs.meetings(), a, b)
    if pairs.viral.is_empty():
        return out
    viral = _Viral.of(pairs.viral, pairs.shape[0])
    # Both ways cost about the same per step: a row entry gathered, or a byte looked up.
    entries = int(viral.per_account[a].sum() + viral.per_account[b].sum())
    steps = len(a) * viral.width * viral.planes**2
    if steps <= entries and viral.bitset_bytes() <= BITSET_BUDGET:
        out += viral.by_bitsets(a, b)
    else:
        out += viral.by_rows(a, b)
    return out


@dataclass(frozen=True)
class _Viral:
    """The viral objects' incidences, columns numbered 0..objects-1."""

    account: np.ndarray
    column: np.ndarray
    n: np.ndarray
    f: np.ndarray
    shape: tuple[int, int]  # accounts, objects
    per_account: np.ndarray  # viral objects each account shared

    @classmethod
    def of(cls, viral: pl.DataFrame, accounts: int) -> _Viral:
        column = viral["obj"].rank("dense").cast(pl.Int64).to_numpy() - 1
        shape = (accounts, int(column.max()) + 1)
        n = viral["n"].cast(pl.Int64).to_numpy()
        account = viral["account"].to_numpy()
        per_account = np.bincount(account, minlength=accounts)
        return cls(account, column, n, viral["f"].to_numpy(), shape, per_account)

    @property
    def width(self) -> int:
        return -(-self.shape[1] // 8)

    @property
    def planes(self) -> int:
        return int(self.n.max()).bit_length()

    def bitset_bytes(self) -> int:
        return self.shape[0] * self.width * self.planes

    def by_rows(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The rows of a and of b multiplied entry by entry, a slice of pairs at a time."""
        entries = (self.account, self.column)
        own = sparse.csr_matrix((self.n * self.f, entries), self.shape)
        other = sparse.csr_matrix((self.n.astype(np.float64), entries), self.shape)
        gathered = np.cumsum(self.per_account[a] + self.per_account[b])
        out = np.empty(len(a))
        start = 0
        while start < len(a):
            done = int(gathered[start - 1]) if start else 0
            stop = int(np.searchsorted(gathered, done + VIRAL_ENTRIES, side="right"))
            stop = max(stop, start + 1)
            i = slice(start, stop)
            out[i] = np.asarray(own[a[i]].multiply(other[b[i]]).sum(axis=1)).ravel()
            start = stop
        return out

    def by_bitsets(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Each account's objects as a bitset, byte j holding objects 8j..8j+7, and a table of
        f's sum over the set bits of any byte at any j: a pair costs one AND and one lookup
        per byte, however dense its rows. n is split into bit planes, n = sum of 2^k B_k, so
        n_ao n_bo = sum over k, l of 2^(k+l) B_k B_l; retweets have one plane."""
        f = np.zeros(self.width * 8)
        f[self.column] = self.f
        table = (f.reshape(self.width, 8) @ BYTE_BITS.T).ravel()
        offsets = np.arange(self.width, dtype=np.intp) * 256
        byte, bit = np.divmod(self.column, 8)
        planes = []
        for k in range(self.planes):
            on = (self.n >> k) & 1 == 1
            plane = np.zeros((self.shape[0], self.width), dtype=np.uint8)
            # .at: an account's objects in one byte each set their own bit of it.
            np.bitwise_or.at(plane, (self.account[on], byte[on]), (1 << bit[on]).astype(np.uint8))
            planes.append(plane)
        out = np.zeros(len(a))
        step = max(1, VIRAL_BYTES // self.width)
        for start in range(0, len(a), step):
            i = slice(start, start + step)
            for k, of_a in enumerate(planes):
                rows_a = of_a[a[i]]
                for m, of_b in enumerate(planes):
                    both = rows_a & of_b[b[i]]
                    out[i] += table[both + offsets].sum(axis=1) * (1 << (k + m))
        return out


def _lookup(matrix: sparse.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """matrix[a, b]: one search in the sorted row-major keys, several times faster than
    scipy's fancy indexing for millions of pairs."""
    if not matrix.nnz:
        return np.zeros(len(a))
    matrix.sum_duplicates()  # sorts each row's columns, if they are not already
    row = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    keys = row * matrix.shape[1] + matrix.indices
    del row
    wanted = a.astype(np.int64) * matrix.shape[1] + b
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, matrix.data[at], 0.0).astype(np.float64)


def overlap_tests(
    incidences: pl.DataFrame, accounts: pl.Series, pairs: _Pairs, common: sparse.csr_matrix
) -> pl.DataFrame:
    """pair (``_pair_key``), common, expected_common, p_overlap for pairs with c_ab >= 2;
    ``common`` is ``pairs.common()``."""
    # Straight from the CSR arrays: a COO copy of every entry cost 0.15 GB at scale 4.
    keep = np.flatnonzero(common.data >= 2)
    a = np.searchsorted(common.indptr, keep, side="right") - 1
    b = common.indices[keep].astype(np.int64)
    c = common.data[keep].astype(np.int64)
    del keep
    if not len(a):
        return pl.DataFrame(schema=OVERLAP_SCHEMA)
    # Weeks numbered in order among those with objects: an archive with a few old objects
    # spans hundreds of weeks, nearly all empty, and the sums below cost a column per week.
    kept = pairs.popularity.filter(pl.col("d") <= pairs.cap).with_columns(
        week=((pl.col("first") - pl.col("first").min()) // WEEK).rank("dense").cast(pl.Int64) - 1
    )
    graph = incidences.select("obj", "account").join(kept.select("obj", "d", "week"), on="obj")
    weeks = int(kept["week"].to_numpy().max()) + 1
    per_week = (
        graph.group_by("account", "week")
        .agg(k=pl.len(), s=(pl.col("d") - 1).sum())
        .join(graph.group_by("week").agg(total=pl.len()), on="week")
    )
    acc, wk = per_week["account"].to_numpy(), per_week["week"].to_numpy()
    picks = np.zeros((len(accounts), weeks), dtype=np.float32)
    reach = np.zeros((len(accounts), weeks), dtype=np.float32)
    picks[acc, wk] = per_week["k"].to_numpy()
    reach[acc, wk] = (per_week["s"] / per_week["total"]).to_numpy()
    expected = np.empty(len(a))
    step = max(1, DENSE_CELLS // weeks)
    for start in range(0, len(a), step):
        ca, cb = a[start : start + step], b[start : start + step]
        ab = np.einsum("ij,ij->i", picks[cb], reach[ca], dtype=np.float64)
        ba = np.einsum("ij,ij->i", picks[ca], reach[cb], dtype=np.float64)
        expected[start : start + step] = np.maximum(ab, ba)
    return pl.DataFrame(
        {
            "pair": _pair_key(a, b, len(accounts)),
            "common": c,
            "expected_common": expected,
            "p_overlap": stats.poisson_sf(c, expected),
        },
        schema=OVERLAP_SCHEMA,
    )


def test_edges(
    shares: Shares,
    edges: pl.DataFrame,
    window: int,
    min_participation: int,
    pair_budget: int = PAIR_BUDGET,
) -> EdgeTests:
    """Test the pairs of one projection kind; ``edges`` is its ``co_share`` edge table."""
    coded = CodedEdges(
        codes(edges["account_a"], shares.accounts),
        codes(edges["account_b"], shares.accounts),
        edges["weight"].to_numpy(),
        edges["mean_delta"].to_numpy(),
    )
    return test_pairs(shares, coded, window, min_participation, pair_budget, views=True)


def test_pairs(
    shares: Shares,
    edges: CodedEdges,
    window: int,
    min_participation: int,
    pair_budget: int = PAIR_BUDGET,
    views: bool = False,
) -> EdgeTests:
    """Test the pairs of one projection kind, its edges coded as ``co_share`` gives them.
    ``views`` keeps each view's p-value (``p_time``, ``p_overlap``) in the table.

    Pairs travel as integer keys, and each column is built, and what it needed released, in
    turn: scale 16 tests 109M pairs, where every array of them is 0.9 GB.
    """
    incidences = _incidences(shares, window, min_participation)
    pairs = _pairs(incidences, len(shares.accounts), pair_budget)
    size = len(shares.accounts)
    met = edges.weight >= 2
    expected = expected_meetings(incidences, pairs, edges.a[met], edges.b[met])
    common = pairs.common()
    overlap = overlap_tests(incidences, shares.accounts, pairs, common)
    active = int(incidences["account"].n_unique()) if incidences.height else 0
    co_sharing, cap = pairs.co_sharing(common), pairs.cap
    del pairs, incidences, common
    # The views' pairs merged by key into sorted rows with numpy: polars' full join and the
    # sort after it held two more copies of the table (0.4 GB at scale 4).
    key = _pair_key(edges.a, edges.b, size)
    pair = _union(key, overlap["pair"].to_numpy())
    n = pair.size
    projected = np.searchsorted(pair, key)
    common = np.searchsorted(pair, overlap["pair"].to_numpy())
    del key
    columns = [_column("a", pair // size), _column("b", pair % size)]
    del pair
    timed = projected[met]
    p_time = _spread(n, timed, stats.poisson_sf(edges.weight[met], expected), 1.0)
    columns += [
        _column("weight", _spread(n, projected, edges.weight, 0)),
        _column("mean_delta", _spread(n, projected, edges.mean_delta)),
        _column("expected", _spread(n, timed, expected)),
    ]
    del projected, timed, expected, met, edges
    p_overlap = _spread(n, common, overlap["p_overlap"].to_numpy(), 1.0)
    columns += [
        _column("common", _spread(n, common, overlap["common"].to_numpy())),
        _column("expected_common", _spread(n, common, overlap["expected_common"].to_numpy())),
    ]
    del common, overlap
    everyone = hypotheses(active)
    # Each view's own family: the time shuffle fixes who shared what, so its hypotheses are the
    # pairs that share an object; the configuration model lets any pair share, so every pair.
    if views:
        # Copies: a Series may share the array, which becomes the q-values below.
        columns += [_column("p_time", p_time.copy()), _column("p_overlap", p_overlap.copy())]
    p = np.minimum(p_time, p_overlap)
    # In place: each view's p-values become its q-values, a copy of the table less at a time.
    q = stats.benjamini_hochberg(p_time, max(min(co_sharing, everyone), n), overwrite=True)
    np.minimum(q, stats.benjamini_hochberg(p_overlap, max(everyone, n), overwrite=True), out=q)
    del p_time, p_overlap
    for values in (p, q):
        values *= VIEWS
        np.minimum(values, 1.0, out=values)
    columns += [_column("p_value", p), _column("q_value", q)]
    return EdgeTests(
        table=pl.DataFrame(columns), ids=shares.accounts, accounts=active, popularity_cap=cap
    )


def _column(name: str, values: np.ndarray) -> pl.Series:
    """A CODED_SCHEMA column; NaN is null."""
    return pl.Series(name, values, nan_to_null=True).cast(CODED_SCHEMA[name])


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.union1d by one sort: numpy's hashed unique took 5.6 s for 9M keys."""
    both = np.concatenate([a, b])
    both.sort()
    return both[np.concatenate([[True], both[1:] != both[:-1]])] if both.size else both


def _spread(size: int, at: np.ndarray, values: np.ndarray, fill: float | None = None) -> np.ndarray:
    """``size`` rows holding ``values`` at rows ``at`` and ``fill`` elsewhere; NaN, which
    the table turns into null, when there is no fill (no tested value is NaN)."""
    dtype = np.float64 if fill is None else values.dtype
    out = np.full(size, np.nan if fill is None else fill, dtype=dtype)
    out[at] = values
    return out


def _pair_key(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """One int64 per unordered pair of account codes, the smaller code first."""
    return np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)


def hypotheses(accounts: int) -> int:
    """Every pair of active accounts: the overlap view's family, tested or not."""
    return max(accounts * (accounts - 1) // 2, 1)
