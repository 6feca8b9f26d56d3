"""The switch of a publish: the staged graphs onto their names, in requests of bounded size, with a
journal in the store, so that a switch cut in the middle is finished by the next publish.

Why not every graph MOVEd in one request: at 1M triples (2.6M quads in 66k graphs) one request
outlasted every timeout. Oxigraph's server runs an update in one transaction whose cost per triple
grows with its size (a MOVE of 5k triples took 26 µs a triple, of 50k 66 µs, of 200k 110 µs; an ADD
costs half a MOVE), and Virtuoso refuses a request whose transaction log outgrows its
TransactionAfterImageLimit (SR325).

So the switch is planned as groups, one a graph, in order. A graph the previous release recorded
as larger than a request is first emptied by DELETEs of at most `batch` triples. A graph staged in
one part is then MOVEd onto its name; one staged in several parts is dropped and each part ADDed.
A request does at most `batch` triples' work in at most the store's statements per update. The
journal counts the groups done, in the request of their last step, and a cut switch is done again
from the first group not counted: a MOVEd group whose part is gone is done; any other can be done
again whole, since parts that are ADDed stay staged until the switch has ended. The release
record's group comes last.

The journal (graph <…/graph/switch>) is written before the switch begins. The switch begins by
setting the SWITCHING flag beside the data version (core/data_version.py): from then on the fronts
answer from their copies, which hold the previous release whole, and take no writes until the
version moves. The switch ends with one request (the version bumped, the flag cleared, the journal
dropped), and then the staged parts are dropped. The whole switch holds the fronts' write lock,
renewed while it runs.

What a client of the store itself, past the fronts, sees: a switch that fits in one request is atomic
on a store that runs an update request as one transaction (Oxigraph, Fuseki/TDB2, GraphDB); a larger
one is not, and such a reader sees graphs of both releases until it ends (docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from otsgraph.core import data_version
from otsgraph.core.fronts_lock import ClusterLock, LockNotKept
from otsgraph.core.namespaces import BASE
from otsgraph.core.remote import RemoteStore

SWITCH_GRAPH = BASE + "graph/switch"
STAGING = "urn:otsgraph:staging:"
#: triples one request of the switch adds or deletes, and the most a staged part holds
SWITCH_BATCH = 10_000
#: statements a request holds where the store sets no limit
STATEMENTS = 2_000
#: seconds a publish waits for the fronts' write lock before it switches
LOCK_WAIT = 120.0
#: seconds between two renewals of the lock's claim while the switch runs (a quarter of the lease
#: a front gives a claim, core/fronts_lock.py; a request of the switch takes a second or two)
RENEW_EVERY = 30.0

_JOURNAL = BASE + "switch"
_RELEASE = BASE + "audit/switchRelease"
_DONE = BASE + "audit/switchedGroups"
_GROUP = BASE + "audit/switchGroup"  # "<order> <JSON of the group>"
_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

Progress = Callable[[str], None]


class LockBusy(Exception):
    """A front held the write lock for longer than a publish waits."""


@dataclass(frozen=True)
class Group:
    """One graph of the switch: emptied, then its staged parts added (none: it is only dropped)."""

    target: str
    held: int = 0  # triples the target held, as the previous release recorded (0: none or unknown)
    parts: tuple[tuple[str, int], ...] = ()  # (staged graph, its triples)


def staging_name(graph: str, part: int = 0) -> str:
    name = STAGING + hashlib.sha1(graph.encode("utf-8")).hexdigest()
    return name if part == 0 else f"{name}:{part}"


def steps(group: Group, batch: int) -> list[tuple[str, int]]:
    """The statements of a group, each with the triples it touches. A graph staged in one part is
    MOVEd onto its name (Virtuoso takes a MOVE as one operation; 500 ADDs with their DROPs took it
    five times as long): the part is gone once moved, which is how a resumed switch knows it is done.
    One staged in several parts is emptied and each part ADDed: those parts stay until the end, so
    the group can be done again whole."""
    target = f"<{group.target}>"
    chunk = f"SELECT ?s ?p ?o WHERE {{ GRAPH {target} {{ ?s ?p ?o }} }} LIMIT {batch}"
    out = [(f"DELETE {{ GRAPH {target} {{ ?s ?p ?o }} }} WHERE {{ {chunk} }}", batch)] * (group.held // batch)
    rest = max(1, group.held % batch if group.held > batch else group.held)  # (what the DROP or MOVE empties)
    if len(group.parts) == 1:
        part, size = group.parts[0]
        return [*out, (f"MOVE SILENT GRAPH <{part}> TO {target}", min(batch, rest + size))]
    out.append((f"DROP SILENT GRAPH {target}", rest))
    return out + [(f"ADD SILENT GRAPH <{part}> TO {target}", max(1, size)) for part, size in group.parts]


def requests(
    groups: list[Group], first: int, batch: int, statements: int, skip: frozenset[int] = frozenset()
) -> Iterator[tuple[list[str], int]]:
    """The switch from group `first` on (less the groups in `skip`: done before), as requests of at
    most `batch` triples' work and `statements` statements; each with the number of groups done once
    it is applied."""
    current: list[str] = []
    cost, done = 0, first
    for index in range(first, len(groups)):
        for step, weight in [] if index in skip else steps(groups[index], batch):
            if current and (cost + weight > batch or len(current) >= statements):
                yield current, done
                current, cost = [], 0
            current.append(step)
            cost += weight
        done = index + 1
    if current:
        yield current, done


def _counted(done: int) -> list[str]:
    where = f"GRAPH <{SWITCH_GRAPH}> {{ <{_JOURNAL}> <{_DONE}> ?n }}"
    now = f'<{_JOURNAL}> <{_DONE}> "{done}"^^<{_INTEGER}>'
    return [f"DELETE WHERE {{ {where} }}", f"INSERT DATA {{ GRAPH <{SWITCH_GRAPH}> {{ {now} }} }}"]


def journal(release: str, groups: list[Group]) -> bytes:
    """The journal's N-Triples: the release, the groups done (none yet), each group in order."""
    lines = [
        f"<{_JOURNAL}> <{_RELEASE}> <{release}> .",
        f'<{_JOURNAL}> <{_DONE}> "0"^^<{_INTEGER}> .',
    ]
    for order, group in enumerate(groups):
        text = json.dumps([order, group.target, group.held, [list(p) for p in group.parts]])
        lines.append(f"<{_JOURNAL}> <{_GROUP}> {ox.Literal(text)} .")
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Journal:
    release: str
    done: int
    groups: list[Group]


class JournalMalformed(Exception):
    """The switch journal in the store is not one a publish wrote (edited past otsgraph)."""


def read_journal(store: RemoteStore) -> Journal | None:
    """The journal of a switch not ended, or None. JournalMalformed when it cannot be read."""
    rows = store.graph_rows(SWITCH_GRAPH)
    release, done, ordered = "", 0, []
    for row in rows:
        predicate, value = row["p"]["value"], row["o"]["value"]
        try:
            if predicate == _RELEASE:
                release = ox.NamedNode(value).value
            elif predicate == _DONE:
                done = max(done, int(value))
            elif predicate == _GROUP:
                order, target, held, parts = json.loads(value)
                named = tuple((ox.NamedNode(p).value, int(n)) for p, n in parts)  # (IRIs checked)
                ordered.append((int(order), Group(ox.NamedNode(target).value, int(held), named)))
        except (ValueError, TypeError) as error:  # (a JSON error is a ValueError)
            raise _malformed(
                f"<{predicate}> {value[:80]!r} ({type(error).__name__}: {str(error)[:80]})"
            ) from error
    if not release:
        return None
    orders = [order for order, _ in ordered]
    if len(set(orders)) != len(orders):
        raise _malformed(f"two groups have one place in the order ({len(orders) - len(set(orders))} repeats)")
    return Journal(release, done, [g for _, g in sorted(ordered, key=lambda item: item[0])])


def _malformed(what: str) -> JournalMalformed:
    return JournalMalformed(
        f"the switch journal in graph <{SWITCH_GRAPH}> was not written by a publish: {what}. "
        f"Drop that graph (DROP GRAPH <{SWITCH_GRAPH}>) and run `otsgraph publish` again: "
        "it publishes every graph anew"
    )


@contextlib.contextmanager
def fronts_lock(store: RemoteStore, progress: Progress = lambda _: None) -> Iterator[ClusterLock]:
    """The fronts' write lock held (no front commits meanwhile, serve --backend), or LockBusy. When
    it is not free at once, `progress` says what the wait is, which can last the whole lease."""
    lock = ClusterLock(store)
    started = time.monotonic()
    try:
        held = lock.acquire(started + min(LOCK_WAIT, 2.0))
        if not held:
            progress(
                f"waiting (up to {LOCK_WAIT:g} s) for the fronts' write lock: a front is writing, or a "
                f"publish that was killed left its claim, which lapses {lock.lease:g} s after it was "
                "made (docs/deploy.md)"
            )
            held = lock.acquire(started + LOCK_WAIT)
    except LockNotKept as err:
        raise LockBusy(str(err)) from None
    if not held:
        raise LockBusy(
            f"the fronts' write lock was held for {LOCK_WAIT:g} s: try again, or see docs/deploy.md"
        )
    try:
        yield lock
    finally:
        with contextlib.suppress(Exception):  # (a claim left behind expires with its lease)
            lock.release()


def run(
    store: RemoteStore,
    plan: Journal,
    lock: ClusterLock,
    progress: Progress,
    hook: Callable[[str], None],
    batch: int,
    skip: frozenset[int] = frozenset(),
) -> None:
    """The switch from the journal's first group not done (less `skip`) to its end, holding `lock`."""
    if not data_version.read(store).switching:
        store.update(data_version.begin_switch(plan.release))
    limit = (store.statements_per_update or STATEMENTS) - 2  # (the journal's count takes two)
    renewed, counted = time.monotonic(), plan.done
    total = len(plan.groups)
    for n, (statements, done) in enumerate(requests(plan.groups, plan.done, batch, limit, skip), 1):
        if done != counted:
            statements = [*statements, *_counted(done)]
            counted = done
        store.update(" ;\n".join(statements))
        if n % 100 == 0:
            progress(f"switched {done} of {total} graphs")
        hook("switching")  # (tests cut the switch here)
        if time.monotonic() - renewed >= RENEW_EVERY:
            lock.renew()  # the switch of a large release outlasts the lease
            renewed = time.monotonic()
    at = data_version.read(store).number
    store.update(
        " ;\n".join(
            [
                data_version.bump(at, plan.release),
                data_version.END_SWITCH,
                f"DROP SILENT GRAPH <{SWITCH_GRAPH}>",
            ]
        )
    )


def existing(store: RemoteStore, graphs: list[str], per_query: int = 500) -> set[str]:
    """Which of these graphs hold triples, some hundreds a query (an answer never longer than that,
    which no store cuts)."""
    found: set[str] = set()
    for start in range(0, len(graphs), per_query):
        names = " ".join(f"<{g}>" for g in graphs[start : start + per_query])
        rows = store.select(f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        found |= {r["g"]["value"] for r in rows if "g" in r}
    return found


def drop_parts(store: RemoteStore, groups: list[Group], batch: int) -> None:
    """The staged parts dropped, once the switch has ended (a cut here leaves them for the next
    publish to drop as stale)."""
    parts = [(f"DROP SILENT GRAPH <{p}>", max(1, n)) for g in groups if len(g.parts) > 1 for p, n in g.parts]
    drop_in_requests(store, parts, batch)


def drop_in_requests(store: RemoteStore, drops: list[tuple[str, int]], batch: int) -> None:
    limit = store.statements_per_update or STATEMENTS
    current: list[str] = []
    cost = 0
    for statement, weight in [*drops, ("", batch + 1)]:  # ("": the end)
        if current and (not statement or cost + weight > batch or len(current) >= limit):
            store.update(" ;\n".join(current))
            current, cost = [], 0
        if statement:
            current.append(statement)
            cost += weight


def resume(store: RemoteStore, progress: Progress, hook: Callable[[str], None], batch: int) -> bool:
    """Finish a switch that an interrupted publish began (True), or clear what a publish cut before
    its switch left (False)."""
    plan = read_journal(store)
    switching = data_version.read(store).switching
    if plan is None and not switching:
        return False
    if plan is None:  # the flag without a journal: the end was cut (or the journal dropped by hand)
        progress("ending a switch whose journal is gone: the fronts read the data again")
        with fronts_lock(store, progress):
            at = data_version.read(store).number
            store.update(f"{data_version.bump(at, switching)} ;\n{data_version.END_SWITCH}")
        return True
    if not switching:  # cut while staging: its switch never began
        store.update(f"DROP SILENT GRAPH <{SWITCH_GRAPH}>")
        return False
    progress(f"finishing the switch to {plan.release} that an interrupted publish began")
    with fronts_lock(store, progress) as lock:
        # a graph staged in one part was MOVEd: done, if its part is gone
        single = {g.parts[0][0]: n for n, g in enumerate(plan.groups) if n >= plan.done and len(g.parts) == 1}
        held = existing(store, list(single))
        run(
            store, plan, lock, progress, hook, batch, frozenset(n for p, n in single.items() if p not in held)
        )
    drop_parts(store, plan.groups, batch)
    return True
