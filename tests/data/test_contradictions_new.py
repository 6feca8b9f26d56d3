"""The article's silent doubts, each beside a sourced background claim (issue 12, "Say it exactly").

For each doubt: the article's reading stays in its quoted claim, unchanged; a background claim with a
dct:source says what the source says; the two are linked by ots:conflictsWith (both ways, by symmetry)
and the background claim's editorial note says what disagrees.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from otsgraph.core.namespaces import Graphs
from otsgraph.core.store import query

PREFIXES = """PREFIX ots: <https://w3id.org/otsgraph/ontology/>
PREFIX res: <https://w3id.org/otsgraph/resource/>
PREFIX claim: <https://w3id.org/otsgraph/claim/>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
CLAIM = "https://w3id.org/otsgraph/claim/"

#: background claim -> the article's claims it is linked to
DOUBTS = {
    "bg-nakhchivan-agreement-3-october-2009": {"summit-2009-nakhchivan"},
    "bg-uzbekistan-full-member-since-2019": {
        "econ-other-member-states",
        "summit-uzbekistan-turkmenistan-withdrawal",
    },
    "bg-turkmenistan-observer-since-2021": {
        "econ-observer-states",
        "summit-uzbekistan-turkmenistan-withdrawal",
    },
    "bg-lyceums-official-name-bilim-innovation": {"inst-renaming-feto-schools-2016"},
    "bg-turkic-peoples-not-one-dynasty": {"intro-common-dynasty-before-11th-century"},
    "bg-turan-a-term-not-a-state": {"intro-second-turan"},
}


def ask(build, text: str) -> bool:
    return bool(query(build.store, PREFIXES + text))


@pytest.mark.parametrize("background", sorted(DOUBTS))
def test_each_doubt_is_a_sourced_background_claim_linked_to_the_quoted_article_claim(
    shipped_build, background
):
    rows = query(
        shipped_build.store,
        PREFIXES
        + f"""SELECT ?other ?source ?note ?quote WHERE {{
          claim:{background} a ots:BackgroundClaim ; dct:source ?source ; skos:editorialNote ?note ;
              ots:conflictsWith ?other .
          ?other ots:conflictsWith claim:{background} ; ots:quote ?quote .
          FILTER NOT EXISTS {{ ?other a ots:BackgroundClaim }}
        }}""",
    )
    found = [
        (r["other"].value.removeprefix(CLAIM), r["source"], r["note"].value, r["quote"].value) for r in rows
    ]
    assert {other for other, *_ in found} == DOUBTS[background]
    # a real public page (no invented source): an http(s) IRI
    assert all(
        isinstance(s, ox.NamedNode) and s.value.startswith(("https://", "http://")) for _, s, _, _ in found
    )
    # the note names the article's claim it disagrees with
    assert all(f"claim:{other}" in note for other, _, note, _ in found)
    # the claim's triples are background, never asserted as the article's
    triples = list(shipped_build.store.quads_for_pattern(None, None, None, ox.NamedNode(CLAIM + background)))
    assert triples
    for q in triples:
        assert any(
            shipped_build.store.quads_for_pattern(q.subject, q.predicate, q.object, _g(Graphs.BACKGROUND))
        )
        assert not any(
            shipped_build.store.quads_for_pattern(q.subject, q.predicate, q.object, _g(Graphs.ASSERTED))
        )


def _g(iri) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def test_nakhchivan_both_dates_are_kept_each_in_its_claim(shipped_build):
    assert ask(
        shipped_build,
        """ASK { GRAPH claim:summit-2009-nakhchivan {
                   res:nakhchivan-agreement-2009 ots:date "2009-10-09"^^xsd:date }
                 GRAPH claim:bg-nakhchivan-agreement-3-october-2009 {
                   res:nakhchivan-agreement-2009 ots:date "2009-10-03"^^xsd:date } }""",
    )
    # the day the sources give rests on the background; the article's own day does not
    marked = shipped_build.reasoned.from_background
    agreement = ox.NamedNode("https://w3id.org/otsgraph/resource/nakhchivan-agreement-2009")
    earliest = ox.NamedNode("https://w3id.org/otsgraph/ontology/earliestDate")
    xsd_date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    assert (agreement, earliest, ox.Literal("2009-10-03", datatype=xsd_date)) in marked


def test_statuses_are_dated_by_the_sources_only(shipped_build):
    assert ask(
        shipped_build,
        """ASK { GRAPH claim:bg-uzbekistan-full-member-since-2019 {
                   res:membership-uzbekistan-ots schema:startDate "2019-10"^^xsd:gYearMonth }
                 GRAPH claim:bg-turkmenistan-observer-since-2021 {
                   res:observer-status-turkmenistan-ots schema:startDate "2021-11-12"^^xsd:date } }""",
    )
    # the article itself dates neither
    assert not ask(
        shipped_build,
        """ASK { GRAPH <https://w3id.org/otsgraph/graph/asserted> {
                 { res:membership-uzbekistan-ots schema:startDate ?d }
                 UNION { res:observer-status-turkmenistan-ots schema:startDate ?d } } }""",
    )


def test_the_lyceums_have_the_articles_name_and_the_official_one(shipped_build):
    rows = query(
        shipped_build.store,
        PREFIXES
        + "SELECT ?g ?name WHERE { GRAPH ?g { res:renaming-of-feto-schools-2016 ots:renamedTo ?name } }",
    )
    names = {(r["g"].value.removeprefix(CLAIM), r["name"].value) for r in rows}
    assert ("inst-renaming-feto-schools-2016", "Ғылым инновациялық лицейлері") in names
    assert ("bg-lyceums-official-name-bilim-innovation", "Білім-инновация лицейі") in names
