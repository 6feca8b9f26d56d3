"""Running SPARQL with a deadline and a result-size cap, off the request thread; a small result cache.

pyoxigraph releases the GIL while it evaluates, so queries on worker threads run in parallel,
but it has no way to cancel one. Two things bound a query here:
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
from typing import TypeVar

from .safety import ProtocolError

T = TypeVar("T")


class Stopped(Exception):
    """Raised inside the serialiser to make pyoxigraph stop producing output."""


class Sink:
    """A binary writer for pyoxigraph's serialisers that enforces the deadline and the size cap."""

    def __init__(self, deadline: float, max_bytes: int, cancelled: threading.Event) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.cancelled = cancelled
        self.too_large = False
        self.stopped = False  # pyoxigraph re-raises our Stopped as its own error; this remembers why

    def write(self, data: bytes) -> int:
        if self.cancelled.is_set() or time.monotonic() > self.deadline:
            self.cancelled.set()
            self.stopped = True
            raise Stopped("the time limit has passed")
        self.size += len(data)
        if self.size > self.max_bytes:
            self.too_large = self.stopped = True
            raise Stopped("the result is too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


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
        sink = Sink(deadline, max_bytes, cancelled)
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
                raise ProtocolError(
                    400,
                    "result-too-large",
                    f"the result is larger than {max_bytes:,} bytes; add a LIMIT or select fewer variables",
                ) from None
            raise _timeout(timeout) from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _timeout(seconds: float) -> ProtocolError:
    return ProtocolError(
        503,
        "timeout",
        f"the query ran longer than the time limit ({seconds:g} s) and was stopped; "
        "narrow it (add a LIMIT, more specific patterns) and try again",
        {"Retry-After": "5"},
    )


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
