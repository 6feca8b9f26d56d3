"""The curated Wikidata links (data/links/) and the ontology's mappings to Wikidata's terms."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from otsgraph.core.loading import load_sources, parse_file
from otsgraph.core.namespaces import RDF_TYPE, Graphs
from otsgraph.validation.reference import validate

REPO = Path(__file__).resolve().parents[2]
LINKS_GRAPH = ox.NamedNode(str(Graphs.LINKS))
ASSERTED_GRAPH = ox.NamedNode(str(Graphs.ASSERTED))

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
OTS = "https://w3id.org/otsgraph/ontology/"
RES = "https://w3id.org/otsgraph/resource/"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
EXACT = ox.NamedNode(SKOS + "exactMatch")
CLOSE = ox.NamedNode(SKOS + "closeMatch")
EDITORIAL_NOTE = ox.NamedNode(SKOS + "editorialNote")
STATUS = ox.NamedNode(OTS + "wikidataStatus")
NOTE = ox.NamedNode(OTS + "wikidataNote")
DATE = ox.NamedNode(DCT + "date")
DESCRIPTION = ox.NamedNode(DCT + "description")
METHOD = ox.NamedNode(OTS + "linkMethod")
QID = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
STATUSES = {OTS + name for name in ("GraphConstruct", "ArticleOnly", "NoEvidenceFound", "LookAlikeOnly")}


@pytest.fixture(scope="module")
def sources(layout):
    return load_sources(layout)


@pytest.fixture(scope="module")
def links(sources) -> list[tuple]:
    return sources.triples(LINKS_GRAPH)


def objects(triples, s, p) -> list:
    return [o for s2, p2, o in triples if s2 == s and p2 == p]


def records_of(triples, s, p, o) -> list:
    """The link records that reify (s, p, o)."""
    subject, predicate, obj = (ox.NamedNode(RDF + n) for n in ("subject", "predicate", "object"))
    by_record = defaultdict(dict)
    for rs, rp, ro in triples:
        if rp in (subject, predicate, obj):
            by_record[rs][rp] = ro
    return [
        r for r, v in by_record.items() if v.get(subject) == s and v.get(predicate) == p and v.get(obj) == o
    ]


def mappings(triples) -> list[tuple]:
    return [(s, p, o) for s, p, o in triples if p in (EXACT, CLOSE)]


def test_the_curated_links_exist(links):
    assert len([t for t in links if t[1] == EXACT]) >= 40


def test_every_link_has_a_record_with_method_evidence_and_date(links):
    problems = []
    for s, p, o in mappings(links):
        records = records_of(links, s, p, o)
        if len(records) != 1:
            problems.append(f"{s.value} {p.value} {o.value}: {len(records)} records")
            continue
        record = records[0]
        methods = objects(links, record, METHOD)
        evidence = [
            d for d in objects(links, record, DESCRIPTION) if d.language == "en" and len(d.value) > 20
        ]
        dates = [d for d in objects(links, record, DATE) if d.datatype.value.endswith("#date")]
        if not (methods and evidence and dates):
            problems.append(f"{record.value}: method {methods}, evidence {len(evidence)}, date {dates}")
    assert not problems, problems


def test_link_targets_are_wikidata_item_iris(links):
    exact = [o.value for _, p, o in links if p == EXACT]
    assert exact and all(QID.match(o) for o in exact), [o for o in exact if not QID.match(o)]


def test_no_owl_same_as_to_wikidata_anywhere(sources, shipped_build):
    everything = [(q.subject, q.predicate, q.object) for q in sources.quads()]
    everything += list(shipped_build.reasoned.inferred)
    same_as = [t for t in everything if t[1] == SAME_AS and any(str(x).find("wikidata.org") >= 0 for x in t)]
    assert not same_as, same_as[:5]


def test_every_entity_is_linked_or_listed_unlinked_with_a_reason(sources, links):
    entities = {
        s
        for s, p, _ in sources.triples(ASSERTED_GRAPH)
        if p == RDF_TYPE and isinstance(s, ox.NamedNode) and s.value.startswith(RES)
    }
    linked = {s for s, p, _ in links if p == EXACT}
    reasons = defaultdict(list)
    for s, p, o in links:
        if p == STATUS:
            reasons[s].append(o.value)
    notes = {s for s, p, o in links if p == NOTE and o.language == "en" and o.value.strip()}
    neither = sorted(e.value for e in entities - linked - set(reasons))
    both = sorted(e.value for e in linked & set(reasons))
    bad_reason = sorted(s.value for s, r in reasons.items() if len(r) != 1 or r[0] not in STATUSES)
    no_note = sorted(s.value for s in set(reasons) - notes)
    strangers = sorted(e.value for e in (linked | set(reasons)) - entities)
    assert not neither, f"neither linked nor listed: {neither[:10]}"
    assert not both, f"both linked and listed as unlinked: {both}"
    assert not bad_reason, bad_reason
    assert not no_note, no_note[:10]
    assert not strangers, f"links for entities the data does not declare: {strangers}"


def test_no_two_entities_share_an_item_unless_documented(links):
    by_item = defaultdict(set)
    for s, p, o in links:
        if p == EXACT:
            by_item[o].add(s)
    undocumented = []
    for item, entities in by_item.items():
        if len(entities) > 1:
            for entity in entities:
                record = records_of(links, entity, EXACT, item)
                if not (record and objects(links, record[0], EDITORIAL_NOTE)):
                    undocumented.append(f"{entity.value} -> {item.value}")
    assert not undocumented, undocumented


def test_link_records_and_unlinked_entities_conform_to_their_shapes(sources, links):
    report = validate(links, [tuple(t) for t in sources.shapes])
    assert report.conforms, [f"{r.focus} {r.path} {r.message}" for r in report.results][:10]


def test_the_shapes_catch_a_link_record_without_a_date(sources, links):
    """The check above can fail: the same shapes reject a record with its date removed."""
    dated = next(s for s, p, _ in links if p == DATE)
    broken = [t for t in links if not (t[0] == dated and t[1] == DATE)]
    report = validate(broken, [tuple(t) for t in sources.shapes])
    assert not report.conforms
    assert any(r.focus == dated.value and r.path == DATE.value for r in report.results)


@pytest.mark.parametrize(
    "entity, qid",
    [
        ("kazakhstan", "Q232"),
        ("soviet-union", "Q15180"),
        ("almaty", "Q35493"),
        ("organization-of-turkic-states", "Q596850"),
        ("georgia", "Q230"),
        ("gabala", "Q244236"),
        ("cholpon-ata", "Q1017314"),
        ("almazbek-atambayev", "Q24692"),
    ],
)
def test_look_alikes_are_kept_apart(links, entity, qid):
    """The state, not the Soviet republic; the city, not its region; one item for the Turkic Council and OTS;
    the country Georgia, not another item named Georgia (Q1428); the town of Gabala, not Qabala District
    (Q593872); the town of Cholpon-Ata, not its airport (Q5104393)."""
    assert objects(links, ox.NamedNode(RES + entity), EXACT) == [ox.NamedNode(WD + qid)]


SECOND_EVIDENCE_PASS = {
    # issue 12: the entities Wikidata certainly has, looked for again on 2026-12-04
    "cholpon-ata": "whosonfirst-data/whosonfirst-data-admin-kg/blob/",
    "gabala": "whosonfirst-data/whosonfirst-data-admin-az/blob/",
    "almazbek-atambayev": "everypolitician/everypolitician-data/blob/",
}
STILL_UNLINKED = ["nursultan-nazarbayev", "ahmet-necdet-sezer", "bodrum"]


@pytest.mark.parametrize("entity", sorted(SECOND_EVIDENCE_PASS))
def test_issue_12_links_cite_a_repository_file_at_a_commit(links, entity):
    """Each link of the issue-12 pass names its evidence file by repository, commit and path, and is dated."""
    node = ox.NamedNode(RES + entity)
    (item,) = objects(links, node, EXACT)
    (record,) = records_of(links, node, EXACT, item)
    derived = [
        o.value for o in objects(links, record, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"))
    ]
    assert derived and all(
        re.match(rf"^https://github\.com/{re.escape(SECOND_EVIDENCE_PASS[entity])}[0-9a-f]{{40}}/\S+$", d)
        for d in derived
    ), derived
    assert [d.value for d in objects(links, record, DATE)] == ["2026-12-04"]
    (description,) = objects(links, record, DESCRIPTION)
    assert item.value.removeprefix(WD) in description.value


@pytest.mark.parametrize("entity", [*STILL_UNLINKED, "summit-tc-2018-cholpon-ata", "summit-tc-2021-istanbul"])
def test_issue_12_entities_left_unlinked_say_what_was_searched(links, entity):
    """No guessed link: the entities still without evidence keep NoEvidenceFound, with a note of this pass."""
    node = ox.NamedNode(RES + entity)
    assert not objects(links, node, EXACT)
    assert objects(links, node, STATUS) == [ox.NamedNode(OTS + "NoEvidenceFound")]
    (note,) = objects(links, node, NOTE)
    assert "2026-12-04" in note.value


def test_bodrum_note_names_the_ambiguous_item_without_linking_it(links):
    """The one item found for Bodrum is given to the town and the district alike: named, not linked."""
    (note,) = objects(links, ox.NamedNode(RES + "bodrum"), NOTE)
    assert "Q172267" in note.value and "district" in note.value
    assert ox.NamedNode(WD + "Q172267") not in {o for _, p, o in links if p == EXACT}


def test_name_nodes_of_the_renamed_organisation_are_not_linked(links):
    for name in ("name-turkic-council", "name-organization-of-turkic-states"):
        node = ox.NamedNode(RES + name)
        assert not objects(links, node, EXACT)
        assert objects(links, node, STATUS) == [ox.NamedNode(OTS + "GraphConstruct")]


PREFIXES = (
    f"PREFIX wd: <{WD}> PREFIX wdt: <{WDT}> PREFIX res: <{RES}> PREFIX ots: <{OTS}> PREFIX skos: <{SKOS}> "
)


def query(store: ox.Store, text: str) -> list:
    return list(store.query(PREFIXES + text, use_default_graph_as_union=True))


def ask(store: ox.Store, text: str) -> bool:
    return bool(store.query(PREFIXES + text, use_default_graph_as_union=True))


def test_a_query_in_wikidata_terms_finds_our_states(shipped_build):
    store = shipped_build.store
    found = {row["x"].value for row in query(store, "SELECT ?x WHERE { ?x wdt:P31 wd:Q3624078 }")}
    states = {row["x"].value for row in query(store, "SELECT ?x WHERE { ?x a ots:State }")}
    assert RES + "kazakhstan" in found and RES + "turkey" in found
    assert found == states and len(found) >= 15
    cities = {row["x"].value for row in query(store, "SELECT ?x WHERE { ?x wdt:P31 wd:Q515 }")}
    assert RES + "almaty" in cities and RES + "kazakhstan" not in cities


def test_a_query_in_wikidata_terms_joins_with_the_links(shipped_build):
    rows = query(
        shipped_build.store,
        """SELECT ?summit ?item WHERE {
             ?summit wdt:P276 ?city ; wdt:P17 ?country .
             ?country wdt:P31 wd:Q3624078 ; wdt:P463 ?org .
             ?org skos:exactMatch wd:Q596850 .
             ?city skos:exactMatch ?item .
           }""",
    )
    pairs = {(r["summit"].value.removeprefix(RES), r["item"].value.removeprefix(WD)) for r in rows}
    assert ("summit-tc-2012-bishkek", "Q9361") in pairs
    assert ("summit-tc-2015-astana", "Q1520") in pairs


@pytest.mark.parametrize(
    "wikidata, ours",
    [
        ("res:nursultan-nazarbayev wdt:P39 res:office-president-of-kazakhstan", True),
        ("res:kazakhstan wdt:P463 res:organization-of-turkic-states", True),
        ("res:summit-1992-ankara wdt:P710 res:nursultan-nazarbayev", True),
        ("res:almaty wdt:P17 res:kazakhstan", True),
        ("?x wdt:P585 ?when", False),  # only a close match: our dates are literals of mixed precision
        ("?x wdt:P131 ?where", False),  # only a close match: regions are not administrative units
        ("?x wdt:P2131 ?gdp", False),  # only a close match: our figures are nodes
    ],
)
def test_subproperties_only_where_the_value_shapes_agree(shipped_build, wikidata, ours):
    assert ask(shipped_build.store, f"ASK {{ {wikidata} }}") is ours


def test_ontology_mappings_are_consistent(layout):
    """Each mapped term points at a Wikidata property or class item; each inference axiom
    (subproperty, hasValue) agrees with the term's own mapping record."""
    ontology = {
        (q.subject, q.predicate, q.object) for q in parse_file(layout.ontology_dir / "wikidata-mappings.ttl")
    }
    mapped = defaultdict(set)
    for s, p, o in ontology:
        if p in (EXACT, CLOSE):
            assert re.match(r"^http://www\.wikidata\.org/entity/[PQ][1-9][0-9]*$", o.value), o
            mapped[s].add(o.value.removeprefix(WD))
        if p == EDITORIAL_NOTE:
            assert o.language == "en" and "Wikidata mapping" in o.value
    subproperty = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
    subclass = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    has_value = ox.NamedNode("http://www.w3.org/2002/07/owl#hasValue")
    for s, p, o in ontology:
        if p == subproperty:
            assert o.value.startswith(WDT) and o.value.removeprefix(WDT) in mapped[s], (s, o)
        if p == subclass:
            value = next(v for r, q, v in ontology if r == o and q == has_value)
            assert value.value.removeprefix(WD) in mapped[s], (s, value)
    notes = {s for s, p, _ in ontology if p == EDITORIAL_NOTE}
    assert set(mapped) <= notes, "every mapped term carries its evidence note"
    assert {
        "P276",
        "P17",
        "P463",
        "P710",
        "P39",
        "P585",
        "P580",
        "P582",
        "P131",
        "P2131",
        "P1082",
    } <= set().union(*mapped.values())


def test_docs_table_matches_the_data(links):
    text = (REPO / "docs" / "links.md").read_text(encoding="utf-8")
    linked = {(s.value.removeprefix(RES), o.value.removeprefix(WD)) for s, p, o in links if p == EXACT}
    for entity, qid in linked:
        assert re.search(rf"`{re.escape(entity)}`\s*\|\s*{qid}\b", text), (
            f"{entity} {qid} missing from docs/links.md"
        )
    counts = defaultdict(int)
    for _, p, o in links:
        if p == STATUS:
            counts[o.value.removeprefix(OTS)] += 1
    assert f"**{len(linked)} linked**" in text
    for status, n in counts.items():
        assert f"| `{status}` | {n} |" in text, f"{status}: {n}"
