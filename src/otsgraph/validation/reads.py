"""Which triples a SHACL shape reads beyond its focus node: the predicates whose values it looks
inside (sh:class, sh:node, nested property shapes, sequence paths), so that the gate knows which
nodes a change touches (gate/plan.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from otsgraph.core.namespaces import RDF_TYPE

from . import shacl


@dataclass
class ShapeReads:
    """What the shapes read beyond a focus node's own triples.

    deep[p] is the set of predicates some shape reads on a node reached along p (its rdf:type for
    sh:class, the paths of a nested shape), or None for any. `unbounded` is set when a shape uses
    an inverse or a repeated path: then every neighbour counts, both ways.
    """

    deep: dict = field(default_factory=dict)
    unbounded: bool = False

    def add(self, predicate, reads: set | None) -> None:
        if reads is not None and not reads:
            return
        if reads is None or self.deep.get(predicate, set()) is None:
            self.deep[predicate] = None
        else:
            self.deep[predicate] = self.deep.get(predicate, set()) | reads

    def readers(self, predicate) -> list:
        """The predicates p along which a change to a node's `predicate` triples is read."""
        return [p for p, reads in self.deep.items() if reads is None or predicate in reads]


def shape_reads(shapes: shacl.ShapesGraph) -> ShapeReads:
    """Work out, from the shapes, which triples of which neighbours a node's results depend on."""
    result = ShapeReads()
    cache: dict = {}

    def value_reads(props: dict) -> set | None:
        """Predicates read on a node the constraints in `props` are applied to."""
        out: set | None = set()

        def merge(more: set | None) -> None:
            nonlocal out
            out = None if (out is None or more is None) else out | more

        if props.get(shacl.sh("class")):
            merge({RDF_TYPE})
        for name in ("node", "not", "qualifiedValueShape", "property"):
            for member in props.get(shacl.sh(name), []):
                merge(reads(member))
        for name in ("or", "and", "xone"):
            for head in props.get(shacl.sh(name), []):
                for member in shapes.rdf_list(head):
                    merge(reads(member))
        return out

    def register(path, reads_at_end: set | None) -> set | None:
        """Record what is read along a path; return the predicates read on the path's start."""
        if isinstance(path, ox.NamedNode):
            result.add(path, reads_at_end)
            return {path}
        props = shapes.by_subject.get(path, {})
        if shacl.RDF_FIRST in props:  # a sequence path
            steps = shapes.rdf_list(path)
            reads_after = reads_at_end
            for step in reversed(steps):
                reads_after = register(step, reads_after)
            return reads_after
        if shacl.sh("alternativePath") in props:
            out: set = set()
            for option in shapes.rdf_list(props[shacl.sh("alternativePath")][0]):
                first = register(option, reads_at_end)
                if first is None:
                    return None
                out |= first
            return out
        result.unbounded = True  # inverse, zero-or-more, one-or-more, zero-or-one paths
        return None

    def reads(shape_node) -> set | None:
        """Predicates read on a focus node validated against this shape."""
        if shape_node in cache:
            return cache[shape_node]
        cache[shape_node] = set()  # a cycle reads nothing more
        props = shapes.by_subject.get(shape_node, {})
        paths = props.get(shacl.sh("path"), [])
        if paths:  # a property shape: its constraints apply to the values at the end of its path
            out = register(paths[0], value_reads(props))
            for name in ("lessThan", "lessThanOrEquals", "equals", "disjoint"):
                out = None if out is None else out | set(props.get(shacl.sh(name), []))
        else:
            out = value_reads(props)
        cache[shape_node] = out
        return out

    for node in shapes.by_subject:
        reads(node)
    return result
