"""The password of the managed server stays in its 0600 file, in a 0700 home: never in a
process's command line (the JVMs' and tierscope's own, read from /proc), its environment,
neo4j.conf, or any log, after a start and some queries."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

from tierscope.graphdb import cypherlib
from tierscope.graphdb.server import ENTRY_POINT, ManagedServer, free_ports
from tierscope.graphdb.store import Store

TIERSCOPE = Path(sys.executable).with_name("tierscope")


def _pids() -> set[int]:
    return {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()}


class CommandLines(threading.Thread):
    """The command line of every process that starts while it watches, read from /proc."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.before = _pids()
        self.seen: set[bytes] = set()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for pid in _pids() - self.before:
                try:
                    self.seen.add(Path(f"/proc/{pid}/cmdline").read_bytes())
                except OSError:
                    continue  # it ended before we could read it
            time.sleep(0.005)

    def __enter__(self) -> CommandLines:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.join()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _readable_files(root: Path) -> list[Path]:
    """Every file of a home but the store's own pages and transaction logs (graph data, and
    hundreds of megabytes preallocated)."""
    store = {root / "neo4j" / "data" / "databases", root / "neo4j" / "data" / "transactions"}
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and p.name != "password" and not any(s in p.parents for s in store)
    ]


def _assert_private(server: ManagedServer) -> None:
    password = server.password().encode()
    assert _mode(server.root) == 0o700
    assert _mode(server.password_file) == 0o600
    jvm = server.pid()
    assert jvm is not None
    assert ENTRY_POINT.encode() in Path(f"/proc/{jvm}/cmdline").read_bytes()
    assert password not in Path(f"/proc/{jvm}/cmdline").read_bytes()
    assert password not in Path(f"/proc/{jvm}/environ").read_bytes()
    everyone = []
    for pid in _pids():
        try:
            everyone.append(Path(f"/proc/{pid}/cmdline").read_bytes())
        except OSError:
            continue
    assert not [c for c in everyone if password in c]
    files = _readable_files(server.root)
    names = {p.name for p in files}
    assert {"neo4j.conf", "debug.log", "neo4j.log", "server.json"} <= names
    assert not [p for p in files if password in p.read_bytes()]


def test_a_fresh_home_keeps_the_password_out_of_sight(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TIERSCOPE_NEO4J_HEAP", "512m")
    monkeypatch.setenv("TIERSCOPE_NEO4J_PAGECACHE", "128m")
    root = tmp_path / "parent" / "home"
    server = ManagedServer(root)
    bolt, http = free_ports()
    env = {**os.environ, "TIERSCOPE_HOME": str(root), "TIERSCOPE_AUTOSTART": "0"}
    env.pop("NEO4J_URI", None)
    runs = [
        [str(TIERSCOPE), "db", "status", "--json"],
        [str(TIERSCOPE), "query", "runs", "-f", "json"],
        [str(TIERSCOPE), "query", "community_summary", "-f", "csv"],
    ]
    saved_umask = os.umask(0o022)  # the common one, under which a plain mkdir makes 0755
    try:
        with CommandLines() as watched:
            server.start(bolt_port=bolt, http_port=http)
            for cmd in runs:
                done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
                assert done.returncode == 0, done.stderr
        password = server.password().encode()
        # What was watched: neo4j-admin setting the password, the server, and tierscope.
        assert any(b"set-initial-password" in c for c in watched.seen)
        assert any(ENTRY_POINT.encode() in c for c in watched.seen)
        assert sum(b"tierscope\x00query" in c for c in watched.seen) >= 2
        assert not [c for c in watched.seen if password in c]
        _assert_private(server)
    finally:
        server.stop()
        os.umask(saved_umask)


def test_the_session_server_keeps_the_password_out_of_sight(
    server: ManagedServer, session_store: Store
):
    """After some queries, and whatever the tests before it ran on the session server."""
    for name in ("load/counts", "detect/runs"):
        session_store.run(cypherlib.load(name))
    _assert_private(server)
