"""Exports of a detection run: CSV and JSON rows are written as they arrive from Neo4j."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

import polars as pl

from tierscope.graphdb import cypherlib
from tierscope.graphdb.detect.run import edges_path, query_frame
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.store import Store

TABLE_FORMATS = ("csv", "json")
EDGE_COLUMNS = [
    "account_a",
    "account_b",
    "weight",
    "mean_delta",
    "expected",
    "common",
    "expected_common",
    "p_value",
    "q_value",
]
GRAPH_FORMATS = ("graphml", "gexf")


def write_table(columns: list[str], rows: Iterable[list[Any]], fmt: str, out: IO[str]) -> int:
    """CSV with a header, or a JSON array of objects; returns the rows written."""
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            n += 1
        return n
    if fmt == "json":
        out.write("[")
        for row in rows:
            out.write(",\n" if n else "\n")
            out.write(json.dumps(dict(zip(columns, row, strict=True)), default=str))
            n += 1
        out.write("\n]\n" if n else "]\n")
        return n
    raise InputError(f"unknown table format {fmt!r}; use one of {', '.join(TABLE_FORMATS)}")


def _xml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def write_graph(
    node_columns: list[str],
    nodes: Iterable[list[Any]],
    edge_columns: list[str],
    edges: Iterable[list[Any]],
    fmt: str,
    out: IO[str],
) -> int:
    """GraphML or GEXF for Gephi. The first node column is the id, the first two edge columns
    the ends; the rest become attributes, typed from the first row. Returns the edges written."""
    if fmt not in GRAPH_FORMATS:
        raise InputError(f"unknown graph format {fmt!r}; use one of {', '.join(GRAPH_FORMATS)}")
    node_iter, edge_iter = iter(nodes), iter(edges)
    first_node, first_edge = next(node_iter, None), next(edge_iter, None)
    node_attrs = [
        (c, _xml_type(v)) for c, v in zip(node_columns[1:], (first_node or [])[1:], strict=False)
    ]
    edge_attrs = [
        (c, _xml_type(v)) for c, v in zip(edge_columns[2:], (first_edge or [])[2:], strict=False)
    ]

    def chain(first: list[Any] | None, rest: Iterator[list[Any]]) -> Iterator[list[Any]]:
        if first is not None:
            yield first
            yield from rest

    writer = _graphml if fmt == "graphml" else _gexf
    return writer(
        node_attrs, chain(first_node, node_iter), edge_attrs, chain(first_edge, edge_iter), out
    )


def _graphml(
    node_attrs: list[tuple[str, str]],
    nodes: Iterator[list[Any]],
    edge_attrs: list[tuple[str, str]],
    edges: Iterator[list[Any]],
    out: IO[str],
) -> int:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
    for name, kind in node_attrs:
        out.write(f'  <key id="n_{name}" for="node" attr.name="{name}" attr.type="{kind}"/>\n')
    for name, kind in edge_attrs:
        out.write(f'  <key id="e_{name}" for="edge" attr.name="{name}" attr.type="{kind}"/>\n')
    out.write('  <graph id="tierscope" edgedefault="undirected">\n')
    for node in nodes:
        out.write(f"    <node id={_xml_attr(node[0])}>")
        for (name, _), value in zip(node_attrs, node[1:], strict=True):
            out.write(f'<data key="n_{name}">{_xml_text(value)}</data>')
        out.write("</node>\n")
    n = 0
    for edge in edges:
        out.write(f"    <edge source={_xml_attr(edge[0])} target={_xml_attr(edge[1])}>")
        for (name, _), value in zip(edge_attrs, edge[2:], strict=True):
            out.write(f'<data key="e_{name}">{_xml_text(value)}</data>')
        out.write("</edge>\n")
        n += 1
    out.write("  </graph>\n</graphml>\n")
    return n


def _gexf(
    node_attrs: list[tuple[str, str]],
    nodes: Iterator[list[Any]],
    edge_attrs: list[tuple[str, str]],
    edges: Iterator[list[Any]],
    out: IO[str],
) -> int:
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write('<gexf xmlns="http://gexf.net/1.3" version="1.3">\n')
    out.write('  <graph defaultedgetype="undirected" mode="static">\n')
    for cls, attrs in (("node", node_attrs), ("edge", edge_attrs)):
        out.write(f'    <attributes class="{cls}">\n')
        for i, (name, kind) in enumerate(attrs):
            out.write(f'      <attribute id="{i}" title="{name}" type="{kind}"/>\n')
        out.write("    </attributes>\n")
    out.write("    <nodes>\n")
    for node in nodes:
        label = _xml_attr(node[0])
        out.write(f"      <node id={label} label={label}><attvalues>")
        for i, value in enumerate(node[1:]):
            out.write(f'<attvalue for="{i}" value={_xml_attr(value)}/>')
        out.write("</attvalues></node>\n")
    out.write("    </nodes>\n    <edges>\n")
    n = 0
    for edge in edges:
        weight = f' weight="{edge[2]}"' if edge_attrs and edge_attrs[0][0] == "weight" else ""
        source, target = _xml_attr(edge[0]), _xml_attr(edge[1])
        out.write(f'      <edge id="{n}" source={source} target={target}{weight}><attvalues>')
        for i, value in enumerate(edge[2:]):
            out.write(f'<attvalue for="{i}" value={_xml_attr(value)}/>')
        out.write("</attvalues></edge>\n")
        n += 1
    out.write("    </edges>\n  </graph>\n</gexf>\n")
    return n


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# Characters XML 1.0 cannot hold at all, escaped or not (most control characters).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(value: Any) -> str:
    """Element text that parses back to the value: escaped, a carriage return kept (a parser
    reads a bare one as a newline), and what XML cannot hold replaced by U+FFFD."""
    return escape(_NOT_XML.sub("\ufffd", _text(value)), {"\r": "&#13;"})


def _xml_attr(value: Any) -> str:
    """A quoted attribute value that parses back to the value (see `_xml_text`)."""
    return quoteattr(_NOT_XML.sub("\ufffd", _text(value)))


@contextmanager
def _text_output(output: Path | None) -> Iterator[IO[str]]:
    if output is None:
        yield sys.stdout
        return
    with output.open("w", encoding="utf-8", newline="") as f:
        yield f


def _write_parquet(frame: pl.DataFrame, output: Path | None) -> int:
    if output is None:
        raise InputError("--format parquet writes a file: give -o FILE")
    frame.write_parquet(output)
    return frame.height


def export_accounts(store: Store, run_id: str, fmt: str, output: Path | None) -> int:
    """One row per account in a community of the run, principals included (with their
    amplification), as CSV, JSON or Parquet; returns the rows written."""
    if fmt == "parquet":
        return _write_parquet(query_frame(store, "export/accounts", {"run": run_id}), output)
    query = cypherlib.load("export/accounts")
    with store.cursor(query, {"run": run_id}) as (columns, rows), _text_output(output) as out:
        return write_table(columns, rows, fmt, out)


def export_edges(store: Store, run_id: str, kind: str, fmt: str, output: Path | None) -> int:
    """The run's tested pairs for one kind, strongest first, as CSV, JSON, Parquet, or
    GraphML/GEXF with each account's tier and community; returns the edges. ``weight`` is
    CooRTweet's (0 for a pair tested in the overlap view only), ``expected`` and
    ``expected_common`` the null models' expectations, ``q_value`` the pair's fused q-value.

    Detection keeps the full table as Parquet; without it (a run made on another machine)
    the COORDINATED_WITH edges stored in Neo4j are exported instead.
    """
    path = edges_path(run_id)
    if path.exists():
        frame = (
            pl.scan_parquet(path)
            .filter(pl.col("kind") == kind)
            .select(EDGE_COLUMNS)
            .sort(["weight", "account_a", "account_b"], descending=[True, False, False])
            .collect()
        )
    else:
        frame = query_frame(store, "export/edges", {"run": run_id, "kind": kind})
    if fmt == "parquet":
        return _write_parquet(frame, output)
    edges = (list(row) for row in frame.iter_rows())
    with _text_output(output) as out:
        if fmt in TABLE_FORMATS:
            return write_table(EDGE_COLUMNS, edges, fmt, out)
        ids = pl.concat([frame["account_a"], frame["account_b"]]).unique().sort().to_list()
        query = cypherlib.load("export/edge_nodes")
        with store.cursor(query, {"run": run_id, "ids": ids}) as (node_columns, nodes):
            return write_graph(node_columns, nodes, EDGE_COLUMNS, edges, fmt, out)
