"""The SPARQL 1.1 stores of CI as fixtures: a fresh `oxigraph serve` per test, one Virtuoso 7 per
module emptied of our graphs before each test, and `backend`, which runs a test on each. Shared by
the publish tests (tests/pipeline) and the fronts' (tests/server/backend); bench/stores.py starts them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import require
from otsgraph.core.loading import Layout, load_sources
from otsgraph.core.remote import RemoteStore, term_of
from otsgraph.pipeline.publish import GENID, canonical_term
from otsgraph.reasoning.closure import inferred_quads, reason

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import stores  # noqa: E402  (bench/stores.py)

EX = "http://example.org/publish/"


OURS = ("https://w3id.org/otsgraph/", "urn:otsgraph:", EX)


def graphs_in(store: RemoteStore) -> dict[str, int]:
    """Our graphs in the store and their sizes (Virtuoso keeps system graphs of its own beside them)."""
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows if r["g"]["value"].startswith(OURS)}


@pytest.fixture(scope="module")
def release_quads() -> list[ox.Quad]:
    sources = load_sources(Layout(REPO))
    return sources.quads() + inferred_quads(reason(sources))


@pytest.fixture
def oxigraph(tmp_path):
    """A fresh `oxigraph serve` on 127.0.0.1; its query endpoint's URL."""
    require(stores.oxigraph_available(), "the `oxigraph` command is not installed (pip install oxigraph)")
    url, server = stores.start_oxigraph(tmp_path / "oxigraph")
    yield url
    stores.stop(server)


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory):
    """Virtuoso 7 (Debian's virtuoso-opensource-7-bin, which .ci/run installs): its own ini and a
    throwaway database, on free ports of 127.0.0.1; SPARQL updates allowed on /sparql."""
    require(stores.virtuoso_available(), "virtuoso-t is not installed (virtuoso-opensource-7-bin)")
    url, server = stores.start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield url
    stores.stop(server)


@pytest.fixture
def virtuoso(virtuoso_server):
    """The module's Virtuoso, emptied of every graph a test may have written (its own system graphs
    stay): a fresh store for each test without a start-up each."""
    store = RemoteStore.at(virtuoso_server)
    ours = list(graphs_in(store))
    for start in range(0, len(ours), 200):  # (a test may leave thousands; Virtuoso takes hundreds)
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in ours[start : start + 200]))
    return virtuoso_server


@pytest.fixture(params=["oxigraph", "virtuoso"])
def backend(request) -> str:
    """Each test runs on both engines of CI: Oxigraph's server and Virtuoso."""
    return request.getfixturevalue(request.param)


def answers(rows: list[dict]) -> list[tuple]:
    """A result table as sorted rows of (variable, canonical term); skolem IRIs and blank nodes both
    read as `_:node` (the embedded store keeps blank nodes, a published graph has them skolemised)."""

    def cell(value: dict) -> str:
        if value["type"] == "bnode" or value["value"].startswith(GENID):
            return "_:node"
        term = canonical_term(term_of(value))
        if value["type"] in ("literal", "typed-literal"):  # a GROUP_CONCAT's order is the engine's
            lexical, _, rest = term[1:].rpartition('"')
            term = '"' + "".join(sorted(lexical)) + '"' + rest
        return term

    return sorted(tuple(sorted((name, cell(value)) for name, value in row.items())) for row in rows)
