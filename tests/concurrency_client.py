"""Clients for the concurrency tests (test_concurrency.py): a writer that adds batches and a reader
that checks every batch it sees is whole. Used from threads, and run as a script in client processes:

    python concurrency_client.py write URL TOKEN PREFIX COUNT SIZE   -> JSON list of acknowledged batch ids
    python concurrency_client.py read URL SIZE STOP_FILE             -> JSON {"queries": n, "seen": [...]}

A batch is SIZE triples `<batch> <member> <item>`, added in one request (a Graph Store POST or a
SPARQL INSERT DATA, alternately). A reader counts members per batch; each count must be 0 or SIZE.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import requests

MEMBER = "urn:otsgraph-test:member"
BATCH = "urn:otsgraph-test:batch:"
COUNT_QUERY = f"SELECT ?batch (COUNT(?item) AS ?n) {{ ?batch <{MEMBER}> ?item }} GROUP BY ?batch"


def batch_triples(batch_id: str, size: int) -> str:
    return "".join(f"<{BATCH}{batch_id}> <{MEMBER}> <{BATCH}{batch_id}/item/{k}> .\n" for k in range(size))


def add_batch(
    session: requests.Session, url: str, token: str, batch_id: str, size: int, by_update: bool
) -> bool:
    """Add one batch; True when the server acknowledged it (2xx)."""
    auth = {"Authorization": f"Bearer {token}"}
    if by_update:
        body = "INSERT DATA {\n" + batch_triples(batch_id, size) + "}"
        response = session.post(
            url + "/sparql", data=body.encode(), headers={**auth, "Content-Type": "application/sparql-update"}
        )
    else:
        response = session.post(
            url + "/rdf-graphs?default",
            data=batch_triples(batch_id, size).encode(),
            headers={**auth, "Content-Type": "application/n-triples"},
        )
    return 200 <= response.status_code < 300


def write(url: str, token: str, prefix: str, count: int, size: int) -> list[str]:
    acknowledged = []
    with requests.Session() as session:
        for i in range(count):
            batch_id = f"{prefix}-{i}"
            if add_batch(session, url, token, batch_id, size, by_update=i % 2 == 1):
                acknowledged.append(batch_id)
    return acknowledged


def counts(session: requests.Session, url: str) -> dict[str, int]:
    """Members per batch as one query sees them."""
    response = session.get(
        url + "/sparql", params={"query": COUNT_QUERY}, headers={"Accept": "application/sparql-results+json"}
    )
    response.raise_for_status()
    return {
        row["batch"]["value"].removeprefix(BATCH): int(row["n"]["value"])
        for row in response.json()["results"]["bindings"]
    }


def read(url: str, size: int, stop: Path) -> dict:
    """Query until `stop` exists; every batch seen must have all its SIZE members."""
    queries, seen_totals, half = 0, set(), []
    with requests.Session() as session:
        while not stop.exists():
            seen = counts(session, url)
            queries += 1
            seen_totals.add(len(seen))
            half += [(batch, n) for batch, n in seen.items() if n != size]
            time.sleep(0.001)
    return {"queries": queries, "states": sorted(seen_totals), "half": half}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "write":
        url, token, prefix, count, size = args
        print(json.dumps(write(url, token, prefix, int(count), int(size))))
    else:
        url, size, stop = args
        print(json.dumps(read(url, int(size), Path(stop))))
