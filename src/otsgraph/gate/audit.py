"""The change log (graph:audit) and the atomic application of a change.

Each accepted change is a PROV-O activity in graph:audit, written in the same store write as
the change itself, so the log can never disagree with the data:

    <https://w3id.org/otsgraph/change/20261126T021500Z-1a2b3c4d> a prov:Activity ;
        prov:endedAtTime "2026-11-26T02:15:00Z"^^xsd:dateTime ;
        prov:wasAssociatedWith <https://w3id.org/otsgraph/agent/alice> ;
        rdfs:comment "add summit.trig" ;
        audit:addedQuads "...N-Quads..." ; audit:removedQuads "...N-Quads..." ;
        audit:addedCount 12 ; audit:removedCount 0 ; audit:inferredAdded 30 ; audit:inferredRemoved 0 .
    graph:additions prov:hadMember claim:my-new-claim .   # claim graphs that additions created

The logged quads are the store's own (graph:additions and claim graphs; blank nodes keep their
ids), so a change can be reverted exactly; inferences are not logged, they are recomputed.

Atomicity. A change that only adds is one `Store.extend` call, which pyoxigraph applies in one
transaction. A change that also removes is one SPARQL update (`DELETE DATA … ; INSERT DATA …`, also
one transaction) when none of its quads holds a blank node: readers see it whole or not at all.
A stored blank node cannot be named in SPARQL, so a change with removals and blank nodes first
writes its whole plan to graph:journal, then applies it; `recover` rolls an interrupted plan back
when the store is next opened, so a crash in the middle leaves the graph as it was (docs/writes.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from otsgraph.core.graphs import ADDITIONS, AUDIT, JOURNAL, is_claim_graph
from otsgraph.core.namespaces import BASE, RDF_TYPE
from otsgraph.core.serving import refusal, running_server
from otsgraph.core.store import StoreBusy

from .commit_hook import CommitHook, no_hook

PROV = "http://www.w3.org/ns/prov#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
XSD = "http://www.w3.org/2001/XMLSchema#"
ACTIVITY = ox.NamedNode(PROV + "Activity")
AGENT = ox.NamedNode(PROV + "Agent")
ENDED = ox.NamedNode(PROV + "endedAtTime")
ASSOCIATED = ox.NamedNode(PROV + "wasAssociatedWith")
HAD_MEMBER = ox.NamedNode(PROV + "hadMember")
CHANGE_NS = BASE + "change/"
AGENT_NS = BASE + "agent/"
AUDIT_NS = BASE + "audit/"


def _a(name: str) -> ox.NamedNode:
    return ox.NamedNode(AUDIT_NS + name)


ADDED, REMOVED = _a("addedQuads"), _a("removedQuads")
ADDED_COUNT, REMOVED_COUNT = _a("addedCount"), _a("removedCount")
INFERRED_ADDED, INFERRED_REMOVED = _a("inferredAdded"), _a("inferredRemoved")
PENDING_ADDS, PENDING_REMOVES = _a("pendingAdds"), _a("pendingRemoves")


class UnknownChange(KeyError):
    """No change with this id in the log."""


@dataclass
class AuditRecord:
    """One accepted change: when, who, what."""

    id: str
    when: str
    who: str
    summary: str
    added_count: int
    removed_count: int
    inferred_added: int
    inferred_removed: int
    added_text: str = ""
    removed_text: str = ""

    @property
    def iri(self) -> str:
        return CHANGE_NS + self.id

    @cached_property
    def added_asserted(self) -> list[ox.Quad]:
        return parse_quads(self.added_text)

    @cached_property
    def removed(self) -> list[ox.Quad]:
        return parse_quads(self.removed_text)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "when": self.when,
            "who": self.who,
            "summary": self.summary,
            "added": self.added_count,
            "removed": self.removed_count,
            "inferredAdded": self.inferred_added,
            "inferredRemoved": self.inferred_removed,
        }


def serialise_quads(quads: list[ox.Quad]) -> str:
    if not quads:
        return ""
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


def parse_quads(text: str) -> list[ox.Quad]:
    """Logged quads as the store holds them: the store keeps numbers in canonical form (a stored
    "12"^^xsd:positiveInteger reads back as "12"^^xsd:integer), so a quad parsed from the log is
    passed through a store too, or a revert would not find what it must remove."""
    if not text:
        return []
    canonical = ox.Store()  # in memory; keeps blank node ids
    canonical.extend(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    return list(canonical)


def new_record(who: str, summary: str, plan) -> AuditRecord:
    now = dt.datetime.now(dt.UTC)
    change_id = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond:06d}Z-{uuid.uuid4().hex[:8]}"
    return AuditRecord(
        id=change_id,
        when=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        who=who,
        summary=summary,
        added_count=len(plan.quad_adds),
        removed_count=len(plan.quad_removes),
        inferred_added=len(plan.inferred_adds),
        inferred_removed=len(plan.inferred_removes),
        added_text=serialise_quads(plan.quad_adds),
        removed_text=serialise_quads(plan.quad_removes),
    )


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def record_quads(record: AuditRecord, new_graphs: set) -> list[ox.Quad]:
    change = ox.NamedNode(record.iri)
    agent = ox.NamedNode(AGENT_NS + quote(record.who, safe=""))
    triples = [
        (change, RDF_TYPE, ACTIVITY),
        (change, ENDED, ox.Literal(record.when, datatype=ox.NamedNode(XSD + "dateTime"))),
        (change, ASSOCIATED, agent),
        (change, RDFS_COMMENT, ox.Literal(record.summary)),
        (change, ADDED, ox.Literal(record.added_text)),
        (change, REMOVED, ox.Literal(record.removed_text)),
        (change, ADDED_COUNT, _integer(record.added_count)),
        (change, REMOVED_COUNT, _integer(record.removed_count)),
        (change, INFERRED_ADDED, _integer(record.inferred_added)),
        (change, INFERRED_REMOVED, _integer(record.inferred_removed)),
        (agent, RDF_TYPE, AGENT),
        (agent, RDFS_LABEL, ox.Literal(record.who)),
    ]
    triples += [(ADDITIONS, HAD_MEMBER, g) for g in sorted(new_graphs, key=str)]
    return [ox.Quad(*t, AUDIT) for t in triples]


# ---- Applying a change -----------------------------------------------------------------------


def _nameable(q: ox.Quad) -> bool:
    """Can SPARQL's DATA forms name this quad? Not with a blank node or in the default graph."""
    return isinstance(q.graph_name, ox.NamedNode) and not any(
        isinstance(t, ox.BlankNode) for t in (q.subject, q.object)
    )


def _data_block(quads: list[ox.Quad]) -> str:
    return "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)


def _remove_all(store: ox.Store, quads: list[ox.Quad]) -> None:
    """Remove quads: those without blank nodes in one SPARQL update (one transaction), the rest one by one."""
    plain = [q for q in quads if _nameable(q)]
    if plain:
        store.update(f"DELETE DATA {{\n{_data_block(plain)}\n}}")
    for q in quads:
        if q not in plain:
            store.remove(q)


def change_quads(plan, record: AuditRecord) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """(quads to add, quads to remove) for a planned change: the data, its inferences, its record."""
    adds = plan.quad_adds + plan.inferred_adds + record_quads(record, plan.new_graphs)
    return adds, plan.quad_removes + plan.inferred_removes


def apply(store: ox.Store, plan, record: AuditRecord, hook: CommitHook = no_hook) -> None:
    """Write the change, its inferences and its audit record; see the module docstring for atomicity.

    `hook` is called at each named point of the write (commit_hook.py): tests crash the process there."""
    adds, removes = change_quads(plan, record)
    if not removes:
        hook("before the write")  # a crash here must leave the graph as it was
        store.extend(adds)  # one transaction
    elif all(_nameable(q) for q in (*adds, *removes)):
        update = f"DELETE DATA {{\n{_data_block(removes)}\n}} ;\nINSERT DATA {{\n{_data_block(adds)}\n}}"
        hook("before the write")
        store.update(update)  # one transaction: no reader sees half of the change
    else:
        # the journal lists what this change newly writes and really removes, nothing more: a quad the
        # store already holds (the agent of an earlier change by the same person) must survive a rollback
        adds = [q for q in dict.fromkeys(adds) if q not in store]
        removes = [q for q in dict.fromkeys(removes) if q in store]
        entry = ox.NamedNode(CHANGE_NS + record.id + "/journal")
        store.extend(
            [
                ox.Quad(entry, PENDING_ADDS, ox.Literal(serialise_quads(adds)), JOURNAL),
                ox.Quad(entry, PENDING_REMOVES, ox.Literal(serialise_quads(removes)), JOURNAL),
            ]
        )
        store.extend(adds)
        hook("between the steps")  # a crash here is rolled back by recover()
        _remove_all(store, removes)
        _remove_all(store, list(store.quads_for_pattern(entry, None, None, JOURNAL)))
    store.flush()


def pending_changes(store: ox.Store) -> list[str]:
    """The ids of the changes a crash interrupted (their plan is still in graph:journal)."""
    entries = {q.subject.value for q in store.quads_for_pattern(None, PENDING_ADDS, None, JOURNAL)}
    return sorted(e.removeprefix(CHANGE_NS).removesuffix("/journal") for e in entries)


def recover(store: ox.Store) -> int:
    """Roll back every change a crash interrupted (found in graph:journal); returns how many."""
    entries = {q.subject for q in store.quads_for_pattern(None, PENDING_ADDS, None, JOURNAL)}
    for entry in entries:
        adds = [
            parse_quads(q.object.value) for q in store.quads_for_pattern(entry, PENDING_ADDS, None, JOURNAL)
        ]
        removes = [
            parse_quads(q.object.value)
            for q in store.quads_for_pattern(entry, PENDING_REMOVES, None, JOURNAL)
        ]
        store.extend([q for group in removes for q in group])  # put back what was removed
        for group in adds:
            for q in group:
                store.remove(q)  # and take out what was added (none of it existed before)
        for q in list(store.quads_for_pattern(entry, None, None, JOURNAL)):
            store.remove(q)
    if entries:
        store.flush()
    return len(entries)


# ---- Reading the log -------------------------------------------------------------------------


def _value(store: ox.Store, subject, predicate) -> ox.Literal | ox.NamedNode | None:
    for q in store.quads_for_pattern(subject, predicate, None, AUDIT):
        return q.object
    return None


def _record(store: ox.Store, change: ox.NamedNode, with_quads: bool) -> AuditRecord:
    def text(p) -> str:
        v = _value(store, change, p)
        return v.value if v is not None else ""

    def number(p) -> int:
        v = text(p)
        return int(v) if v else 0

    agent = _value(store, change, ASSOCIATED)
    who = _value(store, agent, RDFS_LABEL) if agent is not None else None
    return AuditRecord(
        id=change.value.removeprefix(CHANGE_NS),
        when=text(ENDED),
        who=who.value if who is not None else "",
        summary=text(RDFS_COMMENT),
        added_count=number(ADDED_COUNT),
        removed_count=number(REMOVED_COUNT),
        inferred_added=number(INFERRED_ADDED),
        inferred_removed=number(INFERRED_REMOVED),
        added_text=text(ADDED) if with_quads else "",
        removed_text=text(REMOVED) if with_quads else "",
    )


def records(store: ox.Store) -> list[AuditRecord]:
    """Every logged change, oldest first (ids sort by time)."""
    changes = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ACTIVITY, AUDIT)}
    return sorted((_record(store, c, False) for c in changes), key=lambda r: r.id)


def record(store: ox.Store, change_id: str) -> AuditRecord:
    change = ox.NamedNode(CHANGE_NS + change_id.removeprefix(CHANGE_NS))
    if not any(True for _ in store.quads_for_pattern(change, RDF_TYPE, ACTIVITY, AUDIT)):
        raise UnknownChange(change_id)
    return _record(store, change, True)


def added_graphs(store: ox.Store) -> list[ox.NamedNode]:
    """Claim graphs that additions created (kept by a rebuild, dropped by a reset)."""
    return [q.object for q in store.quads_for_pattern(ADDITIONS, HAD_MEMBER, None, AUDIT)]


# ---- Export and reset ------------------------------------------------------------------------


def export(store: ox.Store, fmt: ox.RdfFormat = ox.RdfFormat.TRIG) -> bytes:
    """The additions as a file: claim graphs as named graphs, the rest in the default graph."""
    from otsgraph.core.namespaces import PREFIXES

    graphs = [g for g in added_graphs(store) if is_claim_graph(g)]
    named = [q for g in graphs for q in store.quads_for_pattern(None, None, None, g)]
    in_claims = {(q.subject, q.predicate, q.object) for q in named}
    loose = [
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in store.quads_for_pattern(None, None, None, ADDITIONS)
        if (q.subject, q.predicate, q.object) not in in_claims
    ]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML):
        triples = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, ADDITIONS)
        ]
        kwargs = {"prefixes": PREFIXES} if fmt == ox.RdfFormat.TURTLE else {}
        return ox.serialize(triples, format=fmt, **kwargs)
    kwargs = {"prefixes": PREFIXES} if fmt == ox.RdfFormat.TRIG else {}
    return ox.serialize(loose + named, format=fmt, **kwargs)


def reset(store: ox.Store) -> int:
    """Drop graph:additions, the claim graphs additions created, the log and the journal: one transaction."""
    graphs = [ADDITIONS, AUDIT, JOURNAL, *[g for g in added_graphs(store) if is_claim_graph(g)]]
    count = sum(1 for g in graphs for _ in store.quads_for_pattern(None, None, None, g))
    store.update(";\n".join(f"DROP SILENT GRAPH {g}" for g in graphs))
    store.flush()
    return count


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
