"""Writes to the served graph over HTTP go through the gate (issue 5, "Over HTTP"): Graph Store
requests on /rdf-graphs and SPARQL Update on /sparql, and POST /validate, which changes nothing.

The served graph is the shipped one (built into an in-memory store per test); a write to the
default graph changes the asserted data, graph:inferred is read-only and recomputed, a change the
gate rejects answers 422 with the report and changes nothing, an accepted one 204 (201 for a new
graph), recorded under the token's name.
"""

from __future__ import annotations

import json
import os
import subprocess

import pyoxigraph as ox
import pytest
import requests

from otsgraph.server.state import state_of
from serve_command import otsgraph_command, serve_command
from serve_command import serve_app as serve

TOKENS = {"alice-token": "alice", "bob-token": "bob"}
ALICE = {"Authorization": "Bearer alice-token"}
BOB = {"Authorization": "Bearer bob-token"}
TRIG = {"Content-Type": "application/trig"}
UPDATE = {"Content-Type": "application/sparql-update"}
OTS = "https://w3id.org/otsgraph/ontology/"
RES = "https://w3id.org/otsgraph/resource/"
GRAPH = "https://w3id.org/otsgraph/graph/"
SH = "http://www.w3.org/ns/shacl#"
PREFIXES = """@prefix ots: <https://w3id.org/otsgraph/ontology/> .
@prefix res: <https://w3id.org/otsgraph/resource/> .
@prefix claim: <https://w3id.org/otsgraph/claim/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def city(name: str, kk_label: bool = True) -> str:
    """A new city in Kazakhstan, declared with its labels and sourced by a background claim."""
    kk = f', "{name} kk"@kk' if kk_label else ""
    return PREFIXES + (
        f'res:{name} a ots:City ; rdfs:label "{name}"@en{kk}, "{name} ru"@ru .\n'
        f"claim:{name} {{ res:{name} ots:inCountry res:kazakhstan . }}\n"
        f"claim:{name} a ots:BackgroundClaim ; dct:source <https://example.org/news/{name}> .\n"
    )


@pytest.fixture
def live():
    with serve(update_tokens=TOKENS) as server:
        yield server


def ask(live, query: str) -> bool:
    response = requests.get(live.url + "/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def store_size(live) -> int:
    return len(state_of(live.app).store)


def change_log(live):
    return state_of(live.app).gate.log()


# ---------------------------------------------------------------------------------------- Graph Store


def test_an_accepted_post_to_the_default_graph_adds_asserted_data_and_its_inferences(live):
    response = requests.post(
        live.url + "/rdf-graphs?default", data=city("testville"), headers={**ALICE, **TRIG}
    )
    assert response.status_code == 204, response.text
    assert ask(live, f"ASK {{ GRAPH <{GRAPH}additions> {{ <{RES}testville> a <{OTS}City> }} }}")
    # recomputed: the city is located in what Kazakhstan is located in
    assert ask(
        live, f"ASK {{ GRAPH <{GRAPH}inferred> {{ <{RES}testville> <{OTS}locatedIn> <{RES}central-asia> }} }}"
    )
    assert ask(live, f"ASK {{ <{RES}testville> <{OTS}inCountry> <{RES}kazakhstan> }}")  # the default union
    [record] = change_log(live)
    assert record.who == "alice" and record.added_count > 0


def test_an_invalid_post_is_422_with_the_report_and_changes_nothing(live):
    before = store_size(live)
    response = requests.post(
        live.url + "/rdf-graphs?default", data=city("badville", kk_label=False), headers={**ALICE, **TRIG}
    )
    assert response.status_code == 422, response.text
    report = response.json()
    assert report["conforms"] is False and report["counts"]["violation"] >= 1
    focus = [group["focus"] for group in report["results"]]
    assert RES + "badville" in focus
    messages = [r["message"] for group in report["results"] for r in group["results"]]
    assert any("Kazakh" in m for m in messages), messages
    assert store_size(live) == before
    assert not ask(live, f"ASK {{ <{RES}badville> ?p ?o }}")


def test_the_rejection_report_is_the_shacl_report_in_turtle_by_accept(live):
    response = requests.post(
        live.url + "/rdf-graphs?default",
        data=city("badville", kk_label=False),
        headers={**ALICE, **TRIG, "Accept": "text/turtle"},
    )
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/turtle")
    report = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    conforms = [q.object.value for q in report if q.predicate.value == SH + "conforms"]
    assert conforms == ["false"]
    assert any(q.predicate.value == SH + "resultMessage" for q in report)


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_the_inferred_graph_is_read_only(live, method):
    before = store_size(live)
    response = requests.request(
        method,
        live.url + "/rdf-graphs",
        params={"graph": GRAPH + "inferred"},
        data=city("x"),
        headers={**ALICE, **TRIG},
    )
    assert response.status_code == 403, response.text
    assert "recomputed" in response.json()["message"]
    assert store_size(live) == before
    assert requests.get(live.url + "/rdf-graphs", params={"graph": GRAPH + "inferred"}).status_code == 200


def test_get_of_the_default_graph_is_the_served_union(live):
    response = requests.get(live.url + "/rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    # asserted facts and inferred ones, as queries see the default graph
    assert any(t.subject.value == RES + "kazakhstan" for t in triples)
    inferred = requests.get(live.url + "/rdf-graphs", params={"graph": GRAPH + "inferred"})
    some_inferred = next(iter(ox.parse(inferred.content, format=ox.RdfFormat.TURTLE))).triple
    assert some_inferred in {q.triple for q in triples}


def test_a_write_needs_the_token_and_the_audit_names_its_owner(live):
    assert requests.post(live.url + "/rdf-graphs?default", data=city("a1"), headers=TRIG).status_code == 401
    response = requests.post(live.url + "/rdf-graphs?default", data=city("bobville"), headers={**BOB, **TRIG})
    assert response.status_code == 204, response.text
    assert [r.who for r in change_log(live)] == ["bob"]


def test_a_claim_graph_without_a_source_is_refused(live):
    body = f"<{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> ."
    response = requests.post(
        live.url + "/rdf-graphs",
        params={"graph": "https://w3id.org/otsgraph/claim/unsourced"},
        data=body,
        headers={**ALICE, "Content-Type": "text/turtle"},
    )
    assert response.status_code == 422, response.text  # every new fact needs a source
    assert "source" in json.dumps(response.json())


def test_a_new_claim_graph_by_post_is_201(live):
    description = PREFIXES + "claim:sourced a ots:BackgroundClaim ; dct:source <https://example.org/news/s> ."
    response = requests.post(live.url + "/rdf-graphs?default", data=description, headers={**ALICE, **TRIG})
    assert response.status_code == 204, response.text
    response = requests.post(
        live.url + "/rdf-graphs",
        params={"graph": "https://w3id.org/otsgraph/claim/sourced"},
        data=f"<{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> .",
        headers={**ALICE, "Content-Type": "text/turtle"},
    )
    assert response.status_code == 201, response.text
    assert ask(live, f"ASK {{ GRAPH <https://w3id.org/otsgraph/claim/sourced> {{ <{RES}astana> ?p ?o }} }}")


# ---------------------------------------------------------------------------------------- SPARQL Update


def test_an_update_goes_through_the_gate(live):
    insert = """INSERT DATA {
        res:updateville a ots:City ; rdfs:label "Updateville"@en, "Updateville kk"@kk, "Updateville ru"@ru .
        GRAPH claim:updateville { res:updateville ots:inCountry res:kazakhstan }
        claim:updateville a ots:BackgroundClaim ; dct:source <https://example.org/news/u> .
    }"""  # the endpoint's prefixes are predeclared
    response = requests.post(live.url + "/sparql", data=insert.encode(), headers={**ALICE, **UPDATE})
    assert response.status_code == 204, response.text
    assert ask(
        live, f"ASK {{ GRAPH <{GRAPH}inferred> {{ <{RES}updateville> <{OTS}locatedIn> <{RES}asia> }} }}"
    )
    assert [r.who for r in change_log(live)] == ["alice"]


def test_deleting_a_fact_a_shape_requires_is_422_and_the_fact_stays(live):
    query = f'SELECT ?l {{ <{RES}kazakhstan> rdfs:label ?l FILTER(lang(?l) = "kk") }}'
    answer = requests.get(live.url + "/sparql", params={"query": query}).json()
    labels = [row["l"]["value"] for row in answer["results"]["bindings"]]
    assert labels
    literals = " ".join(f'"{label}"@kk' for label in labels)
    before = store_size(live)
    remove = f"DELETE DATA {{ res:kazakhstan rdfs:label {literals} }}"
    response = requests.post(live.url + "/sparql", data=remove.encode(), headers={**ALICE, **UPDATE})
    assert response.status_code == 422, response.text
    assert response.json()["conforms"] is False
    assert store_size(live) == before
    assert ask(live, f'ASK {{ <{RES}kazakhstan> rdfs:label ?l FILTER(lang(?l) = "kk") }}')


def test_an_update_of_the_inferred_graph_is_refused(live):
    update = f"INSERT DATA {{ GRAPH <{GRAPH}inferred> {{ res:kazakhstan a ots:City }} }}"
    response = requests.post(live.url + "/sparql", data=update.encode(), headers={**ALICE, **UPDATE})
    assert response.status_code == 403, response.text
    assert "read-only" in response.json()["message"]
    assert not ask(live, f"ASK {{ GRAPH <{GRAPH}inferred> {{ <{RES}kazakhstan> a <{OTS}City> }} }}")


# ---------------------------------------------------------------------------------------- /validate


def test_validate_reports_and_changes_nothing(live):
    before, version = store_size(live), state_of(live.app).version
    good = requests.post(live.url + "/validate", data=city("goodville"), headers=TRIG)  # no token needed
    assert good.status_code == 200 and good.json()["conforms"] is True
    bad = requests.post(live.url + "/validate", data=city("badville", kk_label=False), headers=TRIG)
    assert bad.status_code == 200 and bad.json()["conforms"] is False
    assert store_size(live) == before and state_of(live.app).version == version
    assert not ask(live, f"ASK {{ <{RES}goodville> ?p ?o }}")


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)],
)
def test_validate_answers_the_shacl_report_in_rdf_by_accept(live, accept, rdf_format):
    response = requests.post(
        live.url + "/validate", data=city("badville", kk_label=False), headers={**TRIG, "Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    quads = list(ox.parse(response.content, format=rdf_format))
    assert any(q.object == ox.NamedNode(SH + "ValidationReport") for q in quads)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (PREFIXES + "res:x a ots:City ;\n  rdfs:label .", "text/turtle", 400, ["<request body>:7:14"]),
        (b"", "text/turtle", 400, ["empty"]),
        ("\xff".encode("latin-1"), "text/turtle", 400, ["UTF-8"]),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', "application/rdf+xml", 400, ["entit"]),
        ('{"@context": "http://127.0.0.1:9/c", "@id": "http://example.org/x"}', "application/ld+json", 400,
         ["context"]),
        ("<a> <b> <c> .", "text/plain", 415, ["text/plain"]),
    ],
)  # fmt: skip
def test_validate_refuses_unreadable_input_with_what_and_where(live, body, content_type, status, words):
    response = requests.post(live.url + "/validate", data=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    message = response.json()["message"]
    for word in words:
        assert word in message, message


def test_validate_has_a_size_limit():
    with serve(max_request_bytes=2000) as server:
        response = requests.post(server.url + "/validate", data=city("x") * 20, headers=TRIG)
        assert response.status_code == 413


def test_an_empty_server_has_no_gate_to_validate_with():
    with serve(empty=True) as server:
        response = requests.post(server.url + "/validate", data=city("x"), headers=TRIG)
        assert response.status_code == 404
        assert "no shapes gate" in response.json()["message"]


def test_the_token_variable_holds_named_tokens():
    from otsgraph.server.serve import parse_tokens

    tokens = parse_tokens(None, {"OTSGRAPH_UPDATE_TOKEN": "alice:s3cret, bob:to:ken,plain"})
    assert tokens == {"s3cret": "alice", "to:ken": "bob", "plain": "client-3"}


def test_an_acknowledged_add_over_http_survives_kill_9(tmp_path):
    """The served graph on an on-disk store: once the server answered 204, the add is durable."""
    store = str(tmp_path / "store")
    env = {**os.environ, "OTSGRAPH_UPDATE_TOKEN": "alice:alice-token"}
    command = [otsgraph_command(), "serve", "--store", store, "--port", "0", "--quiet"]
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        try:
            url = process.stdout.readline().strip()
            body = city("durableville")
            response = requests.post(url + "/rdf-graphs?default", data=body, headers={**ALICE, **TRIG})
            assert response.status_code == 204, response.text
        finally:
            process.kill()  # SIGKILL: no shutdown, no flush on exit
            process.wait()
            process.stdout.close()
    with serve_command("--store", store, "--quiet", log=tmp_path / "again.log") as url:
        query = f"ASK {{ <{RES}durableville> a <{OTS}City> }}"
        assert requests.get(url + "/sparql", params={"query": query}).json()["boolean"] is True


def test_a_post_to_the_store_makes_a_sourced_graph_that_names_itself(live):
    """Relative IRIs in a Graph Store body resolve against the target graph, so a body POSTed to
    /rdf-graphs can describe its own (not yet known) graph as a sourced claim with `<>`."""
    body = (
        f"<> a <{OTS}BackgroundClaim> ; <http://purl.org/dc/terms/source> <https://example.org/news/n> .\n"
        f"<{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> ."
    )
    response = requests.post(
        live.url + "/rdf-graphs", data=body, headers={**ALICE, "Content-Type": "text/turtle"}
    )
    assert response.status_code == 201, response.text
    graph = response.headers["Location"]
    assert ask(
        live, f"ASK {{ GRAPH <{graph}> {{ <{graph}> a <{OTS}BackgroundClaim> . <{RES}astana> ?p ?o }} }}"
    )
    unsourced = requests.post(
        live.url + "/rdf-graphs",
        data=f"<{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> .",
        headers={**ALICE, "Content-Type": "text/turtle"},
    )
    assert unsourced.status_code == 422, unsourced.text


# ------------------------------------------------------------------------- guards of the served graph


def test_put_or_delete_of_the_whole_default_graph_is_refused(live):
    """A PUT or DELETE of ?default would replace or drop every asserted fact at once."""
    before = store_size(live)
    label = f'<{RES}astana> <http://www.w3.org/2000/01/rdf-schema#label> "Astana"@en .'
    put = requests.put(
        live.url + "/rdf-graphs?default", data=label, headers={**ALICE, "Content-Type": "text/turtle"}
    )
    delete = requests.delete(live.url + "/rdf-graphs?default", headers=ALICE)
    for response in (put, delete):
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "whole-default-graph"
    assert store_size(live) == before


def test_adding_to_a_shipped_claim_graph_is_refused(live):
    """A shipped claim's quote would seem to support the new fact."""
    claim = "https://w3id.org/otsgraph/claim/summit-tc-2014-bodrum-gul"
    assert ask(live, f"ASK {{ GRAPH <{claim}> {{ ?s ?p ?o }} }}")
    before = store_size(live)
    response = requests.post(
        live.url + "/rdf-graphs",
        params={"graph": claim},
        data=f"<{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> .",
        headers={**ALICE, "Content-Type": "text/turtle"},
    )
    assert response.status_code == 422, response.text
    assert "shipped data" in json.dumps(response.json())
    assert store_size(live) == before


def test_a_deleted_graph_is_gone(live):
    body = PREFIXES + "claim:gone a ots:BackgroundClaim ; dct:source <https://example.org/news/gone> ."
    assert requests.post(live.url + "/rdf-graphs?default", data=body, headers={**ALICE, **TRIG}).ok
    target = {"graph": "https://w3id.org/otsgraph/claim/gone"}
    fact = f"<{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> ."
    turtle = {**ALICE, "Content-Type": "text/turtle"}
    created = requests.post(live.url + "/rdf-graphs", params=target, data=fact, headers=turtle)
    assert created.status_code == 201, created.text
    assert requests.delete(live.url + "/rdf-graphs", params=target, headers=ALICE).status_code == 204
    assert requests.get(live.url + "/rdf-graphs", params=target).status_code == 404
    assert requests.delete(live.url + "/rdf-graphs", params=target, headers=ALICE).status_code == 404


def test_validate_bounds_what_it_checks(live):
    """No token is needed for /validate, and a check holds the write lock: the submission is bounded."""
    cities = "".join(f"<{RES}c{i}> a <{OTS}City> .\n" for i in range(1001))
    response = requests.post(live.url + "/validate", data=cities, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 400 and "more than 1000 triples" in response.json()["message"]


def test_deeply_nested_json_ld_is_a_clear_400(live):
    response = requests.post(
        live.url + "/validate", data="[" * 200_000, headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 400, response.text
    assert "nested too deeply" in response.json()["message"]


def test_an_update_syntax_error_names_the_clients_own_line(live):
    """The endpoint puts its prefix lines before the update; the error must not count them."""
    update = 'INSERT DATA {\n  res:x rdfs:label "x"@en\n  res:y ;\n}'
    response = requests.post(live.url + "/sparql", data=update.encode(), headers={**ALICE, **UPDATE})
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    line = int(message.split("error at ")[1].split(":")[0])
    assert line == 3, message  # "res:y ;" is where it breaks


@pytest.mark.parametrize("graph", ["inferred-from-background"])
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_the_background_listing_is_read_only(live, graph, method):
    """graph:inferred-from-background (the build's listing) is a shipped graph: a write to it is
    refused whole, never taken as a new claim graph."""
    before = store_size(live)
    response = requests.request(
        method,
        live.url + "/rdf-graphs",
        params={"graph": GRAPH + graph},
        data=city("y"),
        headers={**ALICE, **TRIG},
    )
    assert response.status_code == 403, response.text
    assert store_size(live) == before


def test_a_project_label_inserted_again_is_not_new_and_deleted_is_gone(live):
    """A label in graph:labels (a Turkish alternative name of Kazakhstan) is shipped data to a write:
    inserting it again adds nothing; deleting it removes it from graph:labels (a rebuild restores it);
    deleting the English label the shapes require is refused."""
    label = f'<{RES}kazakhstan> <http://www.w3.org/2004/02/skos/core#altLabel> "Kazakistan Cumhuriyeti"@tr'
    assert ask(live, f"ASK {{ GRAPH <{GRAPH}labels> {{ {label} }} }}")
    inserted = requests.post(
        live.url + "/sparql", data=f"INSERT DATA {{ {label} }}".encode(), headers={**ALICE, **UPDATE}
    )
    assert inserted.status_code == 204, inserted.text
    assert not ask(live, f"ASK {{ GRAPH <{GRAPH}additions> {{ ?s ?p ?o }} }}")
    deleted = requests.post(
        live.url + "/sparql", data=f"DELETE DATA {{ {label} }}".encode(), headers={**ALICE, **UPDATE}
    )
    assert deleted.status_code == 204, deleted.text
    assert not ask(live, f"ASK {{ {label} }}")
    english = f'<{RES}kazakhstan> <http://www.w3.org/2000/01/rdf-schema#label> "Kazakhstan"@en'
    refused = requests.post(
        live.url + "/sparql", data=f"DELETE DATA {{ {english} }}".encode(), headers={**ALICE, **UPDATE}
    )
    assert refused.status_code == 422 and ask(live, f"ASK {{ GRAPH <{GRAPH}labels> {{ {english} }} }}")
