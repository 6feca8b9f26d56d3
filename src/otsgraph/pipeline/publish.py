"""`otsgraph publish --to URL`: the built graph pushed to any SPARQL 1.1 store (docs/deploy.md).

What it sends: every shipped named graph (the ontology, asserted, background, provenance, links,
labels, inferred, inferred-from-background, and each claim graph), as the build seeds its own store.
It replaces only those: graph:additions, graph:audit and any other graph in the store are kept.

How it keeps the previous release whole:
1. A switch that an interrupted publish began is finished first, and the staging graphs a publish
   cut earlier left are dropped.
2. Each graph is written under staging names (`urn:otsgraph:staging:<sha1 of its IRI>`, in parts of
   at most 10,000 triples; small graphs together, some hundreds a request). An interruption here
   leaves the published graphs as they were.
3. The switch (pipeline/switch.py) puts the staged graphs onto their names and drops the graphs the
   previous release had and this one has not, in requests of bounded size, journaled in the store.
   It holds the fronts' write lock (core/fronts_lock.py) and flags itself beside the data version, so
   the fronts (`serve --backend`) answer from their copies of the previous release until it ends by
   bumping the version; a cut switch is finished by the next publish. A switch of up to 10,000
   triples is one request, atomic on a store that runs a request as one transaction.
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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from otsgraph import __version__
from otsgraph.core.fronts_lock import LockLost
from otsgraph.core.namespaces import BASE, RDF_TYPE
from otsgraph.core.remote import UPDATE_BATCH, BackendError, BackendUnreachable, RemoteStore, term_of

from .switch import (
    STAGING,
    SWITCH_BATCH,
    SWITCH_GRAPH,
    Group,
    Journal,
    LockBusy,
    drop_in_requests,
    drop_parts,
    fronts_lock,
    journal,
    resume,
    run,
    staging_name,
)

RELEASE_GRAPH = BASE + "graph/release"
GENID = BASE + ".well-known/genid/"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"

Progress = Callable[[str], None]
#: the named points of a publish, for the test hook (gate/commit_hook.py)
POINTS = ("staged", "switching")
#: graphs a verification reads in one query, and the most rows it asks for at once
VERIFY_GRAPHS = 500
VERIFY_ROWS = 10_000

__all__ = ["LockBusy", "SwitchCut", "publish", "verify"]


class SwitchCut(Exception):
    """The switch stopped part way (the store went away, refused a request, or the lock was taken):
    the next publish finishes it."""


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


def remote_triples(store: RemoteStore, graph: str) -> list[ox.Triple]:
    rows = store.graph_rows(graph)  # (in pages, where the store cuts its answers)
    return [ox.Triple(term_of(r["s"]), term_of(r["p"]), term_of(r["o"])) for r in rows]


def _graph_names(rows: list[dict]) -> list[str]:
    """The IRIs of ?g, each checked as an IRI: they go into DROP statements, written as <…>."""
    return sorted({name for name in map(_graph_name, rows) if name is not None})


def _graph_name(row: dict) -> str | None:
    """?g of a row when it is an IRI that can be written as <…> (no '>' or space in it), else None."""
    value = row.get("g", {})
    if value.get("type") != "uri":
        return None
    try:
        return ox.NamedNode(value["value"]).value
    except ValueError:
        return None


def previous_graphs(store: RemoteStore) -> list[str]:
    """The graphs the last release recorded (none before a first publish)."""
    return sorted(previous_sizes(store))


def previous_sizes(store: RemoteStore) -> dict[str, int]:
    """The graphs the last release recorded, each with the triples it recorded."""
    rows = store.select(
        f"SELECT ?g ?n WHERE {{ GRAPH <{RELEASE_GRAPH}> {{ "
        f"?part <{SD}name> ?g OPTIONAL {{ ?part <{VOID}triples> ?n }} }} }}"
    )
    return _sized(rows)


def stale_staging(store: RemoteStore) -> dict[str, int]:
    """Staging graphs a publish cut before its switch left, with their triples."""
    where = f'WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}'
    return _sized(store.select(f"SELECT ?g (COUNT(*) AS ?n) {where} GROUP BY ?g"))


def _sized(rows: list[dict]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for row in rows:
        name = _graph_name(row)
        if name is None:
            continue
        try:
            count = int(row.get("n", {}).get("value", "0"))
        except ValueError:
            count = 0
        sizes[name] = max(sizes.get(name, 0), count)
    return sizes


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


def publish(
    store: RemoteStore,
    quads: Iterable[ox.Quad],
    progress: Progress = lambda _: None,
    hook: Callable[[str], None] = lambda _: None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    batch: int = SWITCH_BATCH,
) -> Published:
    """Publish the release's quads to the store, switch to them, verify them. `batch`: the most
    triples a staged part holds and a request of the switch moves (pipeline/switch.py)."""
    graphs = by_graph(skolemised(quads))
    sums = {g: checksum(ts) for g, ts in graphs.items()}
    if resume(store, progress, hook, batch):
        progress("the interrupted publish's release is in place; now this one")
    before: dict[str, int] = {}
    while stale := stale_staging(store):  # (a store that cuts its answers lists them in rounds)
        if stale == before:
            raise BackendError("drop of staging graphs: answered as done, and they are still there", 200, b"")
        progress(f"dropping {len(stale)} staging graphs an interrupted publish left")
        drop_in_requests(store, [(f"DROP SILENT GRAPH <{g}>", max(1, n)) for g, n in stale.items()], batch)
        before = stale
    previous = previous_sizes(store)
    release = f"{BASE}release/{__version__}"
    record = release_record(sums, now())
    staged = {g: stage_parts(g, ts, batch) for g, ts in [*sorted(graphs.items()), (RELEASE_GRAPH, record)]}
    send_staged(store, [part for parts in staged.values() for part in parts], batch, progress)
    dropped = [g for g in previous if g not in graphs and g != RELEASE_GRAPH]
    groups = [Group(g, previous[g]) for g in dropped]
    groups += [
        Group(g, previous.get(g, 0), tuple((name, len(lines)) for name, lines in staged[g])) for g in staged
    ]
    store.put_graph(SWITCH_GRAPH, journal(release, groups))
    hook("staged")  # every graph sent, nothing switched yet (tests interrupt here)
    progress(f"switching to the new release: {len(graphs)} graphs, {len(dropped)} dropped")
    with fronts_lock(store, progress) as lock:
        try:
            run(store, Journal(release, 0, groups), lock, progress, hook, batch)
        except (BackendUnreachable, BackendError, LockLost) as err:
            raise SwitchCut(
                f"{err}; the switch to {release} stopped part way: the fronts answer from their copies of "
                "the previous release and take no writes until `otsgraph publish` is run again, which "
                "finishes it first (docs/deploy.md)"
            ) from err
    drop_parts(store, groups, batch)
    verify(store, sums, progress)
    return Published(sums, dropped, release)


def stage_parts(graph: str, triples: Iterable[ox.Triple], batch: int) -> list[tuple[str, list[str]]]:
    """A graph's staging parts: (name, N-Triples lines), at most `batch` lines each."""
    lines = sorted({f"{t.subject} {t.predicate} {t.object} .\n" for t in triples})
    return [
        (staging_name(graph, n), lines[start : start + batch])
        for n, start in enumerate(range(0, len(lines), batch))
    ]


def send_staged(
    store: RemoteStore, parts: list[tuple[str, list[str]]], batch: int, progress: Progress
) -> None:
    """Each part to its staging graph: a large one by itself (a Graph Store PUT where the store has
    one), small ones together in one INSERT DATA (a request a graph cost 2 ms each, 66k graphs at 1M)."""
    together = UPDATE_BATCH if store.graph_store_url is None else batch  # (Virtuoso's compiler: 2,000 lines)
    pending: list[tuple[str, list[str]]] = []
    held = 0
    for n, (name, lines) in enumerate([*parts, ("", [])], 1):  # ("": the end)
        if pending and (not name or held + len(lines) > together):
            blocks = "\n".join(f"GRAPH <{g}> {{\n{''.join(ls)}}}" for g, ls in pending)
            store.update(f"INSERT DATA {{\n{blocks}\n}}")
            pending, held = [], 0
        if not name:
            break
        if len(lines) > together // 2:
            store.put_graph(name, "".join(lines).encode("utf-8"))
        else:
            pending.append((name, lines))
            held += len(lines)
        if n % 5000 == 0:
            progress(f"staged {n} of {len(parts)} parts")


def verify(store: RemoteStore, sums: dict[str, tuple[int, str]], progress: Progress) -> None:
    """Each graph read back: the same count and checksum as sent; VerificationFailed naming the rest.
    Small graphs are read some hundreds a query (66k graphs at 1M); one whose answer differs (a
    difference, or an answer the store cut) is read again by itself, in pages where the store cuts."""
    progress(f"verifying {len(sums)} graphs")
    alone = sorted(g for g, (count, _) in sums.items() if count > VERIFY_ROWS // 2)
    batch: list[str] = []
    rows = 0
    for graph in [*sorted(g for g in sums if g not in alone), None]:  # (None: the end)
        if batch and (graph is None or len(batch) >= VERIFY_GRAPHS or rows + sums[graph][0] > VERIFY_ROWS):
            read = _triples_of(store, batch)
            alone += [g for g in batch if checksum(read.get(g, [])) != sums[g]]
            batch, rows = [], 0
        if graph is not None:
            batch.append(graph)
            rows += sums[graph][0]
    wrong = []
    for graph in sorted(alone):
        got, expected = checksum(remote_triples(store, graph)), sums[graph]
        if got != expected:
            wrong.append(
                f"{graph}: {got[0]} triples (sha256 {got[1][:12]}…), sent {expected[0]} ({expected[1][:12]}…)"
            )
    if wrong:
        raise VerificationFailed(f"{len(wrong)} of {len(sums)} graphs differ:\n  " + "\n  ".join(wrong))


def _triples_of(store: RemoteStore, graphs: list[str]) -> dict[str, list[ox.Triple]]:
    names = " ".join(f"<{g}>" for g in graphs)
    rows = store.select(f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    read: dict[str, list[ox.Triple]] = defaultdict(list)
    for r in rows:
        read[r["g"]["value"]].append(ox.Triple(term_of(r["s"]), term_of(r["p"]), term_of(r["o"])))
    return read
