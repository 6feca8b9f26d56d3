"""`otsgraph validate`: every RDF format, the report formats, the exit codes, and every kind of bad input."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib

from gate_support import SUBMISSIONS, seeded_store_dir
from otsgraph.cli import main


@pytest.fixture
def store_dir(tmp_path, tmp_path_factory):
    return seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp())


def validate(capsys, store_dir, *args: str) -> tuple[int, str, str]:
    code = main(["validate", "-q", "--store", str(store_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _convert(source, target, fmt: ox.RdfFormat) -> None:
    quads = list(ox.parse(path=str(source)))
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML):
        data = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=fmt)
    else:
        data = ox.serialize(quads, format=fmt)
    target.write_bytes(data)


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".rdf", ".jsonld", ".trig", ".nq"])
def test_an_entity_declaration_validates_in_every_format(capsys, store_dir, tmp_path, suffix):
    from otsgraph.gate.submission import EXTENSIONS

    path = tmp_path / f"city{suffix}"
    _convert(SUBMISSIONS / "city.ttl", path, EXTENSIONS[suffix])
    code, out, _ = validate(capsys, store_dir, str(path))
    assert code == 0, out
    assert "conforms" in out.splitlines()[-1] and "does not conform" not in out
    # the city's missing country is a warning (it does not block)
    assert "Warning" in out and "res:shusha" in out


@pytest.mark.parametrize("suffix", [".trig", ".nq", ".jsonld"])
def test_claims_validate_in_every_format_with_named_graphs(capsys, store_dir, tmp_path, suffix):
    from otsgraph.gate.submission import EXTENSIONS

    path = tmp_path / f"summit{suffix}"
    _convert(SUBMISSIONS / "summit.trig", path, EXTENSIONS[suffix])
    code, out, _ = validate(capsys, store_dir, str(path))
    assert code == 0, out


def test_input_format_overrides_the_extension(capsys, store_dir, tmp_path):
    path = tmp_path / "city.txt"
    path.write_bytes((SUBMISSIONS / "city.ttl").read_bytes())
    code, _, err = validate(capsys, store_dir, str(path))
    assert code == 2 and "--input-format" in err
    code, out, _ = validate(capsys, store_dir, "--input-format", "turtle", str(path))
    assert code == 0, out


def test_an_invalid_submission_exits_1_with_a_grouped_report(capsys, store_dir):
    code, out, _ = validate(capsys, store_dir, str(SUBMISSIONS / "problems.trig"))
    assert code == 1
    assert "Did you mean ots:participant?" in out
    assert "res:summit-bad  “Bad summit”" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("does not conform: ") and " violations" in last


def test_json_and_turtle_reports(capsys, store_dir):
    code, out, _ = validate(capsys, store_dir, "--format", "json", str(SUBMISSIONS / "problems.trig"))
    assert code == 1
    data = json.loads(out)
    assert data["conforms"] is False and data["counts"]["violation"] > 5
    focus = {group["focus"] for group in data["results"]}
    assert "https://w3id.org/otsgraph/resource/summit-bad" in focus
    first = data["results"][0]["results"][0]
    assert {"path", "value", "message", "severity", "shape", "kind"} <= set(first)
    code, out, _ = validate(capsys, store_dir, "--format", "turtle", str(SUBMISSIONS / "problems.trig"))
    assert code == 1
    graph = rdflib.Graph().parse(data=out, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert len(list(graph.subjects(rdflib.RDF.type, sh.ValidationResult))) == data["counts"]["violation"]


def test_several_files_are_checked_together(capsys, store_dir):
    code, out, _ = validate(capsys, store_dir, str(SUBMISSIONS / "summit-in-shusha.trig"))
    assert code == 1 and "Undeclared entity: res:shusha" in out
    # the summit's city is declared in the other file: together they conform
    files = [str(SUBMISSIONS / "city.ttl"), str(SUBMISSIONS / "summit-in-shusha.trig")]
    code, out, _ = validate(capsys, store_dir, *files)
    assert code == 0, out


# ---- Bad input: a clear error, exit 2 --------------------------------------------------------


def test_a_syntax_error_names_file_line_and_column(capsys, store_dir):
    code, out, err = validate(capsys, store_dir, str(SUBMISSIONS / "bad-syntax.ttl"))
    assert code == 2 and out == ""
    assert f"{SUBMISSIONS / 'bad-syntax.ttl'}:4:" in err and "syntax error" in err
    assert "Traceback" not in err


def test_non_utf8_text_is_refused_with_its_position(capsys, store_dir):
    code, _, err = validate(capsys, store_dir, str(SUBMISSIONS / "not-utf8.ttl"))
    assert code == 2 and "not valid UTF-8" in err and "not-utf8.ttl:2:" in err


def test_an_empty_file_is_refused(capsys, store_dir):
    code, _, err = validate(capsys, store_dir, str(SUBMISSIONS / "empty.ttl"))
    assert code == 2 and "empty" in err


def test_a_file_over_the_limit_is_refused_before_reading(capsys, store_dir):
    code, _, err = validate(capsys, store_dir, "--max-bytes", "100", str(SUBMISSIONS / "summit.trig"))
    assert code == 2 and "over the limit of 100 bytes" in err


def test_rdfxml_with_entity_declarations_is_refused_before_parsing(capsys, store_dir, monkeypatch):
    parsed = []
    real_parse = ox.parse
    monkeypatch.setattr(ox, "parse", lambda *a, **k: parsed.append(a) or real_parse(*a, **k))
    code, _, err = validate(capsys, store_dir, str(SUBMISSIONS / "entities.rdf"))
    assert code == 2 and "entities" in err and "entities.rdf:2:1" in err
    assert parsed == []  # the parser never saw it: nothing expanded, no file read
    assert "root:" not in err  # (no /etc/passwd content anywhere)


def test_json_ld_with_a_remote_context_is_refused_and_nothing_is_fetched(capsys, store_dir):
    # conftest's network guard would turn any fetch into an error; the refusal comes first anyway
    code, _, err = validate(capsys, store_dir, str(SUBMISSIONS / "remote-context.jsonld"))
    assert code == 2 and "remote @context" in err and "nothing is fetched" in err


def test_a_blank_node_flood_is_refused(capsys, store_dir, tmp_path):
    path = tmp_path / "flood.nt"
    path.write_text(
        "".join(f'_:b{i} <http://www.w3.org/2000/01/rdf-schema#label> "x"@en .\n' for i in range(20_000)),
        encoding="utf-8",
    )
    code, _, err = validate(capsys, store_dir, str(path))
    assert code == 2 and "blank-node flood" in err


def test_a_literal_of_millions_of_characters_is_refused(capsys, store_dir, tmp_path):
    path = tmp_path / "huge.nt"
    path.write_text(
        '<https://w3id.org/otsgraph/resource/shusha> <http://www.w3.org/2004/02/skos/core#note> "'
        + "x" * 3_000_000
        + '"@en .\n',
        encoding="utf-8",
    )
    code, _, err = validate(capsys, store_dir, str(path))
    assert code == 2 and "3000000 characters" in err


def test_deeply_nested_json_ld_is_an_input_error(capsys, store_dir, tmp_path):
    path = tmp_path / "deep.jsonld"
    path.write_text("[" * 200_000, encoding="utf-8")
    code, _, err = validate(capsys, store_dir, str(path))
    assert code == 2 and "nested too deeply" in err


def test_a_relative_iri_is_refused_not_made_a_local_file_iri(capsys, store_dir, tmp_path):
    """A file's own path is no IRI for the graph: relative IRIs are refused, as over HTTP."""
    path = tmp_path / "relative.ttl"
    path.write_text("<#thing> a <https://w3id.org/otsgraph/ontology/City> .\n", encoding="utf-8")
    code, out, err = validate(capsys, store_dir, str(path))
    assert code == 2 and "relative.ttl:1:" in err
    assert "file://" not in out


def test_a_missing_file_is_an_input_error(capsys, store_dir, tmp_path):
    code, _, err = validate(capsys, store_dir, str(tmp_path / "nowhere.ttl"))
    assert code == 2 and "nowhere.ttl" in err and "cannot read" in err
