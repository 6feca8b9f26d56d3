"""Journey 4 of issue 11: the command line as a daily tool, used as a person uses it.

With only `otsgraph --help` to go by, a person builds the graph in their own folder
($OTSGRAPH_HOME), reads the shape warnings the build lists, queries it (a long one-liner with a
comment that mentions prefixes, a typo on line 2, another store with --store), adds and reverts a
change (twice: the second time there is nothing to revert), is asked before a reset, and asks the
running server's /explain about a prefixed name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import requests

from serve_command import otsgraph_command, serve_process

REPO = Path(__file__).resolve().parents[2]
NEW_CITY = """@prefix ots: <https://w3id.org/otsgraph/ontology/> .
@prefix res: <https://w3id.org/otsgraph/resource/> .
@prefix claim: <https://w3id.org/otsgraph/claim/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
res:turkistan-journey a ots:City ;
    rdfs:label "Turkistan (journey)"@en , "Түркістан (journey)"@kk , "Туркестан (journey)"@ru .
claim:turkistan-journey { res:turkistan-journey ots:inCountry res:kazakhstan . }
claim:turkistan-journey a ots:BackgroundClaim ; dct:source <https://example.org/turkistan> .
"""


def test_a_day_with_the_command_line(tmp_path):
    root = tmp_path / "my-otsgraph"
    for folder in ("ontology", "data", "shapes", "examples"):
        shutil.copytree(REPO / folder, root / folder)
    env = {**os.environ, "OTSGRAPH_HOME": str(root)}

    def otsgraph(*arguments: str, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
        return subprocess.run(
            [otsgraph_command(), *arguments],
            cwd=root,
            env=env,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )

    # the help alone says what to do, with examples for each command
    top = otsgraph("--help")
    assert top.returncode == 0 and "A first session:" in top.stdout and "quote" in top.stdout
    for command in ("query", "add", "reset", "quote", "serve"):
        helped = otsgraph(command, "--help")
        assert helped.returncode == 0 and "examples:\n  otsgraph " in helped.stdout, command

    # build, and see which shape warnings it counts
    built = otsgraph("build", "--quiet")
    assert built.returncode == 0, built.stderr
    assert (root / "build" / "store").is_dir()  # in their folder, not the checkout
    warnings = int(built.stdout.split("shape warnings")[1].split()[0])
    assert (
        built.stdout.split("Shape warnings (they do not block the build):")[1].count("  Warning ") == warnings
    )

    # a long one-liner whose comment mentions prefixes: the common prefixes still hold
    long_query = (
        "SELECT ?name WHERE { res:kazakhstan rdfs:label ?name FILTER(LANG(?name) = 'en') } # prefixes "
        + ("x" * 300)
    )
    answered = otsgraph("query", long_query)
    assert answered.returncode == 0 and "Kazakhstan" in answered.stdout, answered.stderr
    # a typo on line 2 is reported on line 2, with the line and a caret
    typo = otsgraph("query", "SELECT ?s\nWHERE { ?s a ots:Summit")
    assert typo.returncode == 2 and "error at 2:" in typo.stderr and "2 | WHERE" in typo.stderr
    # --store reads a store elsewhere (here a copy, as a backup would be)
    backup = tmp_path / "backup-store"
    shutil.copytree(root / "build" / "store", backup)
    counted = otsgraph(
        "query", "--store", str(backup), "--format", "json", "SELECT (COUNT(*) AS ?n) { ?s a ots:Summit }"
    )
    assert (
        counted.returncode == 0
        and int(json.loads(counted.stdout)["results"]["bindings"][0]["n"]["value"]) > 5
    )

    # add a change, revert it, revert it again
    (root / "city.trig").write_text(NEW_CITY, encoding="utf-8")
    added = otsgraph("add", "--as", "me", "city.trig")
    assert added.returncode == 0, added.stdout + added.stderr
    change = added.stdout.split()[2]
    assert otsgraph("revert", change).returncode == 0
    again = otsgraph("revert", change)
    assert again.returncode == 0 and "nothing to revert" in again.stderr and "None" not in again.stdout

    # a reset asks first: refused without a terminal unless --yes
    refused = otsgraph("reset")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert len(json.loads(otsgraph("log", "--json").stdout)) == 2  # nothing was dropped
    assert otsgraph("reset", "--yes").returncode == 0
    assert json.loads(otsgraph("log", "--json").stdout) == []

    # the server explains an inferred fact named with prefixed names
    with serve_process(log=tmp_path / "serve.log", env=env) as (address, _):
        explained = requests.get(
            address + "/explain", params={"s": "res:astana", "p": "ots:locatedIn", "o": "res:asia"}
        )
        assert explained.status_code == 200, explained.text[:500]
        assert "https://w3id.org/otsgraph/resource/astana" in explained.text or "Astana" in explained.text
        unknown = requests.get(address + "/explain", params={"s": "nope:thing"})
        assert unknown.status_code in (400, 404) and "Traceback" not in unknown.text
