"""`otsgraph link`: reconcile, --check, --export-quickstatements, through the command line, on recordings.

Every run replays the hand-built recordings of tests/recordings/wikidata/ (or talks to a closed port
on 127.0.0.1): what --check reports here is about those recordings, and the output says so.
"""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

from conftest import REPO
from otsgraph.cli import main

RECORDINGS = REPO / "tests" / "recordings" / "wikidata"
ENTITIES = """\
@prefix ots: <https://w3id.org/otsgraph/ontology/> .
@prefix res: <https://w3id.org/otsgraph/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
res:kazakhstan a ots:State ; rdfs:label "Kazakhstan"@en , "Қазақстан"@kk , "Казахстан"@ru .
res:almaty a ots:City ; rdfs:label "Almaty"@en , "Алматы"@kk , "Алматы"@ru ;
    skos:altLabel "Alma-Ata"@en , "Алма-Ата"@ru .
"""
# The items the recordings hold, linked as the curated links link them (data/links/entities.ttl).
LINKS = {
    "kazakhstan": "Q232",
    "turkmenistan": "Q874",
    "kyrgyzstan": "Q813",
    "uzbekistan": "Q265",
    "turkey": "Q43",
    "organization-of-turkic-states": "Q596850",
    "almaty": "Q35493",
}


def links_file(links: dict[str, str]) -> str:
    head = "@prefix res: <https://w3id.org/otsgraph/resource/> .\n"
    head += "@prefix wd: <http://www.wikidata.org/entity/> .\n"
    head += "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    return head + "".join(f"res:{slug} skos:exactMatch wd:{qid} .\n" for slug, qid in links.items())


@pytest.fixture
def small_project(tmp_path) -> Path:
    """The ontology and two unlinked entities: Kazakhstan and Almaty."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    (root / "data" / "entities").mkdir(parents=True)
    (root / "data" / "entities" / "test.ttl").write_text(ENTITIES, encoding="utf-8")
    return root


@pytest.fixture
def article_project(tmp_path) -> Path:
    """The shipped ontology and data, with links to the recorded items only."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns("links"))
    (root / "data" / "links").mkdir()
    (root / "data" / "links" / "test-links.ttl").write_text(links_file(LINKS), encoding="utf-8")
    return root


def link(root: Path, *args: str) -> int:
    return main(["link", "--root", str(root), "--recordings", str(RECORDINGS), "-q", *args])


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_link_accepts_the_city_and_the_state_and_writes_them_apart(small_project, capsys, tmp_path):
    out, report = tmp_path / "reconciled.ttl", tmp_path / "report.json"
    curated = (small_project / "data" / "entities" / "test.ttl").read_bytes()
    assert link(small_project, "--out", str(out), "--json", str(report)) == 0
    stdout = capsys.readouterr().out
    assert "recorded responses" in stdout and "2 accepted, 0 to review" in stdout
    text = out.read_text(encoding="utf-8")
    assert "res:almaty skos:exactMatch wd:Q35493" in text and "res:kazakhstan skos:exactMatch wd:Q232" in text
    assert "ots:linkMethod ots:AutomaticReconciliation" in text and "dct:date" in text
    assert "score 95/100" in text and "wbsearchentities" in text  # evidence: score, label, API
    decisions = {d["entity"]: d for d in json.loads(report.read_text(encoding="utf-8"))["decisions"]}
    almaty = decisions["res:almaty"]
    assert almaty["accepted"]["qid"] == "Q35493" and almaty["accepted"]["score"] == 95
    assert [r["qid"] for r in almaty["rejected_by_type"]] == ["Q186466"]  # Almaty Region
    assert (small_project / "data" / "entities" / "test.ttl").read_bytes() == curated
    assert not (small_project / "data" / "links").exists()  # --out was elsewhere


def test_link_says_which_curated_statuses_an_accepted_link_supersedes(small_project, capsys, tmp_path):
    """A curated 'no evidence found' and an accepted link contradict each other (the shapes refuse
    both): the command names the status line a curator must remove."""
    (small_project / "data" / "links").mkdir()
    (small_project / "data" / "links" / "entities.ttl").write_text(
        "@prefix res: <https://w3id.org/otsgraph/resource/> .\n"
        "@prefix ots: <https://w3id.org/otsgraph/ontology/> .\n"
        'res:almaty ots:wikidataStatus ots:NoEvidenceFound ; ots:wikidataNote "none found"@en .\n',
        encoding="utf-8",
    )
    assert link(small_project, "--out", str(tmp_path / "reconciled.ttl")) == 0
    stdout = capsys.readouterr().out
    assert "remove the ots:wikidataStatus" in stdout
    todo = stdout[stdout.index("remove the ots:wikidataStatus") :]
    assert "res:almaty" in todo and "res:kazakhstan" not in todo


def test_link_writes_by_default_to_its_own_file_in_data_links(small_project):
    assert link(small_project) == 0
    assert (small_project / "data" / "links" / "reconciled.ttl").is_file()
    assert sorted(p.name for p in (small_project / "data" / "links").iterdir()) == ["reconciled.ttl"]


def test_a_dry_run_writes_nothing(small_project, capsys, tmp_path):
    out = tmp_path / "reconciled.ttl"
    assert link(small_project, "--dry-run", "--out", str(out)) == 0
    assert "dry run: no links written" in capsys.readouterr().out
    assert not out.exists()


def test_a_threshold_above_every_score_leaves_all_for_review(small_project, capsys, tmp_path):
    out = tmp_path / "reconciled.ttl"
    assert link(small_project, "--threshold", "96", "--out", str(out), "--format", "json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["threshold"] == 96
    assert {d["status"] for d in document["decisions"]} == {"review"}
    assert all("below the threshold 96" in d["reason"] for d in document["decisions"])
    assert not out.exists()


def test_check_reports_a_table_and_json_about_the_recordings(article_project, capsys, tmp_path):
    report = tmp_path / "check.json"
    assert link(article_project, "--check", "--json", str(report)) == 0
    table = capsys.readouterr().out
    assert table.startswith("Compared against: recorded responses in")
    assert "built by hand" in table and "not live data" in table
    assert "disagree   res:turkmenistan wd:Q874  membership" in table
    document = json.loads(report.read_text(encoding="utf-8"))
    assert "recorded responses" in document["compared_against"]
    rows = {(r["entity"], r["topic"]): r for r in document["rows"]}
    assert rows[("res:kazakhstan", "membership")]["verdict"] == "agree"
    assert rows[("res:uzbekistan", "membership")]["verdict"] == "agree"
    turkmenistan = rows[("res:turkmenistan", "membership")]
    assert turkmenistan["verdict"] == "disagree" and turkmenistan["ours"].startswith("observer of")
    assert rows[("res:almaty", "location")]["verdict"] == "agree"
    gdp = rows[("res:kazakhstan", "gdp")]
    assert gdp["verdict"] == "only-ours" and "forecast" in gdp["note"] and "no P585 year" in gdp["note"]
    assert document["counts"] == {
        v: sum(1 for r in document["rows"] if r["verdict"] == v)
        for v in ("agree", "disagree", "only-ours", "only-wikidata")
    }


def test_check_compares_figures_by_year_within_the_tolerance(article_project, capsys, tmp_path):
    # a recording folder of our own: Kyrgyzstan with a 2024 population 2% off and a 2023 GDP only
    folder = tmp_path / "recordings"
    shutil.copytree(RECORDINGS, folder)
    path = folder / "check-wbgetentities-Q813.json"
    recording = json.loads(path.read_text(encoding="utf-8"))
    claims = recording["response"]["json"]["entities"]["Q813"]["claims"]
    year = {"snaktype": "value", "property": "P585", "datatype": "time"}
    claims["P1082"][0]["mainsnak"]["datavalue"]["value"]["amount"] = "+7150000"
    claims["P1082"][0]["qualifiers"] = {
        "P585": [
            {
                **year,
                "datavalue": {"type": "time", "value": {"time": "+2024-00-00T00:00:00Z", "precision": 9}},
            }
        ]
    }
    claims["P2131"][0]["qualifiers"] = {
        "P585": [
            {
                **year,
                "datavalue": {"type": "time", "value": {"time": "+2023-00-00T00:00:00Z", "precision": 9}},
            }
        ]
    }
    path.write_text(json.dumps(recording), encoding="utf-8")
    code = main(
        [
            "link",
            "--root",
            str(article_project),
            "--recordings",
            str(folder),
            "-q",
            "--check",
            "--format",
            "json",
        ]
    )
    assert code == 0
    rows = {(r["entity"], r["topic"]): r for r in json.loads(capsys.readouterr().out)["rows"]}
    population = rows[("res:kyrgyzstan", "population")]
    assert population["verdict"] == "disagree" and "differs by 2.1%" in population["note"]
    gdp = rows[("res:kyrgyzstan", "gdp")]
    assert gdp["verdict"] == "only-ours" and "Wikidata's years: 2023" in gdp["note"]


def test_export_quickstatements_writes_v1_lines_with_the_article_as_reference(
    article_project, capsys, tmp_path
):
    out = tmp_path / "facts.qs"
    assert link(article_project, "--export-quickstatements", str(out)) == 0
    err = capsys.readouterr().err
    assert "QuickStatements line(s)" in err and "complete it before submitting" in err
    assert "judged against recorded responses" in err  # an offline export says so
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        columns = line.split("\t")
        assert columns[0].startswith("Q") and columns[1].startswith("P")
        assert columns[-4] == "S1476" and columns[-3].startswith('kk:"') and columns[-2] == "S813"
        assert columns[-1].endswith("T00:00:00Z/11")
    assert any(
        line.startswith("Q874\tP2131\t83900000000U4917\tP585\t+2024-00-00T00:00:00Z/9\t") for line in lines
    )
    assert not any(line.startswith("Q232\tP2131") for line in lines)  # a forecast is not exported
    assert any(line.startswith("Q813\tP1082\t7000000\tP585\t+2024-00-00T00:00:00Z/9\t") for line in lines)
    assert not any("\tP463\t" in line for line in lines)  # the recorded members already have P463


def test_unreachable_wikidata_exits_2_with_one_line_and_writes_nothing(small_project, capsys, tmp_path):
    port = closed_port()
    out, report = tmp_path / "reconciled.ttl", tmp_path / "report.json"
    code = main(
        [
            "link",
            "--root",
            str(small_project),
            "-q",
            "--out",
            str(out),
            "--json",
            str(report),
            "--api-url",
            f"http://127.0.0.1:{port}/w/api.php",
            "--sparql-url",
            f"http://127.0.0.1:{port}/sparql",
            "--retries",
            "0",
            "--cache-dir",
            str(tmp_path / "cache"),
        ]
    )
    assert code == 3  # EXIT_UNREACHABLE: its own code, apart from usage errors (2)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert (
        len(lines) == 1 and lines[0].startswith("Wikidata unreachable:") and "nothing was written" in lines[0]
    )
    assert captured.out == ""
    assert not out.exists() and not report.exists() and not (small_project / "data" / "links").exists()


def test_unreachable_during_check_writes_no_export(article_project, capsys, tmp_path):
    port = closed_port()
    out = tmp_path / "facts.qs"
    code = main(
        [
            "link",
            "--root",
            str(article_project),
            "-q",
            "--check",
            "--export-quickstatements",
            str(out),
            "--api-url",
            f"http://127.0.0.1:{port}/w/api.php",
            "--retries",
            "0",
            "--no-cache",
        ]
    )
    assert code == 3 and not out.exists()
    assert capsys.readouterr().err.startswith("Wikidata unreachable:")


def test_a_missing_recording_fails_and_says_how_to_record(article_project, capsys):
    links = article_project / "data" / "links" / "test-links.ttl"
    links.write_text(links_file({**LINKS, "georgia": "Q230"}), encoding="utf-8")
    assert link(article_project, "--check") == 3
    err = capsys.readouterr().err
    assert "Missing recording" in err and "ids=Q230" in err and "otsgraph link --record DIR" in err


def test_skip_unrecorded_lists_what_was_not_compared(article_project, capsys):
    links = article_project / "data" / "links" / "test-links.ttl"
    links.write_text(links_file({**LINKS, "georgia": "Q230"}), encoding="utf-8")
    assert link(article_project, "--check", "--skip-unrecorded") == 0
    assert "Not compared (no recording): res:georgia (wd:Q230)" in capsys.readouterr().out


def _time(value: str, precision: int) -> dict:
    return {
        "type": "time",
        "value": {
            "time": value,
            "precision": precision,
            "timezone": 0,
            "before": 0,
            "after": 0,
            "calendarmodel": "http://www.wikidata.org/entity/Q1985727",
        },
    }


def _snak(prop: str, datavalue: dict, datatype: str) -> dict:
    return {"snaktype": "value", "property": prop, "datavalue": datavalue, "datatype": datatype}


def _item(qid: str) -> dict:
    return {
        "type": "wikibase-entityid",
        "value": {"entity-type": "item", "id": qid, "numeric-id": int(qid[1:])},
    }


def _record_item(folder: Path, qid: str, claims: dict) -> None:
    """A recording made up in this test (test QIDs Q9000000xx), in wbgetentities' format."""
    params = {
        "action": "wbgetentities",
        "ids": qid,
        "props": "labels|claims",
        "languages": "en",
        "format": "json",
    }
    body = {"entities": {qid: {"type": "item", "id": qid, "labels": {}, "claims": claims}}, "success": 1}
    recording = {
        "_recording": "made up in this test",
        "request": {"url": "https://www.wikidata.org/w/api.php", "params": params},
        "response": {"status": 200, "json": body},
    }
    (folder / f"test-{qid}.json").write_text(json.dumps(recording), encoding="utf-8")


def test_check_compares_dates_at_the_coarser_precision_and_offices_with_their_terms(
    article_project, capsys, tmp_path
):
    folder = tmp_path / "recordings"
    shutil.copytree(RECORDINGS, folder)
    statement = {"type": "statement", "rank": "normal"}
    # the 1991 dissolution: a day in 1991 agrees with our year; the Ankara summit: a day off disagrees
    _record_item(
        folder,
        "Q900000001",
        {"P585": [{**statement, "mainsnak": _snak("P585", _time("+1991-12-26T00:00:00Z", 11), "time")}]},
    )
    _record_item(
        folder,
        "Q900000002",
        {"P585": [{**statement, "mainsnak": _snak("P585", _time("+1992-10-30T00:00:00Z", 11), "time")}]},
    )
    # Nazarbayev: president of Kazakhstan 1990-2019 (agrees with the dates that attest it), and
    # holder of an office the graph links but does not say he held (only Wikidata)
    term = {
        "P580": [_snak("P580", _time("+1990-04-24T00:00:00Z", 11), "time")],
        "P582": [_snak("P582", _time("+2019-03-20T00:00:00Z", 11), "time")],
    }
    _record_item(
        folder,
        "Q900000003",
        {
            "P39": [
                {
                    **statement,
                    "mainsnak": _snak("P39", _item("Q5256775"), "wikibase-item"),
                    "qualifiers": term,
                },
                {**statement, "mainsnak": _snak("P39", _item("Q853036"), "wikibase-item")},
            ]
        },
    )
    # Erdoğan: made president of Turkey here only from 2016, so the 2015 visit that attests it disagrees
    _record_item(
        folder,
        "Q39259",
        {
            "P39": [
                {
                    **statement,
                    "mainsnak": _snak("P39", _item("Q1922067"), "wikibase-item"),
                    "qualifiers": {"P580": [_snak("P580", _time("+2016-01-01T00:00:00Z", 11), "time")]},
                }
            ]
        },
    )
    links = {
        **LINKS,
        "dissolution-of-the-soviet-union": "Q900000001",
        "summit-1992-ankara": "Q900000002",
        "nursultan-nazarbayev": "Q900000003",
        "office-president-of-kazakhstan": "Q5256775",
        "office-president-of-kyrgyzstan": "Q853036",
        "recep-tayyip-erdogan": "Q39259",
        "office-president-of-turkey": "Q1922067",
    }
    (article_project / "data" / "links" / "test-links.ttl").write_text(links_file(links), encoding="utf-8")
    out = tmp_path / "facts.qs"
    code = main(
        [
            "link",
            "--root",
            str(article_project),
            "--recordings",
            str(folder),
            "-q",
            "--check",
            "--skip-unrecorded",
            "--format",
            "json",
            "--export-quickstatements",
            str(out),
        ]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    by = {(r["entity"], r["topic"], r["verdict"]) for r in rows}
    assert ("res:dissolution-of-the-soviet-union", "date", "agree") in by
    ankara = [r for r in rows if r["entity"] == "res:summit-1992-ankara" and r["topic"] == "date"]
    assert {(r["ours"], r["wikidata"], r["verdict"]) for r in ankara} >= {
        ("1992-10-31", "1992-10-30", "disagree")
    }
    assert ("res:nursultan-nazarbayev", "office", "agree") in by
    only_theirs = [
        r for r in rows if r["entity"] == "res:nursultan-nazarbayev" and r["verdict"] == "only-wikidata"
    ]
    assert [r["wikidata"] for r in only_theirs] == ["wd:Q853036 (res:office-president-of-kyrgyzstan)"]
    erdogan = [r for r in rows if r["entity"] == "res:recep-tayyip-erdogan" and r["topic"] == "office"]
    assert erdogan and all(
        r["verdict"] == "disagree" and "outside Wikidata's term" in r["note"] for r in erdogan
    )


def test_offline_reconciliation_can_skip_unrecorded_entities(article_project, capsys):
    """On the shipped data most unlinked entities have no recording: --skip-unrecorded lists them
    as skipped instead of stopping at the first one."""
    assert link(article_project, "--dry-run", "--limit", "3") == 3
    capsys.readouterr()
    assert link(article_project, "--dry-run", "--limit", "3", "--skip-unrecorded") == 0
    out = capsys.readouterr().out
    assert out.count(" skipped ") == 3 and "3 skipped: no recording" in out


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--threshold", "150"], "outside the score scale"),
        (["--record", "RECORD"], "cannot be combined with --offline"),
        (["--out", "CURATED"], "the curated links file"),
    ],
)
def test_flags_that_would_do_something_else_are_refused(small_project, capsys, tmp_path, flags, words):
    curated = small_project / "data" / "links" / "entities.ttl"
    flags = [str(tmp_path / "r") if f == "RECORD" else str(curated) if f == "CURATED" else f for f in flags]
    assert link(small_project, *flags) == 2
    assert words in capsys.readouterr().err
    assert not curated.exists() and not (tmp_path / "r").exists()


def test_reconciliation_says_which_unlinked_entities_it_leaves_alone_and_why(
    article_project, capsys, tmp_path
):
    report = tmp_path / "report.json"
    assert link(article_project, "--dry-run", "--limit", "1", "--skip-unrecorded", "--json", str(report)) == 0
    assert "not searched: " in capsys.readouterr().out
    left_alone = {row["entity"]: row["why"] for row in json.loads(report.read_text())["not_searched"]}
    assert left_alone, "the shipped data has entities whose class has no Wikidata type rule"
    assert all(why.startswith(("curated as ots:", "no Wikidata type rule")) for why in left_alone.values())
    assert "res:kazakhstan" not in left_alone  # linked entities are not listed
