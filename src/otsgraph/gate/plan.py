"""Incremental reasoning and validation: only what a change touches, with the context it needs.

The store is the context. `View` reads it lazily (a node's triples when a rule or a shape asks
for them) with the change laid over it, so checking a 50-triple change against a 100k-triple graph
reads a few hundred triples, not the graph.

Reasoning. The store's graph:inferred already holds the closure of the asserted data. An addition
is forward-chained from the new triples over that closure with the rules materialise runs, from
their one table (reasoning.engine.RULES: each rule forward and backward, so the two paths cannot
drift apart; the rules are monotone, so this reaches the same fixpoint); when a date or a
link the temporal rule reads (a parent event, a stated order) changes, that rule is run again over
the triples it reads and its outputs are diffed with graph:inferred. A period's dates make the
closure be recomputed in full and diffed with graph:inferred (bench/write_bench.py measures both).

Validation. A node's SHACL results depend on its own triples, on its values' triples and, through
nested shapes and sequence paths, on their values'. The focus nodes a change touches are the
subjects and objects of the triples it adds or removes (after reasoning), plus the nodes that
reach those along a predicate whose shape looks inside its values (sh:class, sh:node, nested
property shapes, sequence paths), two levels up. They are validated with their neighbourhood (two
hops out, one in). tests/gate/test_gate_incremental.py checks the results equal a full re-validation's
for the touched nodes, and that no other node's results change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from otsgraph.core.graphs import (
    ADDITIONS,
    ASSERTED_DATA,
    INFERRED,
    ONTOLOGY,
    PROVENANCE,
    READ_ONLY_GRAPHS,
    REASONED,
    is_claim_graph,
    is_data_graph,
)
from otsgraph.reasoning import engine as reasoning
from otsgraph.reasoning import temporal
from otsgraph.reasoning.closure import reason_triples
from otsgraph.reasoning.engine import Inconsistency, Tbox
from otsgraph.reasoning.incremental import delete_and_rederive, forward_chain, local_inconsistencies
from otsgraph.validation import shacl
from otsgraph.validation.reads import shape_reads
from otsgraph.validation.report import Finding, finding_of, term_text, value_text

from .change import Change
from .view import View, _key

Triple = tuple
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_PERIOD_PROPERTIES = {temporal.HAS_BEGINNING, temporal.HAS_END, temporal.IN_YEAR, temporal.IN_DATE}


def full_closure(base: set[Triple], ontology: Iterable[Triple]) -> reasoning.Closure:
    """OWL 2 RL and the temporal rule over `base`, as the build computes them (closure.reason_triples)."""
    return reason_triples(base, set(ontology)).closure


@dataclass
class Plan:
    """What a change does to the store, worked out before any write."""

    quad_adds: list[ox.Quad] = field(default_factory=list)  # asserted data and claim graphs
    quad_removes: list[ox.Quad] = field(default_factory=list)
    inferred_adds: list[ox.Quad] = field(default_factory=list)
    inferred_removes: list[ox.Quad] = field(default_factory=list)
    new_graphs: set = field(default_factory=set)  # claim graphs the change creates
    submitted: list[ox.Quad] = field(default_factory=list)  # the client's added quads (for provenance)
    focus: set = field(default_factory=set)
    inconsistencies: list[Inconsistency] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # problems found while planning
    full_recompute: bool = False
    view: View | None = None

    def is_empty(self) -> bool:
        return not (self.quad_adds or self.quad_removes or self.inferred_adds or self.inferred_removes)


class Context:
    """The store plus the compiled shapes and ontology: plans, reasons and validates changes."""

    def __init__(self, store: ox.Store, shapes: list[tuple]) -> None:
        self.store = store
        self.shapes_triples = shapes
        self.shapes = shacl.ShapesGraph(shapes)
        self.reads = shape_reads(self.shapes)
        self._tbox: Tbox | None = None
        self._ontology: list[Triple] | None = None

    @property
    def ontology(self) -> list[Triple]:
        if self._ontology is None:
            self._ontology = [_key(q) for q in self.store.quads_for_pattern(None, None, None, ONTOLOGY)]
        return self._ontology

    @property
    def tbox(self) -> Tbox:
        if self._tbox is None:
            self._tbox = reasoning.compile_tbox(self.ontology)
        return self._tbox

    # ---- planning ----------------------------------------------------------------------------

    def plan(self, change: Change) -> Plan:
        plan = Plan()
        if change.exact:
            plan.quad_adds = [q for q in dict.fromkeys(change.add) if not self._stored(q)]
            plan.quad_removes = [q for q in dict.fromkeys(change.remove) if self._stored(q)]
        else:
            self._map_client_change(change, plan)
        self._reason(plan)
        return plan

    def _stored(self, q: ox.Quad) -> bool:
        return any(True for _ in self.store.quads_for_pattern(q.subject, q.predicate, q.object, q.graph_name))

    def _graphs_holding(self, t: Triple) -> set:
        return {q.graph_name for q in self.store.quads_for_pattern(*t)}

    def _map_client_change(self, change: Change, plan: Plan) -> None:
        adds: dict[ox.Quad, None] = {}
        removes: dict[ox.Quad, None] = {}
        shipped: dict[ox.NamedNode | ox.BlankNode, bool] = {}
        for q in change.add:
            t = _key(q)
            if q.graph_name in READ_ONLY_GRAPHS:
                plan.findings.append(_read_only(q, "add to"))
                continue
            if is_claim_graph(q.graph_name) and not is_data_graph(q.graph_name):
                if q.graph_name not in shipped:
                    # a shipped claim is described in graph:provenance (its quote and offsets)
                    described = self.store.quads_for_pattern(q.graph_name, None, None, PROVENANCE)
                    shipped[q.graph_name] = any(True for _ in described)
                if shipped[q.graph_name]:
                    plan.findings.append(_shipped_claim(q))
                    continue
            plan.submitted.append(q)
            holders = self._graphs_holding(t)
            if not holders & {ONTOLOGY, *ASSERTED_DATA}:
                adds[ox.Quad(*t, ADDITIONS)] = None
            if is_claim_graph(q.graph_name) and not is_data_graph(q.graph_name):
                if q.graph_name not in holders:
                    adds[q] = None
                if not any(True for _ in self.store.quads_for_pattern(None, None, None, q.graph_name)):
                    plan.new_graphs.add(q.graph_name)
        removed_from_claims: dict[Triple, set] = defaultdict(set)
        for q in change.remove:
            t = _key(q)
            if q.graph_name in READ_ONLY_GRAPHS:
                plan.findings.append(_read_only(q, "remove from"))
                continue
            holders = self._graphs_holding(t)
            if is_data_graph(q.graph_name):
                if not holders & set(ASSERTED_DATA) and holders & {ONTOLOGY, INFERRED}:
                    plan.findings.append(
                        _read_only(ox.Quad(*t, INFERRED if INFERRED in holders else ONTOLOGY), "remove from")
                    )
                for g in holders:
                    if g in ASSERTED_DATA or is_claim_graph(g):
                        removes[ox.Quad(*t, g)] = None
            elif q.graph_name in holders:
                removes[q] = None
                removed_from_claims[t].add(q.graph_name)
        for t, graphs in removed_from_claims.items():
            holders = self._graphs_holding(t)
            still_claimed = [
                g for g in holders if is_claim_graph(g) and g not in graphs and g not in ASSERTED_DATA
            ]
            if not still_claimed:
                for g in holders & set(ASSERTED_DATA):
                    removes[ox.Quad(*t, g)] = None
        plan.quad_adds = [q for q in adds if q not in removes]
        plan.quad_removes = list(removes)

    # ---- reasoning ---------------------------------------------------------------------------

    def _base_delta(self, plan: Plan) -> tuple[set, set]:
        """Triples that enter and leave the reasoned graphs (ontology + asserted data)."""
        base = set(REASONED)
        entering = {_key(q) for q in plan.quad_adds if q.graph_name in base}
        entering = {t for t in entering if not (self._graphs_holding(t) & base)}
        removed_quads: dict[Triple, set] = defaultdict(set)
        for q in plan.quad_removes:
            if q.graph_name in base:
                removed_quads[_key(q)].add(q.graph_name)
        leaving = {
            t for t, graphs in removed_quads.items() if not ((self._graphs_holding(t) & base) - graphs)
        }
        return entering, leaving

    def _reason(self, plan: Plan) -> None:
        entering, leaving = self._base_delta(plan)
        view = View(self.store)
        plan.view = view
        if any(p in _PERIOD_PROPERTIES for _, p, _ in entering | leaving):
            self._reason_fully(plan, entering, leaving)
            return

        def stored_inferred(t: Triple) -> bool:
            return any(True for _ in self.store.quads_for_pattern(*t, INFERRED))

        def asserted_after(t: Triple) -> bool:
            if t in entering:
                return True
            return t not in leaving and any(
                q.graph_name in REASONED for q in self.store.quads_for_pattern(*t)
            )

        stale, extra = self._temporal_delta(view, entering, leaving, stored_inferred)
        if leaving or stale:
            delete_and_rederive(view, self.tbox, leaving | stale, stored_inferred)
        forward_chain(view, self.tbox, list(entering) + sorted(extra, key=str))
        plan.inferred_adds = [
            ox.Quad(*t, INFERRED) for t in view.plus if not asserted_after(t) and not stored_inferred(t)
        ]
        # what is no longer derived leaves graph:inferred, and so does what is now asserted
        # (the graphs of the default union stay disjoint)
        leaving_inferred = {t for t in view.minus if stored_inferred(t)}
        leaving_inferred |= {t for t in entering if stored_inferred(t)}
        plan.inferred_removes = [ox.Quad(*t, INFERRED) for t in leaving_inferred]
        plan.inconsistencies = local_inconsistencies(view, self.tbox, view.plus)
        plan.focus = self.touched(view, view.plus, view.minus)

    def _temporal_delta(self, view: View, entering: set, leaving: set, stored_inferred) -> tuple[set, set]:
        """The temporal rule when a date or a link it reads changes: (inferred triples to drop, to add).

        A date moves its own range and, through parent events and stated orders, other things'
        ranges; so the rule is run again over every triple it reads (a few hundred) and its
        outputs are compared with graph:inferred's.
        """
        reads = temporal.DATE_PROPERTIES | temporal.LINK_PROPERTIES
        if not any(p in reads for _, p, _ in entering | leaving):
            return set(), set()
        before = {
            _key(q)
            for p in temporal.OUTPUT_PROPERTIES
            for q in self.store.quads_for_pattern(None, p, None, INFERRED)
        }
        facts = {
            _key(q)
            for p in reads | _PERIOD_PROPERTIES
            for q in self.store.quads_for_pattern(None, p, None)
            if q.graph_name in REASONED
        }
        facts = (facts - leaving) | {t for t in entering if t[1] in reads | _PERIOD_PROPERTIES}
        after, _ = temporal.temporal_triples(facts)
        return before - after, after - before - entering

    def _reason_fully(self, plan: Plan, entering: set, leaving: set) -> None:
        plan.full_recompute = True
        base = {_key(q) for g in REASONED for q in self.store.quads_for_pattern(None, None, None, g)}
        base_after = (base - leaving) | entering
        reasoned = full_closure(base_after, self.ontology)
        inferred_before = {_key(q) for q in self.store.quads_for_pattern(None, None, None, INFERRED)}
        inferred_after = reasoned.inferred - base_after
        plan.inferred_adds = [ox.Quad(*t, INFERRED) for t in inferred_after - inferred_before]
        plan.inferred_removes = [ox.Quad(*t, INFERRED) for t in inferred_before - inferred_after]
        before, after = base | inferred_before, base_after | inferred_after
        plus, minus = after - before, before - after
        view = plan.view
        for t in minus:
            view.remove(t)
        for t in plus:
            view.add(t)
        plan.focus = self.touched(view, plus, minus)
        plan.inconsistencies = [
            i
            for i in reasoned.inconsistencies
            if any(t[0] in plan.focus or t[2] in plan.focus for t in i.triples)
        ]

    def touched(self, view: View, plus: Iterable[Triple], minus: Iterable[Triple]) -> set:
        """Focus nodes whose results can change: subjects of changed triples, and who reads them.

        A node X whose shape reads, along p, the changed predicate q of a node n (X -p-> n) is
        touched too, and so on up (X's p-values changed for whoever reads p of X).
        """
        changed = list(dict.fromkeys((s, p) for s, p, _ in (*plus, *minus)))
        nodes = {s for s, _ in changed}
        if self.reads.unbounded:  # any neighbour may matter: objects too, and both directions
            nodes |= {o for _, _, o in (*plus, *minus) if not isinstance(o, ox.Literal)}
            frontier = set(nodes)
            for _ in range(3):
                reached = set()
                for n in frontier:
                    reached |= {s for subjects in view.into(n).values() for s in subjects}
                    reached |= {
                        o for objs in view.out(n).values() for o in objs if not isinstance(o, ox.Literal)
                    }
                frontier = reached - nodes
                nodes |= reached
            return nodes
        seen = set(changed)
        while changed:
            node, predicate = changed.pop()
            for p in self.reads.readers(predicate):
                for reader in view.subjects(p, node):
                    nodes.add(reader)
                    if (reader, p) not in seen:
                        seen.add((reader, p))
                        changed.append((reader, p))
        return nodes

    def neighbourhood(self, view: View, focus: Iterable) -> set[Triple]:
        """The triples the shapes can read about the focus nodes: their own, and along what shapes read."""
        triples: set[Triple] = set()
        visited: set = set()
        pending = list(focus)
        if self.reads.unbounded:
            for x in list(pending):
                triples |= view.in_triples(x)
        depth = 0
        while pending and depth < (3 if self.reads.unbounded else 8):
            nxt = []
            for node in pending:
                if node in visited:
                    continue
                visited.add(node)
                out = view.out_triples(node)
                triples |= out
                for _, p, o in out:
                    if isinstance(o, ox.Literal) or o in visited:
                        continue
                    if self.reads.unbounded or p in self.reads.deep:
                        nxt.append(o)
            pending = nxt
            depth += 1
        return triples

    def validate_nodes(self, view: View, focus: set) -> list[Finding]:
        """SHACL results for the focus nodes, from their neighbourhood only."""
        data = self.neighbourhood(view, focus)
        if self.shapes.unsupported():
            from otsgraph.validation.reference import validate

            report = validate(data, self.shapes_triples, engine="pyshacl")
            wanted = {term_text(node) for node in focus}
            return [f for f in report.findings if _focus_key(f.focus) in wanted]
        validator = shacl.Validator(self.shapes, shacl.DataIndex(data))
        results: list[shacl.Result] = []
        for shape_node in self.shapes.targeted():
            shape = self.shapes.shape(shape_node)
            for node in validator.focus_nodes(shape_node):
                if node in focus:
                    results += validator.validate_shape(shape, node)
        return [finding_of(r, self.parent_shape(r.shape)) for r in results]

    def parent_shape(self, shape) -> ox.NamedNode | None:
        """The named node shape a blank property shape belongs to (to name it in a report)."""
        return self.shapes.named_parent(shape)

    def validate_touched(self, plan: Plan) -> list[Finding]:
        findings = list(plan.findings)
        findings += self.validate_nodes(plan.view, plan.focus)
        for problem in plan.inconsistencies:
            s, p, o = problem.triples[0]
            findings.append(
                Finding(
                    term_text(s),
                    p.value,
                    value_text(o) if problem.kind != "disjoint-classes" else None,
                    f"Inconsistent ({problem.kind}): {_short_terms(problem.message)}. "
                    "The triples that clash: "
                    + "; ".join(" ".join(_short_term(x) for x in t) for t in problem.triples),
                    "Violation",
                    None,
                    "reasoning",
                )
            )
        return [self.labelled(f, plan.view) for f in findings]

    def labelled(self, finding: Finding, view: View) -> Finding:
        from dataclasses import replace

        node = (
            ox.BlankNode(finding.focus[2:]) if finding.focus.startswith("_:") else _maybe_iri(finding.focus)
        )
        if node is None:
            return finding
        labels = [lab for lab in view.objects(node, RDFS_LABEL) if isinstance(lab, ox.Literal)]
        chosen = sorted(labels, key=lambda lab: (lab.language != "en", lab.value))
        return replace(finding, label=chosen[0].value if chosen else None)

    def recompute_inferred(self) -> tuple[int, int]:
        """Recompute graph:inferred from the stored data in full; returns (added, removed)."""
        base = {_key(q) for g in REASONED for q in self.store.quads_for_pattern(None, None, None, g)}
        self._ontology = None
        self._tbox = None
        reasoned = full_closure(base, self.ontology)
        before = {_key(q) for q in self.store.quads_for_pattern(None, None, None, INFERRED)}
        after = reasoned.inferred - base
        adds, removes = after - before, before - after
        self.store.extend([ox.Quad(*t, INFERRED) for t in adds])
        for t in removes:
            self.store.remove(ox.Quad(*t, INFERRED))
        return len(adds), len(removes)


def _focus_key(text: str) -> str:
    return text


def _maybe_iri(text: str):
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def _short_term(term) -> str:
    from otsgraph.core.results import short

    return short(term) if isinstance(term, ox.NamedNode) else str(term)


def _short_terms(message: str) -> str:
    import re

    from otsgraph.core.namespaces import prefixed

    def shorten(match: re.Match) -> str:
        return prefixed(match.group(1)) or match.group(0)

    return re.sub(r"<([^<>\s]+)>", shorten, message)


def _shipped_claim(q: ox.Quad) -> Finding:
    return Finding(
        term_text(q.subject),
        q.predicate.value,
        value_text(q.object),
        f"Cannot add to {q.graph_name}: it is a claim of the shipped data, and its quote would seem to "
        "support the new fact. Put new facts in a claim graph of their own, with its source.",
        "Violation",
        None,
        "graph",
    )


def _read_only(q: ox.Quad, verb: str) -> Finding:
    return Finding(
        term_text(q.subject),
        q.predicate.value,
        value_text(q.object),
        f"Cannot {verb} {q.graph_name}: it is read-only (the ontology is edited in ontology/ and rebuilt; "
        "graph:inferred is recomputed from the asserted data; the change log is written by the gate).",
        "Violation",
        None,
        "graph",
    )
