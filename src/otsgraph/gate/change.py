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

from otsgraph.core.graphs import ASSERTED_DATA
from otsgraph.core.sparql_tokens import ScanError, tokens


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


def data_only(update: str) -> bool:
    """Is the update made of INSERT DATA / DELETE DATA only (no WHERE to evaluate)?"""
    return bool(_data_operations(update))


def _data_operations(update: str) -> list[tuple[str, int]] | None:
    """("INSERT"|"DELETE", offset of the keyword) of each operation when every operation of the
    update is INSERT DATA or DELETE DATA (after PREFIX/BASE lines); otherwise None."""
    try:
        found = list(tokens(update))
    except ScanError:
        return None
    operations, depth, index = [], 0, 0
    while index < len(found):
        kind, text, offset = found[index]
        word = text.upper() if kind == "word" else ""
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif depth == 0:
            if word in ("INSERT", "DELETE"):
                following = found[index + 1] if index + 1 < len(found) else ("", "", 0)
                if following[1].upper() != "DATA":
                    return None
                operations.append((word, offset))
                index += 1
            elif word in ("PREFIX", "BASE", "DATA") or kind in ("pname", "iri") or text == ";":
                pass
            else:
                return None
        index += 1
    return operations or None


def _copy_of_mentioned(store: ox.Store, update: str, operations: list[tuple[str, int]], base_iri):
    """For an update of DATA operations only: a copy holding just the stored quads it mentions.

    Such an update touches no other quad, so running it there has the effect it would have on a
    copy of the whole store, at the cost of the quads it names (not of the store's size)."""
    as_inserts = update
    for word, offset in reversed(operations):
        if word == "DELETE":
            as_inserts = as_inserts[:offset] + "INSERT" + as_inserts[offset + len(word) :]
    mentioned = ox.Store()
    mentioned.update(as_inserts, base_iri=base_iri)
    copy = ox.Store()
    quads = []
    for quad in mentioned:
        if isinstance(quad.graph_name, ox.DefaultGraph):  # the asserted data: in whichever graph holds it
            held = [g for g in ASSERTED_DATA if ox.Quad(*quad.triple, g) in store]
            quads += [ox.Quad(*quad.triple, g) for g in held]
            quads += [quad] if held else []
        elif quad in store:
            quads.append(quad)
            if quad.graph_name in ASSERTED_DATA:
                quads.append(ox.Quad(*quad.triple, ox.DefaultGraph()))
    copy.extend(quads)
    return copy


def change_from_update(store: ox.Store, sparql_update: str, base_iri: str | None = None) -> Change:
    """The effect of a SPARQL Update, found by running it on an in-memory copy of the store.

    The copy's default graph is the asserted data (the union of graph:asserted, background,
    provenance and additions), so `DELETE WHERE { res:x ?p ?o }` removes asserted facts and
    `INSERT DATA { ... }` adds to them. An update of INSERT DATA / DELETE DATA operations only is
    run on a copy of just the quads it mentions (`_copy_of_mentioned`). Raises SyntaxError for a
    malformed update, and whatever pyoxigraph raises for one that fails (e.g. CREATE of an
    existing graph).
    """
    operations = _data_operations(sparql_update)
    if operations:
        copy = _copy_of_mentioned(store, sparql_update, operations, base_iri)
    else:
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
