"""The executor seam, its thread implementation, and a small result cache.

An executor runs a job (jobs.QueryJob, jobs.UpdateJob) for a client within a time limit and
answers (data version, value) or a ProtocolError. Two implement it: the process pool (pool.py,
the default of `serve`: isolated, killable, memory-capped) and ThreadExecutor here
(`--executor thread`: in the server's own process, kept so that the bench can compare the two).
A remote store is a third (server/backend/executor.py: `serve --backend`).

ThreadExecutor: pyoxigraph releases the GIL while it evaluates, so queries on worker threads run
in parallel, but it has no way to cancel one. Two things bound a query here:
- the request thread waits at most until the deadline, then answers 503, so a slow query never
  holds a server thread;
- the serialiser writes through a Sink that raises once the deadline has passed or the answer
  is too big, which stops pyoxigraph's lazy evaluation at its next output. A query that computes
  for a long time before its first output (a big ORDER BY or COUNT) runs on until then; its
  client keeps the query's slot meanwhile (see safety.ClientLimiter), so one client cannot
  pile them up. docs/server.md says what process isolation would cost instead.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Protocol, TypeVar

import pyoxigraph as ox

from .jobs import QueryJob, Sink, Stopped, UpdateJob, run_query, too_large, update_effect
from .safety import ClientLimiter, ProtocolError

T = TypeVar("T")


class Runner:
    """A pool of worker threads that run jobs with a deadline."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="otsgraph-sparql")
        self._overdue = 0  # jobs still running after their deadline
        self._lock = threading.Lock()

    @property
    def overdue(self) -> int:
        return self._overdue

    def run(self, job: Callable[[Sink], T], timeout: float, max_bytes: int, on_done: Callable[[], None]) -> T:
        """Run job(sink) on a worker; `on_done` runs when the job really ends (even after a timeout)."""
        deadline = time.monotonic() + timeout
        cancelled = threading.Event()
        sink = Sink(max_bytes, deadline, cancelled)
        abandoned = threading.Event()  # set (under the lock) when the request stopped waiting

        def guarded() -> T:
            try:
                if cancelled.is_set():  # waited in the queue past its deadline: do not start
                    raise Stopped("the time limit passed before the query started")
                return job(sink)
            except Exception as err:
                if sink.stopped:
                    raise Stopped(str(err)) from None
                raise
            finally:
                with self._lock:
                    if abandoned.is_set():
                        self._overdue -= 1
                on_done()

        try:
            future = self._pool.submit(guarded)
        except RuntimeError:  # the pool is shut down (the server is stopping)
            on_done()
            raise ProtocolError(503, "shutting-down", "the server is stopping") from None
        try:
            try:
                return future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                cancelled.set()
                with self._lock:
                    if not future.done():
                        abandoned.set()
                        self._overdue += 1
                if abandoned.is_set():
                    raise _timeout(timeout) from None
                return future.result()  # it ended just as the deadline passed
        except Stopped:
            if sink.too_large:
                raise too_large(max_bytes) from None
            raise _timeout(timeout) from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _timeout(seconds: float) -> ProtocolError:
    return ProtocolError(
        503,
        "timeout",
        f"the query ran longer than the time limit ({seconds:g} s): the server stopped waiting for it "
        "(this server runs queries on threads, which cannot be killed: it may compute until its next "
        "output); narrow it (add a LIMIT, more specific patterns) and try again",
        {"Retry-After": "5"},
    )


class Executor(Protocol):
    isolated: bool  # jobs run on a checkpoint, apart from the live store (ValidateJob supported)

    def run(self, job: QueryJob | UpdateJob, client: str, timeout: float, request_id: str) -> tuple[int, Any]:
        """(data version the job saw, its value: an Answer or a Change), or ProtocolError."""
        ...

    def admit(self, client: str) -> None:
        """429 at once for a client over its budget; cheap, so called before a body is read."""
        ...

    def changed(self) -> None:
        """The data changed (a write ended): get ready for the next job, off the request path."""
        ...

    def health(self) -> dict[str, int | float | str]: ...

    def close(self) -> None: ...


class ThreadExecutor:
    """Jobs on threads of the server's own process, on the live store (`--executor thread`)."""

    isolated = False  # POST /validate checks on the live store, under the write lock

    def __init__(self, store: ox.Store, version: Callable[[], int], workers: int, per_client: int) -> None:
        self.store = store
        self.version = version
        self.runner = Runner(workers)
        self.limiter = ClientLimiter(per_client)

    def run(self, job: QueryJob | UpdateJob, client: str, timeout: float, request_id: str) -> tuple[int, Any]:
        self.limiter.try_acquire(client)  # released when the job really ends, even past its deadline
        version = self.version()

        def work(sink: Sink) -> Any:
            if isinstance(job, QueryJob):
                return run_query(self.store, job, sink)
            return update_effect(self.store, job)

        max_bytes = job.max_bytes if isinstance(job, QueryJob) else 0
        value = self.runner.run(work, timeout, max_bytes, lambda: self.limiter.release(client))
        return version, value

    def admit(self, client: str) -> None:
        pass  # threads keep no account of what a client used

    def changed(self) -> None:
        pass  # threads read the live store

    def health(self) -> dict[str, int | float | str]:
        return {"executor": "thread", "overdue": self.runner.overdue}

    def close(self) -> None:
        self.runner.shutdown()


class ResultCache:
    """The serialised answers of recent queries, keyed with the data version (so an update invalidates)."""

    def __init__(self, entries: int = 512, max_entry_bytes: int = 1_000_000) -> None:
        self._items: OrderedDict[Hashable, tuple[str, bytes]] = OrderedDict()
        self._entries = entries
        self._max_entry_bytes = max_entry_bytes
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[str, bytes] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: Hashable, content_type: str, body: bytes) -> None:
        if len(body) > self._max_entry_bytes or self._entries <= 0:
            return
        with self._lock:
            self._items[key] = (content_type, body)
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
