"""A detection run against Neo4j: read, analyse, write back.

The analytics (`graphdb.detect.analyze`) never see the database; this module is the only
place that moves data between them. Each run is a `(:DetectionRun)` node created before
anything else is written and marked finished last, so `--run latest` never picks a run that
died half-way and results of different runs never mix.
"""

from __future__ import annotations

import gc
import json
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

from tierscope.graphdb import cypherlib
from tierscope.graphdb.detect.analyze import Detection, DetectParams, analyze
from tierscope.graphdb.detect.evaluate import evaluate
from tierscope.graphdb.detect.history import HistoryParams, operation_history
from tierscope.graphdb.detect.read import read_inputs
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.settings import home
from tierscope.graphdb.store import Store

WRITE_CHUNK = 10_000
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    params: DetectParams
    accounts: int
    communities: int
    operations: int
    flagged: int
    tiers: dict[str, int]
    edges: int
    edges_stored: int
    timings: dict[str, float]
    history: dict[str, Any] | None = None  # `--by`: windows, operations, events


def _chunks(frame: pl.DataFrame, size: int = WRITE_CHUNK) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, frame.height, size):
        yield frame.slice(start, size).to_dicts()


def _props_rows(frame: pl.DataFrame, keys: dict[str, str]) -> pl.DataFrame:
    """Rename the key columns and pack every other column into a `props` struct."""
    rest = [c for c in frame.columns if c not in keys]
    return frame.select(
        *[pl.col(src).alias(dst) for src, dst in keys.items()],
        pl.struct(rest).alias("props"),
    )


def backbone(
    edges: pl.DataFrame, accounts: pl.DataFrame, per_account: int, fdr: float
) -> pl.DataFrame:
    """The significant ties between accounts of the run's communities, keeping each account's
    ``per_account`` strongest (smallest p-value).

    A core of a few hundred accounts is nearly a complete graph; these are the ties an analyst
    follows in Browser, at a size Neo4j writes in seconds rather than minutes.
    """
    members = accounts.select(pl.col("account_id").unique())
    inner = (
        edges.filter(pl.col("q_value") <= fdr)
        .join(members, left_on="account_a", right_on="account_id", how="semi")
        .join(members, left_on="account_b", right_on="account_id", how="semi")
    )
    ranked = [
        inner.with_columns(
            pl.col("p_value").rank("ordinal").over("kind", end).alias("_rank")
        ).filter(pl.col("_rank") <= per_account)
        for end in ("account_a", "account_b")
    ]
    return pl.concat(ranked).drop("_rank").unique(["kind", "account_a", "account_b"])


def edges_path(run_id: str) -> Path:
    """The full projection edge table of a run, kept beside the database for export."""
    return home() / "runs" / run_id / "edges.parquet"


def write_back(
    store: Store, run_id: str, detection: Detection, edges: pl.DataFrame, progress: Progress
) -> None:
    communities = _props_rows(detection.communities, {"community_id": "id"})
    for rows in _chunks(communities):
        store.run(cypherlib.load("detect/write_communities"), {"run": run_id, "rows": rows})
    progress("communities written")
    # A principal's membership also carries its amplification (posts, retweets, flagged ones).
    amplification = detection.principals.drop("community_id", "operation_id")
    accounts = detection.accounts.join(amplification, on="account_id", how="left")
    members = _props_rows(accounts, {"account_id": "account", "community_id": "community"})
    for rows in _chunks(members):
        store.run(cypherlib.load("detect/write_members"), {"run": run_id, "rows": rows})
    progress("memberships written")
    for rows in _chunks(_props_rows(detection.feeds, {"source": "source", "target": "target"})):
        store.run(cypherlib.load("detect/write_feeds"), {"run": run_id, "rows": rows})
    for kind, group in edges.group_by("kind", maintain_order=True):
        frame = _props_rows(group.drop("kind"), {"account_a": "a", "account_b": "b"})
        for rows in _chunks(frame, 20_000):
            params = {"run": run_id, "kind": kind[0], "rows": rows}
            store.run(cypherlib.load("detect/write_coordination"), params)
    progress("coordination edges written")


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(2)


EDGE_STORAGE = ("backbone", "all", "none")


def detect(
    store: Store,
    params: DetectParams | None = None,
    store_edges: str = "backbone",
    per_account: int = 10,
    progress: Progress = lambda _: None,
    history: HistoryParams | None = None,
) -> RunSummary:
    """Project, cluster, tier and write back one run; returns what it found.

    `store_edges` picks which COORDINATED_WITH edges go to Neo4j: the `backbone` of
    significant ties between the communities' accounts (each one's `per_account` strongest),
    `all` tested pairs (slow on big runs: Neo4j creates some 15k relationships a second here),
    or `none`. The full table is always kept as Parquet for `tierscope export edges`.
    With `history`, each window of the inputs is detected too and tracked (`history`).
    """
    params = params or DetectParams()
    if store_edges not in EDGE_STORAGE:
        raise InputError(f"--store-edges must be one of {', '.join(EDGE_STORAGE)}")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    store.apply_schema()
    run_id = new_run_id()
    path = edges_path(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    posts_file = path.with_name("posts.parquet")
    story = None
    try:
        inputs = read_inputs(store, params.kind, posts_file=posts_file)
        gc.collect()  # the read leaves ~110 MB of cycles at scale 4; free them before analytics
        timings["read"] = time.perf_counter() - started
        progress(f"read {inputs.post_count():,} posts, {inputs.accounts.height:,} accounts")
        detection = analyze(inputs, params, progress=progress, spill=path)
        if history is not None:  # the windows are cut from the inputs already read
            begun = time.perf_counter()
            story = operation_history(inputs, params, history, detection, progress)
            timings["history"] = time.perf_counter() - begun
    except BaseException:
        shutil.rmtree(path.parent, ignore_errors=True)  # no run node points at it yet
        raise
    del inputs
    posts_file.unlink()  # only the edges stay, for `tierscope export edges`
    timings.update(detection.timings)

    begun = time.perf_counter()
    create = cypherlib.load("detect/create_run")
    options = {**asdict(params), "store_edges": store_edges, "per_account": per_account}
    if history is not None:
        options["by"] = history.by
    store.run(create, {"id": run_id, "kind": ",".join(params.kind), "params": json.dumps(options)})
    if store_edges == "backbone":
        significant = detection.edges.filter(pl.col("q_value") <= params.fdr).collect()
        stored = backbone(significant, detection.accounts, per_account, params.fdr)
    else:
        stored = (detection.edges if store_edges == "all" else detection.edges.clear()).collect()
    write_back(store, run_id, detection, stored, progress)
    if story is not None:
        from tierscope.graphdb.detect.history_run import write_history  # it imports this module

        write_history(store, run_id, story, progress)
    store.refresh_statistics()  # the run's relationships would look absent to the planner
    timings["write-back"] = time.perf_counter() - begun
    summary = RunSummary(
        run_id=run_id,
        params=params,
        accounts=detection.accounts.height,
        communities=detection.communities.height,
        operations=detection.communities["operation_id"].n_unique(),
        flagged=int(detection.accounts["flagged"].sum()),
        tiers=dict(detection.accounts.group_by("tier").len().iter_rows()),
        edges=detection.tested_pairs(),
        edges_stored=stored.height,
        timings=timings,
        history=None if story is None else story.summary(),
    )
    finish = cypherlib.load("detect/finish_run")
    store.run(finish, {"id": run_id, "summary": json.dumps(asdict(summary), default=str)})
    return summary


def resolve_run(store: Store, run: str = "latest") -> str:
    """`latest` is the newest finished run; any other value must name a finished run."""
    if run == "latest":
        rows = store.run(cypherlib.load("detect/latest_run"))
        if not rows:
            raise InputError("no finished detection run yet: run `tierscope detect` first")
        return str(rows[0]["id"])
    rows = store.run(cypherlib.load("detect/run_exists"), {"id": run})
    if not rows or not rows[0]["finished"]:
        raise InputError(f"no finished detection run {run!r}; `tierscope runs` lists them")
    return run


def list_runs(store: Store) -> list[dict[str, Any]]:
    return store.run(cypherlib.load("detect/runs"))


def query_frame(store: Store, name: str, params: dict[str, Any]) -> pl.DataFrame:
    """A read query's rows as a frame, typed from every row (a column may start empty)."""
    with store.cursor(cypherlib.load(name), params) as (columns, rows):
        return pl.DataFrame(list(rows), schema=columns, orient="row", infer_schema_length=None)


def run_frame(store: Store, name: str, run_id: str) -> pl.DataFrame:
    """A run's rows as written back (accounts, communities), in `Detection`'s shapes."""
    return query_frame(store, name, {"run": run_id})


def evaluate_run(store: Store, truth_path: Path, run: str = "latest") -> dict[str, Any]:
    """Score a stored run against a truth.csv (userid, role, op)."""
    run_id = resolve_run(store, run)
    try:
        truth = pl.read_csv(truth_path, infer_schema=False).fill_null("")
    except (OSError, pl.exceptions.PolarsError) as e:
        raise InputError(f"{truth_path}: cannot read truth CSV: {e}") from e
    missing = {"userid", "role", "op"} - set(truth.columns)
    if missing:
        raise InputError(f"{truth_path}: missing column(s) {', '.join(sorted(missing))}")
    accounts = run_frame(store, "export/accounts", run_id)
    communities = run_frame(store, "detect/communities", run_id)
    return {"run": run_id, **evaluate(truth, accounts, communities).as_dict()}
