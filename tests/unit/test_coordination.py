from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tierscope.graphdb.detect import coordination
from tierscope.graphdb.detect.coordination import (
    EDGE_SCHEMA,
    PAIR_SCHEMA,
    Shares,
    amplification,
    co_share,
    combine,
    edge_weight_threshold,
    normalise_text,
)
from tierscope.graphdb.errors import InputError

RUSSIAN = Path(__file__).parents[3] / "shared/data/coortweet/russian_coord_tweets.csv"


def shares(*rows: tuple[str, str, str, int]) -> Shares:
    """Rows of (object_id, account_id, content_id, timestamp_share)."""
    return Shares.from_frame(frame(*rows))


def frame(*rows: tuple[str, str, str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["object_id", "account_id", "content_id", "timestamp_share"], orient="row"
    )


def pair_set(result) -> set[tuple[str, str]]:
    return set(zip(result.pairs["content_id"], result.pairs["content_id_y"], strict=True))


def edge_dict(edges: pl.DataFrame) -> dict[tuple[str, str], tuple[int, float]]:
    return {
        (row["account_a"], row["account_b"]): (row["weight"], row["mean_delta"])
        for row in edges.iter_rows(named=True)
    }


def coortweet_reference(data: pl.DataFrame, window: int, min_participation: int) -> pl.DataFrame:
    """CooRTweet 2.1's do_detect_groups written as polars joins, step for step."""
    # x[, if (.N >= min_participation) .SD, by = account_id]: groups in order of first appearance
    x = (
        data.with_columns(pl.col("timestamp_share").cast(pl.Int64))
        .with_row_index("row")
        .filter(pl.len().over("account_id") >= min_participation)
        .with_columns(first=pl.col("row").min().over("account_id"))
        .sort("first", "row")
        .with_row_index("id")
    )
    cols = ["account_id", "content_id", "timestamp_share", "id"]
    left = x.select("object_id", *cols)
    right = x.select("object_id", *cols).rename({c: f"{c}_y" for c in cols})
    # calc_group_combinations: group[group, on = .(id < id)][abs(time_delta) <= time_window]
    result = (
        left.join(right, on="object_id")
        .filter(pl.col("id") < pl.col("id_y"))
        .with_columns(time_delta=pl.col("timestamp_share") - pl.col("timestamp_share_y"))
        .filter(pl.col("time_delta").abs() <= window)
    )
    # do_remove_loops
    result = result.filter(
        pl.col("object_id") != pl.col("content_id"),
        pl.col("object_id") != pl.col("content_id_y"),
        pl.col("content_id") != pl.col("content_id_y"),
        pl.col("account_id") != pl.col("account_id_y"),
    )
    # filter_min_participation
    if min_participation >= 1:
        content_ids = pl.concat([result["content_id"], result["content_id_y"]]).unique()
        filt = x.filter(pl.col("content_id").is_in(content_ids.implode())).filter(
            pl.len().over("account_id") >= min_participation
        )
        kept = filt["content_id"].implode()
        result = result.filter(
            pl.col("content_id").is_in(kept) | pl.col("content_id_y").is_in(kept)
        )
    # the older share first, time_delta := abs(time_delta)
    swap = pl.col("time_delta") > 0
    return result.select(
        "object_id",
        content_id=pl.when(swap).then("content_id_y").otherwise("content_id"),
        content_id_y=pl.when(swap).then("content_id").otherwise("content_id_y"),
        account_id=pl.when(swap).then("account_id_y").otherwise("account_id"),
        account_id_y=pl.when(swap).then("account_id").otherwise("account_id_y"),
        time_delta=pl.col("time_delta").abs(),
    )


def reference_edges(pairs: pl.DataFrame) -> pl.DataFrame:
    """generate_coordinated_network's aggregation: pmin/pmax the accounts, weight = .N."""
    return (
        pairs.select(
            account_a=pl.min_horizontal("account_id", "account_id_y"),
            account_b=pl.max_horizontal("account_id", "account_id_y"),
            time_delta="time_delta",
        )
        .group_by("account_a", "account_b")
        .agg(weight=pl.len().cast(pl.Int64), mean_delta=pl.col("time_delta").mean())
        .sort("account_a", "account_b")
    )


def sorted_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    columns = [
        "object_id",
        "content_id",
        "content_id_y",
        "account_id",
        "account_id_y",
        "time_delta",
    ]
    return pairs.select(columns).sort(columns)


# --- the rules, one at a time ---


def test_window_bound_is_inclusive():
    data = shares(
        ("p", "a", "s1", 100),
        ("p", "b", "s2", 160),
        ("p", "c", "s3", 221),
    )
    result = co_share(data, window=60, min_participation=1)
    # 160 - 100 = 60 is in, 221 - 160 = 61 and 221 - 100 = 121 are out.
    assert pair_set(result) == {("s1", "s2")}
    assert result.candidate_pairs == 1


def test_same_account_pairs_are_dropped():
    data = shares(("p", "a", "s1", 0), ("p", "a", "s2", 5), ("p", "b", "s3", 10))
    result = co_share(data, window=60, min_participation=1)
    assert pair_set(result) == {("s1", "s3"), ("s2", "s3")}
    assert result.candidate_pairs == 3


def test_same_share_pairs_are_dropped():
    # One content id listed twice under the object (e.g. a duplicated row) never pairs with itself.
    data = shares(("p", "a", "s1", 0), ("p", "b", "s1", 5), ("p", "c", "s2", 10))
    result = co_share(data, window=60, min_participation=1)
    assert result.pairs["content_id"].to_list() == ["s1", "s1"]
    assert result.pairs["content_id_y"].to_list() == ["s2", "s2"]
    assert result.candidate_pairs == 3


def test_original_post_is_excluded():
    # The author's own row has content_id == object_id: it pairs with nothing.
    data = shares(("p", "author", "p", 0), ("p", "b", "r1", 5), ("p", "c", "r2", 10))
    result = co_share(data, window=60, min_participation=1)
    assert pair_set(result) == {("r1", "r2")}
    assert result.candidate_pairs == 1


def test_pre_filter_drops_accounts_with_too_few_shares():
    data = shares(
        ("p", "a", "a1", 0),
        ("p", "b", "b1", 1),
        ("q", "a", "a2", 100),
        ("q", "b", "b2", 101),
        ("q", "once", "o1", 102),
    )
    result = co_share(data, window=60, min_participation=2)
    assert pair_set(result) == {("a1", "b1"), ("a2", "b2")}
    # The one-share account is gone before pairing, so it is not even a candidate.
    assert result.candidate_pairs == 2
    assert set(co_share(data, window=60, min_participation=1).pairs["account_id_y"]) == {
        "b",
        "once",
    }


def test_post_filter_keeps_a_pair_if_either_account_qualifies():
    data = shares(
        # a and b co-share twice, so both have two shares in pairs.
        ("p", "a", "a1", 0),
        ("p", "b", "b1", 1),
        ("q", "a", "a2", 100),
        ("q", "b", "b2", 101),
        # c passes the pre-filter (two shares) but only one of them is in a pair: with a.
        ("r", "a", "a3", 200),
        ("r", "c", "c1", 201),
        ("s", "c", "c2", 900),
        # d and e pair once each and have a second, unpaired share: neither qualifies.
        ("t", "d", "d1", 300),
        ("t", "e", "e1", 301),
        ("u", "d", "d2", 1000),
        ("v", "e", "e2", 2000),
    )
    result = co_share(data, window=60, min_participation=2)
    assert pair_set(result) == {("a1", "b1"), ("a2", "b2"), ("a3", "c1")}
    assert result.candidate_pairs == 4


def test_post_filter_counts_every_row_of_a_paired_content():
    # One tweet with two hashtags is two rows with one content_id; CooRTweet counts both rows.
    data = shares(
        ("#x", "a", "t1", 0),
        ("#y", "a", "t1", 0),
        ("#x", "b", "t2", 5),
        ("#z", "b", "t3", 500),
    )
    assert pair_set(co_share(data, window=60, min_participation=2)) == {("t1", "t2")}
    # Without the second hashtag row, a has one paired row and b one: the pair goes.
    data = shares(
        ("#x", "a", "t1", 0),
        ("#w", "a", "t4", 900),
        ("#x", "b", "t2", 5),
        ("#z", "b", "t3", 500),
    )
    assert co_share(data, window=60, min_participation=2).pairs.is_empty()


def test_min_participation_below_one_skips_both_filters():
    data = shares(("p", "a", "s1", 0), ("p", "b", "s2", 5))
    assert pair_set(co_share(data, window=60, min_participation=0)) == {("s1", "s2")}


def test_pair_table_puts_the_older_share_first():
    data = shares(("p", "late", "s1", 50), ("p", "early", "s2", 10))
    pairs = co_share(data, window=60, min_participation=1).pairs
    assert pairs.schema == pl.Schema(PAIR_SCHEMA)
    assert pairs.row(0, named=True) == {
        "object_id": "p",
        "account_id": "early",
        "content_id": "s2",
        "timestamp_share": 10,
        "account_id_y": "late",
        "content_id_y": "s1",
        "timestamp_share_y": 50,
        "time_delta": 40,
    }


def test_ties_keep_coortweets_row_order():
    # At equal times CooRTweet keeps its row order: accounts by first appearance in the input.
    data = shares(("q", "z", "z0", 0), ("p", "b", "b1", 5), ("p", "z", "z1", 5))
    pairs = co_share(data, window=60, min_participation=1).pairs
    assert (pairs["content_id"][0], pairs["content_id_y"][0]) == ("z1", "b1")


def test_edge_weight_and_mean_delta():
    data = shares(
        ("p", "b", "b1", 0),
        ("p", "a", "a1", 10),
        ("q", "a", "a2", 100),
        ("q", "b", "b2", 120),
        ("r", "a", "a3", 200),
        ("r", "b", "b3", 230),
        ("r", "c", "c1", 231),
    )
    result = co_share(data, window=60, min_participation=1)
    assert result.edges.schema == pl.Schema(EDGE_SCHEMA)
    assert edge_dict(result.edges) == {
        ("a", "b"): (3, 20.0),
        ("a", "c"): (1, 31.0),
        ("b", "c"): (1, 1.0),
    }


def test_no_pairs_gives_empty_tables_with_their_schema():
    result = co_share(shares(("p", "a", "s1", 0), ("q", "b", "s2", 0)), min_participation=1)
    assert result.pairs.schema == pl.Schema(PAIR_SCHEMA) and result.pairs.is_empty()
    assert result.edges.schema == pl.Schema(EDGE_SCHEMA) and result.edges.is_empty()
    assert result.candidate_pairs == 0


def test_bad_arguments():
    data = shares(("p", "a", "s1", 0))
    with pytest.raises(ValueError, match="window"):
        co_share(data, window=-1)
    with pytest.raises(ValueError, match="chunk_pairs"):
        co_share(data, chunk_pairs=0)


# --- Shares ---


def test_from_ids_codes_accounts_in_string_order_and_posts_in_one_vocabulary():
    data = Shares.from_ids(["b", "a", "b"], ["p", "p", "q"], ["x", "p", "y"], [3.0, 1.0, 2.0])
    assert data.accounts.to_list() == ["a", "b"]
    assert data.account.tolist() == [1, 0, 1]
    assert data.posts.gather(data.obj).to_list() == ["p", "p", "q"]
    assert data.posts.gather(data.share).to_list() == ["x", "p", "y"]
    # The original post is the row whose share code equals its object code.
    assert (data.obj == data.share).tolist() == [False, True, False]
    assert data.time.dtype == np.int64 and data.time.tolist() == [3, 1, 2]


def test_from_ids_takes_any_id_type_and_datetimes():
    data = Shares.from_ids(
        np.array([7, 8]), [1, 1], [10, 11], pl.Series([datetime(2021, 1, 1), datetime(2021, 1, 2)])
    )
    assert data.accounts.to_list() == ["7", "8"]
    assert data.time.tolist() == [1609459200, 1609545600]


def test_from_ids_rejects_bad_input():
    with pytest.raises(InputError, match="whole Unix seconds"):
        Shares.from_ids(["a"], ["p"], ["s"], [1.5])
    with pytest.raises(InputError, match="missing"):
        Shares.from_ids(["a", None], ["p", "p"], ["s", "t"], [1, 2])
    with pytest.raises(InputError, match="timestamp_share"):
        Shares.from_frame(
            pl.DataFrame({"object_id": ["p"], "account_id": ["a"], "content_id": ["s"]})
        )
    with pytest.raises(ValueError, match="length"):
        Shares(
            account=np.zeros(2, dtype=np.int64),
            obj=np.zeros(1, dtype=np.int64),
            share=np.zeros(1, dtype=np.int64),
            time=np.zeros(1, dtype=np.int64),
            accounts=pl.Series(["a"]),
            posts=pl.Series(["p"]),
        )


# --- equivalence with CooRTweet, chunking ---


def random_frame(seed: int, rows: int = 600) -> pl.DataFrame:
    """Few objects and accounts, coarse times: ties, duplicates, originals, shared contents."""
    rng = np.random.default_rng(seed)
    objects = rng.integers(0, 12, rows)
    contents = np.where(rng.random(rows) < 0.05, objects, rng.integers(100, 700, rows))
    return pl.DataFrame(
        {
            "object_id": [f"{o}" for o in objects],
            "account_id": [f"u{a}" for a in rng.integers(0, 40, rows)],
            "content_id": [f"{c}" for c in contents],
            "timestamp_share": rng.integers(0, 3000, rows) // 10 * 10,
        }
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("window", "min_participation"), [(0, 2), (60, 2), (60, 5), (300, 1)])
def test_matches_coortweet_reference_on_random_data(seed, window, min_participation):
    data = random_frame(seed)
    result = co_share(Shares.from_frame(data), window, min_participation)
    expected = coortweet_reference(data, window, min_participation)
    assert not expected.is_empty()
    assert sorted_pairs(result.pairs).equals(sorted_pairs(expected))
    assert result.edges.equals(reference_edges(expected))


def test_chunk_and_batch_sizes_do_not_change_the_result():
    data = Shares.from_frame(random_frame(4, rows=2000))
    whole = co_share(data, 120, 2)
    for chunk_pairs, batch_pairs in [(1, 1), (7, 50), (1000, 3)]:
        part = co_share(data, 120, 2, chunk_pairs=chunk_pairs, batch_pairs=batch_pairs)
        assert part.pairs.equals(whole.pairs)
        assert part.edges.equals(whole.edges)
        assert part.candidate_pairs == whole.candidate_pairs


@pytest.mark.parametrize("range_pairs", [1, 40, 10**9])
def test_ranges_of_accounts_summed_apart_give_the_same_edges(monkeypatch, range_pairs):
    data = Shares.from_frame(random_frame(4, rows=2000))
    whole = co_share(data, 120, 2)
    monkeypatch.setattr(coordination, "RANGE_PAIRS", range_pairs)
    for batch_pairs in (3, 1 << 20):
        part = co_share(data, 120, 2, keep_pairs=False, batch_pairs=batch_pairs)
        assert part.edges.equals(whole.edges)


def test_edges_without_the_pair_table():
    data = Shares.from_frame(random_frame(5))
    with_pairs = co_share(data, 60, 2)
    without = co_share(data, 60, 2, keep_pairs=False)
    assert without.pairs.is_empty() and without.pairs.schema == pl.Schema(PAIR_SCHEMA)
    assert without.edges.equals(with_pairs.edges)


@pytest.fixture(scope="module")
def russian() -> pl.DataFrame:
    # ../shared/data sits beside every checkout and CI clone: missing data fails, not skips.
    return pl.read_csv(RUSSIAN)


@pytest.mark.parametrize(("window", "pairs"), [(60, 3791), (10, 447)])
def test_parity_with_coortweet_on_russian_coord_tweets(russian, window, pairs):
    result = co_share(Shares.from_frame(russian), window=window, min_participation=2)
    # The counts CooRTweet reports for detect_groups(x, time_window, min_participation = 2).
    assert result.pairs.height == pairs
    assert result.edges["weight"].sum() == pairs
    expected = coortweet_reference(russian, window, 2)
    assert sorted_pairs(result.pairs).equals(sorted_pairs(expected))
    assert result.edges.equals(reference_edges(expected))
    assert (result.edges["account_a"] < result.edges["account_b"]).all()


# --- thresholds ---


def edges_with_weights(*weights: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "account_a": [f"a{i}" for i in range(len(weights))],
            "account_b": [f"b{i}" for i in range(len(weights))],
            "weight": list(weights),
            "mean_delta": [1.0] * len(weights),
        },
        schema=EDGE_SCHEMA,
    )


def test_threshold_by_absolute_weight_keeps_equal_weights():
    edges = edges_with_weights(1, 2, 3, 4)
    assert edge_weight_threshold(edges, threshold=3)["weight"].to_list() == [3, 4]


def test_threshold_by_quantile_is_rs_type_7_and_strict():
    # quantile(c(1, 2, 3, 4), 0.5) = 2.5; quantile(c(1, 1, 2, 5), 0.5) = 1.5.
    assert edge_weight_threshold(edges_with_weights(1, 2, 3, 4), quantile=0.5)[
        "weight"
    ].to_list() == [3, 4]
    assert edge_weight_threshold(edges_with_weights(1, 1, 2, 5), quantile=0.5)[
        "weight"
    ].to_list() == [2, 5]
    # quantile(c(1, 1, 1, 2), 0.5) = 1: edges *at* the threshold are dropped.
    assert edge_weight_threshold(edges_with_weights(1, 1, 1, 2), quantile=0.5)[
        "weight"
    ].to_list() == [2]
    # quantile(c(1, 2, 3, 4, 5), 0.9) = 4.6
    assert edge_weight_threshold(edges_with_weights(1, 2, 3, 4, 5), quantile=0.9)[
        "weight"
    ].to_list() == [5]
    assert edge_weight_threshold(edges_with_weights(1, 2), quantile=1.0).is_empty()
    assert edge_weight_threshold(edges_with_weights(), quantile=0.5).is_empty()


def test_threshold_arguments():
    edges = edges_with_weights(1)
    with pytest.raises(ValueError, match="exactly one"):
        edge_weight_threshold(edges)
    with pytest.raises(ValueError, match="exactly one"):
        edge_weight_threshold(edges, threshold=1, quantile=0.5)
    with pytest.raises(ValueError, match="quantile"):
        edge_weight_threshold(edges, quantile=1.5)


# --- amplification, text, combine ---


def test_amplification_counts_retweets_with_first_and_last_times():
    edges = amplification(
        np.array(["r1", "r1", "r1", "r2", "au"]),
        np.array(["au", "au", "bu", "au", "au"]),
        np.array([30, 10, 5, 7, 1]),
    )
    assert edges.rows() == [("r1", "au", 2, 10, 30), ("r1", "bu", 1, 5, 5), ("r2", "au", 1, 7, 7)]
    assert edges.columns == ["retweeter", "author", "weight", "first", "last"]


def test_normalise_text():
    texts = pl.Series(
        [
            "RT @Some_one: Hello,   World!! https://t.co/xyz",
            "hello world @other",
            "  HELLO\tworld  www.example.com/a?b ",
            "Привет, мир! #Tag",
        ]
    )
    normalised = pl.select(normalise_text(pl.lit(texts))).to_series().to_list()
    assert normalised == ["hello world", "hello world", "hello world", "привет мир tag"]


def test_combine_sums_weights_and_weights_the_mean_delta():
    retweets = pl.DataFrame(
        {
            "account_a": ["a", "a"],
            "account_b": ["b", "c"],
            "weight": [1, 2],
            "mean_delta": [10.0, 4.0],
        },
        schema=EDGE_SCHEMA,
    )
    hashtags = pl.DataFrame(
        {"account_a": ["a"], "account_b": ["b"], "weight": [3], "mean_delta": [30.0]},
        schema=EDGE_SCHEMA,
    )
    assert edge_dict(combine([retweets, hashtags])) == {("a", "b"): (4, 25.0), ("a", "c"): (2, 4.0)}
    assert combine([]).schema == pl.Schema(EDGE_SCHEMA)
