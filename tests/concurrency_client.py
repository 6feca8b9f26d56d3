"""Clients for the concurrency tests (test_concurrency.py): a writer that adds batches and a reader
that checks every batch it sees is whole. Used from threads, and run as a script in client processes:

    python concurrency_client.py write KIND URL TOKEN PREFIX COUNT  -> JSON: the acknowledged batch ids
    python concurrency_client.py read KIND URL STOP_FILE   -> JSON: queries run, states seen, half batches

KIND is "plain" (`serve --empty`: a batch is SIZE triples `<batch> <member> <item>`) or "served"
(the served graph, through the gate: a batch is a new city, declared with its three labels and
sourced by a background claim; whole means its asserted triples are all in graph:additions and
its inferred location is in graph:inferred). Each batch is added in one request, a Graph Store
POST or a SPARQL INSERT DATA, alternately.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import requests

SIZE = 40  # triples per plain batch
MEMBER = "urn:otsgraph-test:member"
BATCH = "urn:otsgraph-test:batch:"
PLAIN_QUERY = f"SELECT ?batch (COUNT(?item) AS ?n) {{ ?batch <{MEMBER}> ?item }} GROUP BY ?batch"

RES = "https://w3id.org/otsgraph/resource/"
CITY = RES + "concurrency-city-"
CITY_TRIPLES = 5  # in graph:additions: the type, three labels, the country
SERVED_QUERY = f"""PREFIX graph: <https://w3id.org/otsgraph/graph/>
SELECT ?batch (COUNT(*) AS ?n) (SAMPLE(?located) AS ?inferred) {{
  GRAPH graph:additions {{ ?city ?p ?o }}
  FILTER(STRSTARTS(STR(?city), "{CITY}"))
  BIND(STRAFTER(STR(?city), "{CITY}") AS ?batch)
  BIND(EXISTS {{ GRAPH graph:inferred {{ ?city ots:locatedIn res:central-asia }} }} AS ?located)
}} GROUP BY ?batch"""


def plain_triples(batch_id: str) -> str:
    return "".join(f"<{BATCH}{batch_id}> <{MEMBER}> <{BATCH}{batch_id}/item/{k}> .\n" for k in range(SIZE))


def city_statements(batch_id: str) -> tuple[str, str, str]:
    """The declaration, the claim's facts and the claim's description of one new city (Turtle terms)."""
    city, claim = f"<{CITY}{batch_id}>", f"<https://w3id.org/otsgraph/claim/concurrency-{batch_id}>"
    declaration = (
        f'{city} a ots:City ; rdfs:label "City {batch_id}"@en, "Қала {batch_id}"@kk, "Город {batch_id}"@ru .'
    )
    facts = f"{city} ots:inCountry res:kazakhstan ."
    description = f"{claim} a ots:BackgroundClaim ; dct:source <https://example.org/news/{batch_id}> ."
    return declaration, f"{claim} {{ {facts} }}", description


PREFIXES = {
    "ots": "https://w3id.org/otsgraph/ontology/",
    "res": RES,
    "dct": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def add_batch(
    session: requests.Session, kind: str, url: str, token: str, batch_id: str, by_update: bool
) -> bool:
    """Add one batch in one request; True when the server acknowledged it (2xx)."""
    auth = {"Authorization": f"Bearer {token}"}
    if kind == "plain":
        update = "INSERT DATA {\n" + plain_triples(batch_id) + "}"
        body, media_type = plain_triples(batch_id), "application/n-triples"
    else:
        declaration, claim, description = city_statements(batch_id)
        sparql_prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
        update = f"{sparql_prefixes}INSERT DATA {{\n{declaration}\nGRAPH {claim}\n{description}\n}}"
        turtle_prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
        body, media_type = f"{turtle_prefixes}{declaration}\n{claim}\n{description}\n", "application/trig"
    if by_update:
        response = session.post(
            url + "/sparql",
            data=update.encode(),
            headers={**auth, "Content-Type": "application/sparql-update"},
        )
    else:
        response = session.post(
            url + "/rdf-graphs?default", data=body.encode(), headers={**auth, "Content-Type": media_type}
        )
    return 200 <= response.status_code < 300


def write(kind: str, url: str, token: str, prefix: str, count: int) -> list[str]:
    acknowledged = []
    with requests.Session() as session:
        for i in range(count):
            batch_id = f"{prefix}-{i}"
            if add_batch(session, kind, url, token, batch_id, by_update=i % 2 == 1):
                acknowledged.append(batch_id)
    return acknowledged


def counts(session: requests.Session, kind: str, url: str) -> dict[str, int]:
    """For each batch one query sees: its triple count, or -1 if its inferred triple is missing."""
    query = PLAIN_QUERY if kind == "plain" else SERVED_QUERY
    response = session.get(
        url + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, f"{response.status_code} {response.text}"
    found = {}
    for row in response.json()["results"]["bindings"]:
        whole_inference = kind == "plain" or row["inferred"]["value"] == "true"
        found[row["batch"]["value"].removeprefix(BATCH)] = int(row["n"]["value"]) if whole_inference else -1
    return found


def whole(kind: str) -> int:
    return SIZE if kind == "plain" else CITY_TRIPLES


def read(kind: str, url: str, stop: Path) -> dict:
    """Query until `stop` exists; every batch seen must be whole."""
    queries, seen_totals, half = 0, set(), []
    with requests.Session() as session:
        while not stop.exists():
            seen = counts(session, kind, url)
            queries += 1
            seen_totals.add(len(seen))
            half += [(batch, n) for batch, n in seen.items() if n != whole(kind)]
            time.sleep(0.001)
    return {"queries": queries, "states": sorted(seen_totals), "half": half}


if __name__ == "__main__":
    command, kind, *args = sys.argv[1:]
    if command == "write":
        url, token, prefix, count = args
        print(json.dumps(write(kind, url, token, prefix, int(count))))
    else:
        url, stop = args
        print(json.dumps(read(kind, url, Path(stop))))
