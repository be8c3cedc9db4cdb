"""The read-only guard of `tierscope query`: what an analyst's Cypher may do.

Two checks, both before any row is read. `check_text` reads the statement itself, with its
comments, strings and quoted names set aside, and refuses writes, LOAD CSV, USE, EXPLAIN and
PROFILE, administration and schema commands, any procedure not in ALLOWED_PROCEDURES and any
namespaced function not in ALLOWED_FUNCTIONS. `check_plan` reads what Neo4j's EXPLAIN says
about the statement, without running it: it must be a read (query type `r`) whose plan loads
no CSV, administers nothing and calls only allowed procedures and functions. The read
transaction the query then runs in is the last line.

GDS plans every mode but `write` as a read, `mutate` and `gds.graph.export` included, so
names decide: only GDS's stream and stats modes pass. Projecting or dropping an in-memory graph
(LIBRARY_ONLY) passes only in the library's own queries (gds_project, gds_drop), never in an
analyst's file; docs/gds.md says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from tierscope.graphdb.errors import InputError

# The procedures `tierscope query` may call: read-only, reading nothing but the graph or a GDS
# in-memory graph. The one list to extend; names are case-sensitive, as in Neo4j, and `*`
# matches any characters. GDS's stream and stats modes change nothing; its mutate and write
# modes and its other catalog procedures (export, filter, generate, drop) are left out.
ALLOWED_PROCEDURES = frozenset(
    {
        "db.info",
        "db.labels",
        "db.ping",
        "db.propertyKeys",
        "db.relationshipTypes",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
        "db.schema.visualization",
        "db.index.fulltext.queryNodes",
        "db.index.fulltext.queryRelationships",
        "db.index.vector.queryNodes",
        "db.index.vector.queryRelationships",
        "gds.*.stream",
        "gds.*.stats",
        "gds.graph.list",
        "gds.list",
        "gds.version",
    }
)

# APOC's read-only functions: all of APOC that the managed server loads (its procedure
# allowlist, graphdb/server: PLUGIN_SETTINGS). Left out: apoc.cypher.* (it runs any Cypher),
# apoc.xml.* (XML entities can name files) and every namespace with a procedure that writes,
# loads, exports or schedules.
APOC_FUNCTIONS = (
    "apoc.agg.*",
    "apoc.any.*",
    "apoc.bitwise.*",
    "apoc.coll.*",
    "apoc.convert.fromJson*",
    "apoc.convert.getJson*",
    "apoc.convert.to*",
    "apoc.data.*",
    "apoc.date.*",
    "apoc.diff.*",
    "apoc.hashing.*",
    "apoc.json.*",
    "apoc.label.*",
    "apoc.map.*",
    "apoc.math.*",
    "apoc.meta.cypher.*",
    "apoc.meta.nodes.count",
    "apoc.node.*",
    "apoc.nodes.connected",
    "apoc.nodes.isDense",
    "apoc.nodes.relationship*",
    "apoc.number.*",
    "apoc.path.combine",
    "apoc.path.create",
    "apoc.path.elements",
    "apoc.path.slice",
    "apoc.rel.*",
    "apoc.schema.node.*",
    "apoc.schema.relationship.*",
    "apoc.scoring.*",
    "apoc.temporal.*",
    "apoc.text.*",
    "apoc.util.md5",
    "apoc.util.sha*",
    "apoc.version",
)

# The namespaced functions `tierscope query` may call (a user-defined function always has a
# namespace, so one without is Cypher's own): Cypher's, APOC's above and GDS's helpers.
ALLOWED_FUNCTIONS = frozenset(
    {
        "date.*",
        "datetime.*",
        "duration.*",
        "graph.*",
        "localdatetime.*",
        "localtime.*",
        "point.*",
        "time.*",
        "vector.similarity.*",
        *APOC_FUNCTIONS,
        "gds.graph.exists",
        "gds.similarity.*",
        "gds.util.*",
        "gds.version",
    }
)

# Procedures and functions only the library's own queries may call: they create or drop a GDS
# in-memory graph, which changes no data but holds server memory until dropped.
LIBRARY_ONLY = frozenset({"gds.graph.project", "gds.graph.drop"})

# Clauses that change the graph (INSERT is GQL's CREATE).
WRITE_CLAUSES = frozenset(
    {"CREATE", "MERGE", "SET", "DELETE", "DETACH", "NODETACH", "REMOVE", "FOREACH", "INSERT"}
)
# Words that begin administration and schema commands, which are whole statements.
ADMIN_COMMANDS = frozenset(
    {
        "ALTER",
        "DEALLOCATE",
        "DENY",
        "DROP",
        "DRYRUN",
        "ENABLE",
        "GRANT",
        "REALLOCATE",
        "RENAME",
        "REVOKE",
        "SHOW",
        "START",
        "STOP",
        "TERMINATE",
    }
)
# What follows CREATE in an administration or schema command, rather than a pattern.
ADMIN_OBJECTS = frozenset(
    {
        "ALIAS",
        "BTREE",
        "COMPOSITE",
        "CONSTRAINT",
        "DATABASE",
        "FULLTEXT",
        "INDEX",
        "LOOKUP",
        "OR",
        "POINT",
        "RANGE",
        "ROLE",
        "SERVER",
        "TEXT",
        "USER",
        "VECTOR",
    }
)
_ONLY_READS = "tierscope query only reads the graph; write with cypher-shell or Neo4j Browser"
_ADMIN = "administration and schema commands are for cypher-shell or Neo4j Browser"

# Neo4j decodes \uXXXX escapes before it reads a statement, as Java does, so that
# `LO\u0041D CSV` is LOAD CSV and `\u0027` ends a string; an escaped backslash is no escape.
_UNICODE_ESCAPE = re.compile(r"\\\\|\\u([0-9a-fA-F]{4})")
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z))
    | (?P<quoted>`(?:[^`]|``)*(?:`|\Z))
    | (?P<param>\$(?:\w+|`(?:[^`]|``)*`))
    | (?P<word>\w+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # word, quoted (a `name`), string, param or other (punctuation)
    text: str  # a quoted name without its backticks

    @property
    def name(self) -> str | None:
        """The identifier this token spells, quoted or not."""
        return self.text if self.kind in ("word", "quoted") else None


def tokens(text: str) -> list[Token]:
    """The statement's tokens as Neo4j reads them, comments and white space left out."""
    text = _UNICODE_ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else m[0], text)
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "quoted":
            value = value[1:].removesuffix("`").replace("``", "`")
        out.append(Token(kind, value))
    return out


def _is(tok: Token | None, punctuation: str) -> bool:
    return tok is not None and tok.kind == "other" and tok.text == punctuation


def _at(toks: list[Token], i: int) -> Token | None:
    return toks[i] if 0 <= i < len(toks) else None


def _keywords(toks: list[Token]) -> dict[int, str]:
    """{index: upper-case word} of the words that can be keywords: not a property (`n.set`),
    a label or type (`:Set`), or a map key (`{set: 1}`)."""
    return {
        i: t.text.upper()
        for i, t in enumerate(toks)
        if t.kind == "word"
        and not _is(_at(toks, i - 1), ".")
        and not _is(_at(toks, i - 1), ":")
        and not _is(_at(toks, i + 1), ":")
    }


def _procedure(toks: list[Token], i: int) -> str | None:
    """The dotted name called at `CALL` (toks[i]), or None for a subquery `CALL {` / `CALL (`."""
    parts: list[str] = []
    j = i + 1
    while (name := _name(toks, j)) is not None:
        parts.append(name)
        if not _is(_at(toks, j + 1), "."):
            break
        j += 2
    return ".".join(parts) or None


def _name(toks: list[Token], i: int) -> str | None:
    tok = _at(toks, i)
    return tok.name if tok is not None else None


def _statement_starts(toks: list[Token]) -> Iterator[int]:
    """Where each statement's first clause begins, past its `CYPHER` version and options."""
    begin = 0
    for end in [i for i, t in enumerate(toks) if _is(t, ";")] + [len(toks)]:
        i = begin
        if _name(toks, i) is not None and toks[i].text.upper() == "CYPHER":
            i += 1
            while _name(toks, i) is not None:
                if _is(_at(toks, i + 1), "="):
                    i += 3  # key=value
                elif toks[i].text.isdigit():
                    i += 1  # a version: CYPHER 5
                else:
                    break
        if i < end:
            yield i
        begin = end + 1


def _phrase(toks: list[Token], i: int) -> str:
    """A keyword and the name after it, as the user wrote them: `CREATE USER`, `USE system`."""
    after = _name(toks, i + 1)
    return f"{toks[i].text.upper()} {after}" if after else toks[i].text.upper()


def allowed(name: str, patterns: Iterable[str]) -> bool:
    """Whether `name` matches one of the allow-list's names or `*` patterns."""
    return any(fnmatchcase(name, pattern) for pattern in patterns)


def _functions(toks: list[Token]) -> Iterator[str]:
    """The namespaced names called as functions (`a.b(`), as the user wrote them; a name after
    CALL is a procedure, checked apart."""
    for i, tok in enumerate(toks):
        if not _is(tok, "("):
            continue
        parts: list[str] = []
        j = i - 1
        while (name := _name(toks, j)) is not None:
            parts.append(name)
            if not _is(_at(toks, j - 1), "."):
                break
            j -= 2
        called = ".".join(reversed(parts))
        before = _at(toks, j - 1)
        after_call = before is not None and before.kind == "word" and before.text.upper() == "CALL"
        if "." in called and not after_call:
            yield called


def _check_callable(where: str, kind: str, name: str, library: bool) -> None:
    """Refuse a procedure (kind `CALL`) or function (kind `function`) not on its list."""
    listed = ALLOWED_PROCEDURES if kind == "CALL" else ALLOWED_FUNCTIONS
    if allowed(name, listed) or (library and name in LIBRARY_ONLY):
        return
    what = f"CALL {name}" if kind == "CALL" else f"function {name}"
    if name in LIBRARY_ONLY:
        raise _refuse(
            where,
            what,
            "GDS graphs are projected and dropped by the library's "
            "gds_project and gds_drop queries only (docs/gds.md)",
        )
    noun = "procedure" if kind == "CALL" else "function"
    raise _refuse(
        where, what, f"not a read-only {noun} tierscope query may call (docs/queries.md lists them)"
    )


def _refuse(where: str, what: str, why: str) -> InputError:
    return InputError(f"{where}: refused {what}: {why}")


def check_text(text: str, where: str = "query", library: bool = False) -> None:
    """Refuse, with one line saying what and why, a statement that is not a plain read of the
    graph. Parameter values are never part of `text`, so they are never checked or needed.
    `library`: the statement is one of the library's own queries, which may use LIBRARY_ONLY."""
    toks = tokens(text)
    words = _keywords(toks)
    for start in _statement_starts(toks):
        first = words.get(start)
        if first in ("EXPLAIN", "PROFILE"):
            raise _refuse(
                where, first, "tierscope query returns rows, not plans; use Neo4j Browser"
            )
        if first in ADMIN_COMMANDS:
            raise _refuse(where, _phrase(toks, start), _ADMIN)
    for i, word in words.items():
        if word == "CREATE" and words.get(i + 1) in ADMIN_OBJECTS:
            raise _refuse(where, _phrase(toks, i), _ADMIN)
        if word in WRITE_CLAUSES:
            raise _refuse(where, "DETACH DELETE" if word == "DETACH" else word, _ONLY_READS)
        if word == "LOAD" and words.get(i + 1) == "CSV":
            raise _refuse(where, "LOAD CSV", "it reads files and URLs on the database server")
        if word == "USE":
            raise _refuse(
                where, _phrase(toks, i), "tierscope query runs on the configured database only"
            )
        if word == "CALL":
            name = _procedure(toks, i)
            if name is not None:
                _check_callable(where, "CALL", name, library)
    for name in _functions(toks):
        _check_callable(where, "function", name, library)


# Plan operators (without their @database suffix) that read files or administer the DBMS,
# whatever the query type says; Show* and Terminate* cover SHOW ... and TERMINATE ... .
_DENIED_OPERATORS = {"LoadCSV": "LOAD CSV", "AdministrationCommand": "an administration command"}
_QUERY_TYPES = {"w": "a write", "rw": "a read and write", "s": "a schema or DBMS change"}


def _operators(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield plan.get("operatorType", "").split("@")[0], str(plan.get("args", {}).get("Details", ""))
    for child in plan.get("children", []):
        yield from _operators(child)


def check_plan(
    query_type: str | None,
    plan: dict[str, Any] | None,
    where: str = "query",
    library: bool = False,
) -> None:
    """Refuse a statement whose EXPLAIN (its query type and plan) shows it is not a plain read:
    its operators' details name every procedure and function it calls."""
    if query_type != "r":
        kind = _QUERY_TYPES.get(query_type or "", f"type {query_type!r}")
        raise _refuse(where, f"a statement Neo4j plans as {kind}", _ONLY_READS)
    for operator, details in _operators(plan or {}):
        if operator in _DENIED_OPERATORS:
            raise _refuse(where, _DENIED_OPERATORS[operator], _ONLY_READS)
        if operator.startswith(("Show", "Terminate")):
            raise _refuse(where, f"the {operator} command", _ADMIN)
        if operator == "ProcedureCall":
            name, _, details = details.partition("(")
            _check_callable(where, "CALL", name.strip().replace("`", ""), library)
        for name in _functions(tokens(details)):
            _check_callable(where, "function", name, library)
