"""Detection on three fixed draws of the scenario family, small enough for a unit test.

A regression check of the whole pipeline, not a quality claim: the claim is the worst of many
draws at full scale, in ``bench/quality.py`` and docs/benchmarks.md. The targets are issue 7's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tierscope.graphdb.detect.analyze import Detection, analyze
from tierscope.graphdb.detect.evaluate import Evaluation, evaluate
from tierscope.graphdb.detect.history import slice_inputs
from tierscope.graphdb.detect.inputs import inputs_from_files, inputs_from_rows
from tierscope.graphdb.generate import generate
from tierscope.graphdb.records import AccountRecord, PostRecord, Row

SCALE = 0.3
SEEDS = (1, 2, 3)


def files(out: Path) -> list[Path]:
    return [f for f in (out / "users.csv", out / "tweets.csv", out / "tweets.jsonl") if f.exists()]


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def scenario(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Detection, Evaluation]:
    out = tmp_path_factory.mktemp(f"family{request.param}")
    generate(out, "family", SCALE, request.param)
    detection = analyze(inputs_from_files(files(out)))
    truth = pl.read_csv(out / "truth.csv", infer_schema=False)
    return out, detection, evaluate(truth, detection.accounts, detection.communities)


def test_quality_targets(scenario: tuple[Path, Detection, Evaluation]) -> None:
    _, _, result = scenario
    assert result.precision >= 0.95
    assert result.recall >= 0.90
    assert result.tier_macro_f1 >= 0.85
    assert result.principal_recall >= 0.9
    assert result.ari >= 0.9
    assert result.decoys_flagged is not None and result.decoys_flagged <= 0.05
    assert result.ordinary_tiered is not None and result.ordinary_tiered <= 0.005


def test_every_community_says_why(scenario: tuple[Path, Detection, Evaluation]) -> None:
    _, detection, _ = scenario
    reasons = detection.communities["reason"].to_list()
    assert reasons and all(r.startswith(("flagged:", "not flagged:")) for r in reasons)
    flagged = detection.communities.filter("flagged")
    assert (flagged["q_flag"] <= 0.01).all() or flagged["reason"].str.contains("same push").any()


def test_fans_and_relay_bots_stay_unflagged_for_a_stated_reason(
    scenario: tuple[Path, Detection, Evaluation],
) -> None:
    out, detection, _ = scenario
    truth = pl.read_csv(out / "truth.csv", infer_schema=False)
    decoys = truth.filter(pl.col("role").is_in(["fan", "relay"]))["userid"]
    placed = detection.accounts.filter(pl.col("account_id").is_in(decoys.implode()))
    held = detection.communities.join(
        placed.group_by("community_id").len(), on="community_id"
    ).filter(pl.col("len") >= 10)
    assert held.height >= 1
    assert not held["flagged"].any()
    assert held["reason"].str.contains("genuine audience").all()


def test_analyze_is_deterministic_and_spills_the_same_pairs(tmp_path: Path) -> None:
    generate(tmp_path, "family", 0.2, 9)
    inputs = inputs_from_files(files(tmp_path))
    first, again = analyze(inputs), analyze(inputs, spill=tmp_path / "edges.parquet")
    assert again.edges.collect().height == first.tested_pairs() > 0
    for name in ("edges", "accounts", "communities", "feeds", "principals"):
        # Sums of floats may differ in the last place with the order polars adds them in.
        assert_frame_equal(getattr(first, name), getattr(again, name), rel_tol=1e-9, abs_tol=1e-12)


def test_posts_scanned_from_parquet_give_the_same_detection(tmp_path: Path) -> None:
    generate(tmp_path, "family", 0.2, 9)
    inputs = inputs_from_files(files(tmp_path))
    assert isinstance(inputs.posts, pl.DataFrame)
    inputs.posts.write_parquet(tmp_path / "posts.parquet")
    scanned = replace(inputs, posts=pl.scan_parquet(tmp_path / "posts.parquet"))
    assert scanned.post_count() == inputs.posts.height > 0
    first, again = analyze(inputs), analyze(scanned)
    for name in ("edges", "accounts", "communities", "feeds", "principals"):
        assert_frame_equal(getattr(first, name), getattr(again, name))
    start, end = int(inputs.posts["time"].min()), int(inputs.posts["time"].median())
    window = slice_inputs(scanned, start, end).posts
    assert isinstance(window, pl.DataFrame)
    assert_frame_equal(window, slice_inputs(inputs, start, end).posts)


def test_nothing_to_find() -> None:
    nothing = inputs_from_rows([Row(1, None, PostRecord("p1", "u1", 1000, text="alone"))])
    detection = analyze(nothing)
    assert detection.tested_pairs() == 0
    for name in ("accounts", "communities", "feeds", "principals"):
        assert getattr(detection, name).is_empty(), name
    truth = pl.DataFrame({"userid": ["u1"], "role": ["core"], "op": ["op1"]})
    result = evaluate(truth, detection.accounts, detection.communities)
    assert (result.precision, result.recall, result.ari) == (0.0, 0.0, 0.0)
    assert result.fan_below_ops is None


def test_inputs_from_rows() -> None:
    rows = [
        Row(1, AccountRecord("u1", screen_name="one", created_at=100), None),
        Row(
            2,
            AccountRecord("u1", lang="en", followers=5),
            PostRecord("p1", "u1", 1000, "en", "Hello #World", hashtags=["World", "world"]),
        ),
        Row(
            3,
            AccountRecord("u2"),
            PostRecord("p2", "u2", 1060, "en", "RT @one: Hello", retweet_of="p1",
                       retweet_of_account="u1", hashtags=["World"], urls=["https://x.org"]),
        ),
        # A retweet of a post the archive does not hold: its author is known, its time is not.
        Row(4, None, PostRecord("p3", "u2", 2000, retweet_of="p9", retweet_of_account="u9")),
        # Undated or authorless posts are not read back; a repeated id counts once.
        Row(5, None, PostRecord("p4", "u2", None, text="no time")),
        Row(6, None, PostRecord("p5", None, 3000, text="no author")),
        Row(7, None, PostRecord("p1", "u1", 1000, "en", "Hello #World")),
    ]  # fmt: skip
    inputs = inputs_from_rows(rows)
    assert inputs.posts.rows() == [
        ("u1", "p1", 1000, "en", None, None, None, "Hello #World"),
        ("u2", "p2", 1060, "en", "p1", "u1", 1000, None),
        ("u2", "p3", 2000, None, "p9", "u9", None, None),
    ]
    assert inputs.accounts.sort("account").rows() == [
        ("u1", 100, "en", 5, "one"),
        ("u2", None, None, None, None),
    ]
    assert inputs.hashtags.rows() == [("u1", "world", "p1", 1000), ("u2", "world", "p2", 1060)]
    assert inputs.urls.rows() == [("u2", "https://x.org", "p2", 1060)]
