"""graph:inferred-from-background: the inferences that hold only with graph:background (issue 12).

A user must be able to ask what the article alone supports. The build computes the closure once more
without graph:background and lists the inferred triples that closure lacks; these tests check the listing
on the shipped graph, on a small graph where a triple has two derivations, through the example query,
and after a write and a rebuild that keeps it.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from gate_support import LAYOUT, gate_on, graph, inferred, res, seeded_store_dir
from otsgraph.core.graphs import DEFAULT_GRAPHS, SHIPPED_GRAPHS
from otsgraph.core.loading import Sources, Statement, load_sources
from otsgraph.core.namespaces import RDF_TYPE, Graphs
from otsgraph.core.store import query
from otsgraph.gate.change import change_from_quads
from otsgraph.gate.seed import seed_from_sources
from otsgraph.gate.submission import read_file
from otsgraph.reasoning.closure import reason, reason_triples, resting_on_background

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MARKER = ox.NamedNode(str(Graphs.INFERRED_FROM_BACKGROUND))
INFERRED = ox.NamedNode(str(Graphs.INFERRED))
BACKGROUND = ox.NamedNode(str(Graphs.BACKGROUND))
ONTOLOGY_GRAPH = ox.NamedNode(str(Graphs.ONTOLOGY))
ASSERTED_GRAPH = ox.NamedNode(str(Graphs.ASSERTED))
OTS = "https://w3id.org/otsgraph/ontology/"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")


def ots(name: str) -> ox.NamedNode:
    return ox.NamedNode(OTS + name)


def test_almaty_date_period_and_country_are_marked_and_its_article_facts_are_not(shipped_build):
    marked = shipped_build.reasoned.from_background
    almaty = res("summit-tc-almaty")
    # the three the issue names: the 2011 date (background only), its period, "held in Kazakhstan"
    assert (almaty, ots("earliestDate"), ox.Literal("2011-10-20", datatype=XSD_DATE)) in marked
    assert (almaty, ots("fallsInPeriod"), res("period-institutionalisation")) in marked
    assert (almaty, ots("hostCountry"), res("kazakhstan")) in marked
    assert (almaty, ots("heldIn"), res("kazakhstan")) in marked
    # what the article says alone (Almaty's summit adopted the Almaty declaration) is inferred, not marked
    adopted_at = (res("almaty-declaration"), ots("adoptedAt"), almaty)
    assert adopted_at in shipped_build.reasoned.inferred and adopted_at not in marked
    assert marked <= shipped_build.reasoned.inferred
    assert 0 < len(marked) < len(shipped_build.reasoned.inferred)


def test_the_listing_is_exactly_what_the_closure_without_the_background_lacks(shipped_build):
    sources = shipped_build.sources
    article_graphs = (Graphs.ONTOLOGY, Graphs.ASSERTED, Graphs.PROVENANCE)  # everything but the background
    without = set(sources.triples(*(ox.NamedNode(str(g)) for g in article_graphs)))
    alone = reason_triples(without, set(sources.triples(ox.NamedNode(str(Graphs.ONTOLOGY)))))
    article = alone.input | alone.inferred
    expected = {t for t in shipped_build.reasoned.inferred if t not in article}
    assert shipped_build.reasoned.from_background == expected
    # every marked triple disappears when the background goes; every unmarked inference stays
    assert not (shipped_build.reasoned.from_background & article)
    assert shipped_build.reasoned.inferred - shipped_build.reasoned.from_background <= article


def test_a_triple_the_article_also_supports_is_not_marked(shipped_build):
    """Two derivations of one triple: via an article fact and via a background fact. A listing built
    from the one derivation reasoning happened to record would get this wrong."""
    ontology = set(shipped_build.sources.triples(ox.NamedNode(str(Graphs.ONTOLOGY))))
    event, city_a, city_b, state = (res(f"x-test-{n}") for n in ("event", "city-a", "city-b", "state"))
    article = {
        (event, ots("heldIn"), city_a),
        (city_a, ots("inCountry"), state),
    }
    background = {
        (event, ots("heldIn"), city_b),
        (city_b, ots("inCountry"), state),
    }
    full = reason_triples(ontology | article | background, ontology)
    marked = resting_on_background(full.inferred, ontology | article, ontology)
    assert (event, ots("hostCountry"), state) in full.inferred
    assert (event, ots("hostCountry"), state) not in marked  # the article alone gives it
    assert (city_b, ots("locatedIn"), state) in marked  # only the background gives this one


def test_the_store_holds_the_listing_apart_from_the_default_graph(shipped_build):
    assert MARKER in SHIPPED_GRAPHS and MARKER not in DEFAULT_GRAPHS
    listed = graph(shipped_build.store, MARKER)
    assert listed == shipped_build.reasoned.from_background
    assert listed <= graph(shipped_build.store, INFERRED)
    # the default graph still answers with everything (the listing adds no triple to it)
    ask = "ASK { <https://w3id.org/otsgraph/resource/summit-tc-almaty> ots:hostCountry res:kazakhstan }"
    prefixes = f"PREFIX ots: <{OTS}>\nPREFIX res: <https://w3id.org/otsgraph/resource/>\n"
    assert bool(query(shipped_build.store, prefixes + ask))


def test_the_example_query_gives_what_the_article_alone_supports(shipped_build):
    results = query(
        shipped_build.store, (EXAMPLES / "article-only-inferences.rq").read_text(encoding="utf-8")
    )
    rows = {(r["p"].value, r["o"].value, r["how"].value) for r in results}
    assert (OTS + "heldIn", res("almaty").value, "stated by the article") in rows
    assert ("http://schema.org/location", res("almaty").value, "inferred from the article") in rows
    answered = {(p, o) for p, o, _ in rows}
    assert (OTS + "hostCountry", res("kazakhstan").value) not in answered
    assert (OTS + "heldIn", res("kazakhstan").value) not in answered
    assert not any(
        p in (OTS + "earliestDate", OTS + "latestDate", OTS + "fallsInPeriod") for p, _ in answered
    )


def _almaty_event_submission(tmp_path: Path):
    text = """
@prefix ots: <https://w3id.org/otsgraph/ontology/> .
@prefix res: <https://w3id.org/otsgraph/resource/> .
@prefix claim: <https://w3id.org/otsgraph/claim/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
res:x-test-almaty-meeting a ots:Meeting ;
    rdfs:label "Test meeting, Almaty"@en , "Алматыдағы сынақ кездесуі"@kk , "Тестовая встреча в Алматы"@ru .
claim:added-x-test-almaty-meeting {
    res:x-test-almaty-meeting ots:heldIn res:almaty .
}
claim:added-x-test-almaty-meeting a ots:BackgroundClaim , ots:Claim ;
    ots:claimKind ots:BackgroundClaim ;
    dct:source <https://example.org/test-meeting> .
"""
    path = tmp_path / "almaty-meeting.trig"
    path.write_text(text, encoding="utf-8")
    return change_from_quads(read_file(path))


def test_a_write_leaves_the_listing_and_a_rebuild_recomputes_it_with_the_additions(
    tmp_path, tmp_path_factory
):
    store_dir = seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp())
    gate = gate_on(store_dir)
    before = graph(gate.store, MARKER)
    assert gate.commit(_almaty_event_submission(tmp_path), "tester", "a meeting in Almaty").conforms
    meeting = res("x-test-almaty-meeting")
    assert (meeting, ots("hostCountry"), res("kazakhstan")) in inferred(gate.store)  # the gate's inference
    # documented (docs/background.md): a write does not touch the listing
    assert graph(gate.store, MARKER) == before
    seed_from_sources(gate.store, load_sources(LAYOUT))  # what `otsgraph build` does
    after = graph(gate.store, MARKER)
    assert (meeting, ots("hostCountry"), res("kazakhstan")) in after  # Almaty's country is background
    assert (meeting, ots("heldIn"), res("almaty")) not in after  # asserted by the addition, not inferred
    assert before <= after and after <= inferred(gate.store)


def test_the_entity_page_badges_an_inference_that_rests_on_background():
    """Almaty's host country is inferred from background geography: its row says so (and keeps its
    "why?" link); a fact the article states carries no such badge."""
    import re

    import requests

    from server_fixtures import serve

    with serve() as live:
        page = requests.get(live.url + "/resource/summit-tc-almaty", params={"lang": "en"}).text
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page, flags=re.S)
    host = [r for r in rows if "/resource/kazakhstan" in r and "from_background" in r]
    assert host, "the inferred host country is not marked as resting on background"
    assert all("/explain" in r for r in host)  # still an inference with its explanation
    assert "rests on background" in page
    quoted = [r for r in rows if "/ontology/participant" in r and "<q lang=" in r]  # stated, with its quote
    assert quoted and not any("from_background" in r for r in quoted)


def _sources_with(article: set[tuple], background: set[tuple]) -> Sources:
    """The shipped ontology with this article data and this background."""
    sources = Sources()
    sources.graphs[ONTOLOGY_GRAPH] = list(load_sources(LAYOUT).graphs[ONTOLOGY_GRAPH])
    sources.graphs[ASSERTED_GRAPH] = [Statement(*t) for t in article]
    sources.graphs[BACKGROUND] = [Statement(*t) for t in background]
    return sources


def _two_closures(sources: Sources) -> tuple[set, set]:
    """The definition the build's one staged run must meet: the closure with everything, and what
    the closure without the background lacks (two runs)."""
    ontology = set(sources.triples(ONTOLOGY_GRAPH))
    base = set(sources.triples(ONTOLOGY_GRAPH, ASSERTED_GRAPH, BACKGROUND))
    full = reason_triples(base, ontology)
    return full.inferred, resting_on_background(
        full.inferred, base - set(sources.triples(BACKGROUND)), ontology
    )


def test_one_staged_run_marks_what_two_closures_mark_when_the_background_only_adds():
    event, city_a, city_b, state = (res(f"x-test-{n}") for n in ("event", "city-a", "city-b", "state"))
    gyear = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
    article = {(event, ots("heldIn"), city_a), (city_a, ots("inCountry"), state)}
    background = {
        (event, ots("heldIn"), city_b),
        (city_b, ots("inCountry"), state),
        (event, ots("date"), ox.Literal("2009", datatype=gyear)),  # a date the article lacks
    }
    sources = _sources_with(article, background)
    reasoned = reason(sources)
    inferred, marked = _two_closures(sources)
    assert reasoned.inferred == inferred and reasoned.from_background == marked
    assert (event, ots("earliestDate"), ox.Literal("2009-01-01", datatype=XSD_DATE)) in marked
    assert (city_b, ots("locatedIn"), state) in marked
    assert (event, ots("hostCountry"), state) in inferred - marked


def test_a_background_date_that_narrows_the_articles_range_is_marked_as_two_closures_mark_it():
    """The temporal rule is not monotone: a finer background date replaces the article's range, so the
    closure without the background holds an earliest date the full closure does not. The staged
    run cannot go on from the article's fixpoint then, and reasons over each apart."""
    event = res("x-test-event")
    gyear = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
    article = {(event, ots("date"), ox.Literal("2009", datatype=gyear)), (event, RDF_TYPE, ots("Summit"))}
    background = {(event, ots("date"), ox.Literal("2009-10-03", datatype=XSD_DATE))}
    sources = _sources_with(article, background)
    reasoned = reason(sources)
    inferred, marked = _two_closures(sources)
    assert reasoned.inferred == inferred and reasoned.from_background == marked
    assert (event, ots("earliestDate"), ox.Literal("2009-10-03", datatype=XSD_DATE)) in marked
    assert (event, ots("earliestDate"), ox.Literal("2009-01-01", datatype=XSD_DATE)) not in inferred
