"""The queue ``fairwatt scan`` runs its tool processes from: tasks ``jobs`` at a time on threads, the one
with the smallest key first (:class:`verify.scan.Scan` keys Slither's runs before Mythril's)."""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable


class Queue:
    """Tasks run ``jobs`` at a time, the one with the smallest key first; a running task may add more.
    The first exception (an interruption included) drops what has not started and is raised."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.heap: list[tuple[tuple, int, Callable[[], None]]] = []
        self.cond = threading.Condition()
        self.running = 0
        self.error: BaseException | None = None
        self.order = itertools.count()

    def put(self, key: tuple, task: Callable[[], None]) -> None:
        with self.cond:
            heapq.heappush(self.heap, (key, next(self.order), task))
            self.cond.notify()

    def count(self, keep: Callable[[tuple], bool]) -> int:
        """How many tasks not started yet have a key that ``keep`` keeps."""
        with self.cond:
            return sum(1 for key, _, _ in self.heap if keep(key))

    def run(self) -> None:
        for _ in range(self.jobs):
            threading.Thread(target=self._work, daemon=True).start()
        try:
            with self.cond:
                while (self.heap or self.running) and self.error is None:
                    self.cond.wait()
        finally:
            with self.cond:
                self.heap.clear()
        if self.error is not None:
            raise self.error

    def _work(self) -> None:
        while True:
            with self.cond:
                while not self.heap and self.running and self.error is None:
                    self.cond.wait()
                if not self.heap or self.error is not None:
                    self.cond.notify_all()
                    return
                _, _, task = heapq.heappop(self.heap)
                self.running += 1
            try:
                task()
            except BaseException as exc:  # noqa: BLE001 - raised again by run(), in the scan's thread
                with self.cond:
                    self.error = self.error or exc
                    self.heap.clear()
            finally:
                with self.cond:
                    self.running -= 1
                    self.cond.notify_all()
