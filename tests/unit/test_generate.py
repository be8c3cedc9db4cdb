"""The seed2020 scenario generator: archive format, truth, determinism and planted structure."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from tierscope.graphdb.errors import InputError
from tierscope.graphdb.generate import ROLES, SCENARIOS, GenerateResult, generate
from tierscope.graphdb.records import Reject
from tierscope.graphdb.sources import open_source

SCALE = 0.02

# The 2018 release's columns, in its order: written out here rather than imported, so the test
# does not just compare the module with itself.
TWEET_HEADER = [
    "tweetid",
    "userid",
    "user_display_name",
    "user_screen_name",
    "user_reported_location",
    "user_profile_description",
    "user_profile_url",
    "follower_count",
    "following_count",
    "account_creation_date",
    "account_language",
    "tweet_language",
    "tweet_text",
    "tweet_time",
    "tweet_client_name",
    "in_reply_to_userid",
    "in_reply_to_tweetid",
    "quoted_tweet_tweetid",
    "is_retweet",
    "retweet_userid",
    "retweet_tweetid",
    "latitude",
    "longitude",
    "quote_count",
    "reply_count",
    "like_count",
    "retweet_count",
    "hashtags",
    "urls",
    "user_mentions",
    "poll_choices",
]
USER_HEADER = TWEET_HEADER[1:11]
QUOTED_LINE = re.compile(r'"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*')


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> GenerateResult:
    return generate(tmp_path_factory.mktemp("seed2020"), scale=SCALE, seed=7)


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema_length=0).fill_null("")


@pytest.fixture(scope="module")
def tweets(result: GenerateResult) -> pl.DataFrame:
    truth = _read(result.out_dir / "truth.csv")
    return _read(result.out_dir / "tweets.csv").join(truth, on="userid", how="left")


@pytest.fixture(scope="module")
def retweets(tweets: pl.DataFrame) -> pl.DataFrame:
    """Every retweet with its original's author, time, role and op (suffix _o)."""
    originals = tweets.select(
        pl.col("tweetid").alias("retweet_tweetid"),
        pl.col("userid").alias("userid_o"),
        pl.col("user_screen_name").alias("screen_o"),
        pl.col("tweet_time").alias("time_o"),
        pl.col("role").alias("role_o"),
        pl.col("op").alias("op_o"),
    )
    return tweets.filter(pl.col("is_retweet") == "true").join(
        originals, on="retweet_tweetid", how="left"
    )


def _minutes(column: str) -> pl.Expr:
    return pl.col(column).str.to_datetime("%Y-%m-%d %H:%M").dt.epoch("s") // 60


def _share(frame: pl.DataFrame, condition: pl.Expr) -> float:
    return float(frame.select(condition.mean()).item())


def _days_apart(dates: pl.Series) -> int:
    """Days between the first and the last of some `YYYY-MM-DD` dates."""
    days = pl.DataFrame({"day": dates.str.to_date().to_physical()})
    return int(days.select(pl.col("day").max() - pl.col("day").min()).item())


def test_headers_are_the_archive_columns_in_order(result: GenerateResult) -> None:
    def header(name: str) -> list[str]:
        with (result.out_dir / name).open(encoding="utf-8") as f:
            return [field.strip('"') for field in f.readline().rstrip("\n").split(",")]

    assert header("tweets.csv") == TWEET_HEADER
    assert header("users.csv") == USER_HEADER
    assert header("truth.csv") == ["userid", "role", "op"]


def test_every_field_is_quoted(result: GenerateResult) -> None:
    for name in ("tweets.csv", "users.csv", "truth.csv"):
        lines = (result.out_dir / name).read_text(encoding="utf-8").splitlines()
        bad = [line for line in lines if not QUOTED_LINE.fullmatch(line)]
        assert not bad, f"{name}: {bad[:3]}"


def test_values_have_the_archive_formats(tweets: pl.DataFrame) -> None:
    def share(expr: pl.Expr) -> float:
        return float(tweets.select(expr.mean()).item())

    assert share(pl.col("tweet_time").str.contains(r"^\d{4}-\d\d-\d\d \d\d:\d\d$")) == 1
    assert share(pl.col("account_creation_date").str.contains(r"^\d{4}-\d\d-\d\d$")) == 1
    assert share(pl.col("tweetid").str.contains(r"^\d+$")) == 1
    assert share(pl.col("userid").str.contains(r"^\d+$")) == 1
    assert share(pl.col("is_retweet").is_in(["true", "false"])) == 1
    assert share((pl.col("latitude") == "absent") & (pl.col("longitude") == "absent")) == 1
    for column in ("hashtags", "urls"):
        assert share(pl.col(column).str.contains(r"^\[('[^']+'(, '[^']+')*)?\]$")) == 1
    assert share(pl.col("user_mentions").str.contains(r"^\[(\d+)?\]$")) == 1
    assert tweets["tweetid"].is_unique().all()
    # Every row of an account repeats the same account columns.
    per_account = tweets.group_by("userid").agg(pl.col(USER_HEADER[1:]).n_unique().max())
    assert per_account.select(pl.exclude("userid").max()).row(0) == (1,) * 9


def test_hashtags_are_read_off_the_text(tweets: pl.DataFrame) -> None:
    tagged = tweets.filter(pl.col("hashtags") != "[]").row(0, named=True)
    for tag in re.findall(r"'([^']+)'", tagged["hashtags"]):
        assert f"#{tag}" in tagged["tweet_text"]


def test_retweets_point_at_earlier_originals_in_the_file(
    tweets: pl.DataFrame, retweets: pl.DataFrame
) -> None:
    assert retweets.height > tweets.height / 3
    assert retweets["userid_o"].null_count() == 0  # every original is in the file
    assert (retweets["retweet_userid"] == retweets["userid_o"]).all()
    assert (retweets["user_mentions"] == "[" + retweets["userid_o"] + "]").all()
    assert retweets.select((_minutes("tweet_time") > _minutes("time_o")).all()).item()
    prefix = pl.concat_str(pl.lit("RT @"), pl.col("screen_o"), pl.lit(": "))
    assert retweets.select(pl.col("tweet_text").str.starts_with(prefix).all()).item()
    assert retweets["role_o"].is_in(["principal", "core", "celebrity", "organic", "fan"]).all()


def test_accounts_exist_before_they_post(tweets: pl.DataFrame) -> None:
    day = pl.col("tweet_time").str.slice(0, 10)
    assert tweets.select((day >= pl.col("account_creation_date")).all()).item()


def test_replies_point_at_earlier_posts(tweets: pl.DataFrame) -> None:
    replies = tweets.filter(pl.col("in_reply_to_tweetid") != "")
    originals = tweets.select(
        in_reply_to_tweetid="tweetid", replied_userid="userid", replied_time="tweet_time"
    )
    joined = replies.join(originals, on="in_reply_to_tweetid", how="inner")
    assert replies.height > 0
    assert joined.height == replies.height
    assert (joined["in_reply_to_userid"] == joined["replied_userid"]).all()
    assert joined.select((_minutes("tweet_time") > _minutes("replied_time")).all()).item()


def test_truth_covers_every_account_with_roles_and_ops(
    result: GenerateResult, tweets: pl.DataFrame
) -> None:
    truth = _read(result.out_dir / "truth.csv")
    users = _read(result.out_dir / "users.csv")
    assert truth["userid"].to_list() == users["userid"].to_list()
    assert set(truth["userid"]) == set(tweets["userid"])
    assert users["userid"].is_unique().all()
    assert set(truth["role"]) == set(ROLES) - {"relay", "outlet"}  # the family's decoys
    counts = truth.group_by("role", "op").len()
    by = {(r["role"], r["op"]): r["len"] for r in counts.iter_rows(named=True)}
    assert set(by) == {
        ("principal", "op1"),
        ("core", "op1"),
        ("amplifier", "op1"),
        ("principal", "op2"),
        ("core", "op2"),
        ("amplifier", "op2"),
        ("organic", ""),
        ("fan", ""),
        ("celebrity", ""),
    }
    assert by["principal", "op1"] >= 5 and by["principal", "op2"] == 2
    assert by["celebrity", ""] == 1
    for op in ("op1", "op2"):
        assert by["core", op] >= 5
        # Six amplifiers per core account (one may drop out with nothing posted).
        assert 5.5 * by["core", op] <= by["amplifier", op] <= 6 * by["core", op]
    assert by["organic", ""] > by["amplifier", "op1"] > by["fan", ""]
    assert result.truth == dict(truth["role"].value_counts().iter_rows())
    assert result.accounts == users.height
    assert result.tweets == tweets.height
    assert result.retweets == (tweets["is_retweet"] == "true").sum()


def test_same_seed_same_bytes_other_seed_other_bytes(
    result: GenerateResult, tmp_path: Path
) -> None:
    again = generate(tmp_path / "again", scale=SCALE, seed=7)
    other = generate(tmp_path / "other", scale=SCALE, seed=8)
    for name in ("tweets.csv", "users.csv", "truth.csv"):
        first = (result.out_dir / name).read_bytes()
        assert (again.out_dir / name).read_bytes() == first
        assert (other.out_dir / name).read_bytes() != first


def test_scale_is_linear(tmp_path: Path) -> None:
    small = generate(tmp_path / "small", scale=0.05)
    large = generate(tmp_path / "large", scale=0.1)
    assert 1.7 < large.tweets / small.tweets < 2.2
    assert 1.7 < large.accounts / small.accounts < 2.2


def test_core_retweets_principals_in_tight_waves(retweets: pl.DataFrame) -> None:
    def in_step(role: str) -> float:
        """Share of an op1 role's retweets of principals within a minute of another's."""
        waves = retweets.filter(
            (pl.col("role") == role) & (pl.col("op") == "op1") & (pl.col("role_o") == "principal")
        ).select("retweet_tweetid", minute=_minutes("tweet_time"))
        pairs = waves.with_row_index().join(waves.with_row_index(), on="retweet_tweetid")
        close = pairs.filter(
            (pl.col("index") != pl.col("index_right"))
            & ((pl.col("minute") - pl.col("minute_right")).abs() <= 1)
        )
        return close["index"].n_unique() / waves.height

    assert in_step("core") > 0.6
    assert in_step("amplifier") < 0.3


def test_op1_amplifiers_mostly_retweet_op1_core_posts(retweets: pl.DataFrame) -> None:
    amplified = retweets.filter((pl.col("role") == "amplifier") & (pl.col("op") == "op1"))
    on_core = (pl.col("role_o") == "core") & (pl.col("op_o") == "op1")
    assert _share(amplified, on_core) > 0.7
    # Slower than the core: minutes to hours after the original.
    delays = amplified.select(_minutes("tweet_time") - _minutes("time_o"))
    assert 15 < delays.median().item() < 240


def test_lookalike_ring_keeps_to_itself(tweets: pl.DataFrame, retweets: pl.DataFrame) -> None:
    ring = tweets.filter((pl.col("op") == "op2") & (pl.col("role") != "principal"))
    accounts = ring.unique("userid")
    assert accounts["user_screen_name"].str.contains(r"^[a-z]+\d{4,}$").all()
    assert _days_apart(accounts["account_creation_date"]) <= 2
    ring_retweets = retweets.filter((pl.col("op") == "op2") & (pl.col("role") != "principal"))
    assert ring_retweets.height > 0
    assert _share(ring_retweets, pl.col("op_o") == "op2") > 0.9


def test_fan_community_is_fast_but_otherwise_organic(
    tweets: pl.DataFrame, retweets: pl.DataFrame
) -> None:
    fans = tweets.filter(pl.col("role") == "fan")
    on_star = retweets.filter((pl.col("role") == "fan") & (pl.col("role_o") == "celebrity"))
    assert on_star.height > 10 * fans["userid"].n_unique()
    assert on_star.select(_minutes("tweet_time") - _minutes("time_o")).median().item() < 15
    assert _days_apart(fans.unique("userid")["account_creation_date"]) > 5 * 365
    assert fans["tweet_language"].n_unique() >= 4
    own = fans.filter(pl.col("is_retweet") == "false")["tweet_text"]
    assert own.is_unique().all()


def test_hijacked_accounts_wake_up_after_a_long_silence(tweets: pl.DataFrame) -> None:
    gaps = (
        tweets.filter(pl.col("op") == "op1")
        .sort("userid", "tweet_time")
        .group_by("userid")
        .agg(gap=_minutes("tweet_time").diff().max() / 1440)
    )
    assert (gaps["gap"] > 365).sum() >= 2  # one core, one amplifier at least


def test_unknown_scenario_and_bad_scale_raise_input_error(tmp_path: Path) -> None:
    assert SCENARIOS == ("seed2020", "family", "history")
    with pytest.raises(InputError, match="unknown scenario"):
        generate(tmp_path, scenario="nope")
    with pytest.raises(InputError, match="scale"):
        generate(tmp_path, scale=0)
    assert not any(tmp_path.iterdir())


def test_files_load_without_rejects(result: GenerateResult) -> None:
    for name, rows in (("tweets.csv", result.tweets), ("users.csv", result.accounts)):
        with open_source(result.out_dir / name) as source:
            items = list(source)
        assert [item for item in items if isinstance(item, Reject)] == []
        assert len(items) == rows
