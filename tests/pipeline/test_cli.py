"""The command line, run as a user runs it: a subprocess of the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


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
    # every asserted triple is either quoted from the article or the curators' own, and says which
    table = done.stdout.split("Asserted triples by provenance")[1].splitlines()
    facts, quoted, curation, other = (int(n) for n in table[3].split())
    assert quoted > 1000 and curation > 0 and other == 0 and quoted + curation == facts
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


def test_a_syntax_error_points_at_the_users_own_line(project):
    """The common prefixes are predeclared, not prepended: line 2 of a two-line query is line 2."""
    done = otsgraph("query", "SELECT *\nWHERE { ?s ?p }", "--root", str(project))
    assert done.returncode == 2
    assert "error at 2:" in done.stderr, done.stderr
    assert "2 | WHERE { ?s ?p }" in done.stderr and "^" in done.stderr


def test_query_reads_the_store_it_is_given(project, tmp_path):
    store = project / "build" / "store"
    done = otsgraph("query", "--store", str(store), "ASK { res:kazakhstan a ots:State }")
    assert done.returncode == 0 and done.stdout.strip() == "true", done.stderr
    done = otsgraph("stats", "--store", str(store))
    assert done.returncode == 0 and "Entities per class" in done.stdout
    missing = tmp_path / "no-store"
    done = otsgraph("query", "--store", str(missing), "ASK { ?s ?p ?o }")
    assert done.returncode == 2 and "no otsgraph store here" in done.stderr and str(missing) in done.stderr
    assert not missing.exists()  # a named store is never built behind the user's back


def test_build_lists_every_shape_warning_it_counts(project):
    done = otsgraph("build", "--root", str(project), "--no-write", "--quiet")
    count = int(done.stdout.split("shape warnings")[1].split()[0])
    listed = done.stdout.split("Shape warnings (they do not block the build):")[1]
    assert count > 0 and listed.count("  Warning ") == count
    assert f"{count} warnings" in listed


def test_every_subcommand_has_a_description_and_examples(capsys):
    from otsgraph.cli import main
    from otsgraph.cli_help import COMMANDS

    done = otsgraph("--help")  # once as the console script, the rest in this process (quicker)
    assert done.returncode == 0
    for name in COMMANDS:
        assert f"    {name} " in done.stdout, name
        with pytest.raises(SystemExit) as stopped:
            main([name, "--help"])
        helped = capsys.readouterr().out
        assert stopped.value.code == 0, name
        assert COMMANDS[name].description.split()[0] in helped, name
        assert "examples:\n  otsgraph " in helped, name


def test_quote_prints_a_claim_skeleton_with_offsets_language_and_reference(article_text):
    sentence = "Екі елдің тарихи байланыстары түркі\n   халықтарының ортақ мәдени"
    done = otsgraph("quote", sentence)
    assert done.returncode == 0, done.stderr
    from otsgraph.pipeline.article import normalise

    start = article_text.index(normalise(sentence))
    end = start + len(normalise(sentence))
    assert f"ots:quoteStart {start} ; ots:quoteEnd {end} ." in done.stdout
    assert f'ots:quote "{normalise(sentence)}"@kk' in done.stdout
    assert f"claim:added-{start} a ots:Claim" in done.stdout
    assert "ots:bracketReference 2 ;" in done.stdout  # the [2] that closes the paragraph
    assert "@prefix res: <https://w3id.org/otsgraph/resource/> ." in done.stdout
    parsed = list(ox_parse(done.stdout))
    assert len(parsed) == 6  # type, source, quote, reference, start, end (the claim graph is empty)
    offsets = otsgraph("quote", "--offsets", sentence)
    assert offsets.stdout.split() == [str(start), str(end)]


def ox_parse(trig: str):
    import pyoxigraph as ox

    return ox.parse(trig.encode(), format=ox.RdfFormat.TRIG)


def test_quote_says_where_a_mistyped_quote_stops_matching(article_text):
    done = otsgraph("quote", "Екі елдің тарихи байланыстары түркі халықтарының ортақ мәдени ЖӘНЕ")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "first 62 characters are at offset" in done.stderr and "және тілдік" in done.stderr


def test_quote_names_every_place_of_an_ambiguous_quote_and_picks_one(article_text):
    first = otsgraph("quote", "--offsets", "Қазақстан мен Түркия")
    second = otsgraph("quote", "--offsets", "--occurrence", "2", "Қазақстан мен Түркия")
    assert first.returncode == second.returncode == 0
    assert "occurs" in first.stderr and "--occurrence N" in first.stderr
    assert int(second.stdout.split()[0]) > int(first.stdout.split()[0])
    too_far = otsgraph("quote", "--occurrence", "999", "Қазақстан мен Түркия")
    assert too_far.returncode == 2 and "occurs" in too_far.stderr
