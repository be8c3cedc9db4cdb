"""Server faults on the real Neo4j: a killed JVM, a full disk, connection mistakes, commands
that run at the same time. Each ends in one clear error line, or in a wait, never in a
traceback or a half-written batch.

Tests that kill or stop a server do it to a throwaway server of their own (`victim`, or
one on a small tmpfs), never to the session's. The CLI runs as a separate process wherever
a server dies under it, as a user's would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tierscope.cli.main import app
from tierscope.graphdb import admin, cypherlib
from tierscope.graphdb.detect.run import list_runs, resolve_run
from tierscope.graphdb.generate import generate
from tierscope.graphdb.load import counts, load
from tierscope.graphdb.server import ManagedServer, free_ports
from tierscope.graphdb.sources import open_source
from tierscope.graphdb.store import Store
from tierscope.graphdb.tables import Tables, dedupe, extract

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
BATCH = 1000
POSTED = cypherlib.parse("MATCH ()-[r:POSTED]->() RETURN count(r) AS shares")
UNFINISHED = cypherlib.parse("MATCH (r:DetectionRun) WHERE r.finished_at IS NULL RETURN r.id AS id")


def cli_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "TIERSCOPE_HOME": str(home), "TIERSCOPE_AUTOSTART": "0"}
    env.pop("NEO4J_URI", None)
    return env


def spawn(home: Path, *args: str) -> subprocess.Popen[str]:
    """`tierscope ARGS` as its own process, as a user runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "tierscope.cli", *args],
        env=cli_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def run(home: Path, *args: str) -> tuple[int, str, str]:
    return finish(spawn(home, *args))


def error_line(stderr: str) -> str:
    """The one `Error:` line of a failed command; no traceback and no other error text."""
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if "rror" in line]
    assert len(errors) == 1 and errors[0].startswith("Error: "), stderr
    return errors[0]


def kill(server: ManagedServer) -> None:
    pid = server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    while server.is_running():
        time.sleep(0.1)


def whole_batches(path: Path, batch_size: int = BATCH) -> tuple[set[int], dict[str, int]]:
    """What a load of `path` may show at any moment: the POSTED counts after each whole
    batch, read and sliced exactly as the loader does; and the counts of a whole load."""
    seen: set[str] = set()
    shown = {0}
    parts = []
    with open_source(path) as source:
        for chunk in source.chunks():
            for offset in range(0, chunk.frame.height, batch_size):
                tables = extract(chunk.frame.slice(offset, batch_size))
                parts.append(tables)
                seen.update(tables.posted["post"].to_list())
                shown.add(len(seen))
    whole = dedupe(Tables.concat(parts))
    retweets = whole.links.filter(pl.col("type") == "RETWEET_OF").height
    totals = {"accounts": whole.accounts.height, "posts": whole.posts.height}
    return shown, {**totals, "retweets": retweets}


@pytest.fixture(scope="module")
def shares() -> Path:
    return SHARED / "coortweet" / "russian_coord_tweets.csv"


@pytest.fixture(scope="module")
def expected(shares: Path) -> tuple[set[int], dict[str, int]]:
    return whole_batches(shares)


@pytest.fixture(scope="module")
def victim(server: ManagedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A throwaway server for the tests that kill, stop or start one (`server`: the session's
    settings, such as its heap, apply)."""
    other = ManagedServer(tmp_path_factory.mktemp("victim-home"))
    other.start(*free_ports())
    yield other  # pytest runs the rest even when a test fails
    other.stop()


def test_neo4j_killed_during_detect(victim: ManagedServer, tmp_path: Path):
    scenario = tmp_path / "scenario"
    generate(scenario, scale=0.02, seed=3)
    home = victim.root
    with Store(victim.connection()) as store:
        admin.wipe(store)
        load(store, [scenario / "users.csv", scenario / "tweets.csv"])
        code, out, err = run(home, "detect", "--json")
        assert code == 0, err
        finished = json.loads(out)["run_id"]

        detecting = spawn(home, "detect", "--store-edges", "all")
        while not store.run(UNFINISHED):  # the run is recorded, its results not yet
            assert detecting.poll() is None, detecting.communicate()
            time.sleep(0.02)
        (killed,) = [r["id"] for r in store.run(UNFINISHED)]
        kill(victim)
        code, _, err = finish(detecting)
        assert code == 4
        line = error_line(err)
        assert "stopped or was killed; start it with `tierscope db start`" in line, line

        code, _, err = run(home, "db", "start")
        assert code == 0, err
        assert "Removed a stale pid file" in err
        runs = {r["id"]: r for r in list_runs(store)}
        assert runs[killed]["finished_at"] is None and runs[finished]["finished_at"]
        listed = CliRunner().invoke(app, ["runs"], env={"TIERSCOPE_HOME": str(home)})
        assert listed.exit_code == 0, listed.output
        assert "(unfinished)" in listed.output
        assert resolve_run(store, "latest") == finished

        code, out, err = run(home, "detect", "--json")
        assert code == 0, err
        assert resolve_run(store, "latest") == json.loads(out)["run_id"] != killed


def test_neo4j_killed_during_load(victim: ManagedServer, shares: Path, expected):
    shown, whole = expected
    with Store(victim.connection()) as store:
        admin.wipe(store)
        loading = spawn(victim.root, "load", str(shares), "--batch-size", str(BATCH))
        while store.run(POSTED)[0]["shares"] == 0:
            assert loading.poll() is None, loading.communicate()
            time.sleep(0.05)
        kill(victim)
        code, _, err = finish(loading)
        assert code == 4
        assert "stopped or was killed; start it with `tierscope db start`" in error_line(err)

        victim.start()
        partial = store.run(POSTED)[0]["shares"]
        assert partial in shown and partial < max(shown)  # whole batches only
        load(store, [shares])
        assert counts(store) == whole


def test_two_starts_at_once_over_a_stale_pid_file(victim: ManagedServer):
    """A crash left the pid file, and its pid now belongs to another process."""
    victim.stop()
    other = subprocess.Popen(["sleep", "600"])
    # Mid-exec a child shows an empty command line, which reads as a JVM shutting down.
    while not Path(f"/proc/{other.pid}/cmdline").read_bytes().startswith(b"sleep"):
        time.sleep(0.01)
    try:
        victim.pid_file.write_text(str(other.pid))
        assert not victim.is_running()
        code, out, _ = run(victim.root, "db", "stop")
        assert code == 0 and "not running" in out
        assert other.poll() is None  # stop never kills a process that is not its server

        victim.pid_file.write_text(str(other.pid))
        starts = [spawn(victim.root, "db", "start", "--json") for _ in range(2)]
        done = [finish(p) for p in starts]
        assert [code for code, _, _ in done] == [0, 0], done
        pids = {json.loads(out)["pid"] for _, out, _ in done}
        assert pids == {victim.pid()}
        errs = [err for _, _, err in done]
        assert sum("waiting for it" in err for err in errs) == 1, errs
        assert sum("Removed a stale pid file" in err for err in errs) == 1, errs
        assert other.poll() is None
        home_arg = f"--home-dir={victim.neo4j_home}".encode()
        jvms = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _has_arg(p, home_arg)]
        assert len(jvms) == 1, jvms
    finally:
        other.kill()
        other.wait()


def _has_arg(proc: Path, arg: bytes) -> bool:
    try:
        return arg in (proc / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False


def test_connection_mistakes_are_one_line(server: ManagedServer, tmp_path: Path, monkeypatch):
    conn = server.connection()
    bolt = conn.uri.rsplit(":", 1)[1]
    (closed,) = free_ports(1)
    monkeypatch.setenv("NEO4J_USER", conn.user)
    cli = CliRunner()

    def error(uri: str, password: str = conn.password) -> str:
        monkeypatch.setenv("NEO4J_URI", uri)
        monkeypatch.setenv("NEO4J_PASSWORD", password)
        started = time.monotonic()
        result = cli.invoke(app, ["runs"])
        assert result.exit_code == 4, result.output
        assert time.monotonic() - started < 10  # no retrying what cannot work
        return error_line(result.stderr)

    wrong = error(conn.uri, "wrong")
    assert "refused the credentials: check NEO4J_USER and NEO4J_PASSWORD" in wrong
    refused = error(f"bolt://127.0.0.1:{closed}")
    assert f"nothing answers at bolt://127.0.0.1:{closed} (connection refused)" in refused
    assert "check NEO4J_URI" in refused
    for scheme in ("neo4j+s", "bolt+s"):
        tls = error(f"{scheme}://127.0.0.1:{bolt}")
        assert f"does not answer over TLS ({scheme}://): use bolt:// or neo4j://" in tls

    monkeypatch.delenv("NEO4J_URI")
    monkeypatch.setenv("TIERSCOPE_HOME", str(tmp_path / "home"))
    taken = cli.invoke(app, ["db", "start", "--bolt-port", bolt])
    assert taken.exit_code == 5
    line = error_line(taken.stderr)
    assert f"port {bolt} is already in use; pick others with --bolt-port/--http-port" in line


def test_two_loads_at_once_take_turns(store: Store, shares: Path, expected):
    home = Path(os.environ["TIERSCOPE_HOME"])
    loads = [spawn(home, "load", str(shares), "--json") for _ in range(2)]
    done = [finish(p) for p in loads]
    assert [code for code, _, _ in done] == [0, 0], done
    waited = [err for _, _, err in done if "is loading into the same database" in err]
    assert len(waited) == 1, done
    _, whole = expected
    for _, out, _ in done:
        summary = json.loads(out)
        assert summary["rows"] == 35_125
        assert {k: summary[k] for k in whole} == whole
    assert counts(store) == whole


def test_queries_during_a_load_see_whole_batches(
    store: Store, shares: Path, expected, tmp_path: Path
):
    shown, whole = expected
    query = tmp_path / "shares.cypher"
    query.write_text(POSTED.text)
    home = Path(os.environ["TIERSCOPE_HOME"])
    loading = spawn(home, "load", str(shares), "--batch-size", str(BATCH))
    cli = CliRunner()
    seen = []
    while loading.poll() is None:
        result = cli.invoke(app, ["query", "--file", str(query), "--format", "json"])
        assert result.exit_code == 0, result.output
        seen.append(json.loads(result.stdout)[0]["shares"])
    code, _, err = finish(loading)
    assert code == 0, err
    assert set(seen) <= shown, sorted(set(seen) - shown)
    assert seen == sorted(seen)
    assert len(set(seen)) >= 5  # the queries did run while batches landed
    assert counts(store) == whole


def test_a_full_disk_during_a_load(
    server: ManagedServer, shares: Path, expected, tmp_path: Path, monkeypatch
):
    shown, whole = expected
    home = tmp_path / "home"
    home.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", str(home)],
        capture_output=True,
        text=True,
    )
    assert mounted.returncode == 0, f"needs root to mount a small tmpfs: {mounted.stderr}"
    small = ManagedServer(home)
    bolt, http = free_ports()
    try:
        # With Neo4j's 256 MB transaction logs, a new store does not fit.
        code, _, err = run(home, "db", "start", "--bolt-port", str(bolt), "--http-port", str(http))
        assert code == 5
        assert "MB free, and a new Neo4j store needs 512 MB" in error_line(err)

        # 4 MB logs: the load fills the disk a few batches in, not after 256 MB of them.
        monkeypatch.setenv("TIERSCOPE_NEO4J_TX_LOG", "4m")
        small.start(bolt_port=bolt, http_port=http)
        filler = home / "filler"
        filler.write_bytes(b"\0" * (shutil.disk_usage(home).free - (10 << 20)))
        code, _, err = run(home, "load", str(shares), "--batch-size", str(BATCH))
        assert code == 4
        line = error_line(err)
        assert f"the disk holding {home} is full" in line and "free space there" in line
        assert "`tierscope db stop` and `tierscope db start`" in line

        # A file tierscope writes itself on the full disk fails on a line of its own too.
        code, _, err = run(home, "generate", str(home / "scenario"), "--scale", "0.01")
        assert code == 1
        assert "no space left on the disk" in error_line(err)

        filler.unlink()
        shutil.rmtree(home / "scenario")
        for command in ("stop", "start"):
            code, _, err = run(home, "db", command)
            assert code == 0, err
        with Store(small.connection()) as store:
            loaded = store.run(POSTED)[0]["shares"]
            assert loaded in shown and 0 < loaded < max(shown)  # whole batches only
            load(store, [shares], batch_size=BATCH)
            assert counts(store) == whole
    finally:
        small.stop()
        subprocess.run(["umount", "--lazy", str(home)], check=True)
