"""How a write lands in the store: as asked (`serve --empty`), or through the gate (the served graph).

Each write is one store transaction, made under the server's write lock, so queries see the
graph before or after it, never half, and a check that a graph exists cannot race another
write. Every write ends with state.changed() (cache, ETags).

In the served graph (GatedWrites) the default graph, for a write, is the asserted data: an
added triple goes to graph:additions, a removed one leaves every asserted graph that holds it,
and the inferred graph is recomputed (see gate.py and change.py). The read-only graphs
(graph:inferred, graph:ontology, graph:links, the change log) answer 403. A change the gate
rejects raises RejectedWrite (answered 422 with the report) and changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pyoxigraph as ox
from flask import Request, Response

from otsgraph.core.graphs import INFERRED, READ_ONLY_GRAPHS
from otsgraph.core.namespaces import PREFIXES, sparql_prefixes, without_prefix_lines
from otsgraph.gate.change import data_only
from otsgraph.gate.gate import Change, Rejected, change_from_update

from ..execution.dispatch import run_job
from ..execution.jobs import UpdateJob
from ..execution.safety import ProtocolError
from ..state import ServerState
from .payload import bodies, parse_triples, refuse_named_graphs
from .validate_route import gate_of, read_body, report_response

log = logging.getLogger("otsgraph.server")
Graph = list[ox.Triple] | None  # a graph's triples; None: no such graph
GraphName = ox.NamedNode | ox.DefaultGraph


class Target:
    """The graph a Graph Store request is about."""

    def __init__(self, graph: GraphName, label: str) -> None:
        self.graph = graph
        self.label = label  # for messages: "the default graph", "the graph <…>"


class RejectedWrite(Exception):
    """The gate refused the change; nothing was changed. `report` says why (answered 422)."""

    def __init__(self, report) -> None:
        self.report = report
        super().__init__(report.summary())


def insert_data(quads: Iterable[ox.Quad], target: GraphName) -> str:
    """INSERT DATA for these quads; those in the default graph go to `target`. Terms are written in
    N-Triples syntax, which SPARQL reads as is."""
    groups: dict[GraphName, list[str]] = {}
    for q in quads:
        graph = target if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name
        groups.setdefault(graph, []).append(f"{q.subject} {q.predicate} {q.object} .")
    parts = [
        "\n".join(lines)
        if isinstance(graph, ox.DefaultGraph)
        else f"GRAPH {graph} {{\n" + "\n".join(lines) + "\n}"
        for graph, lines in groups.items()
    ]
    return "INSERT DATA {\n" + "\n".join(parts) + "\n}"


def clear(graph: GraphName) -> str:
    """Empty the graph and keep it (a named graph exists, even empty, once written)."""
    if isinstance(graph, ox.DefaultGraph):
        return "CLEAR SILENT DEFAULT"
    return f"DROP SILENT GRAPH {graph} ;\nCREATE SILENT GRAPH {graph}"


def drop(graph: GraphName) -> str:
    return "CLEAR DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"DROP GRAPH {graph}"


class PlainWrites:
    """`serve --empty`: a plain SPARQL store; every graph, the default graph included, is writable."""

    def __init__(self, server: ServerState) -> None:
        self.server = server
        self.store = server.store

    def exists(self, graph: GraphName) -> bool:
        return isinstance(graph, ox.DefaultGraph) or self.store.contains_named_graph(graph)

    def graph(self, target: Target) -> Graph:
        if not self.exists(target.graph):
            return None
        return [q.triple for q in self.store.quads_for_pattern(None, None, None, target.graph)]

    def read(self, request: Request, base_iri: str) -> list[ox.Quad]:
        """The body's triples (any RDF format, multipart too; relative IRIs against the graph's IRI)."""
        quads = []
        for body in bodies(request, self.server.config.max_request_bytes):
            quads += [ox.Quad(t.subject, t.predicate, t.object) for t in parse_triples(body, base_iri)]
        return quads

    def replace(self, target: Target, quads: list[ox.Quad], who: str) -> bool:
        """PUT: the graph becomes `quads`; True when it did not exist before."""
        with self.server.write_lock:
            created = not self.exists(target.graph)
            self._update(f"{clear(target.graph)} ;\n{self._insert(quads, target.graph)}", who)
        return created

    def add(self, target: Target, quads: list[ox.Quad], who: str) -> bool:
        """POST: merge `quads` into the graph (made if new); True when it did not exist before."""
        with self.server.write_lock:
            created = not self.exists(target.graph)
            create = f"CREATE SILENT GRAPH {target.graph} ;\n" if created else ""
            self._update(create + self._insert(quads, target.graph), who)
        return created

    @staticmethod
    def _insert(quads: list[ox.Quad], target: GraphName) -> str:
        return insert_data(quads, target)

    def delete(self, target: Target, who: str) -> None:
        """DELETE: drop a named graph (404 if there is none), or empty the default graph."""
        with self.server.write_lock:
            if not self.exists(target.graph):
                raise ProtocolError(404, "no-such-graph", f"{target.label} does not exist in this store")
            self._update(drop(target.graph), who)

    def _update(self, text: str, who: str) -> None:
        try:
            self.store.update(text)
        except (SyntaxError, ValueError) as err:  # what its update cannot write (RDF 1.2 triple terms)
            raise ProtocolError(400, "cannot-store", f"this store cannot take these triples: {err}") from None
        finally:
            self.server.changed()

    def update(self, text: str, base_iri: str, who: str) -> None:
        """A client's SPARQL Update. One of DATA operations only (its cost is its size) runs under
        the write lock; one with a WHERE first runs on a copy in the executor (its time, memory and
        any crash are a worker's), then for real, under the lock, on the same data version."""

        def apply() -> None:
            try:
                self.store.update(text, base_iri=base_iri, prefixes=PREFIXES)
            except (SyntaxError, ValueError, RuntimeError, OSError) as err:
                raise ProtocolError(400, "update-error", f"the update cannot be applied: {err}") from None
            finally:
                self.server.changed()

        deadline = time.monotonic() + self.server.config.query_timeout
        if data_only(text):
            with _write_lock(self.server, deadline):
                return apply()
        for locked in _attempts():
            with _write_lock(self.server, deadline) if locked else contextlib.nullcontext():
                version, _ = _effect(self.server, UpdateJob(text, base_iri, plain=True), deadline)
            with _write_lock(self.server, deadline):
                if self.server.version == version:
                    return apply()
        raise _conflict()


class GatedWrites(PlainWrites):
    """The served graph: every write is a change the gate checks and commits (or rejects)."""

    def graph(self, target: Target) -> Graph:
        if isinstance(target.graph, ox.DefaultGraph):  # what queries see by default: the union
            seen: dict[ox.Triple, None] = {}
            for graph in self.server.default_graphs:
                for q in self.store.quads_for_pattern(None, None, None, graph):
                    seen.setdefault(q.triple)
            return list(seen)
        return super().graph(target)

    def read(self, request: Request, base_iri: str) -> list[ox.Quad]:
        """The body through the gate's reader (limits, entities, remote contexts, floods); relative
        IRIs resolve against the target graph, as in the plain store."""
        return read_body(self.server, base_iri)

    def replace(self, target: Target, quads: list[ox.Quad], who: str) -> bool:
        self._ready()
        self._refuse_read_only([target.graph])
        self._refuse_whole_default(target, "PUT")
        self._one_graph(target, quads)
        text = f"{clear(target.graph)} ;\n{insert_data(quads, target.graph)}"
        return self._commit_update(text, target, who, f"PUT {target.label}")

    def add(self, target: Target, quads: list[ox.Quad], who: str) -> bool:
        self._ready()
        self._refuse_read_only([target.graph, *(q.graph_name for q in quads)])
        self._one_graph(target, quads)
        placed = [ox.Quad(q.subject, q.predicate, q.object, target.graph) for q in quads]
        if isinstance(target.graph, ox.DefaultGraph):
            placed = quads  # a submission may bring its claim graphs (TriG, N-Quads)
        with self.server.write_lock:
            created = not self.exists(target.graph)
            self._commit(Change(add=list(dict.fromkeys(placed))), who, f"POST {target.label}")
        return created

    def delete(self, target: Target, who: str) -> None:
        self._ready()
        self._refuse_read_only([target.graph])
        self._refuse_whole_default(target, "DELETE")
        with self.server.write_lock:
            if not self.exists(target.graph):
                raise ProtocolError(404, "no-such-graph", f"{target.label} does not exist in this store")
            change = self._change(drop(target.graph))
            self._commit(change, who, f"DELETE {target.label}")
            emptied = not any(True for _ in self.store.quads_for_pattern(None, None, None, target.graph))
            if isinstance(target.graph, ox.NamedNode) and emptied:
                self.store.remove_graph(target.graph)  # dropped: a GET now says 404, as in a plain store

    def update(self, text: str, base_iri: str, who: str) -> None:
        """A client's SPARQL Update, as the change it would make, through the gate.

        An update of DATA operations only is planned under the write lock (on a copy of the quads
        it names: cheap). One with a WHERE has its effect computed by the executor on a checkpoint
        (a worker: killable, memory-capped) outside the write lock; the commit then takes the lock,
        within the same deadline, and goes ahead only if no other write came in between. After two
        such races the effect is computed holding the lock, so that a busy store cannot starve it."""
        self._ready()
        deadline = time.monotonic() + self.server.config.query_timeout
        if data_only(text):
            with _write_lock(self.server, deadline):
                change = self._change(text, base_iri)
                self._refuse_read_only([q.graph_name for q in (*change.add, *change.remove)])
                return self._commit(change, who, _summary(change))
        for locked in _attempts():
            with _write_lock(self.server, deadline) if locked else contextlib.nullcontext():
                version, change = _effect(self.server, UpdateJob(text, base_iri), deadline)
            self._refuse_read_only([q.graph_name for q in (*change.add, *change.remove)])
            with _write_lock(self.server, deadline):
                if self.server.version == version:
                    return self._commit(change, who, _summary(change))
        raise _conflict()

    # ---- helpers --------------------------------------------------------------------------------

    def _ready(self) -> None:
        """Make the gate (once) before a write takes the lock: making it takes the lock too."""
        gate_of(self.server)

    def _commit_update(self, text: str, target: Target, who: str, summary: str) -> bool:
        with self.server.write_lock:
            created = not self.exists(target.graph)
            self._commit(self._change(text), who, summary)
        return created

    def _change(self, text: str, base_iri: str | None = None):
        try:
            return change_from_update(self.store, text, base_iri)
        except SyntaxError as err:
            raise ProtocolError(400, "update-syntax", f"the update is not valid SPARQL: {err}") from None
        except (ValueError, RuntimeError, OSError) as err:
            raise ProtocolError(400, "update-error", f"the update cannot be applied: {err}") from None

    def _commit(self, change, who: str, summary: str) -> None:
        """Check and apply (the caller holds the write lock); RejectedWrite when it does not conform."""
        if self.server.backend is not None:
            from ..backend.front import skolemised

            change = skolemised(change)  # the backend and this front's copy must hold the same names
        try:
            gate_of(self.server).commit(change, who, summary)
        except Rejected as err:
            raise RejectedWrite(err.report) from None
        finally:
            self.server.changed()

    @staticmethod
    def _refuse_whole_default(target: Target, method: str) -> None:
        """The served default graph is the whole curated release: a PUT or DELETE would replace or
        drop all of it at once (the shapes cannot see what disappears with a node's type)."""
        if isinstance(target.graph, ox.DefaultGraph):
            raise ProtocolError(
                403,
                "whole-default-graph",
                f"{method} of the default graph would replace or drop every asserted fact; add with POST, "
                "change or remove facts with SPARQL Update (DELETE/INSERT), or address one claim graph",
            )

    def _refuse_read_only(self, graphs: Iterable) -> None:
        for graph in graphs:
            if graph == INFERRED:
                raise ProtocolError(
                    403,
                    "read-only-graph",
                    f"{graph} is read-only: the inferred triples are recomputed from the asserted data "
                    "after every accepted change; write to the default graph (the asserted data) instead",
                )
            if graph in READ_ONLY_GRAPHS:
                raise ProtocolError(
                    403, "read-only-graph", f"{graph} is read-only on this server (it is built, not written)"
                )

    def _one_graph(self, target: Target, quads: list[ox.Quad]) -> None:
        """A body for a named graph holds that graph's triples only."""
        if not isinstance(target.graph, ox.DefaultGraph):
            refuse_named_graphs(quads, f"a graph store request for {target.label} carries that graph only")


def _attempts() -> Iterator[bool]:
    """Whether each attempt at an update with a WHERE computes its effect holding the write lock:
    twice without (writers go on meanwhile), then once with (it cannot lose the race again)."""
    yield from (False, False, True)


def _summary(change: Change) -> str:
    return f"SPARQL Update ({len(change.add)} added, {len(change.remove)} removed)"


def _effect(server: ServerState, job: UpdateJob, deadline: float):
    """(data version, effect) of an update from the executor; a timeout says nothing was written."""
    try:
        return run_job(server, job, _left(deadline))
    except ProtocolError as err:
        if err.code == "timeout":
            raise _expired() from None
        raise


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _expired()
    return left


def _expired() -> ProtocolError:
    return ProtocolError(
        503,
        "timeout",
        "the update's time limit passed (its WHERE, or its wait for another write): it was stopped, and "
        "nothing was written",
        {"Retry-After": "5"},
    )


@contextmanager
def _write_lock(server: ServerState, deadline: float) -> Iterator[None]:
    """The write lock, or 503 once the deadline passes while waiting for it."""
    if not server.write_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise _expired()
    try:
        yield
    finally:
        server.write_lock.release()


def _conflict() -> ProtocolError:
    return ProtocolError(
        409,
        "conflict",
        "other writes changed the data while this update was computed; send it again",
    )


def writes_for(server: ServerState) -> PlainWrites:
    """The write path of this server (made once per server)."""
    if server.writes is None:
        with server.write_lock:
            if server.writes is None:
                server.writes = (PlainWrites if server.config.empty else GatedWrites)(server)
    return server.writes


def gated_update(server: ServerState, text: str, base_iri: str, who: str) -> Response:
    """/sparql's update in the served graph: 204 once committed, 422 with the report if refused."""
    writes = writes_for(server)
    assert isinstance(writes, GatedWrites)
    try:
        # the endpoint predeclares the project's prefixes; the gate's copy of the store does not
        writes.update(sparql_prefixes() + text, base_iri, who)
    except RejectedWrite as err:
        return report_response(err.report, 422)
    except ProtocolError as err:  # its positions in the client's own lines, not ours
        err.message = without_prefix_lines(err.message)
        raise
    log.info("update by %s (%d bytes) accepted by the gate", who, len(text))
    return Response(status=204, headers={"Cache-Control": "no-store"})
