"""Peak resident memory of this process over a block, for the benchmarks."""

from __future__ import annotations

import threading
import time

import psutil


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
