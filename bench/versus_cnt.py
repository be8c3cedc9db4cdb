"""tierscope against coordination-network-toolkit 1.5.2 on the same generated archive, in one run.

    python bench/versus_cnt.py [--scale 4] [--seed 7] [--repeat 1]

Getting the data in: CNT's `preprocess` of the tweets (converted beforehand to its CSV
columns, not timed) into SQLite, against `tierscope load users.csv tweets.csv` into a fresh
managed Neo4j (bulk import, constraints online). Finding coordination: CNT's `compute
co_retweet --time_window 60 --min_edge_weight 2 --n_cpus 2` against `tierscope detect`
(co-retweet, 60 s window, communities, tiers, write-back). Both tools run as their own CLI
commands in child processes; wall time and peak RSS of each are measured from outside. Each
of tierscope's steps runs right after CNT's matching step; `--repeat N` runs N compute/detect
pairs (the first detect finds the server just started, the later ones warm).

CNT is installed into a throwaway venv under bench/out/cnt-venv (never into the project's
dependencies). Targets (issue 8): load faster than preprocess; detect >= 3x faster than
compute.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
from common import OUT, fresh_server, store_size_mb, timed
from detect import scenario
from rich.console import Console
from rich.table import Table

CNT_VERSION = "1.5.2"
VENV = OUT / "cnt-venv"


def cnt_venv() -> Path:
    """compute_networks from a venv of its own, made the first time."""
    exe = VENV / "bin" / "compute_networks"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, f"coordination-network-toolkit=={CNT_VERSION}"], check=True)
    return exe


def cnt_csv(data: Path) -> Path:
    """The archive's tweets in CNT's CSV columns (message_id, user_id, username, repost_id,
    reply_id, message, timestamp, urls as a space-separated list)."""
    out = data / "cnt.csv"
    if out.exists():
        return out
    tweets = pl.read_csv(data / "tweets.csv", infer_schema=False)
    urls = pl.col("urls").str.extract_all(r"'([^']*)'").list.eval(pl.element().str.strip_chars("'"))
    tweets.select(
        message_id="tweetid",
        user_id="userid",
        username="user_screen_name",
        repost_id=pl.when(pl.col("is_retweet") == "true")
        .then(pl.col("retweet_tweetid"))
        .otherwise(pl.lit("")),
        reply_id=pl.col("in_reply_to_tweetid").fill_null(""),
        message=pl.col("tweet_text").fill_null(""),
        timestamp=pl.col("tweet_time")
        .str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M")
        .dt.epoch("s"),
        urls=urls.list.join(" "),
    ).write_csv(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat", type=int, default=1, help="compute/detect pairs to run (the first is cold)"
    )
    args = parser.parse_args()
    console = Console(width=150)
    data = scenario(args.scale, args.seed)
    exe = cnt_venv()
    messages = cnt_csv(data)
    rows = sum(1 for _ in messages.open("rb")) - 1
    console.print(f"scale {args.scale:g}: {rows:,} tweets; load average {os.getloadavg()}")

    db = OUT / f"cnt-{args.scale:g}.db"
    db.unlink(missing_ok=True)
    compute = [str(exe), str(db), "compute", "co_retweet", "--time_window", "60"]
    compute += ["--min_edge_weight", "2", "--n_cpus", "2"]
    cli = [sys.executable, "-m", "tierscope.cli"]
    # Each tool's step runs right after the other's, so that the machine's speed, which
    # drifts on a shared machine, is about the same for both sides of a ratio.
    pairs: list[tuple[str, tuple[float, float, str], tuple[float, float, str]]] = []
    with fresh_server(f"versus-{args.scale:g}") as (server, _):
        env = {**os.environ, "TIERSCOPE_HOME": str(server.root), "TIERSCOPE_AUTOSTART": "0"}
        env.pop("NEO4J_URI", None)
        cnt_pre = timed([str(exe), str(db), "preprocess", "--format", "csv", str(messages)])
        console.print(f"CNT preprocess: {cnt_pre[0]:.1f}s")
        files = [str(data / "users.csv"), str(data / "tweets.csv")]
        ts_load = timed([*cli, "load", *files, "--json"], env)
        loaded = json.loads(ts_load[2][ts_load[2].index("{") :])
        console.print(f"tierscope load ({loaded['method']}): {ts_load[0]:.1f}s")
        pairs.append(("get the data in (preprocess / load)", cnt_pre, ts_load))
        for run in range(1, args.repeat + 1):
            cnt_compute = timed(compute)
            console.print(f"CNT compute {run}: {cnt_compute[0]:.1f}s")
            ts_detect = timed([*cli, "detect", "--json"], env)
            console.print(f"tierscope detect {run}: {ts_detect[0]:.1f}s")
            # The first detect meets a server just started after the import: a user's case.
            # Later ones find its JIT warm and are shown apart.
            when = "first, server just started" if run == 1 else "again, server warm"
            pairs.append((f"co-retweet 60 s (compute / detect), {when}", cnt_compute, ts_detect))
        store_mb = store_size_mb(server)
    db_mb = db.stat().st_size / 2**20
    db.unlink(missing_ok=True)

    table = Table(title=f"seed2020 scale {args.scale:g} ({rows:,} tweets): wall seconds")
    for col in ("step", "CNT 1.5.2", "tierscope", "CNT / tierscope", "peak RSS CNT", "tierscope"):
        table.add_column(col, justify="left" if col == "step" else "right")
    for step, cnt, ours in pairs:
        table.add_row(
            step,
            f"{cnt[0]:.1f}",
            f"{ours[0]:.1f}",
            f"{cnt[0] / ours[0]:.2f}x",
            f"{cnt[1]:,.0f} MiB",
            f"{ours[1]:,.0f} MiB",
        )
    console.print(table)
    console.print(
        f"store: CNT SQLite {db_mb:,.0f} MiB, Neo4j {store_mb:,.0f} MiB; "
        f"load average after: {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
