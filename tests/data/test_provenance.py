"""Every fact's provenance: quotes are the article's words at their offsets, bracket references are real."""

from __future__ import annotations

import re

import pyoxigraph as ox

from otsgraph.core.namespaces import Graphs

OTS = "https://w3id.org/otsgraph/ontology/"
CLAIMS = f"""PREFIX ots: <{OTS}>
SELECT ?claim ?quote ?start ?end ?ref WHERE {{
  GRAPH <{Graphs.PROVENANCE}> {{
    ?claim ots:quote ?quote ; ots:quoteStart ?start ; ots:quoteEnd ?end .
    OPTIONAL {{ ?claim ots:bracketReference ?ref }}
  }}
}}"""


def claims(store: ox.Store) -> list[dict]:
    return [
        {k: (row[k].value if row[k] is not None else None) for k in ("claim", "quote", "start", "end", "ref")}
        for row in store.query(CLAIMS)
    ]


def test_every_quote_is_the_article_text_at_its_offsets(shipped_build, article_text):
    wrong = [
        c["claim"]
        for c in claims(shipped_build.store)
        if article_text[int(c["start"]) : int(c["end"])] != c["quote"]
    ]
    assert not wrong, f"{len(wrong)} quotes do not match their offsets: {wrong[:10]}"


def test_bracket_reference_is_the_next_one_after_the_quote(shipped_build, article_text):
    wrong = []
    for c in claims(shipped_build.store):
        if c["ref"] is None:
            continue
        following = re.search(r"\[(\d+)\]", article_text[int(c["start"]) :])
        if following is None or following.group(1) != c["ref"]:
            wrong.append((c["claim"], c["ref"], following and following.group(1)))
    assert not wrong, f"bracket references that do not follow their quote: {wrong[:10]}"


def test_every_article_claim_has_a_quote_and_every_background_claim_a_source(shipped_build):
    ask_missing = f"""PREFIX ots: <{OTS}> PREFIX dct: <http://purl.org/dc/terms/>
    SELECT ?claim WHERE {{ GRAPH <{Graphs.PROVENANCE}> {{
      ?claim a ots:Claim .
      FILTER(?claim != <https://w3id.org/otsgraph/claim/entity-labels>)
      FILTER(IF(EXISTS {{ ?claim a ots:BackgroundClaim }},
                NOT EXISTS {{ ?claim dct:source ?src }},
                NOT EXISTS {{ ?claim ots:quote ?q }}))
    }} }}"""
    assert [r["claim"].value for r in shipped_build.store.query(ask_missing)] == []


def test_background_facts_stay_out_of_the_asserted_graph(shipped_build):
    store = shipped_build.store
    background = ox.NamedNode(str(Graphs.BACKGROUND))
    asserted = ox.NamedNode(str(Graphs.ASSERTED))
    facts = list(store.quads_for_pattern(None, None, None, background))
    assert facts, "there are background facts"
    leaked = [q for q in facts if list(store.quads_for_pattern(q.subject, q.predicate, q.object, asserted))]
    # a background fact may coincide with one the article also states; it must not be most of them
    assert len(leaked) < len(facts) / 2


def test_one_short_query_returns_the_quote_of_a_fact(shipped_build):
    q = """PREFIX ots: <https://w3id.org/otsgraph/ontology/> PREFIX res: <https://w3id.org/otsgraph/resource/>
    SELECT ?quote WHERE {
      GRAPH ?claim { res:summit-tc-2024-bishkek ots:heldIn res:bishkek }
      ?claim ots:quote ?quote
    }"""
    quotes = [r["quote"].value for r in shipped_build.store.query(q, use_default_graph_as_union=True)]
    assert quotes and any("Бішкек" in text for text in quotes)


def test_every_asserted_fact_lies_in_a_claim_graph(shipped_build):
    sources = shipped_build.sources
    in_claims = {t for ts in sources.claim_graphs.values() for t in ts}
    asserted = sources.graphs[ox.NamedNode(str(Graphs.ASSERTED))]
    assert all(t in in_claims for t in asserted)


def test_contradictions_are_linked_both_ways(shipped_build):
    q = f"""PREFIX ots: <{OTS}> SELECT ?a ?b WHERE {{ ?a ots:conflictsWith ?b }}"""
    pairs = {
        (r["a"].value, r["b"].value) for r in shipped_build.store.query(q, use_default_graph_as_union=True)
    }
    assert len(pairs) >= 4
    assert all((b, a) in pairs for a, b in pairs)  # symmetric, asserted or inferred
