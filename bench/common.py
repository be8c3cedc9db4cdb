"""Shared by the benchmarks: peak memory sampling and a throwaway managed Neo4j."""

from __future__ import annotations

import shutil
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
    """Samples this process's RSS every 10 ms while a run is in progress."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self.running = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while self.running.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def __enter__(self) -> PeakRss:
        self.running.set()
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.running.clear()
        self.thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


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
