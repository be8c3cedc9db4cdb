"""A run's history in Neo4j (`detect --by`): written beside the run, read back for reports.

A run with history is one `(:DetectionRun)` with ``by``, ``windows`` and ``history`` (JSON:
the windows, the tracks and their events). Its whole-period results are exactly those of a
plain run, so every ``--run`` reader sees the same thing. Each window's communities are
``(:Community)`` nodes whose ``run`` is the window's own key, ``<run>@<window start date>``
(so no query of the run's communities ever mixes them in), with ``history``, ``window``,
``window_start``, ``window_end``, linked ``(:DetectionRun)-[:WINDOW]->``; their memberships
carry the same key. docs/model.md lists every property.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl

from tierscope.graphdb import cypherlib
from tierscope.graphdb.detect.history import History
from tierscope.graphdb.detect.run import Progress, _chunks, _props_rows, resolve_run
from tierscope.graphdb.store import Store


def _day(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")


def window_key(run_id: str, start: int) -> str:
    return f"{run_id}@{_day(start)}"


def _events_by_lead(history: History) -> dict[tuple[int, int], list[str]]:
    """Each event's text on the lead community it belongs to: the track's unit in the event's
    window, or, for falls_silent and merges, its last unit (the window after holds none)."""
    starts = dict(history.windows.select("window", "start").iter_rows())
    units = {(t, w): u for w, u, t in history.units.select("window", "unit", "track").iter_rows()}
    out: dict[tuple[int, int], list[str]] = {}
    for track, w, event, detail in history.events.iter_rows():
        if (track, w) in units:
            key = (w, units[(track, w)])
            text = f"{event}: {detail}"
        else:
            key = (w - 1, units[(track, w - 1)])
            text = f"{event} from {_day(starts[w])}: {detail}"
        out.setdefault(key, []).append(text)
    return out


def _summary(history: History) -> dict[str, Any]:
    starts = dict(history.windows.select("window", "start").iter_rows())
    return {
        "by": history.params.by,
        "params": asdict(history.params),
        "windows": history.windows.to_dicts(),
        "tracks": history.operations().to_dicts(),
        "events": [
            {**e, "window_start": _day(starts[e["window"]])} for e in history.events.to_dicts()
        ],
    }


def write_history(store: Store, run_id: str, history: History, progress: Progress) -> None:
    """Write each window's communities and memberships, CONTINUES, and the run's summary."""
    operations = set(history.operations()["track"])
    events = _events_by_lead(history)
    units = history.units.with_columns(
        operation_track=pl.col("track").is_in(list(operations))
    ).rename({c: f"op_{c}" for c in ("size", "principals", "core", "amplifiers", "members")})
    units = units.rename({"newcomers": "op_newcomers", "jaccard": "op_jaccard"})
    for w, start, end in history.windows.select("window", "start", "end").iter_rows():
        detection = history.detections[w]
        key = window_key(run_id, start)
        mine = units.filter(pl.col("window") == w)
        leads = mine.select(
            community_id="lead",
            lead=pl.lit(True),
            **{c: c for c in mine.columns if c.startswith("op_")},
            operation_track="operation_track",
            events=pl.Series(
                [events.get((w, u), []) for u in mine["unit"]], dtype=pl.List(pl.String)
            ),
        )
        communities = (
            detection.communities.join(
                mine.select(operation_id="unit", track="track"), on="operation_id", how="left"
            )
            .join(leads, on="community_id", how="left")
            .with_columns(pl.col("lead").fill_null(False))
        )
        for rows in _chunks(_props_rows(communities, {"community_id": "id"})):
            params = {"run": run_id, "key": key, "window": w, "start": start, "end": end}
            store.run(cypherlib.load("detect/write_window_communities"), {**params, "rows": rows})
        members = _props_rows(
            detection.accounts, {"account_id": "account", "community_id": "community"}
        )
        for rows in _chunks(members):
            store.run(cypherlib.load("detect/write_members"), {"run": key, "rows": rows})
    keys = {
        w: window_key(run_id, s) for w, s in history.windows.select("window", "start").iter_rows()
    }
    lead_of = {
        (w, u): lead for w, u, lead in history.units.select("window", "unit", "lead").iter_rows()
    }
    links = [
        {
            "source_key": keys[r["window"] - 1],
            "source": lead_of[(r["window"] - 1, r["source"])],
            "target_key": keys[r["window"]],
            "target": lead_of[(r["window"], r["target"])],
            "props": {k: r[k] for k in ("jaccard", "overlap", "p_value", "q_value", "continues")},
        }
        for r in history.links.iter_rows(named=True)
    ]
    for start in range(0, len(links), 10_000):
        store.run(
            cypherlib.load("detect/write_continues"),
            {"run": run_id, "rows": links[start : start + 10_000]},
        )
    store.run(
        cypherlib.load("detect/set_history"),
        {
            "id": run_id,
            "by": history.params.by,
            "windows": history.windows.height,
            "history": json.dumps(_summary(history), default=str),
        },
    )
    progress(f"history written: {history.windows.height} windows, {len(operations)} operations")


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowPoint:
    window: int
    start: int
    end: int
    community: int
    flagged: bool
    size: int
    principals: int
    core: int
    amplifiers: int
    members: int
    newcomers: int
    jaccard: float | None


@dataclass(frozen=True)
class Track:
    track: int
    operation: int | None  # the whole-period operation it overlaps most
    operation_jaccard: float | None
    points: list[WindowPoint]
    events: list[dict[str, Any]]  # window, window_start, event, detail
    creation: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class OperationHistory:
    run: str
    by: str
    windows: list[dict[str, Any]]  # window, start, end, posts
    tracks: list[Track]


def read_history(store: Store, run: str = "latest") -> OperationHistory | None:
    """The history of ``run``, or None when it was detected without ``--by``."""
    run_id = resolve_run(store, run)
    found = store.run(cypherlib.load("detect/run_history"), {"id": run_id})
    if not found or not found[0]["history"]:
        return None
    summary = json.loads(found[0]["history"])
    numbers = [int(t["track"]) for t in summary["tracks"]]
    points: dict[int, list[WindowPoint]] = {n: [] for n in numbers}
    for r in store.run(cypherlib.load("report/history"), {"run": run_id, "tracks": numbers}):
        points[int(r.pop("track"))].append(WindowPoint(**r))
    creation: dict[int, dict[str, tuple[list[int], list[int]]]] = {n: {} for n in numbers}
    for r in store.run(
        cypherlib.load("report/history_creation"), {"run": run_id, "tracks": numbers}
    ):
        creation[int(r["track"])][r["tier"]] = (r["times"], r["counts"])
    tracks = [
        Track(
            track=int(t["track"]),
            operation=t.get("operation"),
            operation_jaccard=t.get("operation_jaccard"),
            points=points[int(t["track"])],
            events=[e for e in summary["events"] if e["track"] == t["track"]],
            creation=creation[int(t["track"])],
        )
        for t in summary["tracks"]
    ]
    return OperationHistory(run=run_id, by=summary["by"], windows=summary["windows"], tracks=tracks)
