"""The dataset in an Oxigraph store: seeding it from the shipped files and querying it.

The on-disk store (build/store by default) is transactional. Seeding replaces the graphs
that come from the shipped files (the fixed graphs and the claim graphs) in one
transaction and leaves every other graph alone, so later additions survive a rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
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
        Graphs.PROVENANCE,
        Graphs.LINKS,
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


def _is_shipped(graph: ox.NamedNode) -> bool:
    return graph in SHIPPED_GRAPHS or graph.value.startswith(str(CLAIM))


def seed(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Replace the shipped graphs with `quads`, atomically; other graphs are kept."""
    from .audit import added_graphs

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
        from .gate import refresh_inferred

        refresh_inferred(store)  # the new graph:inferred must cover the additions too
    store.flush()


def query(store: ox.Store, sparql: str, union_default: bool = True, **kwargs):
    """Run SPARQL with the default graph as the documented union of the fixed graphs."""
    if union_default:
        kwargs.setdefault("default_graph", DEFAULT_GRAPHS)
    return store.query(sparql, **kwargs)
