"""Read-only checkpoints of the served store, one per data version, for the query workers.

Oxigraph's on-disk store takes one read-write process; opening it read-only while that process
writes is undefined behaviour. So the workers never open the live store: each opens a checkpoint
(`Store.backup`: a RocksDB checkpoint, hard links on the same file system, about 10 ms), made
when a query first needs the data version it shows and never written afterwards. A checkpoint is
made under the write lock, so it holds whole changes only, and every write acknowledged before a
query is in the checkpoint that query reads (read-your-writes). A worker holds a lease on the
checkpoint it has open (taken before the job is sent, given back when it moves on or dies);
checkpoints with no lease but the newest are deleted.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .safety import ProtocolError


class Snapshots:
    def __init__(self, store: ox.Store, folder: Path, write_lock: Any) -> None:  # a (re-entrant) lock
        self.store = store
        self.folder = folder
        self.write_lock = write_lock
        self._made: dict[int, Path] = {}
        self._leases: dict[int, int] = {}  # version -> workers that have it open (or are about to)
        self._lock = threading.Lock()
        shutil.rmtree(folder, ignore_errors=True)  # left by a server that was killed
        folder.mkdir(parents=True)

    def lease(self, version: Callable[[], int], deadline: float) -> tuple[int, Path]:
        """The checkpoint of the current data version (made now if it is new), leased: it stays on
        disk until release(version)."""
        current = version()
        with self._lock:
            path = self._made.get(current)
            if path is not None:
                self._leases[current] = self._leases.get(current, 0) + 1
                return current, path
        if not self.write_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise ProtocolError(
                503, "timeout", "the time limit passed while a write held the store", {"Retry-After": "5"}
            )
        try:
            current = version()  # a write may have ended meanwhile: name what the checkpoint holds
            with self._lock:
                path = self._made.get(current)
            if path is None:
                path = self.folder / f"v{current}"
                shutil.rmtree(path, ignore_errors=True)
                self.store.backup(str(path))
            with self._lock:
                self._made[current] = path
                self._leases[current] = self._leases.get(current, 0) + 1
        finally:
            self.write_lock.release()
        return current, path

    def release(self, version: int) -> None:
        with self._lock:
            left = self._leases.get(version, 0) - 1
            if left > 0:
                self._leases[version] = left
            else:
                self._leases.pop(version, None)

    def prune(self) -> None:
        """Delete the checkpoints that no worker has open, but the newest."""
        with self._lock:
            keep = set(self._leases)
            if self._made:
                keep.add(max(self._made))
            stale = [(v, p) for v, p in self._made.items() if v not in keep]
            for v, _ in stale:
                del self._made[v]
        for _, path in stale:
            shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
