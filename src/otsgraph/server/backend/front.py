"""A front of a remote store (`serve --backend URL`): its copy of the data, and how it writes.

The remote store holds the data; the front keeps a copy (the mirror: the server's own store) of the
graphs it serves, which its pages, reconciliation, Graph Store reads and the gate read, while client
SPARQL runs on the remote store (executor.py). The mirror is current by the data version
(core/data_version.py): before a request the front reads the version (at most every `poll`
seconds) and, when it moved, applies the changes kept beside it (the deltas of the last 100
versions), or reads the graphs again when they are not all there (after a publish, say).

A write (FrontWriteLock, then `write`):
1. take this process's write lock, then the fronts' lock in the store (core/fronts_lock.py);
2. bring the mirror to the store's version, so the gate checks the change against the data as it is;
3. the gate checks the change; an accepted one is sent as one guarded update (each operation holds
   only while the store is at the version read in 2) that ends by bumping the version; Virtuoso
   gets it in requests of 500 statements;
4. the version is read back: it must be the next one, made by this change, else 409 and the mirror
   is read again;
5. the same quads are applied to the mirror, and the lock is given back.
Blank nodes never reach the store: the change's are skolemised first (a store cannot name a blank
node in a later DELETE, and the mirror must hold what the store holds).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from otsgraph.core import data_version
from otsgraph.core.data_version import DataVersion
from otsgraph.core.fronts_lock import ClusterLock
from otsgraph.core.graphs import ADDITIONS, AUDIT
from otsgraph.core.remote import BackendError, BackendUnreachable, RemoteStore, term_of
from otsgraph.gate import audit
from otsgraph.gate.change import Change
from otsgraph.pipeline.publish import GENID, RELEASE_GRAPH, previous_graphs

from ..execution.safety import ProtocolError

PROV_MEMBER = "http://www.w3.org/ns/prov#hadMember"
LIMIT_HINT = "raise its result limit (Virtuoso: [SPARQL] ResultSetMaxRows; docs/deploy.md)"
GRAPHS_PER_READ = 500  # Virtuoso 7 refuses a VALUES of 8,000 graph names (SP030), takes 4,000


class Truncated(Exception):
    """The store gave back fewer triples than it holds (Virtuoso's ResultSetMaxRows)."""


def unreachable(err: Exception) -> ProtocolError:
    return ProtocolError(
        503, "backend-unreachable", f"the backend store did not answer: {err}", {"Retry-After": "5"}
    )


def switching_at_start(release: str) -> ProtocolError:
    """A front with no copy yet, while a publish switches: the store holds graphs of both releases
    until the switch ends, and a copy read now would be a mix of them."""
    return ProtocolError(
        503,
        "backend-switching",
        f"a publish is switching the backend to {release}: until it ends the store holds graphs of "
        "both releases, so a front reads its copy only after it (start it again then; a cut switch "
        "is finished by the next `otsgraph publish`)",
        {"Retry-After": "30"},
    )


def switching(release: str) -> ProtocolError:
    return ProtocolError(
        503,
        "backend-switching",
        f"a publish is switching the backend to {release}: writes wait until it ends (docs/deploy.md)",
        {"Retry-After": "30"},
    )


class Backend:
    def __init__(self, remote: RemoteStore, poll: float = 0.0, lease: float = 120.0) -> None:
        self.remote = remote
        self.poll = poll  # seconds between two reads of the version (0: before every request)
        self.lock = ClusterLock(remote, lease)
        self.engine = remote.engine()
        self.version = DataVersion(-1, "")  # what the mirror holds (-1: nothing yet)
        self.release: frozenset[ox.Quad] = frozenset()
        self.reloads = 0  # whole reads of the data
        self.applied = 0  # deltas applied instead
        self.conflicts = 0
        #: the release a publish is switching to, in requests a reader of the store would see half
        #: done (pipeline/switch.py): meanwhile the front answers from its copy and takes no writes
        self.switching = ""
        #: the most rows the store gives in one answer, where it cuts (Virtuoso's ResultSetMaxRows):
        #: probed at start, or learned reading the copy; None when no cut was seen
        self.row_cap: int | None = self._probe_row_cap() if self.engine == "virtuoso" else None
        self._checked = 0.0
        self._sync = threading.Lock()

    # ---- reading --------------------------------------------------------------------------------

    def _probe_row_cap(self, rows: int = 20_000) -> int | None:
        """The store's cut, if it is below `rows` (the ini Virtuoso ships cuts at 10,000): one query
        of that many rows made of VALUES, which reads no data."""
        first = " ".join(str(n) for n in range(200))
        second = " ".join(str(n) for n in range(rows // 200))
        try:
            answer = self.remote.select(
                f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {first} }} VALUES ?b {{ {second} }} }}"
            )
        except (BackendUnreachable, BackendError):
            return None  # (the start reads the store next, and says what is wrong)
        return len(answer) if len(answer) < rows else None

    def graphs(self) -> list[str]:
        """The graphs a front serves: the release's, its record, the additions' and the log."""
        members = f"<{ADDITIONS.value}> <{PROV_MEMBER}> ?g"
        added = self.remote.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH <{AUDIT.value}> {{ {members} }} }}")
        names = {r["g"]["value"] for r in added if r.get("g", {}).get("type") == "uri"}
        fixed = {RELEASE_GRAPH, ADDITIONS.value, AUDIT.value}
        return sorted({*previous_graphs(self.remote), *fixed, *names})

    def fetch(self) -> tuple[DataVersion, list[ox.Quad]]:
        """The store's version and the quads of its served graphs, read whole: a read that a
        write overlapped (the version moved meanwhile) is read again."""
        for _ in range(5):
            before = data_version.read(self.remote)
            quads = self._quads(self.graphs())
            if data_version.read(self.remote) == before:
                return before, quads
        said = "the backend's data kept changing while this front read it"
        raise ProtocolError(503, "backend-busy", said, {"Retry-After": "5"})

    def _quads(self, graphs: list[str]) -> list[ox.Quad]:
        """The quads of these graphs, some hundreds of graphs a query (a release has a claim graph
        for each fact, thousands of them, and Virtuoso's SPARQL compiler refuses a VALUES that long)."""
        quads: list[ox.Quad] = []
        for start in range(0, len(graphs), GRAPHS_PER_READ):
            quads += self._quads_of(graphs[start : start + GRAPHS_PER_READ])
        return quads

    def _quads_of(self, graphs: list[str]) -> list[ox.Quad]:
        where = _where(graphs)
        counted = self.remote.select(f"SELECT (COUNT(*) AS ?n) {where}")
        expected = int(counted[0]["n"]["value"]) if counted else 0
        rows = self.remote.select(f"SELECT ?g ?s ?p ?o {where}")
        if len(rows) == expected:
            return _quads_in(rows)
        if not rows or len(rows) > expected:
            raise Truncated(
                f"the backend holds {expected:,} triples in the served graphs but returned {len(rows):,}: "
                + LIMIT_HINT
            )
        # the store cuts an answer at len(rows) rows (Virtuoso's ResultSetMaxRows, 10,000 in the ini it
        # ships, as on public endpoints): read again in answers of at most that many
        self.row_cap = len(rows)
        return self._paged(graphs, len(rows), expected)

    def _paged(self, graphs: list[str], page: int, expected: int) -> list[ox.Quad]:
        """The quads of these graphs in answers of at most `page` rows: small graphs together, a larger
        one in pages (RemoteStore.graph_rows); each graph checked: as many distinct triples read as it
        holds, else Truncated."""
        sizes = self.remote.select(f"SELECT ?g (COUNT(*) AS ?n) {_where(graphs)} GROUP BY ?g")
        held = {r["g"]["value"]: int(r["n"]["value"]) for r in sizes}
        if sum(held.values()) != expected:  # the sizes themselves were cut
            raise Truncated(f"the backend's answers are cut at {page:,} rows: {LIMIT_HINT}")
        quads: list[ox.Quad] = []
        batch: list[str] = []
        in_batch = 0  # triples in the graphs of the batch
        for graph in [*sorted(g for g in held if held[g] <= page), None]:  # None: the last batch
            if batch and (graph is None or in_batch + held[graph] > page):
                answer = self.remote.select(f"SELECT ?g ?s ?p ?o {_where(batch)}")
                quads += self._whole({g: held[g] for g in batch}, _quads_in(answer))
                batch, in_batch = [], 0
            if graph is not None:
                batch.append(graph)
                in_batch += held[graph]
        for graph in sorted(g for g in held if held[g] > page):
            name = ox.NamedNode(graph)
            rows = self.remote.graph_rows(graph, page)  # (known to be cut: in pages at once)
            triples = [ox.Quad(term_of(r["s"]), term_of(r["p"]), term_of(r["o"]), name) for r in rows]
            quads += self._whole({graph: held[graph]}, triples)
        return quads

    @staticmethod
    def _whole(held: dict[str, int], quads: list[ox.Quad]) -> list[ox.Quad]:
        """These quads, when they are each graph's whole (`held`: its triples), else Truncated."""
        quads = list(dict.fromkeys(quads))
        read: dict[str, int] = {}
        for quad in quads:
            read[quad.graph_name.value] = read.get(quad.graph_name.value, 0) + 1
        short = [g for g, n in held.items() if read.get(g, 0) != n]
        if short:
            raise Truncated(
                f"the backend holds {held[short[0]]:,} triples in <{short[0]}> but its answers gave "
                f"{read.get(short[0], 0):,} distinct ones: {LIMIT_HINT}"
            )
        return quads

    def refresh(self, mirror: ox.Store, mirror_lock: threading.RLock, force: bool = False) -> bool:
        """Bring the mirror to the store's version; True when it was read again."""
        if not force and self.poll and time.monotonic() - self._checked < self.poll:
            return False
        try:
            with self._sync:
                current = data_version.read(self.remote)
                self._checked = time.monotonic()
                self.switching = current.switching
                if current == self.version:  # (a switch begun leaves the version as it is)
                    return False
                if current.switching and self.version.number < 0:
                    raise switching_at_start(current.switching)
                if self._apply_deltas(mirror, mirror_lock, current):
                    return True
                version, quads = self.fetch()
                with mirror_lock:
                    _replace(mirror, quads)
                    self.version = version
                    self.release = frozenset(q for q in quads if q.graph_name.value == RELEASE_GRAPH)
                self.reloads += 1
                return True
        except (BackendUnreachable, BackendError, Truncated, data_version.AmbiguousVersion) as err:
            raise unreachable(err) from None

    def _apply_deltas(self, mirror: ox.Store, mirror_lock: threading.RLock, current: DataVersion) -> bool:
        """Bring the mirror to `current` by the changes kept beside the version, in order; False
        when they are not all kept (then everything is read again)."""
        mine = self.version.number
        if mine < 0 or current.number <= mine:
            return False
        found = data_version.deltas(self.remote, mine, current.number)
        if found is None:
            return False
        with mirror_lock:
            for number in sorted(found):
                added, removed = found[number]
                for quad in audit.parse_quads(removed):
                    mirror.remove(quad)
                mirror.extend(audit.parse_quads(added))
            self.version = current
        self.applied += len(found)
        return True

    def _undo(self, mirror: ox.Store, adds: list[ox.Quad], removes: list[ox.Quad], at: int) -> None:
        """Best effort, after a commit failed between two of its requests: the version did not move,
        so the guard still holds and the inverse applies. The mirror holds the store as it was before
        the commit (version `at`): a quad it holds stays (an earlier change's agent, whom the log
        record names again), one it lacks is not put back. What it cannot undo, a whole read finds."""
        added = [q for q in dict.fromkeys(adds) if q not in mirror]
        removed = [q for q in dict.fromkeys(removes) if q in mirror]
        with contextlib.suppress(BackendUnreachable, BackendError):
            for operation in _undo_operations(added, removed, at):
                self.remote.update(operation)

    # ---- writing --------------------------------------------------------------------------------

    def write(self, mirror: ox.Store, plan, record: audit.AuditRecord, hook) -> None:
        """The gate's applier: the change to the store (guarded, then verified), then to the mirror."""
        adds, removes = audit.change_quads(plan, record)
        at = self.version.number
        operations = [*_guarded("DELETE", removes, at), *_guarded("INSERT", adds, at)]
        delta = (audit.serialise_quads(adds), audit.serialise_quads(removes))
        operations.append(data_version.bump(at, record.iri, delta))
        sent = 0
        try:
            if self.remote.statements_per_update is None:  # one request: one transaction
                self.remote.update(" ;\n".join(operations))
            else:  # Virtuoso: an operation of at most 500 statements a request
                for operation in operations:
                    self.remote.update(operation)
                    sent += 1
            after = data_version.read(self.remote)
        except (BackendUnreachable, BackendError) as err:
            if sent:  # some requests of a Virtuoso commit went in, the version's bump did not
                self._undo(mirror, adds, removes, at)
            self.version = DataVersion(-1, "")  # read everything again before the next request
            raise unreachable(err) from None
        if after != DataVersion(at + 1, record.iri):
            self.conflicts += 1
            self.version = DataVersion(-1, "")
            raise ProtocolError(
                409,
                "conflict",
                f"the backend's data version is {after.number} ({after.head or 'no head'}), not the one this "
                f"change was to make ({at + 1}): something wrote past the fronts' lock (docs/deploy.md). "
                "This front reads the data again; look for this change in the log before sending it again",
            )
        audit.apply(mirror, plan, record, hook)
        self.version = after


def _where(graphs: Iterable[str]) -> str:
    """The triples of these graphs, with ?g."""
    iris = " ".join(f"<{ox.NamedNode(g).value}>" for g in graphs)
    return f"WHERE {{ VALUES ?g {{ {iris} }} GRAPH ?g {{ ?s ?p ?o }} }}"


def _quads_in(rows: list[dict]) -> list[ox.Quad]:
    return [
        ox.Quad(term_of(r["s"]), term_of(r["p"]), term_of(r["o"]), ox.NamedNode(r["g"]["value"]))
        for r in rows
    ]


def _undo_operations(adds: list[ox.Quad], removes: list[ox.Quad], at: int) -> list[str]:
    """The inverse of a change at version `at`: what it added taken out, what it removed put back
    (the plan adds only quads the store did not hold, and removes only quads it held)."""
    return [*_guarded("DELETE", adds, at), *_guarded("INSERT", removes, at)]


def _guarded(verb: str, quads: list[ox.Quad], at: int, per_operation: int = 500) -> list[str]:
    """DELETE or INSERT operations for these quads, each applied only while the store is at `at`."""
    out = []
    for start in range(0, len(quads), per_operation):
        block = "\n".join(
            f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"
            for q in quads[start : start + per_operation]
        )
        out.append(f"{verb} {{\n{block}\n}}\n{data_version.guard(at)}")
    return out


def _replace(mirror: ox.Store, quads: list[ox.Quad]) -> None:
    """The mirror becomes `quads`, by difference (a reader sees each part whole, never an empty store)."""
    wanted = set(quads)
    held = set(mirror.quads_for_pattern(None, None, None, None))
    stale = held - wanted
    if stale:
        mirror.update("DELETE DATA {\n" + "\n".join(_quad_text(q) for q in stale) + "\n}")
    mirror.extend(wanted - held)
    for graph in mirror.named_graphs():
        if not any(True for _ in mirror.quads_for_pattern(None, None, None, graph)):
            mirror.remove_graph(graph)


def _quad_text(q: ox.Quad) -> str:
    if isinstance(q.graph_name, ox.DefaultGraph):
        return f"{q.subject} {q.predicate} {q.object} ."
    return f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"


def skolemised(change: Change) -> Change:
    """The change with each blank node named by a fresh skolem IRI (RDF 1.1 §3.5)."""
    names: dict[ox.BlankNode, ox.NamedNode] = {}

    def term(t):
        if isinstance(t, ox.BlankNode):
            return names.setdefault(t, ox.NamedNode(f"{GENID}{uuid.uuid4().hex}"))
        return t

    def quads(group: Iterable[ox.Quad]) -> list[ox.Quad]:
        return [ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name)) for q in group]

    if not any(isinstance(t, ox.BlankNode) for q in (*change.add, *change.remove) for t in q):
        return change
    return Change(add=quads(change.add), remove=quads(change.remove), exact=change.exact)


class FrontWriteLock:
    """The server's write lock in front of a remote store: this process's lock, then (for the
    outermost holder) the fronts' lock in the store with the mirror brought to its version.
    Re-entrant, as the plain lock is; `acquire(timeout=…)` answers False once the time is up."""

    def __init__(
        self, local: threading.RLock, first: Callable[[float], bool], last: Callable[[], None], wait: float
    ) -> None:
        self.local = local
        self.wait = wait  # seconds `with lock:` waits for the fronts' lock before 409
        self._first = first  # called with the deadline by the outermost acquire: True when held
        self._last = last
        self._depth = 0  # guarded by `local`

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        wait = timeout if timeout >= 0 else 3600.0
        deadline = time.monotonic() + wait
        if not self.local.acquire(blocking, timeout if blocking else -1):
            return False
        if self._depth == 0:
            try:
                held = self._first(deadline)
            except BaseException:
                self.local.release()
                raise
            if not held:
                self.local.release()
                return False
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                self._last()
        finally:
            self.local.release()

    def __enter__(self) -> FrontWriteLock:
        if not self.acquire(timeout=self.wait):
            raise ProtocolError(409, "conflict", "another front held the write lock for too long; try again")
        return self

    def __exit__(self, *_exc) -> None:
        self.release()
