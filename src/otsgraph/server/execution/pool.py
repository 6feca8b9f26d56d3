"""The process executor: client-written SPARQL runs in a pool of worker processes (worker.py).

Why processes: pyoxigraph can neither cancel a query nor bound its memory, and a deep enough
query overflows its stack, which kills the whole process. In a worker, each of those ends one
execution: the pool kills the worker at the deadline (the computation stops at once), the
worker's RLIMIT_DATA makes a runaway allocation fail inside it, and a crash is seen as the pipe
closing. The client gets a JSON 503 that says which, and a fresh worker takes its place.

Fairness, with 2 cores shared by everyone, by the CPU each client's queries used lately
(usage.py: CPU-seconds with a half-life of 30 s):
- waiting requests are served in order of their client's CPU per query lately, so a client of
  cheap queries is not queued behind one that sends costly ones, however many it sends;
- a query that has used more than `long_after` CPU seconds joins the long lane: its worker is
  reniced, so short queries keep the CPU, and at most `workers - reserve` workers serve the long
  lane; a query that turns long when the lane is full and no worker is idle is stopped (503 busy);
- a *heavy* client (above `heavy_cost` CPU-seconds per query, and `heavy_cpu` in all) runs only
  in the long lane, from the start, and never waits: 429 at once when the lane is full;
- a client above `budget_cpu` gets 429 at once until its usage decays (the Wikidata Query
  Service throttles by query time per client likewise); a stopped query (time, memory, crash)
  is charged its CPU plus `stop_penalty`;
- at most `queue` requests wait for a worker; one more gets 503 at once, so a flood of slow
  queries cannot hold every server thread (and /health stays fast);
- one client runs `per_client` queries at once; one more gets 429 at once (safety.ClientLimiter).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .jobs import QueryJob, UpdateJob, ValidateJob
from .safety import ClientLimiter, ProtocolError
from .snapshots import Snapshots
from .usage import ClientUsage

log = logging.getLogger("otsgraph.server")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_LONG_NICE = 15
_START_TIMEOUT = 30.0  # seconds a new worker may take to start (imports on a loaded machine)


@dataclass
class PoolLimits:
    workers: int = 4  # worker processes (each has its own memory cap)
    reserve: int = 2  # workers kept for short queries: the long lane has workers - reserve
    queue: int = 8  # requests that may wait for a free worker (a lighter client displaces the heaviest)
    per_client: int = 2  # queries one client runs at once
    memory_mb: int = 1024  # what one query may allocate
    global_mb: int = 0  # the whole server (0: 512 MB + workers x memory_mb)
    long_after: float = 0.25  # CPU seconds before a query counts as long
    heavy_cost: float = 0.5  # a client's recent CPU-seconds per query above which it is heavy …
    heavy_cpu: float = 2.0  # … once it used this much in all: then it runs in the long lane only
    budget_cpu: float = 30.0  # a client's recent CPU-seconds above which it is refused (429)
    stop_penalty: float = 5.0  # CPU-seconds charged on top for a query stopped (time, memory, crash)

    @property
    def global_bytes(self) -> int:
        mb = self.global_mb or 512 + self.workers * self.memory_mb
        return mb * 1024 * 1024


@dataclass
class _Worker:
    number: int
    process: Any
    conn: Connection
    error_log: Path
    version: int | None = None  # the checkpoint it has open
    busy: bool = False
    request: str = ""
    client: str = ""
    started: float = 0.0
    deadline: float = 0.0
    long: bool = False
    cpu_at_start: float = 0.0  # the worker's CPU seconds when its job was sent
    cpu_seen: float = 0.0  # its CPU seconds when the supervisor last looked (a killed one's last word)
    retired: bool = False  # to be replaced after its job (reniced, or dead)
    kill_reason: str = ""


@dataclass
class PoolStats:
    completed: int = 0
    timeouts: int = 0  # killed at their deadline
    memory: int = 0  # killed for memory (their cap or the server's)
    crashed: int = 0  # died by themselves (a crash in the engine)
    busy_refused: int = 0  # 503 busy: no worker free, or the long lane full
    restarts: int = 0  # workers started to replace one


class ProcessPool:
    """Runs jobs in worker processes; one instance per server."""

    isolated = True

    def __init__(self, snapshots: Snapshots, version: Any, limits: PoolLimits) -> None:
        self.snapshots = snapshots
        self.version = version  # () -> the current data version
        self.limits = limits
        self.stats = PoolStats()
        self.limiter = ClientLimiter(limits.per_client)
        self._numbers = itertools.count(1)
        self._cond = threading.Condition()
        self._workers: list[_Worker] = []
        self._starting = 0  # workers being started (outside the lock)
        self._waiters: list[tuple[float, int]] = []  # (cost per query on arrival, ticket): cheapest first
        self._evicted: set[tuple[float, int]] = set()  # waiters a lighter client displaced
        self._tickets = itertools.count()
        self.usage = ClientUsage()
        self._closed = False
        self._supervisor = threading.Thread(target=self._supervise, name="otsgraph-pool", daemon=True)
        self._supervisor.start()
        # one worker ready before the first request (a short time limit must not be spent waiting
        # for the first start), a second on its way; more as demand comes
        self._workers.append(self._spawn())
        with self._cond:
            self._grow()

    # ---- running a job ---------------------------------------------------------------------------

    def run(
        self, job: QueryJob | UpdateJob | ValidateJob, client: str, timeout: float, request_id: str
    ) -> tuple[int, Any]:
        """(data version, value) of the job, or ProtocolError; never waits past the deadline."""
        deadline = time.monotonic() + timeout
        self.admit(client)
        self.limiter.try_acquire(client)
        try:
            worker = self._take(deadline, request_id, client)
            try:
                version, folder = self.snapshots.lease(self.version, deadline)
                previous, worker.version = worker.version, version  # the worker will open this one
                if previous is not None:
                    self.snapshots.release(previous)
                return version, self._exchange(worker, job, folder, version, deadline, timeout)
            finally:
                self._give_back(worker)
        finally:
            self.limiter.release(client)

    def changed(self) -> None:
        """Make the new data version's checkpoint in the background (it waits for the writer's lock),
        so that the first query after a write does not pay for it (about 10-40 ms)."""
        if not self._closed:
            threading.Thread(target=self._checkpoint, name="otsgraph-checkpoint", daemon=True).start()

    def _checkpoint(self) -> None:
        try:
            version, _ = self.snapshots.lease(self.version, time.monotonic() + 30.0)
        except (ProtocolError, OSError) as err:  # a long write, or the server stopping: a query makes it
            log.info("no checkpoint made ahead: %s", getattr(err, "message", err))
            return
        self.snapshots.release(version)

    def admit(self, client: str) -> None:
        """429 at once for a client over its CPU budget (cheap: called before a body is read)."""
        used = self.usage.of(client)
        if used > self.limits.budget_cpu:
            wait = math.ceil(self.usage.seconds_until(client, self.limits.budget_cpu)) + 1
            self.stats.busy_refused += 1
            raise ProtocolError(
                429,
                "too-many-queries",
                f"this client's queries used {used:.0f} s of CPU lately, over its budget of "
                f"{self.limits.budget_cpu:g} s; try again in {wait} s",
                {"Retry-After": str(wait)},
            )

    def _take(self, deadline: float, request_id: str, client: str) -> _Worker:
        with self._cond:
            if self._closed:
                raise ProtocolError(503, "shutting-down", "the server is stopping")
            # a client not seen lately queues behind the ones known to be cheap
            used, cost = self.usage.of(client), self.usage.cost(client, unknown=self.limits.long_after)
            if cost > self.limits.heavy_cost and used > self.limits.heavy_cpu:  # long lane only, no waiting
                if self._long_lane() >= self._long_cap():
                    self.stats.busy_refused += 1
                    raise self._throttled(client, cost)
                idle = self._idle()
                if idle is None:
                    self.stats.busy_refused += 1
                    raise _busy("every query worker is busy")
                return self._assign(idle, deadline, request_id, client, long=True)
            idle = self._idle()
            if idle is not None and not self._waiters:
                return self._assign(idle, deadline, request_id, client, long=False)
            if len(self._waiters) >= self.limits.queue:
                heaviest = max(self._waiters)
                if heaviest[0] <= cost:
                    self.stats.busy_refused += 1
                    raise _busy(f"all {self.limits.workers} query workers are busy and "
                                f"{len(self._waiters)} requests wait already")  # fmt: skip
                self._evicted.add(heaviest)  # a lighter client takes the place of the heaviest waiter
                self._waiters.remove(heaviest)
                self._cond.notify_all()
            ticket = (cost, next(self._tickets))
            self._waiters.append(ticket)
            try:
                while True:
                    if ticket in self._evicted:
                        self._evicted.discard(ticket)
                        self._waiters.append(ticket)  # for the finally below
                        self.stats.busy_refused += 1
                        raise _busy("lighter clients came while this request waited for a worker")
                    idle = self._idle()
                    if idle is not None and min(self._waiters) == ticket:
                        break
                    self._grow()
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        self.stats.timeouts += 1
                        raise _timeout_error(0, waited=True)
                    self._cond.wait(min(remaining, 0.5))
            finally:
                self._waiters.remove(ticket)
                self._cond.notify_all()  # the next lightest may go
            return self._assign(idle, deadline, request_id, client, long=False)

    def _assign(self, worker: _Worker, deadline: float, request_id: str, client: str, long: bool) -> _Worker:
        """Give the worker this job (the caller holds the lock); a heavy client's runs in the long lane."""
        worker.busy, worker.request, worker.client, worker.kill_reason = True, request_id, client, ""
        worker.long = long
        worker.cpu_at_start = worker.cpu_seen = _cpu_seconds(worker.process.pid)  # idle until sent
        if long:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, worker.process.pid, _LONG_NICE)
        worker.started = time.monotonic()
        worker.deadline = deadline
        if self._idle() is None:
            self._grow()  # keep one worker ready for the next request
        return worker

    def _charge(self, worker: _Worker, stopped: bool) -> None:
        """Charge the job's CPU to its client; a stopped job costs a penalty too."""
        used = max(worker.cpu_seen, _cpu_seconds(worker.process.pid)) - worker.cpu_at_start
        self.usage.charge(worker.client, max(0.0, used) + (self.limits.stop_penalty if stopped else 0.0))

    def _long_lane(self) -> int:
        return sum(1 for w in self._workers if w.busy and w.long and not w.kill_reason)

    def _throttled(self, client: str, cost: float) -> ProtocolError:
        wait = math.ceil(self.usage.seconds_until(client, self.limits.heavy_cpu)) + 1
        return ProtocolError(
            429,
            "too-many-queries",
            f"this client's queries used {cost:.1f} s of CPU each lately, so they run in the long lane "
            f"({self._long_cap()} workers), which is full; try again in {wait} s at the latest",
            {"Retry-After": str(wait)},
        )

    def _grow(self) -> None:
        """Start one more worker in the background if the pool may grow (the caller holds the lock).
        Workers start on demand: a server that answers few queries keeps few processes."""
        if self._closed or len(self._workers) + self._starting >= self.limits.workers:
            return
        self._starting += 1
        threading.Thread(target=self._add_worker, name="otsgraph-pool-start", daemon=True).start()

    def _add_worker(self) -> None:
        try:
            fresh = self._spawn()
        except OSError as err:
            log.error("cannot start a query worker: %s", err)
            fresh = None
        with self._cond:
            self._starting -= 1
            if fresh is not None:
                if self._closed:
                    self._stop(fresh)
                else:
                    self._workers.append(fresh)
            self._cond.notify_all()

    def _idle(self) -> _Worker | None:
        return next((w for w in self._workers if not w.busy and not w.retired), None)

    def _exchange(self, worker: _Worker, job: Any, folder: Path, version: int, deadline: float,
                  timeout: float) -> Any:  # fmt: skip
        try:
            worker.cpu_at_start = _cpu_seconds(worker.process.pid)
            worker.conn.send((job, str(folder), version))
            ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            reply = worker.conn.recv() if ready else None
        except (EOFError, OSError, BrokenPipeError):
            reply = None
            ready = True
        if not ready:  # the deadline passed: stop the computation itself, not just the wait
            self._charge(worker, stopped=True)
            self._kill(worker, "timeout")
            self.stats.timeouts += 1
            raise _timeout_error(timeout)
        if reply is None:
            raise self._death(worker, timeout)
        self._charge(worker, stopped=reply[0] != "ok" and reply[2] == "query-memory")
        self.stats.completed += 1
        if reply[0] == "ok":
            return reply[1]
        _, status, code, message = reply
        if code == "query-memory":
            self.stats.memory += 1
            raise _memory_error(self.limits.memory_mb)
        if code == "internal":
            log.error("request %s: worker %d failed: %s", worker.request, worker.number, message)
            raise ProtocolError(500, "internal", "an unexpected error happened; it has been logged")
        raise ProtocolError(status, code, message, {"Retry-After": "5"} if status == 503 else None)

    def _death(self, worker: _Worker, timeout: float) -> ProtocolError:
        """Why a worker's pipe closed under a job: killed by the supervisor, or died."""
        worker.retired = True
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(1.0)
        reason = worker.kill_reason
        self._charge(worker, stopped=True)
        if reason == "timeout":
            self.stats.timeouts += 1
            return _timeout_error(timeout)
        if reason == "busy":
            self.stats.busy_refused += 1
            return _busy(f"{self._long_cap()} long queries run already; this one became long too")
        if reason in ("memory", "server-memory") or _said_out_of_memory(worker.error_log):
            self.stats.memory += 1
            if reason == "server-memory":
                return ProtocolError(
                    503,
                    "server-memory",
                    "the query was stopped: the server as a whole reached its memory limit "
                    f"({self.limits.global_bytes // 2**20:,} MB); try again later",
                    {"Retry-After": "10"},
                )
            return _memory_error(self.limits.memory_mb)
        self.stats.crashed += 1
        code = worker.process.returncode
        log.warning(
            "request %s: worker %d crashed (exit %s)", worker.request, worker.number, _signal_name(code)
        )
        return ProtocolError(
            503,
            "query-crashed",
            "the query engine crashed on this query and was restarted; nothing else was affected. "
            "Simplify the query (less nesting) and try again",
            {"Retry-After": "1"},
        )

    def _give_back(self, worker: _Worker) -> None:
        with self._cond:
            worker.busy = False
            if worker.long and not worker.retired:
                try:  # raising the priority back needs privileges; without them, replace it
                    os.setpriority(os.PRIO_PROCESS, worker.process.pid, 0)
                except OSError:
                    worker.retired = True
            self._cond.notify_all()

    # ---- supervision -----------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        """A fresh worker: `python -m otsgraph.server.execution.worker`, talking over a socket pair. A plain
        subprocess, not multiprocessing, so that it never imports the host program's __main__."""
        number = next(self._numbers)
        error_log = self.snapshots.folder / f"worker-{number}.err"
        mine, theirs = socket.socketpair()
        with mine, theirs, error_log.open("wb") as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", "otsgraph.server.execution.worker", str(theirs.fileno()),
                 str(self.limits.memory_mb * 1024 * 1024)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )  # fmt: skip
            conn = Connection(mine.detach())
        fresh = _Worker(number, process, conn, error_log)
        try:  # a worker joins the pool once it has started (its imports are not a job's cost)
            ready = conn.poll(_START_TIMEOUT) and conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._stop(fresh)
            raise OSError(f"worker {number} did not start: {_tail(error_log)}")
        return fresh

    def _stop(self, worker: _Worker) -> None:
        if worker.version is not None:
            self.snapshots.release(worker.version)
            worker.version = None
        with contextlib.suppress(OSError):
            worker.conn.close()
        with contextlib.suppress(OSError):
            worker.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(1.0)
        worker.error_log.unlink(missing_ok=True)  # read already, if the worker died under a job

    def _kill(self, worker: _Worker, reason: str) -> None:
        worker.kill_reason = worker.kill_reason or reason
        worker.retired = True
        with contextlib.suppress(OSError):
            worker.process.kill()  # SIGKILL: the computation stops now

    def _long_cap(self) -> int:
        return max(1, self.limits.workers - self.limits.reserve)

    def _supervise(self) -> None:
        last_prune = 0.0
        while not self._closed:
            time.sleep(0.05)
            now = time.monotonic()
            with self._cond:
                busy = [w for w in self._workers if w.busy and not w.kill_reason]
                long_count = sum(1 for w in busy if w.long)
                for w in sorted(busy, key=lambda w: w.started):
                    w.cpu_seen = _cpu_seconds(w.process.pid) or w.cpu_seen
                    if now > w.deadline + 0.5:  # the request thread normally kills first
                        self._kill(w, "timeout")
                    elif not w.long and w.cpu_seen - w.cpu_at_start > self.limits.long_after:
                        if long_count >= self._long_cap() and self._idle() is None:
                            self._kill(w, "busy")  # the reserve is all taken: short queries need it
                            continue
                        w.long = True
                        long_count += 1
                        with contextlib.suppress(OSError):
                            os.setpriority(os.PRIO_PROCESS, w.process.pid, _LONG_NICE)
                self._check_memory(busy)
                self._replace_retired()
            if now - last_prune > 1.0:
                last_prune = now
                self.snapshots.prune()

    def _check_memory(self, busy: list[_Worker]) -> None:
        """Stop a query past its own cap (a backstop to RLIMIT_DATA), or the biggest one when the
        server as a whole is past its cap."""
        sizes = {w.number: _rss(w.process.pid) for w in busy}
        for w in busy:
            if sizes[w.number] > self.limits.memory_mb * 1024 * 1024 + 256 * 2**20:
                self._kill(w, "memory")
        total = _rss(os.getpid()) + sum(_rss(w.process.pid) for w in self._workers if not w.kill_reason)
        if total > self.limits.global_bytes and busy:
            biggest = max((w for w in busy if not w.kill_reason), key=lambda w: sizes[w.number], default=None)
            if biggest is not None:
                self._kill(biggest, "server-memory")

    def _replace_retired(self) -> None:
        """Drop the workers that are dead or to be replaced, and start new ones in their place."""
        if self._closed:
            return
        for w in [w for w in self._workers if not w.busy and (w.retired or w.process.poll() is not None)]:
            self._workers.remove(w)
            if not w.kill_reason and w.process.returncode is not None:
                code = _signal_name(w.process.returncode)
                log.warning("worker %d died while idle (exit %s)", w.number, code)
            threading.Thread(target=self._stop, args=(w,), daemon=True).start()
            self.stats.restarts += 1
            self._grow()
        self._cond.notify_all()

    # ---- reporting and stopping ------------------------------------------------------------------

    def health(self) -> dict[str, int | float]:
        now = time.monotonic()
        with self._cond:
            busy = [w for w in self._workers if w.busy]
            overdue = [w for w in busy if now > w.deadline]
            return {
                "executor": "process",
                "workers": len(self._workers),
                "running": len(busy),
                "long": sum(1 for w in busy if w.long),
                "waiting": len(self._waiters),
                "overdue": len(overdue),
                "completed": self.stats.completed,
                "timeouts": self.stats.timeouts,
                "memory_stopped": self.stats.memory,
                "crashed": self.stats.crashed,
                "busy_refused": self.stats.busy_refused,
                "worker_restarts": self.stats.restarts,
            }

    def close(self) -> None:
        with self._cond:
            self._closed = True
        if self._supervisor is not threading.current_thread():
            self._supervisor.join(2.0)  # it replaces retired workers: let it stop first
        with self._cond:
            workers = list(self._workers)
        for w in workers:
            w.kill_reason = w.kill_reason or "shutdown"
            self._stop(w)
        self.snapshots.close()  # the checkpoints (no process has them open any more)


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """CPU time a process has used (user + system). A query is long by the CPU it takes, not by
    the wall time: on a loaded machine a cheap query may wait for a core without being costly."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _tail(error_log: Path) -> str:
    try:
        return error_log.read_text(errors="replace")[-500:].strip() or "no message"
    except OSError:
        return "no message"


def _said_out_of_memory(error_log: Path) -> bool:
    try:
        tail = error_log.read_bytes()[-4096:]
    except OSError:
        return False
    # Rust's allocator ("memory allocation of N bytes failed"), Python's MemoryError, and C++'s
    # std::bad_alloc (RocksDB under the store allocates too: it aborts with that under RLIMIT_DATA)
    signs = (
        b"memory allocation of",
        b"MemoryError",
        b"out of memory",
        b"bad_alloc",
        b"Cannot allocate memory",
    )
    return any(sign in tail for sign in signs)


def _signal_name(code: int | None) -> str:
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return signal.Signals(-code).name
    return str(code)


def _timeout_error(seconds: float, waited: bool = False) -> ProtocolError:
    if waited:
        return ProtocolError(
            503,
            "timeout",
            "the time limit passed while the query waited for a free worker; try again",
            {"Retry-After": "5"},
        )
    return ProtocolError(
        503,
        "timeout",
        f"the query ran longer than the time limit ({seconds:g} s) and was stopped (its computation "
        "ended with it); narrow it (add a LIMIT, more specific patterns) and try again",
        {"Retry-After": "5"},
    )


def _memory_error(memory_mb: int) -> ProtocolError:
    return ProtocolError(
        503,
        "query-memory",
        f"the query was stopped: it needed more memory than one query may use ({memory_mb:,} MB); "
        "narrow it (fewer unbound patterns, a LIMIT without ORDER BY) and try again",
        {"Retry-After": "5"},
    )


def _busy(why: str) -> ProtocolError:
    return ProtocolError(503, "busy", f"the server is busy: {why}; try again shortly", {"Retry-After": "2"})
