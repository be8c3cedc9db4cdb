"""The analyst's queries: the named library in `cypher/queries/`, and the analyst's own files.

Every query passes the read-only guard (`graphdb.guard`) and runs in a read transaction,
whatever its header says, with a row limit and an optional timeout; parameters are typed from
the header. Values come back JSON-friendly: times as ISO strings, nodes as their property
dicts, relationships as their type, ends and properties, paths as the ids of their nodes.

`docs/queries.md` is `markdown_reference()`:
`python -m tierscope.graphdb.queries > docs/queries.md`.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import shlex
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import neo4j
import neo4j.time
from neo4j.graph import Node, Relationship
from neo4j.graph import Path as GraphPath

from tierscope.graphdb import cypherlib, guard
from tierscope.graphdb.cypherlib import Param, Query
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.store import Store

LIBRARY = "queries"
DEFAULT_LIMIT = 1000
FORMATS = ("table", "json", "csv", "md")
# Parameters with these names name a detection run; `latest` and `previous` are resolved by
# the Cypher itself (so that Browser users have them too).
RUN_WORDS = ("latest", "previous")


@dataclass(frozen=True)
class QueryResult:
    """Rows as value lists in column order, already JSON-friendly.

    truncated: the query had more rows than the limit. notes: things worth telling the user,
    such as a run that never finished.
    """

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def list_queries() -> list[Query]:
    """Every query of the library, sorted by name."""
    return cypherlib.library(LIBRARY)


def get_query(name: str) -> Query:
    """A library query by the name in its header."""
    queries = {q.name: q for q in list_queries()}
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise InputError(f"no query named {name!r}{hint} (`tierscope query list` shows them all)")


def load_user_file(path: Path) -> Query:
    """An analyst's own Cypher file, refused when its header says it writes."""
    query = cypherlib.load_file(path)
    if query.mode == "write":
        raise InputError(
            f"{path} says `mode: write`, but `tierscope query` runs read-only queries; "
            "write with cypher-shell or Neo4j Browser instead"
        )
    return query


def run_query(
    store: Store,
    name: str | None,
    file: Path | None = None,
    params: dict[str, str] | None = None,
    limit: int = DEFAULT_LIMIT,
    timeout: float | None = None,
) -> QueryResult:
    """Run a library query by name, or the Cypher in `file`, in a read transaction.

    The guard (`graphdb.guard`) first refuses, with an `InputError`, a statement that is not a
    plain read: by its text, then by Neo4j's EXPLAIN of it. `params` only ever travel as
    parameters. At most `limit` rows are fetched (`truncated` says when there were more);
    `timeout` seconds stop the query on the server.
    """
    if name is not None and file is None:
        query = get_query(name)
    elif file is not None and name is None:
        query = load_user_file(file)
    else:
        raise InputError("give a query name or a file, not both and not neither")
    if limit < 1:
        raise InputError(f"the row limit must be at least 1, got {limit}")
    if timeout is not None and timeout <= 0:
        raise InputError(f"the timeout must be a positive number of seconds, got {timeout}")
    where = str(file) if file is not None else query.name
    library = file is None  # only the library's own queries may project a GDS graph
    guard.check_text(query.text, where, library)
    given = params or {}
    bound = query.bind(given)
    _check_datetimes(query, given)
    plan = store.explain(query, bound)
    guard.check_plan(plan.query_type, plan.plan, where, library)
    notes = _check_runs(store, query, bound) if name is not None else []
    columns, values, truncated = store.read_values(query, bound, limit, timeout)
    rows = [[to_plain(v) for v in row] for row in values]
    return QueryResult(columns=columns, rows=rows, truncated=truncated, notes=notes)


def _check_datetimes(query: Query, given: dict[str, str]) -> None:
    for p in query.params:
        if p.type == "datetime" and p.name in given:
            try:
                datetime.fromisoformat(given[p.name].replace("Z", "+00:00"))
            except ValueError as e:
                raise InputError(
                    f"parameter {p.name} must be an ISO 8601 datetime such as "
                    f"2020-03-01T00:00:00Z, got {given[p.name]!r}"
                ) from e


def _run_params(query: Query) -> list[Param]:
    return [p for p in query.params if p.name == "run" or p.name.startswith("run_")]


def _check_runs(store: Store, query: Query, bound: dict[str, Any]) -> list[str]:
    """An unknown run id is an error; latest or previous without enough runs is a note."""
    wanted = [(p.name, bound[p.name]) for p in _run_params(query)]
    if not wanted:
        return []
    runs = store.run(cypherlib.load("detect/runs"), mode="read")
    finished = [r["id"] for r in runs if r["finished_at"] is not None]
    unfinished = {r["id"] for r in runs if r["finished_at"] is None}
    notes: list[str] = []
    for param, value in wanted:
        if value == "latest" and not finished:
            notes.append("no finished detection run yet: run `tierscope detect` first")
        elif value == "previous" and len(finished) < 2:
            notes.append(f"{param}=previous needs two finished detection runs")
        elif value in unfinished:
            notes.append(f"detection run {value!r} did not finish: its results are partial")
        elif value not in RUN_WORDS and value not in finished:
            raise InputError(
                f"no detection run {value!r} ({param}); `tierscope runs` lists them, or use latest"
            )
    return list(dict.fromkeys(notes))


def _node_id(node: Node) -> Any:
    for key in ("id", "tag", "url"):
        if key in node:
            return to_plain(node[key])
    return node.element_id


def _iso(value: Any) -> str:
    if isinstance(value, neo4j.time.DateTime) and value.nanosecond % 1000 == 0:
        text = value.to_native().isoformat()
    else:
        text = value.iso_format()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def to_plain(value: Any) -> Any:
    """A value from Neo4j as plain JSON data: ISO strings for times, property dicts for nodes,
    {type, start, end, properties} for relationships, node ids for paths."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Date | neo4j.time.Time):
        return _iso(value)
    if isinstance(value, neo4j.time.Duration):
        return value.iso_format()
    if isinstance(value, Node):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, Relationship):
        return {
            "type": value.type,
            "start": _node_id(value.start_node) if value.start_node is not None else None,
            "end": _node_id(value.end_node) if value.end_node is not None else None,
            "properties": {k: to_plain(v) for k, v in value.items()},
        }
    if isinstance(value, GraphPath):
        return [_node_id(n) for n in value.nodes]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return str(value)


# Formatting: pure functions of a QueryResult.


def cell(value: Any, compact: bool = False) -> str:
    """One value as text: empty for null, JSON for lists and maps; `compact` rounds floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(round(value, 4)) if compact else repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":") if compact else None)
    return str(value)


def to_json(result: QueryResult) -> str:
    """A JSON array of one object per row."""
    return json.dumps(result.records(), indent=2, ensure_ascii=False) + "\n"


def to_csv(result: QueryResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([cell(v) for v in row] for row in result.rows)
    return out.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def to_markdown(result: QueryResult) -> str:
    return markdown_table(
        result.columns, ([cell(v, compact=True) for v in row] for row in result.rows)
    )


def format_result(result: QueryResult, fmt: str) -> str:
    """json, csv or md text of a result."""
    if fmt == "json":
        return to_json(result)
    if fmt == "csv":
        return to_csv(result)
    if fmt == "md":
        return to_markdown(result)
    raise InputError(f"format must be one of json, csv, md, not {fmt!r}")


# The reference in docs/queries.md.


def example_params(query: Query) -> dict[str, str]:
    """The `-p key=value` pairs of a query's example line."""
    words = shlex.split(query.example)
    pairs: dict[str, str] = {}
    for flag, value in zip(words, words[1:], strict=False):
        if flag in ("-p", "--param"):
            key, _, text = value.partition("=")
            pairs[key] = text
    return pairs


def cypher_literal(value: Any) -> str:
    """A value as Cypher source, for the `:param` lines Neo4j Browser takes."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def browser_params(query: Query) -> list[str]:
    """`:param` lines that set every parameter: the example's values, else the defaults."""
    bound = query.bind(example_params(query))
    return [f":param {p.name} => {cypher_literal(bound[p.name])}" for p in query.params]


REFERENCE_HEADER = """# Query reference

Generated from the headers of `cypher/queries/*.cypher` by
`python -m tierscope.graphdb.queries > docs/queries.md`; a test fails when this file is stale.

Each query is a Cypher file an analyst can run two ways:

- **CLI**: `tierscope query NAME -p key=value ...` runs it read-only and prints a table, or
  `--format json|csv|md` (`-o FILE` writes a file). `tierscope query list` shows the names.
  `--limit N` (default 1000) caps the rows fetched and says when there were more;
  `--timeout SECONDS` stops a query on the server. Parameters are typed from the file's
  header: `int`, `float`, `bool` (true/false), `list` (`a,b` or JSON `["a","b"]`), `string`,
  `datetime` (ISO 8601, e.g. `2020-03-01T00:00:00Z`).
- **Neo4j Browser**: set the parameters with the `:param` lines shown below, then paste the
  file as it is (its header is Cypher comments).

Conventions:

- `run` is a detection run id, or `latest`: the newest *finished* run (`tierscope runs` lists
  them). `compare_runs` also takes `previous`, the finished run before the latest. The Cypher
  resolves these words itself, so they work in Browser too. Through the CLI, a run id that does
  not exist is an error rather than an empty table.
- `community` is a community id within the run. Ids follow the rank, so community 1 is the
  run's most suspicious; `-1` means every community, where a query allows it.
- `account` takes an account id or a screen name.
- `limit` is the query's own cap (it also protects Browser); `--limit` is the CLI's.
- Tiers: `principal` (the genuine accounts an operation amplifies), `core` (the synchronised
  accounts), `amplifier` (the accounts that amplify the core). See [model.md](model.md).
- `gds_*` queries use Neo4j's Graph Data Science library on a run's `COORDINATED_WITH` edges,
  which `gds_project` projects into the in-memory graph `tierscope-<run>`: run it first, and
  `gds_drop` when done. See [gds.md](gds.md).

## Your own queries

`tierscope query --file my.cypher -p key=value` runs your own file the same way. Give it the
same header so that its parameters are typed (an undeclared `-p` is refused):

```cypher
// name: busy_accounts
// description: Accounts with the most posts on one day.
// param: day: string -- YYYY-MM-DD
// param: top: int = 20
MATCH (a:Account)-[:POSTED]->(p:Post)
WHERE date(p.created_at) = date($day)
RETURN a.screen_name AS account, count(p) AS posts
ORDER BY posts DESC LIMIT $top
```

A file may only read the graph. Before it runs, a guard refuses, in one line saying what and
why: writes (`CREATE`, `MERGE`, `SET`, `DELETE`, `REMOVE`, `FOREACH`, inside `CALL { }` too),
`LOAD CSV` (it reads files and URLs on the server), `USE` (such as `USE system`), `EXPLAIN`
and `PROFILE`, administration and schema commands (`CREATE USER`, `SHOW USERS`,
`CREATE INDEX`, `TERMINATE TRANSACTIONS`), and any procedure or namespaced function but the
read-only ones listed below: of GDS, the `stream` and `stats` modes pass, `write` and `mutate`
do not; of APOC, the read-only functions (never `apoc.cypher.*`, `apoc.load.*`,
`apoc.export.*`, `apoc.periodic.*`). It reads the statement with its comments, strings and
quoted names set aside, then asks Neo4j's `EXPLAIN` for the statement's type and plan without
running it; the query then runs in a read transaction. A file whose header says
`mode: write` is refused too. `-p` values only ever travel as parameters, so no value can
change the statement. Values come back JSON-friendly: times as ISO 8601 strings, a node as its
property map, a relationship as `{type, start, end, properties}`, a path as the ids of its
nodes.
"""


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in sorted(names))


def _procedures_section() -> str:
    return (
        "Procedures a query may call (`graphdb/guard.py: ALLOWED_PROCEDURES`; `*` matches any "
        f"characters): {_names(guard.ALLOWED_PROCEDURES)}.\n\n"
        "Namespaced functions a query may call (`ALLOWED_FUNCTIONS`; functions without a "
        f"namespace are Cypher's own): {_names(guard.ALLOWED_FUNCTIONS)}.\n\n"
        f"Only the library's own queries may call {_names(guard.LIBRARY_ONLY)}: they project "
        "and drop a GDS in-memory graph ([gds.md](gds.md)).\n"
    )


def _query_section(query: Query) -> str:
    parts = [f"## `{query.name}`\n", f"{query.description}\n"]
    if query.params:
        rows = [
            [
                f"`{p.name}`",
                p.type,
                "required" if p.required else f"`{json.dumps(p.default)}`",
                p.help,
            ]
            for p in query.params
        ]
        parts.append(markdown_table(["parameter", "type", "default", "meaning"], rows))
    else:
        parts.append("No parameters.\n")
    parts.append(f"```bash\n{query.example}\n```\n")
    lines = browser_params(query)
    if lines:
        parts.append("In Neo4j Browser:\n\n```\n" + "\n".join(lines) + "\n```\n")
    source = f"cypher/queries/{query.path.name}" if query.path else query.name
    parts.append(f"`{source}`:\n\n```cypher\n{query.text}\n```\n")
    return "\n".join(parts)


def markdown_reference(queries: list[Query] | None = None) -> str:
    """docs/queries.md: the conventions, an index, and each query's header and Cypher."""
    queries = list_queries() if queries is None else queries
    index = markdown_table(
        ["query", "what it shows"], [[f"[`{q.name}`](#{q.name})", q.description] for q in queries]
    )
    sections = [_query_section(q) for q in queries]
    parts = [REFERENCE_HEADER, _procedures_section(), "## The queries\n", index, *sections]
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_reference())
