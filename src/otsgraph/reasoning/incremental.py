"""Incremental OWL 2 RL reasoning over a graph that changes: forward chaining from new triples,
delete-and-rederive (DRed) for removed ones, and the inconsistencies a change involves. The rules are
the engine's one table (engine.RULES); the graph is any engine.Graph that can also add and remove
(the gate's View of a store)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

import pyoxigraph as ox

from otsgraph.core.namespaces import RDF_TYPE

from . import engine as reasoning
from .engine import Graph, Inconsistency, Tbox

Triple = tuple


class ChangingGraph(Graph, Protocol):
    def add(self, t: Triple) -> None: ...

    def remove(self, t: Triple) -> None: ...


def consequences(view: ChangingGraph, tbox: Tbox, t: Triple) -> Iterator[Triple]:
    """What the rules (reasoning.engine.RULES) derive from t, joined with the view."""
    for conclusion, _, _ in reasoning.consequences(t, tbox, view):
        yield conclusion


def forward_chain(
    view: ChangingGraph, tbox: Tbox, seeds: Iterable[Triple], fire_known: bool = False
) -> set[Triple]:
    """Add `seeds` and everything the rules derive from them to the view; return the new triples.

    With fire_known, seeds already in the view fire their rules too (to re-derive after a removal).
    """
    new: set[Triple] = set()
    work: list[Triple] = []
    for t in seeds:
        if not view.has(t):
            view.add(t)
            new.add(t)
            work.append(t)
        elif fire_known:
            work.append(t)
    while work:
        for c in consequences(view, tbox, work.pop()):
            if c not in new and not view.has(c):
                view.add(c)
                new.add(c)
                work.append(c)
    return new


def derivable(view: ChangingGraph, tbox: Tbox, t: Triple) -> bool:
    """Can one rule (reasoning.engine.RULES) conclude t from the triples now in the view?"""
    return reasoning.derivable(t, tbox, view)


def delete_and_rederive(
    view: ChangingGraph, tbox: Tbox, removed: set[Triple], is_inferred
) -> tuple[set, set]:
    """Take asserted triples out of the closure in the view (DRed); returns (gone, rederived).

    Overdelete: every inferred triple that some derivation from a removed triple reaches (joined
    with the graph as it was). Rederive: put back, until nothing changes, every removed or
    overdeleted triple that one rule still concludes from what remains.
    """
    doomed: set[Triple] = set()
    work = list(removed)
    while work:
        for c in consequences(view, tbox, work.pop()):
            if c not in doomed and c not in removed and is_inferred(c):
                doomed.add(c)
                work.append(c)
    pending = removed | doomed
    for t in pending:
        view.remove(t)
    rederived: set[Triple] = set()
    changed = True
    while changed:
        changed = False
        for t in list(pending):
            if derivable(view, tbox, t):
                view.add(t)
                pending.discard(t)
                rederived.add(t)
                changed = True
    return pending, rederived


def local_inconsistencies(view: ChangingGraph, tbox: Tbox, triples: Iterable[Triple]) -> list[Inconsistency]:
    """The inconsistencies (as reasoning.find_inconsistencies finds them) that involve these triples."""
    problems: list[Inconsistency] = []
    typed, functional, inverse_functional = set(), set(), set()
    for s, p, o in triples:
        if p == RDF_TYPE:
            typed.add(s)
        if p in tbox.functional:
            functional.add((s, p))
        if p in tbox.inverse_functional:
            inverse_functional.add((p, o))
    for node in typed:
        problems += reasoning.type_clashes(node, view.objects(node, RDF_TYPE), tbox)
    for subject, prop in functional:
        problems += reasoning.functional_clashes(subject, prop, view.objects(subject, prop))
    literal_holders = view.holders_of_literals(
        pair for pair in inverse_functional if isinstance(pair[1], ox.Literal)
    )
    for prop, value in inverse_functional:
        subjects = (
            literal_holders[prop, value] if isinstance(value, ox.Literal) else view.subjects(prop, value)
        )
        problems += reasoning.inverse_functional_clashes(value, prop, subjects)
    return problems
