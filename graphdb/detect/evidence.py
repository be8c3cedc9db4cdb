"""Evidence that a coordinated community is a planted operation, and the score that ranks them.

Each measure is taken over a community's core and amplifier accounts (its principals are the
genuine accounts it amplifies) and compared with the *background*: every account outside the
communities' cores and amplifiers.

- ``creation_burst``: the share of the community's accounts created on burst days. A day is a
  burst when the community's sign-ups that day are implausible at the background's rate for that
  day: at least 3 accounts (two is a coincidence) and a Poisson tail, bounded by Chernoff's
  ``exp(c - l - c ln(c / l))``, below 1% after a Bonferroni correction over the days the
  community signed up on. Batch-made accounts come in bursts; genuine sign-ups follow the crowd.
- ``median_reaction_s``: the median delay between an original post and the community's
  retweets of it. Its signal is 1 at the co-share window (as fast as coordination itself), 0 at
  the background's median, log-linear in between.
- ``dormant_share``: the share of accounts with a silence of at least a year between two posts
  before they posted again (hijacked genuine accounts).
- ``duplicate_text_share``: the share of the community's own posts (not retweets) whose text,
  without hashtags, links, mentions, punctuation and case (``coordination.normalise_text``), is
  also posted by another account.
- ``lang_entropy`` (bits, over the languages of the community's posts), with ``lang_top`` and
  ``lang_top_share``. Its signal is the entropy's shortfall against the background's.

Dormancy and duplication are scored as their excess over the background, ``(s - b) / (1 - b)``,
and the creation burst as the share itself (its test already holds the background). Each signal
lies in [0, 1]; ``score`` is their sum. A community is flagged when ``score >= min_evidence``
(2.0): every signal alone has an innocent reading (a fan base reacts fast, news brings sign-ups,
a language community is monolingual, people come back to Twitter), so flagging takes at least two
signals' worth of evidence. A genuine fan community that retweets one celebrity fast scores on
reaction alone.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from tierscope.graphdb.detect.coordination import normalise_text

DAY = 86_400
BURST_MIN_ACCOUNTS = 3
BURST_ALPHA = 0.01
DORMANT_DAYS = 365
MIN_EVIDENCE = 2.0
EVIDENCE_SCHEMA = {
    "community": pl.Int64,
    "creation_burst": pl.Float64,
    "median_reaction_s": pl.Float64,
    "dormant_share": pl.Float64,
    "duplicate_text_share": pl.Float64,
    "lang_top": pl.String,
    "lang_top_share": pl.Float64,
    "lang_entropy": pl.Float64,
    "score": pl.Float64,
}

# The background's group: every account outside the communities' cores and amplifiers.
BACKGROUND = -1


def _label(frame: pl.LazyFrame, members: pl.DataFrame) -> pl.LazyFrame:
    """``frame`` with each row's community by its account; outsiders in BACKGROUND."""
    return frame.join(
        members.lazy().select("account", "community"), on="account", how="left"
    ).with_columns(pl.col("community").fill_null(BACKGROUND))


def creation_burst(members: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """community, creation_burst: share of accounts created on a burst day (see module doc)."""
    days = _label(
        accounts.lazy()
        .filter(pl.col("created_at").is_not_null())
        .select("account", day=pl.col("created_at") // DAY),
        members,
    ).collect()
    background = days.filter(pl.col("community") == BACKGROUND)
    per_day = background.group_by("day").agg(base=pl.len())
    sizes = days.group_by("community").agg(n=pl.len())
    counts = (
        days.filter(pl.col("community") != BACKGROUND)
        .group_by("community", "day")
        .agg(c=pl.len())
        .join(sizes, on="community")
        .join(per_day, on="day", how="left")
        # A day nobody else signed up on counts as half a sign-up, not an impossible one.
        .with_columns(
            rate=pl.max_horizontal(pl.col("base").fill_null(0), 0.5)
            * pl.col("n")
            / max(background.height, 1),
            days=pl.len().over("community"),
        )
        .with_columns(
            log_tail=pl.when(pl.col("c") > pl.col("rate"))
            .then(pl.col("c") - pl.col("rate") - pl.col("c") * (pl.col("c") / pl.col("rate")).log())
            .otherwise(0.0)
        )
        .with_columns(
            burst=(pl.col("c") >= BURST_MIN_ACCOUNTS)
            & (pl.col("log_tail") < (BURST_ALPHA / pl.col("days")).log())
        )
    )
    return counts.group_by("community").agg(
        creation_burst=pl.col("c").filter(pl.col("burst")).sum() / pl.col("n").first()
    )


def _reactions(members: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    delays = (
        posts.lazy()
        .filter(pl.col("original_time").is_not_null())
        .select("account", delay=(pl.col("time") - pl.col("original_time")).cast(pl.Float64))
    )
    return (
        _label(delays, members)
        .group_by("community")
        .agg(median_reaction_s=pl.col("delay").median())
        .collect()
    )


def reaction_time(members: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    """community, median_reaction_s: median seconds from an original post to the retweet."""
    return _reactions(members, posts).filter(pl.col("community") != BACKGROUND)


def _dormancy(members: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    gaps = posts.lazy().group_by("account").agg(longest=pl.col("time").sort().diff().max())
    return (
        _label(gaps, members)
        .group_by("community")
        .agg(dormant_share=(pl.col("longest").fill_null(0) >= DORMANT_DAYS * DAY).mean())
        .collect()
    )


def dormancy(members: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    """community, dormant_share: share of accounts silent for a year before posting again."""
    return _dormancy(members, posts).filter(pl.col("community") != BACKGROUND)


def _duplicates(members: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    texts = (
        posts.lazy()
        .filter(pl.col("text").is_not_null())
        # Copies that only add a hashtag or a link are still copies.
        .select("account", text=normalise_text(pl.col("text").str.replace_all(r"#\w+", " ")))
        .filter(pl.col("text") != "")
        # A 64-bit hash stands in for the text: a third of the memory, and a collision among a
        # few million texts has odds of about one in a million.
        .select("account", text=pl.col("text").hash())
        .with_columns(copied=pl.col("account").n_unique().over("text") > 1)
    )
    return (
        _label(texts, members)
        .group_by("community")
        .agg(duplicate_text_share=pl.col("copied").mean())
        .collect()
    )


def duplicate_text(members: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    """community, duplicate_text_share: share of own posts whose text another account posts."""
    return _duplicates(members, posts).filter(pl.col("community") != BACKGROUND)


def _languages(members: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    counts = (
        _label(posts.lazy().filter(pl.col("lang").is_not_null()).select("account", "lang"), members)
        .group_by("community", "lang")
        .agg(n=pl.len())
        .collect()
        .with_columns(p=pl.col("n") / pl.col("n").sum().over("community"))
    )
    return (
        counts.sort(["community", "n", "lang"], descending=[False, True, False])
        .group_by("community", maintain_order=True)
        .agg(
            lang_top=pl.col("lang").first(),
            lang_top_share=pl.col("p").first(),
            lang_entropy=-(pl.col("p") * pl.col("p").log(2)).sum(),
        )
    )


def languages(members: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    """community, lang_top, lang_top_share, lang_entropy (bits) over the community's posts."""
    return _languages(members, posts).filter(pl.col("community") != BACKGROUND)


def _excess(value: pl.Expr, base: float) -> pl.Expr:
    """How far a share exceeds the background's, on [0, 1]."""
    return ((value.fill_null(0.0) - base) / max(1.0 - base, 1e-9)).clip(0.0, 1.0)


def community_evidence(
    members: pl.DataFrame,
    posts: pl.DataFrame,
    accounts: pl.DataFrame,
    window: int = 60,
) -> pl.DataFrame:
    """EVIDENCE_SCHEMA, one row per community of ``members`` (account, community).

    ``members`` should hold the core and amplifier accounts: principals are the genuine accounts
    a community amplifies, not evidence about it.
    """
    ids = members.select("community").unique().sort("community")
    reaction = _reactions(members, posts)
    dormant = _dormancy(members, posts)
    copied = _duplicates(members, posts)
    langs = _languages(members, posts)

    def base(frame: pl.DataFrame, column: str) -> float | None:
        row = frame.filter(pl.col("community") == BACKGROUND)[column]
        return None if row.is_empty() or row[0] is None else float(row[0])

    evidence = (
        ids.join(creation_burst(members, accounts), on="community", how="left")
        .join(reaction, on="community", how="left")
        .join(dormant, on="community", how="left")
        .join(copied, on="community", how="left")
        .join(langs, on="community", how="left")
        .with_columns(pl.col("creation_burst").fill_null(0.0))
    )
    base_reaction = base(reaction, "median_reaction_s")
    base_entropy = base(langs, "lang_entropy")
    fast = pl.lit(0.0)
    if base_reaction is not None:
        fastest = max(float(window), 1.0)
        if base_reaction > fastest:
            fast = (
                (base_reaction / pl.col("median_reaction_s").clip(lower_bound=fastest)).log()
                / np.log(base_reaction / fastest)
            ).clip(0.0, 1.0)
        else:
            fast = (pl.col("median_reaction_s") <= fastest).cast(pl.Float64)
    mixed = pl.lit(0.0)
    if base_entropy:
        mixed = (1.0 - pl.col("lang_entropy") / base_entropy).clip(0.0, 1.0)
    score = (
        pl.col("creation_burst")
        + fast.fill_null(0.0)
        + _excess(pl.col("dormant_share"), base(dormant, "dormant_share") or 0.0)
        + _excess(pl.col("duplicate_text_share"), base(copied, "duplicate_text_share") or 0.0)
        + mixed.fill_null(0.0)
    )
    return evidence.with_columns(score=score).select(
        [pl.col(name).cast(dtype) for name, dtype in EVIDENCE_SCHEMA.items()]
    )
