"""Throughput of the co-share projection on synthetic shares.

Object sizes are Zipf-distributed and each object's shares come in a burst (a start time within
30 days, then exponential delays), so a few viral objects hold most candidate pairs. Accounts
have Pareto-distributed activity. The timing covers co_share only, not building the Shares.

    .venv/bin/python bench/projection.py                       # 1M and 4M, 1M with pair table
    .venv/bin/python bench/projection.py --rows 2000000 --pairs
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl
from common import PeakRss
from rich.console import Console
from rich.table import Table

from tierscope.graphdb.detect.coordination import Shares, co_share

DAYS = 30 * 24 * 3600


def synthetic_shares(rows: int, seed: int = 7) -> Shares:
    rng = np.random.default_rng(seed)
    # Object sizes are Zipf-distributed (capped), so candidate pairs grow about linearly with rows
    # while a few viral objects still hold a large share of them.
    sizes = np.minimum(rng.zipf(2.1, size=rows), 20_000)
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), rows) + 1]
    sizes[-1] -= sizes.sum() - rows
    obj = np.repeat(np.arange(sizes.size), sizes)
    # Bursty times: each object appears at a random moment and most shares follow within minutes;
    # bigger objects keep spreading for longer.
    start = rng.integers(0, DAYS, size=sizes.size)
    delay = rng.exponential(20 * np.sqrt(sizes[obj])).astype(np.int64)
    n_accounts = max(rows // 8, 2)
    # A few accounts share far more than the rest, as in real retweet data.
    account = (rng.pareto(1.5, size=rows) * n_accounts / 50).astype(np.int64) % n_accounts
    return Shares(
        account=account,
        obj=obj,
        # Share ids come after the object ids in one vocabulary, so none is an original post.
        share=np.arange(sizes.size, sizes.size + rows),
        time=start[obj] + delay,
        accounts=_names("a", n_accounts),
        posts=_names("p", sizes.size + rows),
    )


def _names(prefix: str, count: int) -> pl.Series:
    # Shares requires sorted lookups; codes index them, so any names in sorted order will do.
    return pl.select(pl.lit(prefix) + pl.int_range(count).cast(pl.String)).to_series().sort()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="shares per run (repeatable)")
    parser.add_argument("--pairs", action="store_true", help="also build the pair table")
    parser.add_argument("--window", type=int, default=60)
    parser.add_argument("--min-participation", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; best is reported")
    args = parser.parse_args()
    # The pair table holds ~100 bytes per kept pair, so by default only the 1M run builds it.
    runs = (
        [(rows, args.pairs) for rows in args.rows]
        if args.rows
        else [(1_000_000, False), (1_000_000, True), (4_000_000, False)]
    )

    table = Table(
        title=f"co_share, window {args.window}s, min participation {args.min_participation}"
    )
    columns = ("rows", "pair table", "candidate pairs", "kept pairs", "edges", "first s", "best s")
    for name in (*columns, "candidate pairs/s", "peak RSS"):
        table.add_column(name, justify="right")
    for rows, keep_pairs in runs:
        shares = synthetic_shares(rows)
        seconds = []
        with PeakRss() as memory:
            for _ in range(args.repeat):
                began = time.perf_counter()
                result = co_share(
                    shares, args.window, args.min_participation, keep_pairs=keep_pairs
                )
                seconds.append(time.perf_counter() - began)
                candidates = result.candidate_pairs
                kept = int(result.edges["weight"].sum())
                edges = result.edges.height
                # Free this run's output before the next, so the peak is that of one run.
                del result
        table.add_row(
            f"{rows:,}",
            "yes" if keep_pairs else "no",
            f"{candidates:,}",
            f"{kept:,}",
            f"{edges:,}",
            f"{seconds[0]:.2f}",
            f"{min(seconds):.2f}",
            f"{candidates / min(seconds) / 1e6:.1f}M",
            f"{memory.peak / 2**20:,.0f} MiB",
        )
        del shares
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
