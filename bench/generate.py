"""Synthetic data for the otsgraph ontology, at a chosen size, written as a project folder.

The shape of the data follows the shipped graph: states, cities in states, people holding
offices, summits in numbered series held in cities with dates and participants, documents
adopted at summits, economic figures; every fact in a claim graph with a quote.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

PREFIXES = """@prefix ots: <https://w3id.org/otsgraph/ontology/> .
@prefix res: <https://w3id.org/otsgraph/resource/> .
@prefix claim: <https://w3id.org/otsgraph/claim/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <http://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
"""


def _labels(name: str) -> str:
    return f'rdfs:label "{name}"@en , "{name} (kk)"@kk , "{name} (ru)"@ru'


def _claim(slug: str, body: str, n: int) -> str:
    quote = f"synthetic quote {n}"
    return (
        f"claim:{slug} {{\n{body}}}\n"
        f'claim:{slug} a ots:Claim ; prov:wasDerivedFrom res:source-article ; ots:quote "{quote}"@kk ;\n'
        f"    ots:quoteStart {n} ; ots:quoteEnd {n + len(quote)} .\n"
    )


def generate(target_triples: int, seed: int = 7) -> tuple[str, str]:
    """Entities (Turtle) and facts (TriG) of roughly `target_triples` asserted triples."""
    rng = random.Random(seed)
    # one "unit" (a summit with its city, state, person, document, figure) is about 60 triples
    units = max(1, target_triples // 60)
    states = max(2, units // 20)
    entities, facts = [PREFIXES], [PREFIXES]
    entities.append(f"res:source-article a ots:SourceArticle ; {_labels('Source article')} .\n")
    entities.append(f"res:gen-series a ots:SummitSeries ; {_labels('Generated series')} .\n")
    for s in range(states):
        entities.append(f"res:gen-state-{s} a ots:State ; {_labels(f'State {s}')} .\n")
        entities.append(
            f"res:gen-office-{s} a ots:Office ; {_labels(f'President of state {s}')} ;"
            f" org:postIn res:gen-state-{s} .\n"
        )
    for u in range(units):
        state = rng.randrange(states)
        year = 1991 + u % 34
        entities.append(f"res:gen-city-{u} a ots:City ; {_labels(f'City {u}')} .\n")
        entities.append(f"res:gen-person-{u} a ots:Person ; {_labels(f'Person {u}')} .\n")
        entities.append(f"res:gen-summit-{u} a ots:Summit ; {_labels(f'Summit {u}')} .\n")
        entities.append(f"res:gen-doc-{u} a ots:Declaration ; {_labels(f'Declaration {u}')} .\n")
        entities.append(f"res:gen-term-{u} a ots:OfficeTerm ; {_labels(f'Term {u}')} .\n")
        entities.append(f"res:gen-fig-{u} a ots:EconomicFigure ; {_labels(f'Figure {u}')} .\n")
        facts.append(_claim(f"gen-city-{u}", f"res:gen-city-{u} ots:inCountry res:gen-state-{state} .\n", u))
        facts.append(
            _claim(
                f"gen-summit-{u}",
                f"res:gen-summit-{u} ots:heldIn res:gen-city-{u} ;\n"
                f'    ots:date "{year}-{1 + u % 12:02d}-{1 + u % 28:02d}"^^xsd:date ;\n'
                "    ots:numberedAs [ a ots:SummitNumber ; ots:inSeries res:gen-series ;"
                f" ots:ordinal {u + 1} ] ;\n"
                f"    ots:participant res:gen-state-{state} , res:gen-person-{u} ;\n"
                f"    ots:adopted res:gen-doc-{u} .\n",
                u,
            )
        )
        facts.append(
            _claim(
                f"gen-term-{u}",
                f"res:gen-term-{u} ots:holder res:gen-person-{u} ; ots:office res:gen-office-{state} ;"
                f" ots:attestedAt res:gen-summit-{u} .\n",
                u,
            )
        )
        facts.append(
            _claim(
                f"gen-fig-{u}",
                f"res:gen-fig-{u} ots:about res:gen-state-{state} ; ots:indicator res:indicator-gdp ;"
                f' ots:value "{rng.randint(1, 10**6)}.5"^^xsd:decimal ; ots:unit res:unit-usd ;'
                f' ots:referenceYear "{year}"^^xsd:gYear ; ots:isForecast false .\n',
                u,
            )
        )
    entities.append(f"res:indicator-gdp a ots:Indicator ; {_labels('GDP')} .\n")
    entities.append(f"res:unit-usd a ots:Unit ; {_labels('US dollar')} .\n")
    return "".join(entities), "".join(facts)


def write_project(root: Path, repo: Path, target_triples: int) -> Path:
    """A project folder with the repo's ontology and shapes and generated data."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(repo / "ontology", root / "ontology")
    shutil.copytree(repo / "shapes", root / "shapes")
    (root / "data" / "entities").mkdir(parents=True)
    (root / "data" / "facts").mkdir(parents=True)
    entities, facts = generate(target_triples)
    (root / "data" / "entities" / "generated.ttl").write_text(entities, encoding="utf-8")
    (root / "data" / "facts" / "generated.trig").write_text(facts, encoding="utf-8")
    return root
