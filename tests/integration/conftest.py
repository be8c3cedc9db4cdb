"""One real Neo4j for the whole session, started by tierscope itself on free ports.

If the server cannot start, every integration test errors: nothing here skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
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
