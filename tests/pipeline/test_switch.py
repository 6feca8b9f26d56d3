"""The switch of a publish in requests of bounded size (pipeline/switch.py), on both engines of CI.

At 1M triples one request that switched every graph outlasted every timeout (Oxigraph) or was
refused (Virtuoso's SR325). These tests give the switch a small `batch` (200 triples) so that the
shipped release already needs hundreds of requests, large graphs staged in parts, and a previous
release's large graphs emptied in chunks: the release is still whole and verified; a switch cut
anywhere is finished by the next publish, also when that one is cut too; the fronts' lock is renewed
while the switch outlasts a front's lease, and a lost lock stops it cleanly.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse

import pyoxigraph as ox
import pytest

from engines import graphs_in
from otsgraph.core import data_version
from otsgraph.core.fronts_lock import ClusterLock, LockLost
from otsgraph.core.remote import BackendError, BackendUnreachable, RemoteStore, http_transport
from otsgraph.pipeline import switch
from otsgraph.pipeline.publish import (
    LockBusy,
    Published,
    SwitchCut,
    checksum,
    previous_graphs,
    publish,
    remote_triples,
)
from otsgraph.pipeline.switch import STAGING, SWITCH_GRAPH, Group, requests, steps

BATCH = 200
ASSERTED = "https://w3id.org/otsgraph/graph/asserted"
EX = "http://example.org/switch/"


class Cut(Exception):
    """Stands for the publishing process dying at a point of the switch."""


def cut_at(point: str, after: int):
    """A hook that raises Cut at the `after`-th time the publish reaches `point`."""
    seen = {"n": 0}

    def hook(reached: str) -> None:
        if reached == point:
            seen["n"] += 1
            if seen["n"] == after:
                raise Cut(f"{point} #{after}")

    return hook


def counting():
    seen: list[str] = []
    return seen, seen.append


def changed(quads: list[ox.Quad], tag: str) -> list[ox.Quad]:
    """The release with graph:asserted grown by 300 triples and one claim graph left out (so the
    switch both grows a large graph and drops one)."""
    claims = sorted({q.graph_name.value for q in quads if "/claim/" in q.graph_name.value})
    gone = claims[0]
    extra = [
        ox.Quad(
            ox.NamedNode(f"{EX}{tag}{n}"), ox.NamedNode(EX + "p"), ox.Literal(str(n)), ox.NamedNode(ASSERTED)
        )
        for n in range(300)
    ]
    return [*(q for q in quads if q.graph_name.value != gone), *extra]


def holds(store: RemoteStore, done: Published) -> bool:
    """The store holds this publish's release: its graphs, each as sent, and no graph of another."""
    read = {g: checksum(remote_triples(store, g)) for g in done.graphs}
    return read == done.graphs and set(previous_graphs(store)) == set(done.graphs)


def leftovers(store: RemoteStore) -> list[str]:
    return [g for g in graphs_in(store) if g.startswith(STAGING) or g == SWITCH_GRAPH]


# ------------------------------------------------------------------------------- the plan (no store)


def test_requests_keep_to_the_batch_and_the_statement_limit_and_count_only_whole_groups():
    groups = [
        Group("urn:g:dropped", held=450),  # a previous graph this release has not: emptied in chunks
        *(Group(f"urn:g:small{n}", 0, ((f"urn:s:small{n}", 30),)) for n in range(40)),
        Group("urn:g:large", 1050, tuple((f"urn:s:large:{n}", 200) for n in range(6))),
    ]
    planned = list(requests(groups, 0, BATCH, statements=7))
    seen: list[str] = []
    for statements, done in planned:
        assert len(statements) <= 7
        weights = {s: w for g in groups for s, w in steps(g, BATCH)}
        assert sum(weights[s] for s in statements) <= BATCH
        seen += statements
        # every group counted as done has all its steps sent, in this request or before
        assert all(s in seen for g in groups[:done] for s, _ in steps(g, BATCH))
    assert seen == [s for g in groups for s, _ in steps(g, BATCH)]  # each step once, in order
    assert planned[-1][1] == len(groups)
    chunked = [s for s, _ in steps(groups[-1], BATCH) if s.startswith("DELETE")]
    assert len(chunked) == 1050 // BATCH and all(f"LIMIT {BATCH}" in s for s in chunked)
    # a plan resumed from a group on sends nothing of the groups before it
    resumed = [s for statements, _ in requests(groups, 41, BATCH, 7) for s in statements]
    assert resumed == [s for s, _ in steps(groups[41], BATCH)]


# -------------------------------------------------------------------------------------- on engines


def test_a_switch_in_hundreds_of_requests_gives_the_whole_verified_release(backend, release_quads):
    store = RemoteStore.at(backend)
    reference = publish(store, release_quads)  # the default batch: the shipped release in a few requests
    seen, hook = counting()
    second = changed(release_quads, "a")
    done = publish(store, second, hook=hook, batch=BATCH)
    assert seen.count("switching") > 100  # (the plan really was cut small)
    assert done.dropped and done.graphs[ASSERTED][0] == reference.graphs[ASSERTED][0] + 300
    assert holds(store, done) and not leftovers(store)
    version = data_version.read(store)
    assert version.number == 2 and version.head == done.release and not version.switching


#: the tests of the publish's own logic (resuming, the lease) run on Oxigraph's server only: they send
#: what the tests above send on both engines, and Virtuoso takes 2-3 times as long (the suite's time)
ONE_ENGINE = pytest.mark.parametrize("backend", ["oxigraph"], indirect=True)


@pytest.mark.parametrize(
    ("backend", "fraction"), [("oxigraph", 0.1), ("oxigraph", 0.9), ("virtuoso", 0.9)], indirect=["backend"]
)
def test_a_switch_cut_anywhere_is_finished_by_the_next_publish(backend, release_quads, fraction):
    store = RemoteStore.at(backend)
    publish(store, release_quads, batch=BATCH)
    seen, hook = counting()
    first = changed(release_quads, "a")
    publish(store, first, hook=hook, batch=BATCH)
    second = changed(release_quads, "b")
    whole = seen.count("switching")
    with pytest.raises(Cut):
        publish(store, second, hook=cut_at("switching", max(1, int(whole * fraction))), batch=BATCH)
    state = data_version.read(store)
    assert state.switching and state.number == 2  # flagged: the fronts answer from their copies
    assert switch.read_journal(store) is not None
    # the next publish finishes the cut switch, then publishes its own release (here the first again)
    done = publish(store, first, batch=BATCH)
    assert holds(store, done) and not leftovers(store)
    state = data_version.read(store)
    assert state.number == 4 and not state.switching  # the finished switch and this publish


@ONE_ENGINE
def test_a_finishing_publish_cut_again_is_finished_by_the_one_after(backend, release_quads):
    store = RemoteStore.at(backend)
    publish(store, release_quads, batch=BATCH)
    second = changed(release_quads, "b")
    with pytest.raises(Cut):
        publish(store, second, hook=cut_at("switching", 40), batch=BATCH)
    with pytest.raises(Cut):  # the finishing of the cut switch is cut too
        publish(store, second, hook=cut_at("switching", 60), batch=BATCH)
    done = publish(store, second, batch=BATCH)
    assert holds(store, done) and not leftovers(store) and not data_version.read(store).switching


@ONE_ENGINE
def test_the_switch_renews_the_fronts_lock_past_a_fronts_lease(backend, release_quads, monkeypatch):
    """A front takes a claim older than its lease for a crashed front's and removes it: a switch
    that outlasts the lease must renew its claim, and a front never gets the lock meanwhile."""
    store = RemoteStore.at(backend)
    publish(store, release_quads, batch=BATCH)
    lease = 2.0
    monkeypatch.setattr(switch, "RENEW_EVERY", lease / 4)
    front = ClusterLock(RemoteStore.at(backend), lease=lease)
    taken: list[float] = []
    switched: list[float] = []  # when each request of the switch was answered
    running = threading.Event()
    stop = threading.Event()

    def contend() -> None:
        running.wait(30)
        while not stop.is_set():
            if front.acquire(time.monotonic() + 0.2):
                taken.append(time.monotonic())
                front.release()
                return

    def slow(point: str) -> None:
        if point == "switching":
            switched.append(time.monotonic())
            running.set()
            time.sleep(0.05)

    contender = threading.Thread(target=contend)
    contender.start()
    started = time.monotonic()
    try:
        publish(store, changed(release_quads, "a"), hook=slow, batch=BATCH)
    finally:
        stop.set()
        contender.join(30)
    assert switched[-1] - started > 2 * lease  # the switch outlasted the front's lease
    assert not taken or taken[0] > switched[-1]  # the front got it only once the switch had ended
    assert front.backoffs > 0  # it tried, and met the publish's claim


@ONE_ENGINE
def test_a_switch_whose_lock_was_taken_stops_and_the_next_publish_finishes_it(
    backend, release_quads, monkeypatch
):
    store = RemoteStore.at(backend)
    monkeypatch.setattr(switch, "RENEW_EVERY", 0.0)  # renewed after every request
    publish(store, release_quads, batch=BATCH)
    lock_graph = data_version.LOCK_GRAPH

    def steal(point: str) -> None:
        if point == "switching":  # as a front would remove a claim it judged dead
            store.update(f"DROP SILENT GRAPH <{lock_graph}>")

    with pytest.raises(SwitchCut) as cut:
        publish(store, changed(release_quads, "a"), hook=steal, batch=BATCH)
    assert isinstance(cut.value.__cause__, LockLost) and "is run again" in str(cut.value)
    assert data_version.read(store).switching  # stopped mid-switch, flagged, journaled
    done = publish(store, changed(release_quads, "a"), batch=BATCH)
    assert holds(store, done) and not leftovers(store)


@ONE_ENGINE
def test_a_publish_that_meets_a_held_lock_says_what_it_waits_for_then_gives_up(
    backend, release_quads, monkeypatch
):
    """A newcomer whose publish meets a claim (a front writing, or a killed publish's, which lapses
    with its lease) is told what the wait is at once, not left with a silent command for 2 minutes."""
    store = RemoteStore.at(backend)
    publish(store, release_quads, batch=BATCH)
    monkeypatch.setattr(switch, "LOCK_WAIT", 3.0)
    holder = ClusterLock(RemoteStore.at(backend))
    assert holder.acquire(time.monotonic() + 10)
    said: list[str] = []
    try:
        with pytest.raises(LockBusy):
            publish(store, changed(release_quads, "a"), said.append, batch=BATCH)
    finally:
        holder.release()
    waiting = [m for m in said if m.startswith("waiting (up to 3 s) for the fronts' write lock")]
    assert len(waiting) == 1 and "lapses 120 s after it was made" in waiting[0], said
    assert not data_version.read(store).switching  # it gave up before its switch began
    done = publish(store, changed(release_quads, "a"), said.append, batch=BATCH)  # the lock is free
    assert holds(store, done) and not leftovers(store)


def test_a_request_applied_but_not_counted_is_not_moved_again(backend, release_quads):
    """Virtuoso runs the statements of a request one by one: a cut inside one may leave its MOVEs
    applied and the journal's count not. The finishing publish must take those graphs as done (their
    staged part is gone), not MOVE a missing part onto them again, which a store may read as an
    empty graph (SPARQL leaves MOVE SILENT of a missing graph open)."""
    store = RemoteStore.at(backend)
    publish(store, release_quads, batch=BATCH)
    switched: list[str] = []  # the MOVEs the store applied

    def uncounted(request, timeout):
        body = (request.data or b"").decode("utf-8", "replace")
        if "MOVE SILENT GRAPH" in body and "switchedGroups" in body:
            switched.append(body)
            if len(switched) == 3:  # applied without its count, and the answer never came back
                kept = [s for s in body.split(" ;\n") if "switchedGroups" not in s]
                request.data = " ;\n".join(kept).encode("utf-8")
                http_transport(request, timeout)
                raise BackendUnreachable("connection reset")
        return http_transport(request, timeout)

    second = changed(release_quads, "b")
    with pytest.raises(SwitchCut):
        publish(RemoteStore.at(backend, send=uncounted), second, batch=BATCH)
    moved = {s.split("<")[1].split(">")[0] for s in switched[2].split(" ;\n") if s.startswith("MOVE")}
    sent: list[str] = []

    def recording(request, timeout):
        sent.append((request.data or b"").decode("utf-8", "replace"))
        return http_transport(request, timeout)

    def finishing(message: str) -> None:  # (what is sent up to here finishes the cut switch)
        if message.startswith("the interrupted publish's release is in place"):
            sent.append("-- finished")

    done = publish(RemoteStore.at(backend, send=recording), second, finishing, batch=BATCH)
    assert holds(store, done) and not leftovers(store)
    assert "-- finished" in sent
    resumed = [
        s for body in sent[: sent.index("-- finished")] for s in body.split(" ;\n") if s.startswith("MOVE")
    ]
    assert moved and not [s for s in resumed if s.split("<")[1].split(">")[0] in moved]


def test_a_store_that_keeps_staging_graphs_it_says_it_dropped_stops_the_publish():
    """An attacker's (or a broken) store: it answers every DROP as done and keeps listing the same
    stale staging graph. The publish stops with a store error instead of looping for ever."""
    stale = {"g": {"type": "uri", "value": STAGING + "0" * 40}, "n": {"type": "literal", "value": "3"}}
    drops: list[str] = []

    def keeps(request, timeout):
        body = (request.data or b"").decode()
        if request.get_header("Content-type") == "application/sparql-update":
            drops.append(body)
            return 200, {}, b""
        rows = [stale] if "STRSTARTS" in urllib.parse.unquote_plus(body) else []
        return 200, {}, json.dumps({"head": {"vars": ["g", "n"]}, "results": {"bindings": rows}}).encode()

    store = RemoteStore("http://127.0.0.1:9/query", "http://127.0.0.1:9/update", send=keeps)
    with pytest.raises(BackendError, match="still there"):
        publish(
            store,
            [
                ox.Quad(
                    ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"), ox.NamedNode(EX + "g")
                )
            ],
        )
    assert len(drops) == 1  # dropped once, listed again unchanged: stopped


@pytest.mark.parametrize(
    "groups",
    [
        ["0 not JSON {"],
        ['[0, "https://example.org/g", 1, [["https://example.org/s", 1]], "extra"]'],
        ['[0, "https://example.org/g", 1, null]'],
        ['[0, "not an iri", 1, []]'],
        ['[0, "https://example.org/g", 1, []]', '[0, "https://example.org/h", 1, []]'],  # one place twice
    ],
    ids=["not-json", "extra-member", "null-parts", "bad-iri", "same-order"],
)
def test_a_journal_not_written_by_a_publish_is_refused_with_the_way_out(groups):
    """Any journal otsgraph did not write is JournalMalformed, whose message names the graph and how
    to go on; never another Python error (two groups in one place once raised a TypeError)."""
    rows = [{"p": {"value": switch._RELEASE}, "o": {"value": "https://w3id.org/otsgraph/release/x"}}]
    rows += [{"p": {"value": switch._GROUP}, "o": {"value": g}} for g in groups]

    class Store:
        def graph_rows(self, graph: str) -> list[dict]:
            assert graph == SWITCH_GRAPH
            return rows

    with pytest.raises(switch.JournalMalformed) as refused:
        switch.read_journal(Store())  # type: ignore[arg-type]
    assert f"DROP GRAPH <{SWITCH_GRAPH}>" in str(refused.value)


def test_a_switching_flag_that_is_not_an_iri_is_never_written_back_into_an_update():
    """The flag is read from the store and the switch's end writes it into an update as <…>: a
    value with a '>' in it (written past the fronts) is ignored, not spliced into SPARQL."""
    row = {"switching": {"type": "uri", "value": "urn:x> } ; DROP ALL ; INSERT DATA { <urn:y"}}

    def answers(request, timeout):
        body = json.dumps({"head": {"vars": ["switching"]}, "results": {"bindings": [row]}}).encode()
        return 200, {}, body

    store = RemoteStore("http://127.0.0.1:9/query", "http://127.0.0.1:9/update", send=answers)
    assert data_version.read(store).switching == ""
    row["switching"] = {"type": "uri", "value": "https://w3id.org/otsgraph/release/1.0"}
    assert data_version.read(store).switching == "https://w3id.org/otsgraph/release/1.0"
