"""A front's commit cut between two of its requests (issue 13). Virtuoso takes a commit in requests
of at most 500 statements, so a connection that drops after the first leaves part of a change in the
store with the data version unmoved: the front takes it out again (each undo operation holds only
while the version is still the one the commit started from), answers 503, and reads again. What the
store held before the commit stays: the agent of an earlier change, whom the cut change's log
record names again, is not taken out with it."""

from __future__ import annotations

import threading
import urllib.request

import pyoxigraph as ox
import pytest

from gate_support import LAYOUT, shapes
from otsgraph.core import data_version
from otsgraph.core.remote import BackendUnreachable, RemoteStore, http_transport
from otsgraph.gate.change import change_from_quads
from otsgraph.gate.gate import Gate
from otsgraph.pipeline.publish import publish
from otsgraph.server.backend.front import Backend, _guarded, _undo_operations
from otsgraph.server.execution.safety import ProtocolError

RES = "https://w3id.org/otsgraph/resource/"
OTS = "https://w3id.org/otsgraph/ontology/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ADDITIONS = ox.NamedNode("https://w3id.org/otsgraph/graph/additions")


def new_city(name: str) -> list[ox.Quad]:
    city = ox.NamedNode(RES + name)
    typed = ox.Quad(
        city, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(OTS + "City")
    )
    labels = [
        ox.Quad(city, RDFS_LABEL, ox.Literal(f"{name} {lang}", language=lang)) for lang in ("en", "kk", "ru")
    ]
    return [ox.Quad(q.subject, q.predicate, q.object, ADDITIONS) for q in (typed, *labels)]


def everything(url: str) -> tuple[data_version.DataVersion, set[ox.Quad]]:
    """The store's version and every graph a front serves, read whole by a front of its own."""
    version, quads = Backend(RemoteStore.at(url)).fetch()
    return version, set(quads)


def test_a_virtuoso_commit_cut_before_its_version_bump_is_taken_out_again(virtuoso, release_quads):
    publish(RemoteStore.at(virtuoso), release_quads)
    cut = threading.Event()

    def drops_the_bump(request: urllib.request.Request, timeout: float):
        if cut.is_set() and data_version.DELTA_ADDED.encode() in (request.data or b""):
            raise BackendUnreachable(f"{request.full_url}: connection reset")  # as http_transport says it
        return http_transport(request, timeout)

    remote = RemoteStore.at(virtuoso)
    assert remote.statements_per_update == 500  # the case under test: a commit in several requests
    remote.send = drops_the_bump
    backend = Backend(remote)
    mirror = ox.Store()
    backend.refresh(mirror, threading.RLock())
    gate = Gate(mirror, LAYOUT, shapes=shapes(), recover=False, apply=backend.write)
    # an earlier change by the same curator: the log names its agent, whom the cut one names again
    gate.commit(change_from_quads(add=new_city("Firstcity")), who="curator")
    before = everything(virtuoso)
    mirror_before = set(mirror)

    cut.set()
    with pytest.raises(ProtocolError) as raised:
        gate.commit(change_from_quads(add=new_city("Cutcity")), who="curator")
    assert raised.value.status == 503
    cut.clear()

    assert everything(virtuoso) == before, "the part of the change that went in was taken out again"
    assert set(mirror) == mirror_before, "the mirror got nothing of a change the store did not take"
    assert backend.version.number == -1, "the front reads the store again before its next request"


def test_the_inverse_of_a_change_restores_the_store_while_the_version_holds():
    store = ox.Store()
    graph = ox.NamedNode("https://w3id.org/otsgraph/graph/asserted")
    held = [
        ox.Quad(ox.NamedNode(RES + f"held{i}"), RDFS_LABEL, ox.Literal(f"held {i}"), graph) for i in range(3)
    ]
    store.extend(held)
    store.update(data_version.bump(0, "urn:otsgraph:change:first"))
    before = set(store)
    adds = [
        ox.Quad(ox.NamedNode(RES + f"new{i}"), RDFS_LABEL, ox.Literal(f"new {i}"), graph) for i in range(1200)
    ]
    removes = held[:2]
    for operation in [*_guarded("DELETE", removes, 1), *_guarded("INSERT", adds, 1)]:
        store.update(operation)
    assert set(store) != before
    for operation in _undo_operations(adds, removes, 1):
        store.update(operation)
    assert set(store) == before

    # once another commit moved the version, an undo of a stale change touches nothing
    for operation in _guarded("INSERT", adds, 1):
        store.update(operation)
    store.update(data_version.bump(1, "urn:otsgraph:change:second"))
    moved = set(store)
    for operation in _undo_operations(adds, removes, 1):
        store.update(operation)
    assert set(store) == moved
