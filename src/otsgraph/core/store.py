"""The dataset in an Oxigraph store: seeding it from the shipped files and querying it.

The on-disk store (build/store by default) is transactional. Seeding replaces the graphs
that come from the shipped files (the fixed graphs and the claim graphs) in one
transaction and leaves every other graph alone, so later additions survive a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from .namespaces import CLAIM, Graphs

SHIPPED_GRAPHS = tuple(
    ox.NamedNode(str(g))
    for g in (
        Graphs.ONTOLOGY,
        Graphs.ASSERTED,
        Graphs.BACKGROUND,
        Graphs.INFERRED,
        Graphs.INFERRED_FROM_BACKGROUND,
        Graphs.PROVENANCE,
        Graphs.LINKS,
        Graphs.LABELS,
    )
)
DEFAULT_GRAPHS = [ox.NamedNode(str(g)) for g in Graphs.DEFAULT_UNION]


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


def open_for_reading(
    path: Path, instead: str | None = None, progress: Callable[[str], None] | None = None
) -> ox.Store:
    """The store at `path`, read-only, as recovery leaves it; StoreBusy when a server holds it.

    Oxigraph leaves reading a store another process writes undefined, hence the refusal. A change
    a crash interrupted (an entry in graph:journal) is rolled back first, in a short read-write open,
    as every read-write open does: otherwise a reader would list and export a change that the next
    writer undoes. That open succeeding also proves no live writer is mid-change (it would hold
    the lock); when it fails, the reader refuses rather than show the half-written change.
    """
    from otsgraph.gate.audit import pending_changes, recover

    from .serving import refusal, running_server

    if server := running_server(path):
        raise StoreBusy(refusal(server, path, instead))
    store = ox.Store.read_only(str(path))
    pending = pending_changes(store)
    if not pending:
        return store
    del store  # closed before the read-write open below
    try:
        writable = ox.Store(str(path))
    except OSError as error:
        raise StoreBusy(
            f"change {', '.join(pending)} in the store at {path} is unfinished (pending recovery), and "
            f"another process has the store open ({error}): it is still being written, or its writer "
            "must be stopped first. Nothing is shown until it is rolled back or done; run this again then."
        ) from None
    rolled_back = recover(writable)
    del writable
    if progress and rolled_back:
        progress(f"rolled back {', '.join(pending)}: a crash interrupted it (the log no longer lists it)")
    return ox.Store.read_only(str(path))


def _is_shipped(graph: ox.NamedNode) -> bool:
    return graph in SHIPPED_GRAPHS or graph.value.startswith(str(CLAIM))


def seed(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Replace the shipped graphs with `quads`, atomically; other graphs are kept."""
    from otsgraph.gate.audit import added_graphs

    quads = list(quads)
    added = set(added_graphs(store))  # claim graphs that accepted additions created (docs/writes.md)
    stale = [
        g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and _is_shipped(g) and g not in added
    ]
    store.update(
        "".join(f"DROP SILENT GRAPH <{g.value}> ;\n" for g in stale) or "CLEAR SILENT GRAPH <urn:x-none>"
    )
    store.extend(quads)
    if added or store.contains_named_graph(ox.NamedNode(str(Graphs.ADDITIONS))):
        from otsgraph.gate.gate import refresh_inferred
        from otsgraph.pipeline.build import refresh_background_marker

        refresh_inferred(store)  # the new graph:inferred must cover the additions too
        refresh_background_marker(store)  # and so must its listing of what rests on the background
    store.flush()


def query(store: ox.Store, sparql: str, union_default: bool = True, **kwargs):
    """Run SPARQL with the default graph as the documented union of the fixed graphs."""
    if union_default:
        kwargs.setdefault("default_graph", DEFAULT_GRAPHS)
    return store.query(sparql, **kwargs)
