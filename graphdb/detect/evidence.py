"""Evidence that a community is an operation: one test per signal, against the background.

Each signal is measured over a community's accounts (its core and amplifiers; principals are the
genuine accounts it pushes, not evidence about it) and compared with the **background**: every
account outside all communities and their amplifiers. Each gives an effect size and a p-value,
or is **missing** (NaN) when the data cannot carry it; a missing signal never counts against a
community.

- ``creation_burst`` / ``p_creation``: for each day the community's accounts signed up on, the
  Poisson tail of its sign-ups that day against the background's sign-up rate: the
  background's sign-ups per day over the 91 days around it, or on that very day when more (a
  news event that brings genuine sign-ups brings them to the background too), or one in the 91
  days when there are none. The p-value is the smallest tail times the number of days in the
  archive's span (Bonferroni: the day is not chosen after the fact), and the effect the share
  of accounts created on days significant at ``alpha``. Missing without creation dates.
- ``median_reaction_s`` / ``p_reaction``: median seconds from an original post to the
  community's retweets of it, and the one-sided Mann–Whitney test against the background's
  delays. Reported and ranked on, but not used to flag: fans and news-relay bots react as
  fast as any operation.
- ``dormant_share`` / ``p_dormancy``: accounts silent for a year or more between two posts
  (hijacked accounts), binomial against the background's share. Missing when the archive spans
  less than a year, so no such silence can be seen.
- ``duplicate_text_share`` / ``p_text``: the community's own posts (not retweets) whose
  normalised text another account also posted, binomial against the background's share.
  Missing when the community has no own posts with text (CooRTweet's form carries none).
- ``median_followers`` / ``p_followers``: whether the community's accounts have fewer
  followers than the background's, one-sided Mann–Whitney. Accounts made in bulk to amplify
  have few followers of their own; hijacked genuine accounts keep theirs. Missing without
  follower counts.
- ``lang_top``, ``lang_top_share``, ``lang_entropy`` / ``p_language``: whether one language is
  over-represented in the community's own posts, binomial against that language's share of the
  background's own posts, times the number of languages it posts in. Missing when the
  background's own posts are all of one language (nothing to deviate from) or the community has
  no own posts with a language.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from tierscope.graphdb.detect import stats
from tierscope.graphdb.detect.coordination import normalise_text
from tierscope.graphdb.detect.inputs import Frame, Posts

DAY = 86_400
YEAR = 365 * DAY
# Days either side over which the background's sign-up rate is taken.
SIGNUP_DAYS = 45
# A background whose own posts are this much one language carries no language signal.
ONE_LANGUAGE = 0.99
BACKGROUND = -1

EVIDENCE_SCHEMA = {
    "community": pl.Int64,
    "creation_burst": pl.Float64,
    "p_creation": pl.Float64,
    "median_reaction_s": pl.Float64,
    "p_reaction": pl.Float64,
    "dormant_share": pl.Float64,
    "p_dormancy": pl.Float64,
    "duplicate_text_share": pl.Float64,
    "p_text": pl.Float64,
    "median_followers": pl.Float64,
    "p_followers": pl.Float64,
    "lang_top": pl.String,
    "lang_top_share": pl.Float64,
    "lang_entropy": pl.Float64,
    "p_language": pl.Float64,
}
# The signals that speak to inauthenticity, each with an innocent reading on its own.
INAUTHENTICITY = ("p_creation", "p_dormancy", "p_text", "p_followers", "p_language")


def _label(frame: pl.LazyFrame, members: pl.DataFrame) -> pl.LazyFrame:
    """``frame`` with each row's community by its account; everyone else in BACKGROUND.

    Accounts of ``excluded`` communities (principals, tiered accounts not under test) should
    not be passed in ``frame``'s background: callers filter them beforehand.
    """
    return frame.join(
        members.lazy().select("account", "community"), on="account", how="left"
    ).with_columns(pl.col("community").fill_null(BACKGROUND))


def _ids(members: pl.DataFrame) -> pl.DataFrame:
    return members.select("community").unique().sort("community")


def creation_burst(members: pl.DataFrame, accounts: pl.DataFrame, alpha: float) -> pl.DataFrame:
    """community, creation_burst, p_creation (module docstring)."""
    days = _label(
        accounts.lazy()
        .filter(pl.col("created_at").is_not_null())
        .select("account", day=pl.col("created_at") // DAY),
        members,
    ).collect()
    background = days.filter(pl.col("community") == BACKGROUND)
    if background.is_empty():
        return _ids(members).with_columns(
            creation_burst=pl.lit(None, pl.Float64), p_creation=pl.lit(None, pl.Float64)
        )
    first, last = int(days["day"].min()), int(days["day"].max())  # type: ignore[arg-type]
    span = last - first + 1
    # The background's sign-ups per day around each day, or on the day itself when more (a
    # genuine spike after news), or one in the window when none.
    daily = np.bincount(background["day"].to_numpy() - first, minlength=span).astype(float)
    around = np.convolve(daily, np.ones(2 * SIGNUP_DAYS + 1), mode="same")
    density = np.maximum(
        np.maximum(daily, around / (2 * SIGNUP_DAYS + 1)), 1 / (2 * SIGNUP_DAYS + 1)
    )
    counts = (
        days.filter(pl.col("community") != BACKGROUND)
        .group_by("community", "day")
        .agg(c=pl.len())
        .with_columns(n=pl.col("c").sum().over("community"))
    )
    expected = density[counts["day"].to_numpy() - first] * counts["n"].to_numpy()
    tail = stats.poisson_sf(counts["c"].to_numpy(), expected / background.height)
    # Bonferroni over every day of the archive's span: a day is not chosen after the fact.
    counts = counts.with_columns(p=pl.Series(np.minimum(tail * span, 1.0)))
    return counts.group_by("community").agg(
        creation_burst=pl.col("c").filter(pl.col("p") <= alpha).sum() / pl.col("n").first(),
        p_creation=pl.col("p").min(),
    )


def _mann_whitney_less(x: np.ndarray, y: np.ndarray) -> float:
    """One-sided p-value that values of ``x`` tend to be smaller than those of ``y``."""
    if not len(x) or not len(y):
        return float("nan")
    ranks = pl.Series(np.concatenate([x, y])).rank("average").to_numpy()
    n1, n2 = len(x), len(y)
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    mean, sd = n1 * n2 / 2, np.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    return float(stats.normal_sf((mean - u) / sd)) if sd > 0 else 1.0


def _compare(values: pl.DataFrame, members: pl.DataFrame, name: str, p_name: str) -> pl.DataFrame:
    """community, median ``name``, ``p_name``: the one-sided Mann–Whitney test that the
    community's ``value``s (rows: account, value) are smaller than the background's."""
    labelled = _label(values.lazy(), members).collect()
    background = labelled.filter(pl.col("community") == BACKGROUND)["value"].to_numpy()
    rows = []
    for (community,), group in labelled.filter(pl.col("community") != BACKGROUND).group_by(
        "community"
    ):
        mine = group["value"].to_numpy()
        rows.append((community, float(np.median(mine)), _mann_whitney_less(mine, background)))
    return pl.DataFrame(
        rows, schema={"community": pl.Int64, name: pl.Float64, p_name: pl.Float64}, orient="row"
    )


def reaction_time(members: pl.DataFrame, posts: Posts) -> pl.DataFrame:
    """community, median_reaction_s, p_reaction."""
    delays = (
        posts.lazy()
        .filter(pl.col("original_time").is_not_null())
        .select("account", value=(pl.col("time") - pl.col("original_time")).cast(pl.Float64))
        .collect()
    )
    return _compare(delays, members, "median_reaction_s", "p_reaction")


def followers(members: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """community, median_followers, p_followers."""
    counts = accounts.filter(pl.col("followers").is_not_null()).select(
        "account", value=pl.col("followers").cast(pl.Float64)
    )
    return _compare(counts, members, "median_followers", "p_followers")


def _share_test(flags: pl.LazyFrame, members: pl.DataFrame, name: str, p_name: str) -> pl.DataFrame:
    """community, share, p: the share of ``flag`` rows per community, binomial against the
    background's share (``flags``: account, flag)."""
    shares = (
        _label(flags, members)
        .group_by("community")
        .agg(x=pl.col("flag").sum(), n=pl.len())
        .collect()
    )
    base = shares.filter(pl.col("community") == BACKGROUND)
    rate = float(base["x"][0] / base["n"][0]) if base.height and base["n"][0] else 0.0
    mine = shares.filter(pl.col("community") != BACKGROUND)
    p = stats.binom_sf(mine["x"].to_numpy(), mine["n"].to_numpy(), rate)
    return mine.select(
        "community",
        (pl.col("x") / pl.col("n")).alias(name),
        pl.Series(p_name, p, dtype=pl.Float64),
    )


def dormancy(members: pl.DataFrame, posts: Posts) -> pl.DataFrame:
    """community, dormant_share, p_dormancy."""
    span = posts.lazy().select(pl.col("time").max() - pl.col("time").min()).collect().item()
    span = int(span or 0)
    if span < YEAR:
        return _ids(members).with_columns(
            dormant_share=pl.lit(None, pl.Float64), p_dormancy=pl.lit(None, pl.Float64)
        )
    gaps = (
        posts.lazy()
        .group_by("account")
        .agg(flag=pl.col("time").sort().diff().max().fill_null(0) >= YEAR)
    )
    return _share_test(gaps, members, "dormant_share", "p_dormancy")


def duplicate_text(members: pl.DataFrame, posts: Posts) -> pl.DataFrame:
    """community, duplicate_text_share, p_text over own posts with text."""
    texts = (
        posts.lazy()
        .filter(pl.col("text").is_not_null())
        # Copies that only add a hashtag or a link are still copies.
        .select("account", text=normalise_text(pl.col("text").str.replace_all(r"#\w+", " ")))
        .filter(pl.col("text") != "")
        # A 64-bit hash stands in for the text: a third of the memory, and a collision among a
        # few million texts has odds of about one in a million.
        .select("account", text=pl.col("text").hash())
        .with_columns(flag=pl.col("account").n_unique().over("text") > 1)
        .select("account", "flag")
    )
    return _share_test(texts, members, "duplicate_text_share", "p_text")


def languages(members: pl.DataFrame, posts: Posts) -> pl.DataFrame:
    """community, lang_top, lang_top_share, lang_entropy, p_language over own posts."""
    own = posts.lazy().filter(pl.col("original").is_null() & pl.col("lang").is_not_null())
    counts = (
        _label(own.select("account", "lang"), members)
        .group_by("community", "lang")
        .agg(n=pl.len())
        .collect()
        .with_columns(p=pl.col("n") / pl.col("n").sum().over("community"))
    )
    base = counts.filter(pl.col("community") == BACKGROUND).select("lang", base="p")
    mine = (
        counts.filter(pl.col("community") != BACKGROUND)
        .join(base, on="lang", how="left")
        .with_columns(
            pl.col("base").fill_null(0.0),
            total=pl.col("n").sum().over("community"),
            langs=pl.len().over("community"),
        )
    )
    tail = stats.binom_sf(mine["n"].to_numpy(), mine["total"].to_numpy(), mine["base"].to_numpy())
    carries = base.height > 0 and float(base["base"].to_numpy().max()) < ONE_LANGUAGE
    mine = mine.with_columns(
        tail=pl.Series(np.minimum(tail * mine["langs"].to_numpy(), 1.0))
        if carries
        else pl.lit(None, pl.Float64)
    )
    return (
        mine.sort(["community", "n", "lang"], descending=[False, True, False])
        .group_by("community", maintain_order=True)
        .agg(
            lang_top=pl.col("lang").first(),
            lang_top_share=pl.col("p").first(),
            lang_entropy=-(pl.col("p") * pl.col("p").log(2)).sum(),
            p_language=pl.col("tail").min(),
        )
    )


def community_evidence(
    members: pl.DataFrame,
    posts: Posts,
    accounts: pl.DataFrame,
    excluded: pl.DataFrame,
    alpha: float,
) -> pl.DataFrame:
    """EVIDENCE_SCHEMA, one row per community of ``members`` (account, community).

    ``excluded`` (account) are accounts that belong to neither side: principals, and members
    of other communities' tiers, which are not the ordinary background.
    """
    drop = excluded.join(members.select("account"), on="account", how="anti")

    def keep(frame: Frame) -> Frame:
        # A filter, not an anti-join: the posts are millions of rows and ``drop`` a handful,
        # and the join's hash table and copy cost half a GB at scale 4. Lazy for the posts,
        # so that each test copies only the columns it reads.
        if drop.is_empty():
            return frame
        return frame.filter(~pl.col("account").is_in(drop["account"].implode()))

    posts, accounts = keep(posts.lazy()), keep(accounts)
    return (
        _ids(members)
        .join(creation_burst(members, accounts, alpha), on="community", how="left")
        .join(reaction_time(members, posts), on="community", how="left")
        .join(dormancy(members, posts), on="community", how="left")
        .join(duplicate_text(members, posts), on="community", how="left")
        .join(followers(members, accounts), on="community", how="left")
        .join(languages(members, posts), on="community", how="left")
        .select([pl.col(name).cast(dtype) for name, dtype in EVIDENCE_SCHEMA.items()])
    )
