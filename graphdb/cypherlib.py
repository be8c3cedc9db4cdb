"""Cypher files, loaded by name, each with a header that says what it does.

A file starts with `// key: value` lines:

    // name: community_summary
    // description: Size by tier and the evidence of each community of a run.
    // mode: read
    // param: run: string = "latest" -- the detection run id, or latest
    // example: tierscope query community_summary -p run=latest

`mode` is `read` or `write`; `param` lines give a name, a type (string, int, float, bool,
list) and an optional default. The body runs unchanged in Neo4j Browser once the `:param`
values are set, because values always travel as `$params`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from tierscope.graphdb.errors import InputError

Mode = Literal["read", "write"]
PARAM_TYPES = ("string", "int", "float", "bool", "list", "datetime")

_PARAM = re.compile(
    r"^(?P<name>\w+)\s*:\s*(?P<type>\w+)(?:\s*=\s*(?P<default>.*?))?\s*(?:--\s*(?P<help>.*))?$"
)


def cypher_dir() -> Path:
    """`cypher/` beside this package: tierscope/cypher in a wheel, the repository's in a
    checkout."""
    path = Path(__file__).parent.parent / "cypher"
    if not path.is_dir():
        raise FileNotFoundError(f"the cypher/ directory is missing from this installation: {path}")
    return path


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any = None
    required: bool = True
    help: str = ""

    def convert(self, text: str) -> Any:
        """Turn a `-p key=value` string into the header's type."""
        try:
            if self.type == "int":
                return int(text)
            if self.type == "float":
                return float(text)
            if self.type == "bool":
                if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                return text.lower() in ("true", "1", "yes")
            if self.type == "list":
                value = json.loads(text) if text.startswith("[") else text.split(",")
                return list(value)
        except ValueError as e:
            raise InputError(f"parameter {self.name} must be {self.type}, got {text!r}") from e
        return text


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    mode: Mode
    description: str = ""
    params: tuple[Param, ...] = ()
    example: str = ""
    path: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def statements(self) -> list[str]:
        """The body split on `;`, for files such as the schema that hold several statements."""
        return [s.strip() for s in self.text.split(";") if s.strip()]

    def bind(self, given: dict[str, str]) -> dict[str, Any]:
        """Typed parameters from strings, with the header's defaults filled in."""
        known = {p.name: p for p in self.params}
        unknown = set(given) - set(known)
        if unknown:
            names = ", ".join(sorted(known)) or "none"
            raise InputError(
                f"{self.name}: unknown parameter(s) {sorted(unknown)}; it takes {names}"
            )
        bound: dict[str, Any] = {}
        for p in self.params:
            if p.name in given:
                bound[p.name] = p.convert(given[p.name])
            elif p.required:
                raise InputError(f"{self.name}: parameter {p.name} ({p.type}) is required")
            else:
                bound[p.name] = p.default
        return bound


def parse(text: str, path: Path | None = None, name: str | None = None) -> Query:
    """Read the header and body of one Cypher file."""
    header: dict[str, str] = {}
    params: list[Param] = []
    body_start = 0
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped.startswith("//"):
            body_start = i
            break
        content = stripped[2:].strip()
        key, sep, value = content.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            params.append(_parse_param(value, path))
        elif key in header and key in ("description", "example"):
            header[key] += "\n" + value
        else:
            header[key] = value
    else:
        body_start = len(lines)
    where = str(path) if path else (name or "query")
    mode = header.get("mode", "read")
    if mode not in ("read", "write"):
        raise InputError(f"{where}: mode must be read or write, not {mode!r}")
    body = "\n".join(lines[body_start:]).strip()
    if not body:
        raise InputError(f"{where}: no Cypher after the header")
    known = {"name", "description", "mode", "example"}
    return Query(
        name=header.get("name") or name or (path.stem if path else "query"),
        text=body,
        mode=mode,  # type: ignore[arg-type]
        description=header.get("description", ""),
        params=tuple(params),
        example=header.get("example", ""),
        path=path,
        extra={k: v for k, v in header.items() if k not in known},
    )


def _parse_param(spec: str, path: Path | None) -> Param:
    match = _PARAM.match(spec)
    if not match or match.group("type") not in PARAM_TYPES:
        raise InputError(f"{path}: bad param line {spec!r}; use 'name: type [= default] [-- help]'")
    default_text = match.group("default")
    default: Any = None
    if default_text is not None:
        default = json.loads(default_text)
    return Param(
        name=match.group("name"),
        type=match.group("type"),
        default=default,
        required=default_text is None,
        help=(match.group("help") or "").strip(),
    )


@cache
def load(name: str) -> Query:
    """A query by name: `schema` is `cypher/schema.cypher`, `queries/x` a library query."""
    path = cypher_dir() / f"{name}.cypher"
    if not path.exists():
        raise InputError(f"no Cypher file named {name!r} (looked for {path})")
    return parse(path.read_text(encoding="utf-8"), path=path, name=Path(name).name)


def load_file(path: Path) -> Query:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}") from e
    return parse(text, path=path)


def library(subdir: str = "queries") -> list[Query]:
    """Every query in one folder of `cypher/`, sorted by name."""
    return [load(f"{subdir}/{p.stem}") for p in sorted((cypher_dir() / subdir).glob("*.cypher"))]
