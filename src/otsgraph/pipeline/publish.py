"""`otsgraph publish --to URL`: the built graph pushed to any SPARQL 1.1 store (docs/deploy.md).

What it sends: every shipped named graph (the ontology, asserted, background, provenance, links,
labels, inferred, inferred-from-background, and each claim graph), as the build seeds its own store.
It replaces only those: graph:additions, graph:audit and any other graph in the store are kept.

How it keeps the previous release whole:
1. Stale staging graphs (a publish interrupted before) are dropped.
2. Each graph is written under a staging name (`urn:otsgraph:staging:<sha1 of its IRI>`), one request
   a graph. An interruption here leaves the published graphs as they were.
3. One SPARQL Update switches: the graphs the previous release had and this one has not are
   dropped, and each staging graph (the release record's too) is MOVEd onto its name. Stores that
   run an update request as one transaction (Oxigraph, Fuseki/TDB2, GraphDB) switch atomically.
   A store whose SPARQL compiler cannot take thousands of statements in one request (Virtuoso)
   gets them in requests of `RemoteStore.statements_per_update`, which is not atomic
   (docs/deploy.md).
   The switch holds the fronts' write lock (core/fronts_lock.py), and ends by bumping the data
   version (core/data_version.py), so that the fronts (`serve --backend`) read the data again.
4. Each graph is read back and compared, by count and by the SHA-256 of its sorted N-Triples.

Blank nodes are skolemised first (RDF 1.1 §3.5): a remote store cannot name a blank node in a later
DELETE, and a checksum needs stable names. Literals are sent as Oxigraph stores them (the embedded
store does the same), so an Oxigraph backend gives back exactly what was sent; an engine that
rewrites literals otherwise (Virtuoso normalises some datatypes) fails the verification, which names
the graphs that differ. The shipped files' blank nodes get new ids at every parse,
so their skolem IRIs come from the RDFC-1.0 canonical labelling of the whole release: the same data
gives the same IRIs, which makes a publish idempotent.

The release record (graph:release) is a VoID description: the version, the date, each graph's
triple count and checksum.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from otsgraph import __version__
from otsgraph.core import data_version
from otsgraph.core.fronts_lock import ClusterLock, LockNotKept
from otsgraph.core.namespaces import BASE, RDF_TYPE
from otsgraph.core.remote import RemoteStore, term_of

RELEASE_GRAPH = BASE + "graph/release"
GENID = BASE + ".well-known/genid/"
STAGING = "urn:otsgraph:staging:"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"

Progress = Callable[[str], None]
#: the named points of a publish, for the test hook (gate/commit_hook.py)
POINTS = ("staged",)


#: seconds a publish waits for the fronts' write lock before it switches
LOCK_WAIT = 120.0


class LockBusy(Exception):
    """A front held the write lock for longer than a publish waits."""


class VerificationFailed(Exception):
    """The store does not hold what was sent: which graphs, and how they differ."""


@dataclass
class Published:
    graphs: dict[str, tuple[int, str]]  # graph IRI -> (triples, sha256)
    dropped: list[str] = field(default_factory=list)  # graphs of the previous release not in this one
    release: str = ""


def skolemised(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with every blank node replaced by a stable IRI under /.well-known/genid/, and
    their literals as Oxigraph stores them (it keeps an xsd:positiveInteger as an xsd:integer, for
    one): what is sent is then what an Oxigraph store gives back, to the byte."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)

    def term(t):
        return ox.NamedNode(GENID + t.value) if isinstance(t, ox.BlankNode) else t

    stored = ox.Store()
    stored.extend(ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name)) for q in dataset)
    return list(stored)


def by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Triple]]:
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for q in quads:
        if not isinstance(q.graph_name, ox.NamedNode):
            raise ValueError(f"a shipped quad outside a named graph: {q}")
        graphs[q.graph_name.value].append(ox.Triple(q.subject, q.predicate, q.object))
    return dict(graphs)


_BOOLEAN = XSD + "boolean"
_INTEGER = XSD + "integer"
_DECIMAL = XSD + "decimal"


def canonical_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A term in N-Triples, a literal of xsd:boolean, xsd:integer or xsd:decimal in its canonical
    lexical form (XSD 1.1): stores write the same value differently (Virtuoso gives back "1" for
    "true"), and the checksum compares values, not spellings."""
    if isinstance(term, ox.Literal) and term.datatype.value in (_BOOLEAN, _INTEGER, _DECIMAL):
        value, kind = term.value.strip(), term.datatype.value
        try:
            if kind == _BOOLEAN and value in ("true", "false", "1", "0"):
                value = "true" if value in ("true", "1") else "false"
            elif kind == _INTEGER:
                value = str(int(value))
            elif kind == _DECIMAL:
                number = decimal.Decimal(value)
                value = format(number.normalize(), "f") if number != 0 else "0"
                value = value if "." in value else value + ".0"
        except (ValueError, decimal.InvalidOperation):
            return str(term)  # ill-formed: compared as written
        return str(ox.Literal(value, datatype=term.datatype))
    return str(term)


def canonical_lines(triples: Iterable[ox.Triple]) -> list[str]:
    """Sorted N-Triples lines, one per distinct triple, literals canonical: the checksum's input."""
    return sorted({f"{t.subject} {t.predicate} {canonical_term(t.object)} ." for t in triples})


def checksum(triples: Iterable[ox.Triple]) -> tuple[int, str]:
    lines = canonical_lines(triples)
    return len(lines), hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def staging_name(graph: str) -> str:
    return STAGING + hashlib.sha1(graph.encode("utf-8")).hexdigest()


def remote_triples(store: RemoteStore, graph: str) -> list[ox.Triple]:
    rows = store.graph_rows(graph)  # (in pages, where the store cuts its answers)
    return [ox.Triple(term_of(r["s"]), term_of(r["p"]), term_of(r["o"])) for r in rows]


def _graph_names(rows: list[dict]) -> list[str]:
    """The IRIs of ?g, each checked as an IRI: they go into DROP statements, written as <…>."""
    names = []
    for row in rows:
        value = row.get("g", {})
        if value.get("type") == "uri":
            try:
                names.append(ox.NamedNode(value["value"]).value)
            except ValueError:
                continue  # not an IRI (a '>' or a space in it): never written into an update
    return sorted(set(names))


def previous_graphs(store: RemoteStore) -> list[str]:
    """The graphs the last release recorded (none before a first publish)."""
    return _graph_names(
        store.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH <{RELEASE_GRAPH}> {{ ?part <{SD}name> ?g }} }}")
    )


def stale_staging(store: RemoteStore) -> list[str]:
    return _graph_names(
        store.select(
            f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}'
        )
    )


def release_record(graphs: dict[str, tuple[int, str]], when: dt.datetime) -> list[ox.Triple]:
    """graph:release: a VoID description of this release, one subset per graph."""
    release = ox.NamedNode(f"{BASE}release/{__version__}")

    def t(s, p, o) -> ox.Triple:
        return ox.Triple(s, ox.NamedNode(p), o)

    total = sum(n for n, _ in graphs.values())
    out = [
        ox.Triple(release, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
        t(release, OWL + "versionInfo", ox.Literal(__version__)),
        t(release, DCT + "issued", ox.Literal(when.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))),
        t(release, VOID + "triples", ox.Literal(str(total), datatype=ox.NamedNode(XSD + "integer"))),
    ]
    for graph, (count, digest) in sorted(graphs.items()):
        part = ox.NamedNode(f"{BASE}release/{__version__}/graph/{hashlib.sha1(graph.encode()).hexdigest()}")
        out += [
            t(release, VOID + "subset", part),
            ox.Triple(part, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
            t(part, SD + "name", ox.NamedNode(graph)),
            t(part, VOID + "triples", ox.Literal(str(count), datatype=ox.NamedNode(XSD + "integer"))),
            t(part, SPDX + "checksumValue", ox.Literal(digest)),
        ]
    return out


def _ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """N-Triples as the terms are written: only the checksum compares canonical values."""
    return "".join(sorted({f"{t.subject} {t.predicate} {t.object} .\n" for t in triples})).encode("utf-8")


def publish(
    store: RemoteStore,
    quads: Iterable[ox.Quad],
    progress: Progress = lambda _: None,
    hook: Callable[[str], None] = lambda _: None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> Published:
    """Publish the release's quads to the store, switch to them at once, verify them."""
    graphs = by_graph(skolemised(quads))
    sums = {g: checksum(ts) for g, ts in graphs.items()}
    for stale in stale_staging(store):
        progress(f"dropping {stale}: left by an interrupted publish")
        store.update(f"DROP SILENT GRAPH <{stale}>")
    previous = previous_graphs(store)
    for n, (graph, triples) in enumerate(sorted(graphs.items()), 1):
        if n % 50 == 1 or n == len(graphs):
            progress(f"sending graph {n} of {len(graphs)}")
        store.put_graph(staging_name(graph), _ntriples(triples))
    store.put_graph(staging_name(RELEASE_GRAPH), _ntriples(release_record(sums, now())))
    hook("staged")  # every graph sent, nothing switched yet (tests interrupt here)
    dropped = [g for g in previous if g not in graphs and g != RELEASE_GRAPH]
    switch = [f"DROP SILENT GRAPH <{g}>" for g in dropped]
    switch += [f"MOVE SILENT GRAPH <{staging_name(g)}> TO <{g}>" for g in [*sorted(graphs), RELEASE_GRAPH]]
    progress(f"switching to the new release: {len(graphs)} graphs, {len(dropped)} dropped")
    lock = ClusterLock(store)  # no front commits meanwhile (serve --backend)
    try:
        held = lock.acquire(time.monotonic() + LOCK_WAIT)
    except LockNotKept as err:
        raise LockBusy(str(err)) from None
    if not held:
        raise LockBusy(
            f"the fronts' write lock was held for {LOCK_WAIT:g} s: try again, or see docs/deploy.md"
        )
    try:
        size = store.statements_per_update or len(switch)
        for start in range(0, len(switch), size):  # one request, unless the store cannot take that
            store.update(" ;\n".join(switch[start : start + size]))
        at = data_version.read(store).number
        store.update(data_version.bump(at, f"{BASE}release/{__version__}"))  # the fronts read it again
    finally:
        lock.release()
    verify(store, sums, progress)
    return Published(sums, dropped, f"{BASE}release/{__version__}")


def verify(store: RemoteStore, sums: dict[str, tuple[int, str]], progress: Progress) -> None:
    """Each graph read back: the same count and checksum as sent; VerificationFailed naming the rest."""
    progress(f"verifying {len(sums)} graphs")
    wrong = []
    for graph, expected in sorted(sums.items()):
        got = checksum(remote_triples(store, graph))
        if got != expected:
            wrong.append(
                f"{graph}: {got[0]} triples (sha256 {got[1][:12]}…), sent {expected[0]} ({expected[1][:12]}…)"
            )
    if wrong:
        raise VerificationFailed(f"{len(wrong)} of {len(sums)} graphs differ:\n  " + "\n  ".join(wrong))
