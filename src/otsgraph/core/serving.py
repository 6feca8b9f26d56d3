"""Which `otsgraph serve` holds an on-disk store: the announcement a server writes while it serves.

Oxigraph calls opening a store (even read-only) while another process writes it undefined behaviour,
so the command line's readers refuse a store a server holds. While it serves, `otsgraph serve` writes
`<store>.serving.json` beside the store folder (pid, address, start time). Beside, not inside: the
folder is RocksDB's, which lists and deletes its own files there, and a reader must find the note
without opening the store. The file is written atomically (a temporary file, then a rename) and
removed on a clean stop (Ctrl-C or SIGTERM); one left by a killed server names a pid that is gone
and is ignored.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

SUFFIX = ".serving.json"


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    address: str  # e.g. http://127.0.0.1:8000
    started: str  # ISO 8601, UTC
    host: str  # the machine's name: a pid says nothing about another machine's processes
    ticks: int | None = None  # the process's start in /proc (Linux): tells a reused pid from the server

    def describe(self) -> str:
        return f"otsgraph serve (pid {self.pid}, {self.address}, since {self.started})"


def announcement_path(store_path: Path) -> Path:
    """`<store>.serving.json`, for the store's absolute path (so `build/store/` and `build/store` agree)."""
    store = Path(os.path.abspath(store_path))
    return store.with_name(store.name + SUFFIX)


def _start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks since boot, /proc/<pid>/stat field 22); None off Linux."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[19])  # after the command name, which may hold spaces
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def running_server(store_path: Path | None) -> ServerInfo | None:
    """The server that announced itself on `store_path`, or None (none, unreadable, or its pid is gone)."""
    if store_path is None:
        return None
    try:
        data = json.loads(announcement_path(store_path).read_text(encoding="utf-8"))
        ticks = data.get("ticks")
        info = ServerInfo(
            int(data["pid"]),
            str(data["address"]),
            str(data["started"]),
            str(data["host"]),
            int(ticks) if ticks is not None else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if info.pid == os.getpid():  # this process serves it (a test's in-process server): not a rival
        return None
    if info.host == socket.gethostname():
        if not _alive(info.pid):
            return None  # stale: left by a server that was killed
        ticks = _start_ticks(info.pid)
        if info.ticks is not None and ticks is not None and ticks != info.ticks:
            return None  # stale, and its pid now names another process
    return info


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # serve's own Ctrl-C path: the store is closed, the announcement removed


@contextmanager
def announce(store_path: Path | None, address: str) -> Iterator[ServerInfo | None]:
    """Announce this process as the server of `store_path` (nothing for an in-memory store, None).

    For the duration, SIGTERM stops the server the way Ctrl-C does, so that a plain `kill` is a clean
    stop too (the default handler would end the process without removing the file).
    """
    if store_path is None:
        yield None
        return
    info = ServerInfo(
        os.getpid(),
        address,
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        socket.gethostname(),
        _start_ticks(os.getpid()),
    )
    path = announcement_path(store_path)
    temporary = path.with_name(f".{path.name}.{info.pid}.tmp")
    temporary.write_text(json.dumps(info.__dict__, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield info
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == info.pid:
                path.unlink()  # only our own note: a later server may have replaced it
        except (OSError, ValueError):
            pass


def refusal(info: ServerInfo, store_path: Path, instead: str | None = None) -> str:
    """Why a command will not open a store this server holds, and what to do instead."""
    instead = (instead or "query the server at {address}/sparql").format(address=info.address)
    return (
        f"{info.describe()} holds the store at {store_path}; opening it here too is unsafe "
        f"(the server writes it). Instead, {instead}; "
        f"or stop the server (kill {info.pid}) and run this again."
    )
