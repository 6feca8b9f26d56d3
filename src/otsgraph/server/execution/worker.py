"""The code a query worker process runs: one job at a time, on a read-only checkpoint of the store.

A worker is expendable by design. Whatever a job does to it (a stack overflow in the engine, an
allocation past its memory cap, a computation past its deadline) ends this process only; the
pool (pool.py) answers the client and starts a fresh worker. So the worker does no cleanup and
keeps no state but the checkpoint it has open.

Messages on the pipe: the pool sends (job, checkpoint folder, data version); the worker answers
("ok", value) or ("error", status, code, message).
"""

from __future__ import annotations

import resource
import sys
from multiprocessing.connection import Connection

import pyoxigraph as ox

from .jobs import Gates, QueryJob, UpdateJob, ValidateJob, run_query, update_effect
from .safety import ProtocolError


def data_size() -> int:
    """This process's data segment in bytes (what RLIMIT_DATA counts), from /proc."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def cap_memory(extra_bytes: int) -> None:
    """Allocations beyond the present size plus `extra_bytes` fail: Rust aborts the process (the
    pool reads its message), Python raises MemoryError."""
    if extra_bytes <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = data_size() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def main(conn: Connection, memory_bytes: int) -> None:
    """Serve jobs until the pipe closes. stderr is a file where the pool looks for the engine's
    last words when this process dies (an allocation failure says so there)."""
    store: ox.Store | None = None
    version: int | None = None
    gates = Gates()
    conn.send("ready")  # imports done: the pool counts a job's CPU from here
    # the checkpoint's own memory (block cache, tables) is paid before the cap starts counting
    capped = False
    while True:
        try:
            job, folder, job_version = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            if job_version != version or store is None:
                store = None
                store = ox.Store.read_only(folder)
                version = job_version
            if not capped:
                cap_memory(memory_bytes)
                capped = True
            if isinstance(job, QueryJob):
                reply: tuple = ("ok", run_query(store, job))
            elif isinstance(job, UpdateJob):
                reply = ("ok", update_effect(store, job))
            elif isinstance(job, ValidateJob):
                reply = ("ok", gates.check(store, job))
            else:
                reply = ("error", 500, "internal", f"unknown job {type(job).__name__}")
        except ProtocolError as err:
            reply = ("error", err.status, err.code, err.message)
        except MemoryError:
            reply = ("error", 503, "query-memory", "")
        except Exception as err:  # reported to the pool, which logs it; the client sees no trace
            print(f"worker: {type(err).__name__}: {err}", file=sys.stderr, flush=True)
            reply = ("error", 500, "internal", f"{type(err).__name__}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


if __name__ == "__main__":  # started by the pool: python -m otsgraph.server.execution.worker FD MEMORY_BYTES
    main(Connection(int(sys.argv[1])), int(sys.argv[2]))
