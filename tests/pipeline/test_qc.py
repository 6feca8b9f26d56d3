"""Quality checks: the shipped graph has no ERROR rows, and each check catches the problem it names."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from otsgraph.core.queries import queries_in
from otsgraph.pipeline.qc import run_checks

G = "https://w3id.org/otsgraph/graph/"
ONT = f"<{G}ontology>"
ASSERTED = f"<{G}asserted>"
PROV = f"<{G}provenance>"
HEAD = """@prefix ots: <https://w3id.org/otsgraph/ontology/> .
@prefix res: <https://w3id.org/otsgraph/resource/> .
@prefix claim: <https://w3id.org/otsgraph/claim/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dct: <http://purl.org/dc/terms/> .
"""
GOOD_ONTOLOGY = f"""{ONT} {{
  <https://w3id.org/otsgraph/ontology> a owl:Ontology ; dct:title "t"@en ; dct:description "d"@en ;
     dct:license <https://creativecommons.org/licenses/by/4.0/> ; owl:versionInfo "0.1.0"@en ;
     owl:versionIRI <https://w3id.org/otsgraph/ontology/0.1.0> .
  ots:State a owl:Class ; rdfs:label "State"@en , "Мемлекет"@kk , "Государство"@ru ;
     skos:definition "A state."@en ; rdfs:isDefinedBy <https://w3id.org/otsgraph/ontology> .
  ots:Claim a owl:Class ; rdfs:label "Claim"@en , "Тұжырым"@kk , "Утверждение"@ru ;
     skos:definition "A claim."@en ; rdfs:isDefinedBy <https://w3id.org/otsgraph/ontology> .
}}"""
GOOD_DATA = f"""{ASSERTED} {{ res:kazakhstan a ots:State ;
  rdfs:label "Kazakhstan"@en , "Қазақстан"@kk , "Казахстан"@ru . }}"""

PLANTED = {
    "missing-label": f'{ASSERTED} {{ res:turkey a ots:State ; rdfs:label "Turkey"@en , "Түркия"@kk . }}',
    "multiple-labels-same-lang": f'{ASSERTED} {{ res:kazakhstan rdfs:label "Qazaqstan"@en . }}',
    "duplicate-label": f"""{ASSERTED} {{ res:kz2 a ots:State ;
        rdfs:label "Kazakhstan"@en , "Қазақстан 2"@kk , "Казахстан 2"@ru . }}""",
    "missing-definition": f"""{ONT} {{ ots:City a owl:Class ;
        rdfs:label "City"@en , "Қала"@kk , "Город"@ru ;
        rdfs:isDefinedBy <https://w3id.org/otsgraph/ontology> . }}""",
    "undeclared-term": f"{ASSERTED} {{ res:kazakhstan ots:heldInn res:kazakhstan . }}",
    "undeclared-entity": f"{ASSERTED} {{ res:kazakhstan ots:memberOf res:organisation-of-turkic-states . }}",
    "untagged-literal": f'{ASSERTED} {{ res:kazakhstan skos:note "untagged" . }}',
    "label-whitespace": f'{ASSERTED} {{ res:kazakhstan skos:altLabel "Kazakhstan "@en . }}',
    "quote-missing": f"{PROV} {{ claim:c1 a ots:Claim . }} claim:c1 {{ res:kazakhstan a ots:State . }}",
    "claim-undescribed": "claim:c2 { res:kazakhstan a ots:State . }",
    "ontology-metadata": None,  # the good ontology with its title removed, below
}


def store_with(*trig: str) -> ox.Store:
    store = ox.Store()
    store.load(("".join(HEAD) + "\n".join(trig)).encode(), format=ox.RdfFormat.TRIG)
    return store


def test_every_check_has_a_header_and_a_planted_case():
    checks = {q.name.removesuffix("-violation"): q for q in queries_in("qc")}
    assert set(checks) == set(PLANTED)
    for check in checks.values():
        assert check.header.get("severity") in ("ERROR", "WARN", "INFO")
        assert "Problem:" in check.text and "How to fix:" in check.text


def test_clean_dataset_has_no_rows():
    assert run_checks(store_with(GOOD_ONTOLOGY, GOOD_DATA)) == []


@pytest.mark.parametrize("check", sorted(PLANTED))
def test_check_catches_its_planted_problem(check):
    if check == "ontology-metadata":
        store = store_with(GOOD_ONTOLOGY.replace('dct:title "t"@en ;', ""), GOOD_DATA)
    else:
        store = store_with(GOOD_ONTOLOGY, GOOD_DATA, PLANTED[check])
    rows = run_checks(store)
    assert {r.check for r in rows} >= {check}, rows


def test_shipped_graph_has_no_error_rows(shipped_build):
    errors = [r for r in run_checks(shipped_build.store) if r.severity == "ERROR"]
    assert not errors, "\n".join(f"{r.check}: {r.entity} {r.property} {r.value}" for r in errors[:40])
