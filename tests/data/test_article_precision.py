"""Say exactly what the article says (issue 12): observers are not members, relations the article
states are triples (each in the claim graph whose quote supports it), glosses stay within their
quotes, and docs/modelling.md names every term the data uses.

Queries run on the shipped graph built once (conftest's shipped_build), and over HTTP on a live
server for the entity page and the reconciliation service's data extension."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from otsgraph.core.namespaces import PREFIXES
from otsgraph.core.store import query
from server_fixtures import serve

REPO = Path(__file__).resolve().parents[2]
RES = "https://w3id.org/otsgraph/resource/"
OTS = "https://w3id.org/otsgraph/ontology/"
OTS_ORG = "res:organization-of-turkic-states"
HEADER = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

MEMBERS = {"azerbaijan", "kazakhstan", "kyrgyzstan", "turkey", "uzbekistan"}
OBSERVERS = {"hungary", "northern-cyprus", "turkmenistan"}


def select(build, text: str) -> list[dict[str, str | None]]:
    results = query(build.store, HEADER + text)
    names = [v.value for v in results.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in results]


def ask(build, text: str) -> bool:
    return bool(query(build.store, HEADER + text))


def slugs(build, text: str, var: str = "x") -> set[str]:
    return {r[var].removeprefix(RES) for r in select(build, text)}


# ------------------------------------------------------------------------------ observers are not members


def test_org_member_of_returns_the_member_states_only(shipped_build):
    """Through the whole union (asserted, background, inferred): W3C ORG's membership is membership."""
    assert slugs(shipped_build, f"SELECT ?x {{ ?x org:memberOf {OTS_ORG} }}") == MEMBERS
    assert slugs(shipped_build, f"SELECT ?x {{ ?x ots:memberOf {OTS_ORG} }}") == MEMBERS
    holders = f"SELECT ?x {{ ?m org:member ?x ; org:organization {OTS_ORG} }}"
    assert slugs(shipped_build, holders) <= MEMBERS
    assert slugs(shipped_build, f"SELECT ?x {{ ?x ots:observerOf {OTS_ORG} }}") == OBSERVERS


def test_no_observer_status_is_an_org_membership(shipped_build):
    assert not ask(shipped_build, "ASK { ?s a ots:ObserverStatus , org:Membership }")
    assert not ask(shipped_build, "ASK { ?s a ots:ObserverStatus ; org:organization ?o }")
    statuses = select(
        shipped_build,
        "SELECT ?state ?org { ?s a ots:ObserverStatus ; ots:observerState ?state ; "
        "ots:observedOrganisation ?org }",
    )
    assert {r["state"].removeprefix(RES) for r in statuses} == OBSERVERS
    assert {r["org"] for r in statuses} == {RES + "organization-of-turkic-states"}


def test_the_ontology_uses_org_terms_as_org_defines_them(shipped_build):
    """Only memberships are org:Membership, only member properties reach org:member/org:memberOf,
    a post is held with org:holds, and an observer status is declared disjoint with org:Membership."""
    onto = "GRAPH graph:ontology"
    subclasses = f"SELECT ?x {{ {onto} {{ ?x rdfs:subClassOf+ org:Membership }} }}"
    assert {r["x"].removeprefix(OTS) for r in select(shipped_build, subclasses)} == {
        "Membership",
        "FoundingMembership",
    }
    to_member = f"SELECT ?x {{ {onto} {{ ?x rdfs:subPropertyOf+ org:member }} }}"
    assert {r["x"].removeprefix(OTS) for r in select(shipped_build, to_member)} == {
        "memberState",
        "founderState",
    }
    to_member_of = f"SELECT ?x {{ {onto} {{ ?x rdfs:subPropertyOf+ org:memberOf }} }}"
    assert {r["x"].removeprefix(OTS) for r in select(shipped_build, to_member_of)} == {
        "memberOf",
        "founderOf",
    }
    assert ask(shipped_build, f"ASK {{ {onto} {{ ots:ObserverStatus owl:disjointWith org:Membership }} }}")
    assert ask(shipped_build, f"ASK {{ {onto} {{ ots:holdsOffice rdfs:subPropertyOf org:holds }} }}")
    assert ask(shipped_build, f"ASK {{ {onto} {{ ots:Office rdfs:subClassOf org:Post }} }}")


@pytest.fixture(scope="module")
def server():
    with serve() as live:
        yield live


def test_hungarys_page_says_observer_not_member(server):
    html = requests.get(
        f"{server.url}/resource/hungary", headers={"Accept": "text/html", "Accept-Language": "en"}, timeout=60
    ).text
    text = re.sub(r"<[^>]+>", " ", html)
    assert "observer of" in text
    assert not re.search(r"\bmember of\b", text, re.IGNORECASE)
    turkey = requests.get(
        f"{server.url}/resource/turkey", headers={"Accept": "text/html", "Accept-Language": "en"}, timeout=60
    ).text
    assert re.search(r"\bmember of\b", re.sub(r"<[^>]+>", " ", turkey))  # the check can fail


def test_reconcile_extension_offers_no_observer_as_member(server):
    ids = [RES + s for s in ("hungary", "northern-cyprus", "turkmenistan", "turkey")]
    properties = [{"id": "org:memberOf"}, {"id": OTS + "memberOf"}, {"id": OTS + "observerOf"}]
    answer = requests.post(
        f"{server.url}/reconcile",
        data={"extend": json.dumps({"ids": ids, "properties": properties})},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    ots_org = RES + "organization-of-turkic-states"
    for observer in ids[:3]:
        assert ots_org not in {v["id"] for v in rows[observer]["org:memberOf"]}, observer
        assert ots_org not in {v["id"] for v in rows[observer][OTS + "memberOf"]}, observer
        assert {v["id"] for v in rows[observer][OTS + "observerOf"]} == {ots_org}, observer
    assert ots_org in {v["id"] for v in rows[RES + "turkey"]["org:memberOf"]}


# ------------------------------------------------------------------ relations the article states are triples

#: (claim whose quote supports it, subject, predicate, object): the relations promoted from prose
#: (ots:outcome, skos:note, dct:description, a label or an editorial note) to triples.
PROMOTED = [
    (
        "abstract-independence-new-era",
        "res:dissolution-of-the-soviet-union",
        "ots:independenceOf",
        "res:azerbaijan",
    ),
    (
        "abstract-independence-new-era",
        "res:dissolution-of-the-soviet-union",
        "ots:independenceOf",
        "res:kazakhstan",
    ),
    (
        "abstract-independence-new-era",
        "res:dissolution-of-the-soviet-union",
        "ots:independenceOf",
        "res:kyrgyzstan",
    ),
    (
        "abstract-independence-new-era",
        "res:dissolution-of-the-soviet-union",
        "ots:independenceOf",
        "res:uzbekistan",
    ),
    (
        "abstract-independence-new-era",
        "res:dissolution-of-the-soviet-union",
        "ots:independenceOf",
        "res:turkmenistan",
    ),
    (
        "intro-kazakhstan-independence-1991",
        "res:dissolution-of-the-soviet-union",
        "ots:independenceOf",
        "res:kazakhstan",
    ),
    (
        "intro-first-period-begins-with-independence",
        "res:dissolution-of-the-soviet-union",
        "ots:independenceOf",
        "res:kazakhstan",
    ),
    ("summit-2010-istanbul", OTS_ORG, "ots:beganWorkAt", "res:summit-2010-istanbul"),
    (
        "econ-investment-fund-tranches-and-shares",
        "res:figure-turkic-investment-fund-tranche-share",
        "ots:trancheCount",
        "3",
    ),
    (
        "inst-education-ministries-working-group",
        "res:working-group-on-feto-schools",
        "ots:remit",
        "res:feto-schools-in-kazakhstan",
    ),
    (
        "concl-kazakhstan-chairmanship-books",
        "res:figure-turkic-history-books-published",
        "ots:isLowerBound",
        "true",
    ),
    (
        "concl-kazakhstan-chairmanship-books",
        "res:figure-turkic-history-books-published",
        "ots:about",
        "res:turkic-history-book-series",
    ),
    (
        "inst-ydsk-founded-2012",
        "res:kazakhstan",
        "ots:memberOf",
        "res:high-level-strategic-cooperation-council",
    ),
    ("inst-ydsk-founded-2012", "res:turkey", "ots:memberOf", "res:high-level-strategic-cooperation-council"),
    ("summit-tc-almaty-declaration", "res:summit-tc-almaty", "schema:organizer", OTS_ORG),
    ("summit-tc-2012-bishkek", "res:summit-tc-2012-bishkek", "schema:organizer", OTS_ORG),
    ("summit-tc-2013-gabala", "res:summit-tc-2013-gabala", "schema:organizer", OTS_ORG),
    ("intro-embassy-of-turkey-almaty-1992", "res:embassy-of-turkey-almaty", "ots:sendingState", "res:turkey"),
    (
        "intro-embassy-of-kazakhstan-ankara-1992",
        "res:embassy-of-kazakhstan-ankara",
        "ots:sendingState",
        "res:kazakhstan",
    ),
    (
        "intro-three-periods",
        "res:period-independence",
        "time:intervalMeets",
        "res:period-strategic-partnership",
    ),
    (
        "intro-three-periods",
        "res:period-strategic-partnership",
        "time:intervalBefore",
        "res:period-institutionalisation",
    ),
    (
        "summit-tc-2012-bishkek-atambayev",
        "res:summit-tc-2012-bishkek",
        "ots:participant",
        "res:almazbek-atambayev",
    ),
    ("summit-tc-2014-bodrum-gul", "res:summit-tc-2014-bodrum", "ots:participant", "res:abdullah-gul"),
    (
        "summit-tc-2012-bishkek-participants",
        "res:summit-tc-2012-bishkek",
        "ots:guest",
        "res:president-of-the-academy-of-sciences-of-turkmenistan-2012",
    ),
    (
        "summit-tc-2012-bishkek-participants",
        "res:term-president-of-the-academy-of-sciences-of-turkmenistan-2012",
        "ots:office",
        "res:office-president-of-the-academy-of-sciences-of-turkmenistan",
    ),
    (
        "econ-investment-fund-first-proposed-2019",
        "res:proposal-turkic-investment-fund-2019",
        "schema:superEvent",
        "res:summit-tc-2019-baku",
    ),
]


def test_there_are_26_promoted_relations():
    assert len(PROMOTED) == 26
    assert len(set(PROMOTED)) == 26


@pytest.mark.parametrize("claim, s, p, o", PROMOTED, ids=lambda v: v if isinstance(v, str) else None)
def test_promoted_relation_is_a_triple_in_its_claim_graph(shipped_build, claim, s, p, o):
    assert ask(shipped_build, f"ASK {{ GRAPH claim:{claim} {{ {s} {p} {o} }} }}"), (claim, s, p, o)
    # and the claim quotes the article
    assert ask(shipped_build, f"ASK {{ claim:{claim} ots:quote ?q ; ots:quoteStart ?a }}")


def test_the_turkic_council_began_its_work_at_istanbul_in_september_2010(shipped_build):
    [row] = select(
        shipped_build,
        f"SELECT ?event ?start {{ {OTS_ORG} ots:beganWorkAt ?event . "
        "?event schema:startDate ?start ; ots:heldIn res:istanbul }",
    )
    assert row == {"event": RES + "summit-2010-istanbul", "start": "2010-09-15"}


def test_the_independent_republics_after_the_ussr(shipped_build):
    found = slugs(shipped_build, "SELECT ?x { res:dissolution-of-the-soviet-union ots:independenceOf ?x }")
    assert found == {"azerbaijan", "kazakhstan", "kyrgyzstan", "uzbekistan", "turkmenistan"}


def test_the_periods_in_the_articles_order(shipped_build):
    rows = select(
        shipped_build,
        "SELECT ?a ?b { ?a time:intervalMeets|time:intervalBefore ?b . ?a a ots:Period . ?b a ots:Period }",
    )
    following = {r["a"].removeprefix(RES): r["b"].removeprefix(RES) for r in rows}
    order, period = ["period-independence"], "period-independence"
    while period in following:
        period = following[period]
        order.append(period)
    assert order == ["period-independence", "period-strategic-partnership", "period-institutionalisation"]


def test_more_than_90_books_is_a_lower_bound_of_the_book_series(shipped_build):
    [row] = select(
        shipped_build,
        "SELECT ?about ?value ?lower ?approx { res:figure-turkic-history-books-published ots:about ?about ; "
        "ots:value ?value ; ots:isLowerBound ?lower OPTIONAL { res:figure-turkic-history-books-published "
        "ots:isApproximate ?approx } }",
    )
    assert row["about"] == RES + "turkic-history-book-series"
    assert float(row["value"]) == 90 and row["lower"] == "true" and row["approx"] is None
    assert ask(shipped_build, "ASK { ?chair ots:resultedIn res:turkic-history-book-series }")


def test_the_three_tranches(shipped_build):
    [row] = select(shipped_build, "SELECT ?n ?v { ?f ots:trancheCount ?n ; ots:value ?v }")
    assert int(row["n"]) == 3 and float(row["v"]) == 70_000_000


def test_each_embassy_belongs_to_its_sending_state(shipped_build):
    rows = select(shipped_build, "SELECT ?e ?s { ?e a ots:Embassy ; ots:sendingState ?s }")
    assert {r["e"].removeprefix(RES): r["s"].removeprefix(RES) for r in rows} == {
        "embassy-of-turkey-almaty": "turkey",
        "embassy-of-kazakhstan-ankara": "kazakhstan",
    }


def test_the_turkic_council_organised_the_summits_the_article_calls_its_own(shipped_build):
    found = slugs(shipped_build, f"SELECT ?x {{ ?x a ots:Summit ; schema:organizer {OTS_ORG} }}")
    assert found == {"summit-tc-almaty", "summit-tc-2012-bishkek", "summit-tc-2013-gabala"}


def test_ydsk_members_are_kazakhstan_and_turkey(shipped_build):
    found = slugs(shipped_build, "SELECT ?x { ?x org:memberOf res:high-level-strategic-cooperation-council }")
    assert found == {"kazakhstan", "turkey"}


def test_atambayev_and_gul_took_part_in_their_summits(shipped_build):
    assert "almazbek-atambayev" in slugs(
        shipped_build, "SELECT ?x { res:summit-tc-2012-bishkek ots:participant ?x }"
    )
    assert "abdullah-gul" in slugs(
        shipped_build, "SELECT ?x { ?x ots:participatedIn res:summit-tc-2014-bodrum }"
    )


def test_the_2012_honorary_guest_is_a_person_in_office_not_the_academy(shipped_build):
    rows = select(
        shipped_build,
        "SELECT ?guest ?office ?body { res:summit-tc-2012-bishkek ots:guest ?guest . ?guest a ots:Person ; "
        "ots:holdsOffice ?office . ?office org:postIn ?body }",
    )
    assert rows == [
        {
            "guest": RES + "president-of-the-academy-of-sciences-of-turkmenistan-2012",
            "office": RES + "office-president-of-the-academy-of-sciences-of-turkmenistan",
            "body": RES + "academy-of-sciences-of-turkmenistan",
        }
    ]
    assert not ask(shipped_build, "ASK { ?e ots:guest res:academy-of-sciences-of-turkmenistan }")


def test_the_working_group_is_tied_to_the_feto_schools(shipped_build):
    assert ask(
        shipped_build,
        "ASK { res:working-group-on-feto-schools ots:remit ?schools ; ots:subOrganisationOf ?ministry . "
        "?schools ots:subOrganisationOf res:feto }",
    )


# ------------------------------------------------------------------------------ nothing beyond the quote

#: claim -> (property, the English gloss now, words that went beyond the quote and must stay out)
GLOSSES = {
    "intro-second-period-turkish-companies": (
        "skos:note",
        "Turkish companies worked actively in building and developing infrastructure in Kazakhstan.",
        "new level",
    ),
    "intro-first-period-assessment": (
        "skos:note",
        "The political and economic ties of this period show Kazakhstan's and Turkey's striving "
        "for a strategic partnership.",
        "laid the basis",
    ),
    "inst-methods-historical-comparative": (
        "dct:description",
        "The methodological basis of the study is formed by the methods of historical and "
        "comparative analysis.",
        "stages",
    ),
    "inst-methods-content-analysis": (
        "dct:description",
        "The method of content analysis of statistical data and documents was used.",
        "systematise",
    ),
    "disc-ozalist-turkism-not-irredentist": (
        "dct:description",
        "Ozalist Turkism had no character of territorial nationalism or irredentism.",
        "cultural concept",
    ),
    "intro-gul-central-asia-quote": (
        "ots:theme",
        "Central Asia is a very important region for Turkey; we attach great importance to Central Asia, "
        "to which shared historical and cultural ties bind us",
        "visits",
    ),
}


@pytest.mark.parametrize("claim", sorted(GLOSSES))
def test_gloss_stays_within_its_quote(shipped_build, claim):
    prop, expected, beyond = GLOSSES[claim]
    rows = select(
        shipped_build,
        f'SELECT ?g ?q {{ GRAPH claim:{claim} {{ ?s {prop} ?g FILTER(LANG(?g) = "en") }} '
        f"claim:{claim} ots:quote ?q }}",
    )
    assert [r["g"] for r in rows] == [expected]
    assert beyond not in rows[0]["g"]


def test_gul_theme_in_kazakh_is_the_quote_itself(shipped_build):
    [row] = select(
        shipped_build,
        'SELECT ?t ?q { GRAPH claim:intro-gul-central-asia-quote { ?s ots:theme ?t FILTER(LANG(?t) = "kk") } '
        "claim:intro-gul-central-asia-quote ots:quote ?q }",
    )
    assert row["t"] in row["q"]


def test_the_feto_teachers_rule_is_reported_not_a_decision_in_its_claim(shipped_build):
    claim = "claim:inst-feto-school-teachers-rule"
    assert ask(
        shipped_build, f"ASK {{ GRAPH {claim} {{ res:policy-on-feto-school-teachers a ots:ReportedRule }} }}"
    )
    assert not ask(shipped_build, f"ASK {{ GRAPH {claim} {{ ?x a ?c . ?c rdfs:subClassOf* ots:Document }} }}")
    assert not ask(shipped_build, f"ASK {{ GRAPH {claim} {{ ?x a ots:Decision }} }}")
    assert not ask(shipped_build, "ASK { ?summit ots:adopted res:policy-on-feto-school-teachers }")


def test_the_feto_teachers_rule_is_no_document_anywhere(shipped_build):
    assert not ask(shipped_build, "ASK { res:policy-on-feto-school-teachers a ots:Document }")


# ------------------------------------------------------- the modelling guide lists every term the data uses


def compact(iri: str) -> str | None:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z][\w-]*", iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return None


def data_terms() -> dict[str, set[str]]:
    """The predicates and classes of every file under data/ (parsed with pyoxigraph), by prefixed name."""
    terms: dict[str, set[str]] = {"predicate": set(), "class": set()}
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for path in sorted(REPO.glob("data/**/*")):
        if path.suffix not in (".ttl", ".trig"):
            continue
        fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
        for quad in ox.parse(path=str(path), format=fmt):
            terms["predicate"].add(quad.predicate.value)
            if quad.predicate.value == rdf_type and isinstance(quad.object, ox.NamedNode):
                terms["class"].add(quad.object.value)
    return terms


def test_the_data_uses_terms_of_known_vocabularies_only():
    unknown = [iri for kind in data_terms().values() for iri in kind if compact(iri) is None]
    assert not unknown, f"no prefix for {unknown}"


def test_modelling_guide_mentions_every_predicate_and_class_the_data_uses():
    guide = (REPO / "docs" / "modelling.md").read_text(encoding="utf-8")
    terms = data_terms()
    assert len(terms["predicate"]) > 50 and len(terms["class"]) > 40  # the collection itself works
    missing = sorted(
        f"{kind} {name}"
        for kind, iris in terms.items()
        for name in filter(None, map(compact, iris))
        if not re.search(rf"(?<![\w:-]){re.escape(name)}(?![\w-])", guide)
    )
    assert not missing, "docs/modelling.md does not mention: " + ", ".join(missing)


def test_modelling_guide_says_which_question_each_listed_term_answers():
    guide = (REPO / "docs" / "modelling.md").read_text(encoding="utf-8")
    section = guide.split("## Terms the data uses", 1)[1].split("\n## ", 1)[0]
    for name in (
        "schema:superEvent",
        "schema:about",
        "dct:description",
        "schema:organizer",
        "schema:mentions",
        "schema:areaServed",
        "ots:firstVisitAfter",
        "ots:occasion",
        "ots:mediator",
        "ots:cooperationChannel",
    ):
        [line] = [row for row in section.splitlines() if row.startswith(f"| `{name}`")]
        assert "?" in line, f"{name}: the row says which question it answers"
