"""The dataset in an Oxigraph store: opening it and querying it with the documented default graph.

The on-disk store (build/store by default) is transactional. Seeding it from the shipped files is
the gate's (gate/seed.py): it must keep the additions the gate accepted; opening it for reading
rolls back a change a crash interrupted first (gate/audit.py, open_for_reading).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .graphs import DEFAULT_GRAPHS


def open_store(path: Path | None, read_only: bool = False) -> ox.Store:
    """An on-disk store at `path`, or an in-memory one when path is None."""
    if path is None:
        return ox.Store()
    if read_only:
        return ox.Store.read_only(str(path))
    path.mkdir(parents=True, exist_ok=True)
    return ox.Store(str(path))


class StoreBusy(Exception):
    """The on-disk store cannot be opened here: a server holds it, or another process is writing it."""


def open_for_writing(path: Path, instead: str | None = None) -> ox.Store:
    """The store at `path`, read-write; StoreBusy (naming the server) when a server holds it."""
    from .serving import refusal, running_server

    if server := running_server(path):
        raise StoreBusy(refusal(server, path, instead))
    try:
        return open_store(path)
    except OSError as error:  # RocksDB's lock: a server still starting (not announced yet), or another write
        if server := running_server(path):
            raise StoreBusy(refusal(server, path, instead)) from None
        raise StoreBusy(
            f"cannot open the store at {path}: {error}. Another process has it open for writing "
            "(a server starting, or another command): wait for it, or stop it, and run this again."
        ) from None


def query(store: ox.Store, sparql: str, union_default: bool = True, **kwargs):
    """Run SPARQL with the default graph as the documented union of the fixed graphs."""
    if union_default:
        kwargs.setdefault("default_graph", DEFAULT_GRAPHS)
    return store.query(sparql, **kwargs)
