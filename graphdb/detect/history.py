"""How operations grow: detection over consecutive time windows (`tierscope detect --by`).

The inputs read for the whole period are cut into calendar windows (UTC days, Monday-based
weeks or months), `analyze` runs on each window as it would on a whole archive, and the
window's *units* (a flagged operation, with all its communities, or an unflagged community)
are matched to those of the window before by member overlap. docs/method.md defends the rule:

- **Link.** Units A (window t-1) and B (window t) are linked when their overlap is beyond
  chance (hypergeometric: ``|A ∩ B|`` accounts drawn from the accounts active in either
  window; Benjamini–Hochberg over every pair of units at ``fdr``) *and* their Jaccard index is
  at least ``min_jaccard`` (0.1). A fixed high threshold (0.3 is common) would cut a track
  exactly when an operation recruits twice its size; the test is the guard against chance,
  the floor against a large audience that happens to hold a small part of a unit.
- **Track.** Each unit continues the linked unit before it with the highest Jaccard, unless
  that one already continues into a unit with a higher Jaccard (then it *splits* off and starts
  a track of its own); a unit without a link *appears*. Windows with no link end a track: a
  track never skips a window.
- **Events** per track: ``appears``; ``grows`` when the accounts new to the track number at
  least ``grow`` (0.5) times the unit's size in the window before; ``core_changes`` when, in
  two consecutive flagged windows with cores of at least 3, at least ``core_change`` (half)
  of the new core is new to the operation or half of the old core is gone from it (an account
  moving between core and amplifier from one window to the next is noise, not a new core);
  ``merges`` when a linked unit is continued by another track; ``falls_silent`` in the window
  after the last (with how many of its accounts still posted: silence, or accounts that
  stopped coordinating).

Everything here is plain frames in, dataclasses out; `graphdb.detect.history_run` writes and
reads them in Neo4j.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy.stats import hypergeom

from tierscope.graphdb.detect import stats
from tierscope.graphdb.detect.analyze import Detection, DetectParams, analyze
from tierscope.graphdb.detect.inputs import DetectInputs, Frame
from tierscope.graphdb.errors import InputError

BY = ("day", "week", "month")
DAY = 86_400
_MONDAY = 4 * DAY  # 1970-01-01 was a Thursday; the first Monday is four days later
TIERS = ("principal", "core", "amplifier", "member")
EVENTS = ("appears", "grows", "core_changes", "merges", "falls_silent")

MEMBER_SCHEMA = {
    "window": pl.Int64,
    "unit": pl.Int64,
    "community_id": pl.Int64,
    "account_id": pl.String,
    "tier": pl.String,
    "flagged": pl.Boolean,
}
LINK_SCHEMA = {
    "window": pl.Int64,  # of the later unit
    "source": pl.Int64,  # unit in window - 1
    "target": pl.Int64,  # unit in window
    "overlap": pl.Int64,
    "jaccard": pl.Float64,
    "p_value": pl.Float64,
    "q_value": pl.Float64,
}
UNIT_SCHEMA = {
    "window": pl.Int64,
    "unit": pl.Int64,
    "track": pl.Int64,
    "lead": pl.Int64,  # the unit's best-ranked community
    "flagged": pl.Boolean,
    "size": pl.Int64,
    **{f"{t}s" if t != "core" else "core": pl.Int64 for t in TIERS},
    "newcomers": pl.Int64,
    "jaccard": pl.Float64,  # with the unit it continues; null where the track starts
}
EVENT_SCHEMA = {
    "track": pl.Int64,
    "window": pl.Int64,
    "event": pl.String,
    "detail": pl.String,
}


@dataclass(frozen=True)
class HistoryParams:
    """The rule that links and tracks units, and the events' thresholds (module docstring)."""

    by: str = "week"
    min_jaccard: float = 0.1
    grow: float = 0.5
    core_change: float = 0.5
    max_windows: int = 200

    def __post_init__(self) -> None:
        if self.by not in BY:
            raise InputError(f"--by must be one of {', '.join(BY)}, got {self.by!r}")
        for name in ("min_jaccard", "core_change"):
            if not 0 < getattr(self, name) <= 1:
                raise InputError(f"{name} must be in (0, 1], got {getattr(self, name)}")
        if self.grow <= 0:
            raise InputError(f"grow must be positive, got {self.grow}")


@dataclass(frozen=True)
class History:
    """The windows and what was found in them.

    windows: window, start, end (Unix s, end exclusive), posts.
    members: MEMBER_SCHEMA, one row per account and unit of each window (tiers as `analyze`
      gives them: principal, core, amplifier in flagged units, member elsewhere).
    units: UNIT_SCHEMA, one row per unit and window, with its track.
    links: LINK_SCHEMA, every linked pair; ``continues`` marks the ones a track follows.
    tracks: track, first, last (windows), flagged_windows, operation (the whole-period
      operation with which the track shares the most accounts, or null), operation_jaccard.
    events: EVENT_SCHEMA, in window order.
    detections: each window's `Detection`, for writing back.
    """

    params: HistoryParams
    windows: pl.DataFrame
    members: pl.DataFrame
    units: pl.DataFrame
    links: pl.DataFrame
    tracks: pl.DataFrame
    events: pl.DataFrame
    detections: list[Detection] = field(default_factory=list, repr=False)

    def operations(self) -> pl.DataFrame:
        """The tracks that were flagged in at least one window."""
        return self.tracks.filter(pl.col("flagged_windows") > 0)

    def summary(self) -> dict[str, object]:
        """by, windows, operations (tracks flagged in some window) and their events."""
        tracks = self.operations()["track"].implode()
        return {
            "by": self.params.by,
            "windows": self.windows.height,
            "operations": self.operations().height,
            "events": self.events.filter(pl.col("track").is_in(tracks)).height,
        }


# --- windows ---------------------------------------------------------------------------------


def window_bounds(first: int, last: int, by: str) -> np.ndarray:
    """Start of each calendar window covering [first, last], then the end of the last one."""
    if by == "day":
        lo = first // DAY * DAY
        return np.arange(lo, last // DAY * DAY + 2 * DAY, DAY, dtype=np.int64)
    if by == "week":
        week = 7 * DAY
        lo = (first - _MONDAY) // week * week + _MONDAY
        hi = (last - _MONDAY) // week * week + _MONDAY + week
        return np.arange(lo, hi + 1, week, dtype=np.int64)
    if by == "month":
        months = np.arange(
            np.datetime64(first, "s").astype("datetime64[M]"),
            np.datetime64(last, "s").astype("datetime64[M]") + 2,
        )
        return months.astype("datetime64[s]").astype(np.int64)
    raise InputError(f"--by must be one of {', '.join(BY)}, got {by!r}")


def slice_inputs(inputs: DetectInputs, start: int, end: int) -> DetectInputs:
    """The posts, hashtag and URL uses of [start, end); every account stays (profiles are the
    background of the evidence tests)."""

    def within(frame: Frame) -> Frame:
        return frame.filter((pl.col("time") >= start) & (pl.col("time") < end))

    return DetectInputs(
        posts=within(inputs.posts.lazy()).collect(),
        accounts=inputs.accounts,
        hashtags=within(inputs.hashtags),
        urls=within(inputs.urls),
    )


def window_members(detection: Detection, window: int) -> pl.DataFrame:
    """MEMBER_SCHEMA for one window: a unit is an operation (`operation_id`)."""
    return detection.accounts.select(
        window=pl.lit(window, pl.Int64),
        unit=pl.col("operation_id"),
        community_id="community_id",
        account_id="account_id",
        tier="tier",
        flagged="flagged",
    ).with_columns(flagged=pl.col("flagged").any().over("unit"))


# --- matching --------------------------------------------------------------------------------


def match(
    before: pl.DataFrame, after: pl.DataFrame, active: int, fdr: float, min_jaccard: float
) -> pl.DataFrame:
    """LINK_SCHEMA: the linked pairs of units of two consecutive windows (module docstring).

    ``before`` and ``after`` are MEMBER_SCHEMA rows of one window each; ``active`` counts the
    accounts that posted in either window, the population the hypergeometric null draws from.
    """
    window = int(after["window"][0]) if after.height else 0
    a = before.select("unit", "account_id").unique()
    b = after.select("unit", "account_id").unique()
    sizes_a = a.group_by(source="unit").agg(size_a=pl.len())
    sizes_b = b.group_by(target="unit").agg(size_b=pl.len())
    pairs = (
        a.rename({"unit": "source"})
        .join(b.rename({"unit": "target"}), on="account_id")
        .group_by("source", "target")
        .agg(overlap=pl.len())
        .join(sizes_a, on="source")
        .join(sizes_b, on="target")
    )
    if pairs.is_empty():
        return pl.DataFrame(schema=LINK_SCHEMA)
    k = pairs["overlap"].to_numpy()
    n_a, n_b = pairs["size_a"].to_numpy(), pairs["size_b"].to_numpy()
    population = max(active, int((n_a + n_b - k).max()))
    p = hypergeom.sf(k - 1, population, n_a, n_b)
    q = stats.benjamini_hochberg(p, hypotheses=max(sizes_a.height * sizes_b.height, 1))
    return (
        pairs.with_columns(
            window=pl.lit(window, pl.Int64),
            jaccard=pl.col("overlap") / (pl.col("size_a") + pl.col("size_b") - pl.col("overlap")),
            p_value=pl.Series(p, dtype=pl.Float64),
            q_value=pl.Series(q, dtype=pl.Float64),
        )
        .filter((pl.col("q_value") <= fdr) & (pl.col("jaccard") >= min_jaccard))
        .select([pl.col(n).cast(t) for n, t in LINK_SCHEMA.items()])
        .sort("source", "target")
    )


def follow(links: pl.DataFrame) -> pl.DataFrame:
    """source, target, jaccard of the links tracks follow: each target takes its best source
    unless that source has a better target (a unit continues into one unit at most)."""
    best = links.sort(["jaccard", "source", "target"], descending=[True, False, False])
    taken_sources: set[int] = set()
    taken_targets: set[int] = set()
    kept = []
    for row in best.iter_rows(named=True):
        if row["source"] in taken_sources or row["target"] in taken_targets:
            continue
        taken_sources.add(row["source"])
        taken_targets.add(row["target"])
        kept.append((row["source"], row["target"], row["jaccard"]))
    return pl.DataFrame(
        kept, schema={"source": pl.Int64, "target": pl.Int64, "jaccard": pl.Float64}, orient="row"
    )


# --- units, tracks and events -------------------------------------------------------------


def unit_table(members: pl.DataFrame) -> pl.DataFrame:
    """window, unit, lead, flagged, size and the count of each tier (an account once, in its
    first tier by TIERS' order)."""
    order = {t: i for i, t in enumerate(TIERS)}
    once = (
        members.with_columns(_order=pl.col("tier").replace_strict(order, default=len(TIERS)))
        .sort("window", "unit", "account_id", "_order")
        .unique(["window", "unit", "account_id"], keep="first", maintain_order=True)
    )
    return (
        once.group_by("window", "unit")
        .agg(
            lead=pl.col("community_id").min(),
            flagged=pl.col("flagged").any(),
            size=pl.len(),
            principals=(pl.col("tier") == "principal").sum(),
            core=(pl.col("tier") == "core").sum(),
            amplifiers=(pl.col("tier") == "amplifier").sum(),
            members=(pl.col("tier") == "member").sum(),
        )
        .sort("window", "unit")
    )


def assign_tracks(
    members: pl.DataFrame,
    links: pl.DataFrame,
    params: HistoryParams,
    active: dict[int, set[str]],
    windows: int,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """units (UNIT_SCHEMA), the followed links (window, source, target), events (EVENT_SCHEMA).

    ``active[w]`` holds the accounts that posted in window w (for falls_silent's detail).
    """
    units = unit_table(members)
    sets: dict[tuple[int, int], set[str]] = {}
    cores: dict[tuple[int, int], set[str]] = {}
    for (w, u), group in members.group_by("window", "unit"):
        key = (int(w), int(u))
        sets[key] = set(group["account_id"])
        cores[key] = set(group.filter(pl.col("tier") == "core")["account_id"])
    flagged = {(w, u): f for w, u, f in units.select("window", "unit", "flagged").iter_rows()}
    by_window: dict[int, list[int]] = {}
    for w, u in units.select("window", "unit").iter_rows():
        by_window.setdefault(w, []).append(u)

    track_of: dict[tuple[int, int], int] = {}
    seen: dict[int, set[str]] = {}  # every account a track has held
    rows: dict[tuple[int, int], dict[str, object]] = {}
    events: list[tuple[int, int, str, str]] = []
    followed: list[tuple[int, int, int]] = []
    next_track = 1
    for w in range(windows):
        here = links.filter(pl.col("window") == w)
        chosen = {t: (s, j) for s, t, j in follow(here).iter_rows()} if here.height else {}
        continued: set[int] = set()
        for u in sorted(by_window.get(w, [])):
            key = (w, u)
            members_now = sets[key]
            if u in chosen:
                source, jac = chosen[u]
                prev = (w - 1, source)
                track = track_of[prev]
                continued.add(source)
                followed.append((w, source, u))
                newcomers = members_now - seen[track]
                before = len(sets[prev])
                if len(newcomers) >= params.grow * before and len(members_now) > before:
                    events.append(
                        (
                            track,
                            w,
                            "grows",
                            f"{before} → {len(members_now)} accounts, "
                            f"{len(newcomers)} new to the operation",
                        )  # fmt: skip
                    )
                old_core, new_core = cores[prev], cores[key]
                joined, left = new_core - seen[track], old_core - members_now
                if (
                    flagged[prev]
                    and flagged[key]
                    and min(len(old_core), len(new_core)) >= 3
                    and max(len(joined) / len(new_core), len(left) / len(old_core))
                    >= params.core_change
                ):
                    events.append(
                        (
                            track,
                            w,
                            "core_changes",
                            f"core {len(old_core)} → {len(new_core)}: "
                            f"{len(joined)} new to the operation, {len(left)} gone from it",
                        )  # fmt: skip
                    )
            else:
                track, jac, newcomers = next_track, None, members_now
                next_track += 1
                seen[track] = set()
                split = here.filter(pl.col("target") == u)
                detail = f"{len(members_now)} accounts"
                if split.height:
                    origin = track_of[(w - 1, int(split.sort("jaccard")["source"][-1]))]
                    detail += f", split off operation track {origin}"
                events.append((track, w, "appears", detail))
            track_of[key] = track
            seen[track] |= members_now
            rows[key] = {"track": track, "newcomers": len(newcomers), "jaccard": jac}
        # Tracks of window w - 1 that nothing continued: merged into another, or silent.
        for u in sorted(by_window.get(w - 1, [])) if w else []:
            if u in continued:
                continue
            track = track_of[(w - 1, u)]
            into = here.filter(pl.col("source") == u)
            if into.height:
                target = int(into.sort("jaccard")["target"][-1])
                detail = f"into operation track {track_of[(w, target)]}"
                events.append((track, w, "merges", detail))
            else:
                last = sets[(w - 1, u)]
                still = len(last & active.get(w, set()))
                detail = f"{still} of its {len(last)} accounts still posted, none coordinated"
                events.append((track, w, "falls_silent", detail))
    extra = pl.DataFrame(
        [{"window": w, "unit": u, **v} for (w, u), v in rows.items()],
        schema={
            "window": pl.Int64,
            "unit": pl.Int64,
            "track": pl.Int64,
            "newcomers": pl.Int64,
            "jaccard": pl.Float64,
        },
    )
    table = units.join(extra, on=["window", "unit"]).select(
        [pl.col(n).cast(t) for n, t in UNIT_SCHEMA.items()]
    )
    event_frame = pl.DataFrame(events, schema=EVENT_SCHEMA, orient="row").sort(
        "window", "track", maintain_order=True
    )
    follow_frame = pl.DataFrame(
        followed, schema={"window": pl.Int64, "source": pl.Int64, "target": pl.Int64}, orient="row"
    )
    return table, follow_frame, event_frame


def name_tracks(units: pl.DataFrame, members: pl.DataFrame, whole: Detection) -> pl.DataFrame:
    """track, first, last, flagged_windows, operation, operation_jaccard: each track beside the
    flagged whole-period operation with which it shares the most accounts."""
    spans = units.group_by("track").agg(
        first=pl.col("window").min(),
        last=pl.col("window").max(),
        flagged_windows=pl.col("flagged").sum().cast(pl.Int64),
        peak=pl.col("size").max(),
    )
    held = (
        members.join(units.select("window", "unit", "track"), on=["window", "unit"])
        .select("track", "account_id")
        .unique()
    )
    ops = whole.accounts.filter("flagged").select("operation_id", "account_id").unique()
    sizes_t = held.group_by("track").agg(n_t=pl.len())
    sizes_o = ops.group_by("operation_id").agg(n_o=pl.len())
    best = (
        held.join(ops, on="account_id")
        .group_by("track", "operation_id")
        .agg(common=pl.len())
        .join(sizes_t, on="track")
        .join(sizes_o, on="operation_id")
        .with_columns(
            operation_jaccard=pl.col("common") / (pl.col("n_t") + pl.col("n_o") - pl.col("common"))
        )
        .sort(["track", "common", "operation_id"], descending=[False, True, False])
        .unique("track", keep="first")
        .select("track", operation="operation_id", operation_jaccard="operation_jaccard")
    )
    return spans.join(best, on="track", how="left").sort("track")


# --- the whole pass --------------------------------------------------------------------------


def operation_history(
    inputs: DetectInputs,
    params: DetectParams,
    history: HistoryParams,
    whole: Detection,
    progress: Callable[[str], None] | None = None,
) -> History:
    """Analyse each window of ``inputs`` and track its units (module docstring)."""
    say = progress or (lambda _: None)
    times = inputs.posts.lazy().select("time").collect()["time"]
    if times.is_empty():
        raise InputError("no dated posts to cut into windows")
    bounds = window_bounds(int(times.min()), int(times.max()), history.by)  # type: ignore[arg-type]
    n = len(bounds) - 1
    if n > history.max_windows:
        raise InputError(
            f"{n} {history.by} windows is more than {history.max_windows}: "
            "choose a longer --by (week or month)"
        )
    members: list[pl.DataFrame] = []
    links: list[pl.DataFrame] = []
    detections: list[Detection] = []
    active: dict[int, set[str]] = {}
    posts = []
    for w in range(n):
        part = slice_inputs(inputs, int(bounds[w]), int(bounds[w + 1]))
        posts.append(part.post_count())
        active[w] = set(part.posts.lazy().select("account").unique().collect()["account"])
        detection = analyze(part, params)
        detections.append(detection)
        members.append(window_members(detection, w).select(list(MEMBER_SCHEMA)))
        if w:
            population = len(active[w] | active[w - 1])
            links.append(
                match(members[w - 1], members[w], population, params.fdr, history.min_jaccard)
            )
        flagged = detection.communities.filter("flagged").height
        say(f"{history.by} {w + 1}/{n}: {posts[-1]:,} posts, {flagged} flagged")
    all_members = pl.concat(members) if members else pl.DataFrame(schema=MEMBER_SCHEMA)
    all_links = pl.concat(links) if links else pl.DataFrame(schema=LINK_SCHEMA)
    units, followed, events = assign_tracks(all_members, all_links, history, active, n)
    continues = followed.with_columns(continues=pl.lit(True))
    all_links = all_links.join(
        continues, on=["window", "source", "target"], how="left"
    ).with_columns(pl.col("continues").fill_null(False))
    windows = pl.DataFrame(
        {"window": np.arange(n), "start": bounds[:-1], "end": bounds[1:], "posts": posts},
        schema={"window": pl.Int64, "start": pl.Int64, "end": pl.Int64, "posts": pl.Int64},
    )
    return History(
        params=history,
        windows=windows,
        members=all_members,
        units=units,
        links=all_links,
        tracks=name_tracks(units, all_members, whole),
        events=events,
        detections=detections,
    )
