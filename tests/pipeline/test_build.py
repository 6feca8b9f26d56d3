"""The build of the shipped graph: zero violations, no inconsistency, the named graphs, the artefacts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from otsgraph.core.loading import Layout, LoadError, load_sources
from otsgraph.core.namespaces import Graphs
from otsgraph.pipeline.build import run_build

REPO = Path(__file__).resolve().parents[2]


def test_shipped_graph_has_no_shape_violations(shipped_build):
    report = shipped_build.report
    assert report is not None
    assert report.violations == 0, "\n".join(
        f"{r.focus} {r.path}: {r.message}" for r in report.results if r.severity == "Violation"
    )[:4000]


def test_shipped_graph_is_consistent(shipped_build):
    assert shipped_build.reasoned.closure.inconsistencies == []


def test_shipped_graph_has_several_hundred_facts(shipped_build):
    assert shipped_build.asserted_count >= 1000
    assert len(shipped_build.sources.claim_graphs) >= 150


def test_inferred_triples_are_kept_apart_from_asserted_ones(shipped_build):
    store = shipped_build.store
    inferred = ox.NamedNode(str(Graphs.INFERRED))
    asserted = ox.NamedNode(str(Graphs.ASSERTED))
    some_inferred = next(iter(store.quads_for_pattern(None, None, None, inferred)))
    assert not list(
        store.quads_for_pattern(
            some_inferred.subject, some_inferred.predicate, some_inferred.object, asserted
        )
    )
    assert shipped_build.inferred_count > 500


def test_summit_in_a_city_is_held_in_that_state_by_the_chain(shipped_build):
    ask = """PREFIX ots: <https://w3id.org/otsgraph/ontology/>
    PREFIX res: <https://w3id.org/otsgraph/resource/>
    ASK { GRAPH <https://w3id.org/otsgraph/graph/inferred> {
      res:summit-tc-2024-bishkek ots:heldIn res:kyrgyzstan ; ots:hostCountry res:kyrgyzstan } }"""
    assert bool(shipped_build.store.query(ask))


def test_build_writes_the_release_artefacts(tmp_path):
    root = tmp_path / "project"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(REPO / folder, root / folder)
    result = run_build(Layout(root), check_shapes=False)
    names = {p.name for p in result.artefacts}
    assert {
        "otsgraph.nq",
        "otsgraph.trig",
        "otsgraph-asserted.nq",
        "otsgraph-inferred.nq",
        "ontology.ttl",
        "ontology.jsonld",
    } <= names
    reread = ox.Store()
    reread.load(path=str(root / "build" / "otsgraph.nq"), format=ox.RdfFormat.N_QUADS)
    assert len(reread) == len(result.sources.quads()) + result.inferred_count
    assert (root / "build" / "store").is_dir()


def test_rebuild_keeps_graphs_that_are_not_shipped(tmp_path):
    root = tmp_path / "project"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(REPO / folder, root / folder)
    run_build(Layout(root), check_shapes=False)
    store = ox.Store(str(root / "build" / "store"))
    extra = ox.NamedNode("https://w3id.org/otsgraph/graph/additions")
    store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.Literal("c"), extra))
    del store
    run_build(Layout(root), check_shapes=False)
    store = ox.Store(str(root / "build" / "store"))
    assert len(list(store.quads_for_pattern(None, None, None, extra))) == 1


def test_bad_file_fails_with_file_line_column(tmp_path):
    root = tmp_path / "project"
    (root / "data" / "facts").mkdir(parents=True)
    bad = root / "data" / "facts" / "bad.trig"
    bad.write_text('@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated\n', encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_sources(Layout(root))
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{bad}:3:")


def test_non_utf8_file_is_located(tmp_path):
    root = tmp_path / "project"
    (root / "data" / "entities").mkdir(parents=True)
    bad = root / "data" / "entities" / "latin1.ttl"
    bad.write_bytes(b'@prefix ex: <http://e/> .\nex:a ex:b "caf\xe9" .\n')
    with pytest.raises(LoadError, match=r"latin1.ttl:2:\d+: the file is not valid UTF-8"):
        load_sources(Layout(root))


def test_default_graph_union_counts_no_triple_twice(shipped_build):
    from otsgraph.core.graphs import DEFAULT_GRAPHS

    store = shipped_build.store
    total = sum(len(list(store.quads_for_pattern(None, None, None, g))) for g in DEFAULT_GRAPHS)
    distinct = next(
        iter(
            store.query(
                "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
                default_graph=DEFAULT_GRAPHS,
            )
        )
    )["n"]
    assert total == int(distinct.value)
