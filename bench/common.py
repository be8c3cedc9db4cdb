"""Shared by the benchmarks: peak memory sampling and a throwaway managed Neo4j."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from tierscope.graphdb.server import ManagedServer, free_ports
from tierscope.graphdb.store import Store

OUT = Path(__file__).parent / "out"


class PeakRss:
    """Samples this process's RSS every 10 ms while a run is in progress.

    With `children`, the RSS of its child processes (e.g. the neo4j-admin JVM a bulk load
    runs) is added in. `phase(name, ...)` starts a named phase (it fits `load(phase=...)`);
    `peaks` holds the peak of each, `peak` the overall one."""

    def __init__(self, children: bool = False) -> None:
        self.process = psutil.Process()
        self.children = children
        self.peak = self.process.memory_info().rss
        self.name = "start"
        self.peaks: dict[str, int] = {}
        self.running = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _rss(self) -> int:
        total = self.process.memory_info().rss
        if self.children:
            for child in self.process.children(recursive=True):
                with contextlib.suppress(psutil.Error):  # it ended between listing and reading
                    total += child.memory_info().rss
        return total

    def _sample(self) -> None:
        while self.running.is_set():
            rss = self._rss()
            self.peak = max(self.peak, rss)
            self.peaks[self.name] = max(self.peaks.get(self.name, 0), rss)
            time.sleep(0.01)

    def phase(self, name: str, _total: int | None = None) -> None:
        self.name = name

    def __enter__(self) -> PeakRss:
        self.running.set()
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.running.clear()
        self.thread.join()
        self.peak = max(self.peak, self._rss())


@contextmanager
def fresh_server(name: str) -> Iterator[tuple[ManagedServer, Store]]:
    """A managed Neo4j in its own home under bench/out, removed afterwards."""
    home = OUT / f"home-{name}"
    shutil.rmtree(home, ignore_errors=True)
    server = ManagedServer(home)
    bolt, http = free_ports()
    server.start(bolt_port=bolt, http_port=http)
    try:
        with Store(server.connection()) as store:
            yield server, store
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def store_size_mb(server: ManagedServer) -> float:
    """The database's store files and transaction logs (until a checkpoint, recent writes
    live only in the logs)."""
    dirs = (server.data_dir / "databases" / "neo4j", server.data_dir / "transactions" / "neo4j")
    files = [p for d in dirs for p in d.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB, the process and its children) and stdout of a command."""
    started = time.perf_counter()
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        watched = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            try:
                rss = watched.memory_info().rss + sum(
                    c.memory_info().rss for c in watched.children(recursive=True)
                )
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.1)
        out, errors = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} failed ({proc.returncode}):\n{errors[-3000:]}")
    return seconds, peak / 2**20, out
