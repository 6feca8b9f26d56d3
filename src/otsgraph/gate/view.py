"""The store, read lazily, with a change laid over it: what the gate's reasoning and validation read.

A node's triples are read from the store when a rule or a shape asks for them, so checking a
50-triple change against a 100k-triple graph reads a few hundred triples, not the graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from otsgraph.core.graphs import VISIBLE

Triple = tuple


def _key(q: ox.Quad) -> Triple:
    return (q.subject, q.predicate, q.object)


class View:
    """The visible graph (reasoned graphs + graph:inferred) of a store, plus `plus`, minus `minus`."""

    def __init__(self, store: ox.Store, graphs: Iterable = VISIBLE) -> None:
        self.store = store
        self.graphs = set(graphs)
        self.plus: set[Triple] = set()
        self.minus: set[Triple] = set()
        self._out: dict = {}
        self._into: dict = {}

    def _stored(self, s=None, p=None, o=None) -> set[Triple]:
        return {_key(q) for q in self.store.quads_for_pattern(s, p, o) if q.graph_name in self.graphs}

    def in_store(self, t: Triple) -> bool:
        return any(q.graph_name in self.graphs for q in self.store.quads_for_pattern(*t))

    def applied_to(self, triples: set[Triple]) -> set[Triple]:
        """`triples` as the change leaves them: what it removes taken out, what it adds put in."""
        return (triples - self.minus) | self.plus

    def has(self, t: Triple) -> bool:
        if t in self.plus:
            return True
        return t not in self.minus and self.in_store(t)

    def add(self, t: Triple) -> None:
        self.plus.add(t)
        self.minus.discard(t)
        s, p, o = t
        if s in self._out:
            self._out[s][p].add(o)
        if o in self._into:
            self._into[o][p].add(s)

    def remove(self, t: Triple) -> None:
        self.minus.add(t)
        self.plus.discard(t)
        s, p, o = t
        if s in self._out:
            self._out[s][p].discard(o)
        if o in self._into:
            self._into[o][p].discard(s)

    def out(self, s) -> dict:
        """predicate -> objects of s."""
        if s not in self._out:
            found: dict = defaultdict(set)
            for _, p, o in self._stored(s=s):
                if (s, p, o) not in self.minus:
                    found[p].add(o)
            for t in self.plus:
                if t[0] == s:
                    found[t[1]].add(t[2])
            self._out[s] = found
        return self._out[s]

    def into(self, o) -> dict:
        """predicate -> subjects with o as object."""
        if isinstance(o, ox.Literal):
            return {}
        if o not in self._into:
            found: dict = defaultdict(set)
            for s, p, _ in self._stored(o=o):
                if (s, p, o) not in self.minus:
                    found[p].add(s)
            for t in self.plus:
                if t[2] == o:
                    found[t[1]].add(t[0])
            self._into[o] = found
        return self._into[o]

    def holders_of_literals(self, pairs: Iterable[tuple]) -> dict:
        """(p, literal) -> subjects with that literal as their p value (into() leaves literals out).

        One store lookup per pair and one pass over the change, for the inverse-functional check.
        """
        found: dict = {(p, o): set() for p, o in pairs}
        for p, o in found:
            found[p, o] = {s for s, _, _ in self._stored(p=p, o=o) if (s, p, o) not in self.minus}
        if found:
            for s, p, o in self.plus:
                if (p, o) in found:
                    found[p, o].add(s)
        return found

    def objects(self, s, p) -> set:
        return self.out(s).get(p, set())

    def subjects(self, p, o) -> set:
        return self.into(o).get(p, set())

    def out_triples(self, s) -> set[Triple]:
        return {(s, p, o) for p, objs in self.out(s).items() for o in objs}

    def in_triples(self, o) -> set[Triple]:
        return {(s, p, o) for p, subs in self.into(o).items() for s in subs}
