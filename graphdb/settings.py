"""Where tierscope keeps its files and how it finds the database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def home() -> Path:
    """The tierscope home: the managed server's data, config and password live here, and the
    runs and rejects. Made on first use, owner-only."""
    return private_dir(Path(os.environ.get("TIERSCOPE_HOME", "~/.tierscope")).expanduser())


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner may enter (0700), made if missing, tightened if wider:
    it holds the password and the data."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def cache_dir() -> Path:
    """Shared across homes, so a test server reuses the Neo4j jars a user already fetched."""
    base = os.environ.get("XDG_CACHE_HOME", "~/.cache")
    return Path(base).expanduser() / "tierscope"


def autostart_enabled() -> bool:
    return os.environ.get("TIERSCOPE_AUTOSTART", "1").strip().lower() not in ("0", "false", "no")


@dataclass(frozen=True)
class Connection:
    uri: str
    user: str
    password: str
    database: str | None
    managed: bool  # True when the settings come from tierscope's own server

    def describe(self) -> str:
        where = "managed server" if self.managed else "NEO4J_URI"
        db = self.database or "default database"
        return f"{self.uri} ({db}, from {where})"


def connection_from_env() -> Connection | None:
    """The NEO4J_* variables, when NEO4J_URI is set; any scheme the driver takes works."""
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    return Connection(
        uri=uri,
        user=os.environ.get("NEO4J_USER", os.environ.get("NEO4J_USERNAME", "neo4j")),
        password=os.environ.get("NEO4J_PASSWORD", ""),
        database=os.environ.get("NEO4J_DATABASE") or None,
        managed=False,
    )
