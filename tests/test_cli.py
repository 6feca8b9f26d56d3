"""The command line, run as a user runs it: a subprocess of the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def otsgraph(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "otsgraph.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "project"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(REPO / folder, root / folder)
    done = otsgraph("build", "--root", str(root))
    assert done.returncode == 0, done.stderr[-3000:]
    return root


def test_build_prints_the_summary(project):
    done = otsgraph("build", "--root", str(project), "--no-write", "--quiet")
    assert done.returncode == 0
    assert "triples asserted" in done.stdout and "triples inferred" in done.stdout
    assert "shape violations     0" in done.stdout
    assert "Summit" in done.stdout
    assert done.stderr == ""  # --quiet silences progress


def test_build_shows_progress_unless_quiet(project):
    done = otsgraph("build", "--root", str(project), "--no-write")
    assert "… reasoning over" in done.stderr


def test_build_fails_on_a_bad_file_with_its_location(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "data" / "facts").mkdir(parents=True)
    (root / "data" / "facts" / "x.trig").write_text("<a> <b> .\n", encoding="utf-8")
    done = otsgraph("build", "--root", str(root))
    assert done.returncode == 2
    assert "Load error:" in done.stderr and "x.trig:1:" in done.stderr
    assert "Traceback" not in done.stderr


def test_query_table_and_json(project):
    q = "SELECT ?city WHERE { res:summit-tc-2024-bishkek ots:heldIn ?city . ?city a ots:City }"
    done = otsgraph("query", q, "--root", str(project))
    assert done.returncode == 0, done.stderr
    assert "res:bishkek" in done.stdout and "(1 row)" in done.stdout
    done = otsgraph("query", q, "--root", str(project), "--format", "json")
    rows = json.loads(done.stdout)["results"]["bindings"]
    assert rows == [{"city": {"type": "uri", "value": "https://w3id.org/otsgraph/resource/bishkek"}}]


def test_query_csv_tsv_and_turtle(project):
    q = "SELECT ?s WHERE { ?s a ots:Summit } LIMIT 2"
    # subprocess text mode turns CSV's \r\n line ends into \n
    assert otsgraph("query", q, "--root", str(project), "--format", "csv").stdout.startswith("s\n")
    assert otsgraph("query", q, "--root", str(project), "--format", "tsv").stdout.startswith("?s\n")
    c = "CONSTRUCT { ?s a ots:Summit } WHERE { ?s a ots:Summit }"
    done = otsgraph("query", c, "--root", str(project), "--format", "turtle")
    assert "ots:Summit" in done.stdout


def test_query_asserted_only_excludes_inferences(project):
    q = "ASK { res:summit-tc-2024-bishkek ots:heldIn res:kyrgyzstan }"
    assert otsgraph("query", q, "--root", str(project)).stdout.strip() == "true"
    assert otsgraph("query", q, "--root", str(project), "--asserted-only").stdout.strip() == "false"


def test_query_from_a_file_and_a_syntax_error(project, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a ots:State }", encoding="utf-8")
    assert otsgraph("query", str(f), "--root", str(project)).returncode == 0
    done = otsgraph("query", "SELECT WHERE {", "--root", str(project))
    assert done.returncode == 2 and "Query syntax error" in done.stderr and "Traceback" not in done.stderr


def test_stats_and_qc(project):
    done = otsgraph("stats", "--root", str(project))
    assert done.returncode == 0 and "Entities per class" in done.stdout
    done = otsgraph("qc", "--root", str(project))
    assert done.returncode == 0, done.stdout[-3000:]
    assert "QC: 0 ERROR" in done.stdout


def test_docs_writes_html_with_every_class(project, tmp_path):
    out = tmp_path / "docs.html"
    done = otsgraph("docs", "--root", str(project), "-o", str(out))
    assert done.returncode == 0
    html = out.read_text(encoding="utf-8")
    for term in ("ots:Summit", "ots:State", "ots:heldIn", "Class hierarchy"):
        assert term in html
    assert "Саммит" in html or "саммит" in html  # kk/ru labels are shown


def test_a_long_inline_query_with_a_comment_mentioning_prefixes(project):
    """Longer than a file name may be (it crashed with an OSError), with the word PREFIX in a comment
    only (it switched the common prefixes off): the query runs with res: and rdfs: predeclared."""
    q = (
        "SELECT ?l WHERE { res:kazakhstan rdfs:label ?l FILTER(LANG(?l) = 'en') } # list prefixes "
        + "x" * 300
    )
    done = otsgraph("query", q, "--root", str(project))
    assert done.returncode == 0, done.stderr
    assert "Kazakhstan" in done.stdout
    declared = "PREFIX r: <https://w3id.org/otsgraph/resource/>\nASK { r:kazakhstan ?p ?o }"
    assert otsgraph("query", declared, "--root", str(project)).stdout.strip() == "true"
