"""A client's RDF is depth-capped before any parser sees it, on every path that reads one.

pyoxigraph 0.5.13's parsers recurse: about 3,200 nested JSON-LD objects, or 18,000 nested RDF 1.2
triple terms `<<( … )>>` in Turtle, TriG, N-Triples or N-Quads, overflow the stack and kill the
process with SIGSEGV (no exception to catch). So `serve --empty` is driven as a real subprocess: it
must answer 400 and still be alive; the gated server, `otsgraph validate` (in this process where a
crash was not possible before, in a subprocess where it was) refuse with exit 2 / 400 too.
"""

from __future__ import annotations

import re
import subprocess

import pytest
import requests

from gate_support import seeded_store_dir
from otsgraph.cli import main
from otsgraph.gate.submission import MAX_DEPTH
from serve_command import otsgraph_command, serve_app, serve_command

TOKENS = {"alice-token": "alice"}
ALICE = {"Authorization": "Bearer alice-token"}
DEPTH = 5_000
TRIPLE_TERMS = 20_000  # over the crash depth of triple terms


def deep_json_ld(depth: int = DEPTH) -> bytes:
    """`depth` JSON objects, each the value of the one around it."""
    return (
        '{"http://example.org/p": ' * (depth - 1) + '{"@id": "http://example.org/x"}' + "}" * (depth - 1)
    ).encode()


def deep_triple_terms(depth: int = TRIPLE_TERMS, graph: bool = False) -> bytes:
    """A triple whose object is a triple term nested `depth` deep (each `<<(` counts as two levels);
    short absolute IRIs keep it under the server's 1 MB body limit."""
    inner = "<<( <u:s> <u:p> " * depth + "<u:o>" + " )>>" * depth
    triple = f"<u:s> <u:p> {inner} ."
    return (f"<u:g> {{ {triple} }}" if graph else triple + "\n").encode()


def deep_blank_nodes(depth: int = DEPTH) -> bytes:
    """Turtle blank-node property lists nested `depth` deep (pyoxigraph does not crash on these, but
    no document needs them, and the cap is the same for every format)."""
    nested = "[ <http://example.org/p> " * depth + "1" + " ]" * depth
    return f"<http://example.org/s> <http://example.org/p> {nested} .".encode()


def deep_rdf_xml(depth: int = 3_000) -> bytes:
    """`depth` nested elements (node and property elements alternating): quadratic time to parse."""
    head = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">'
    pairs = depth // 2
    return (
        head + "<rdf:Description><e:p>" * pairs + "</e:p></rdf:Description>" * pairs + "</rdf:RDF>"
    ).encode()


# (media type, body, depth the message names)
CRASHING = [
    ("application/ld+json", deep_json_ld(), DEPTH),
    ("text/turtle", deep_triple_terms(), 2 * TRIPLE_TERMS),
    ("application/trig", deep_triple_terms(graph=True), 2 * TRIPLE_TERMS + 1),
    ("application/n-triples", deep_triple_terms(), 2 * TRIPLE_TERMS),
    ("application/n-quads", deep_triple_terms(), 2 * TRIPLE_TERMS),
]


def assert_names_depth(message: str, depth: int) -> None:
    """The depth found, the limit, and where it was first passed (line:column)."""
    assert re.search(
        rf":\d+:\d+: nested too deeply: {depth} levels of .* over the limit of {MAX_DEPTH}", message
    ), message


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory):
    with serve_command(
        "--empty", log=tmp_path_factory.mktemp("serve") / "serve.log", tokens="alice:alice-token"
    ) as url:
        yield url


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("media_type, body, depth", CRASHING, ids=[c[0] for c in CRASHING])
def test_serve_empty_answers_a_deep_body_400_and_stays_up(plain_server, method, media_type, body, depth):
    response = requests.request(
        method,
        plain_server + "/rdf-graphs",
        params={"default": ""},
        data=body,
        headers={**ALICE, "Content-Type": media_type},
        timeout=60,
    )
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "too-deep"
    assert_names_depth(response.json()["message"], depth)
    assert requests.get(plain_server + "/health", timeout=10).status_code == 200


def test_serve_empty_refuses_deep_blank_node_lists_and_xml_too(plain_server):
    for media_type, body, depth in (
        ("text/turtle", deep_blank_nodes(), DEPTH),
        ("application/rdf+xml", deep_rdf_xml(), 3_001),  # and rdf:RDF
    ):
        response = requests.post(
            plain_server + "/rdf-graphs?default", data=body, headers={**ALICE, "Content-Type": media_type}
        )
        assert response.status_code == 400, response.text
        assert_names_depth(response.json()["message"], depth)
    # and a document nested as deep as the limit is read
    body = deep_blank_nodes(MAX_DEPTH)
    response = requests.post(
        plain_server + "/rdf-graphs?default", data=body, headers={**ALICE, "Content-Type": "text/turtle"}
    )
    assert response.status_code == 204, response.text


def test_the_gated_server_refuses_deep_json_ld_with_the_depth():
    with serve_app(update_tokens=TOKENS) as live:
        for method, path in (
            ("POST", "/rdf-graphs?default"),
            ("PUT", "/rdf-graphs?graph=urn:x"),
            ("POST", "/validate"),
        ):
            response = requests.request(
                method,
                live.url + path,
                data=deep_json_ld(),
                headers={**ALICE, "Content-Type": "application/ld+json"},
            )
            assert response.status_code == 400, response.text
            assert_names_depth(response.json()["message"], DEPTH)
            assert response.json()["message"].startswith("<request body>:1:")
        assert requests.get(live.url + "/health").status_code == 200


@pytest.fixture
def store_dir(tmp_path, tmp_path_factory):
    return seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp())


def test_validate_exits_2_naming_the_depth(capsys, store_dir, tmp_path):
    for name, body, depth in (
        ("deep.jsonld", deep_json_ld(), DEPTH),
        ("deep.ttl", deep_blank_nodes(), DEPTH),
        ("deep.rdf", deep_rdf_xml(), 3_001),  # and rdf:RDF
    ):
        path = tmp_path / name
        path.write_bytes(body)
        code = main(["validate", "-q", "--store", str(store_dir), str(path)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert_names_depth(err, depth)
        assert f"{path}:1:" in err


def test_validate_of_deep_triple_terms_exits_2_instead_of_crashing(store_dir, tmp_path):
    """In a subprocess: before the cap, this killed the process with SIGSEGV."""
    path = tmp_path / "deep.nt"
    path.write_bytes(deep_triple_terms())
    result = subprocess.run(
        [otsgraph_command(), "validate", "-q", "--store", str(store_dir), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert_names_depth(result.stderr, 2 * TRIPLE_TERMS)
