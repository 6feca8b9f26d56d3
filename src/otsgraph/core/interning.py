"""Terms as small integers, for the build's reasoning and validation at scale.

A pyoxigraph term computes its hash anew on every look-up, and equal terms parsed twice are two
objects, so each look-up also compares strings: at 1M triples, a set or dict keyed by terms costs
about 1 µs an operation once the terms are scattered in memory. The build gives each term an id once,
while it parses (in file order, where the terms are still in the cache: about 0.2 µs a term), and
reasons and validates over tuples of ints.

Ids are >= 0 for IRIs and blank nodes and < 0 for literals, so that "is this a literal?" is `id < 0`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import BlankNode, Literal, NamedNode

Term = NamedNode | BlankNode | Literal
Encoded = tuple[int, int, int]


class Interner:
    """A two-way map between terms and ids. It only grows: an id, once given, keeps its term."""

    __slots__ = ("ids", "literals", "nodes")

    def __init__(self) -> None:
        self.ids: dict[Term, int] = {}
        self.nodes: list[Term] = []  # id i >= 0 is nodes[i]
        self.literals: list[Term] = []  # id i < 0 is literals[~i]

    def __len__(self) -> int:
        return len(self.ids)

    def id(self, term: Term) -> int:
        """The term's id, given now if it has none."""
        found = self.ids.get(term)
        if found is None:
            if type(term) is Literal:
                found = ~len(self.literals)
                self.literals.append(term)
            else:
                found = len(self.nodes)
                self.nodes.append(term)
            self.ids[term] = found
        return found

    def get(self, term: Term) -> int | None:
        """The term's id, or None when no triple has it (without giving it one)."""
        return self.ids.get(term)

    def term(self, i: int) -> Term:
        return self.nodes[i] if i >= 0 else self.literals[~i]

    def encode(self, triple: tuple) -> Encoded:
        get, s, p, o = self.ids.get, *triple
        found = (get(s), get(p), get(o))
        if None in found:
            return (self.id(s), self.id(p), self.id(o))
        return found  # type: ignore[return-value]

    def decode(self, triple: Encoded) -> tuple[Term, Term, Term]:
        nodes, literals = self.nodes, self.literals
        s, p, o = triple
        return (
            nodes[s] if s >= 0 else literals[~s],
            nodes[p] if p >= 0 else literals[~p],  # (a literal predicate: only in a malformed triple)
            nodes[o] if o >= 0 else literals[~o],
        )

    def decode_all(self, triples: Iterable[Encoded]) -> set[tuple[Term, Term, Term]]:
        decode = self.decode
        return {decode(t) for t in triples}
