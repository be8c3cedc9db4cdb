"""One real Neo4j for the whole session, started by tierscope itself on free ports.

If the server cannot start, every integration test errors: nothing here skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tierscope.graphdb import admin
from tierscope.graphdb.server import ManagedServer, free_ports
from tierscope.graphdb.store import Store

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedServer]:
    root = tmp_path_factory.mktemp("tierscope-home")
    saved = {k: os.environ.get(k) for k in ("TIERSCOPE_HOME", "NEO4J_URI", "TIERSCOPE_AUTOSTART")}
    # The CLI under test must find this server the way a user's does: through the home.
    os.environ["TIERSCOPE_HOME"] = str(root)
    os.environ.pop("NEO4J_URI", None)
    os.environ["TIERSCOPE_AUTOSTART"] = "0"
    os.environ.setdefault("TIERSCOPE_NEO4J_HEAP", "1g")
    os.environ.setdefault("TIERSCOPE_NEO4J_PAGECACHE", "512m")
    server = ManagedServer(root)
    bolt, http = free_ports()
    server.start(bolt_port=bolt, http_port=http)
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def session_store(server: ManagedServer) -> Iterator[Store]:
    with Store(server.connection()) as store:
        store.apply_schema()
        yield store


@pytest.fixture
def store(session_store: Store) -> Iterator[Store]:
    """An empty database for this test, emptied again after it."""
    admin.wipe(session_store)
    yield session_store
    admin.wipe(session_store)


@pytest.fixture
def cli(server: ManagedServer) -> CliRunner:
    """The CLI finds the session server through TIERSCOPE_HOME, as a user's would."""
    return CliRunner()


@pytest.fixture
def shared() -> Path:
    return SHARED


@dataclass(frozen=True)
class Chromium:
    """Debian's headless chromium with the flags this machine needs and a fresh profile."""

    command: list[str]

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.command, *args], capture_output=True, text=True, timeout=120, check=True
        )
        return done.stdout

    def dump_dom(self, page: Path) -> str:
        """The page's DOM after it has loaded and run whatever scripts it may."""
        return self.run("--dump-dom", page.as_uri())


@pytest.fixture
def chromium(tmp_path: Path) -> Chromium:
    path = shutil.which("chromium")
    assert path, "Debian's chromium is needed to render the HTML report: apt-get install chromium"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    return Chromium([path, *flags, f"--user-data-dir={tmp_path / 'chromium-profile'}"])
