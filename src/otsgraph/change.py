"""What a write does, as quads to add and quads to remove, computed without touching the store.

A quad in the default graph (or in graph:asserted, graph:background, graph:provenance or
graph:additions) means "the asserted data": the gate stores an added one in graph:additions
and removes a removed one from every asserted graph that holds it. A quad in another named
graph belongs to that claim graph (see docs/writes.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .graphs import ASSERTED_DATA


@dataclass
class Change:
    """Quads to add and to remove.

    exact=True means the quads name the store's own graphs literally (a revert replays a logged
    change); otherwise they are read as a client's write, as described above.
    """

    add: list[ox.Quad] = field(default_factory=list)
    remove: list[ox.Quad] = field(default_factory=list)
    exact: bool = False

    def describe(self) -> str:
        parts = []
        if self.add:
            parts.append(f"add {len(self.add)} quads")
        if self.remove:
            parts.append(f"remove {len(self.remove)} quads")
        return ", ".join(parts) or "no change"

    def is_empty(self) -> bool:
        return not self.add and not self.remove


def change_from_quads(add: Iterable[ox.Quad] = (), remove: Iterable[ox.Quad] = ()) -> Change:
    return Change(list(dict.fromkeys(add)), list(dict.fromkeys(remove)))


def _copy_for_update(store: ox.Store) -> ox.Store:
    """An in-memory copy whose default graph is the asserted data, as a write sees it."""
    copy = ox.Store()
    quads = []
    for quad in store:
        quads.append(quad)
        if quad.graph_name in ASSERTED_DATA:
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph()))
    copy.extend(quads)
    return copy


def change_from_update(store: ox.Store, sparql_update: str, base_iri: str | None = None) -> Change:
    """The effect of a SPARQL Update, found by running it on an in-memory copy of the store.

    The copy's default graph is the asserted data (the union of graph:asserted, background,
    provenance and additions), so `DELETE WHERE { res:x ?p ?o }` removes asserted facts and
    `INSERT DATA { ... }` adds to them. Raises SyntaxError for a malformed update, and whatever
    pyoxigraph raises for one that fails (e.g. CREATE of an existing graph).
    """
    copy = _copy_for_update(store)
    before = set(copy)
    copy.update(sparql_update, base_iri=base_iri)
    after = set(copy)
    added = [q for q in after - before]
    removed = [q for q in before - after]
    # a removal from one of the asserted graphs by name means removal from the asserted data
    removed = [
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) if q.graph_name in ASSERTED_DATA else q
        for q in removed
    ]
    return change_from_quads(sorted(added, key=str), sorted(set(removed), key=str))
