"""Journey 1 of issue 11: contribute a fact quoted from the article, by hand and over HTTP.

A newcomer with a copy of the project ($OTSGRAPH_HOME) finds a sentence no fact quotes yet
(`otsgraph coverage --uncovered`), gets a claim skeleton for it (`otsgraph quote`), writes the fact
into it, validates it (exit 0) and adds it (`otsgraph add`). Then, with `otsgraph serve` running,
the fact is in /sparql with its quote and on the entity page in a real browser, and a second
quoted claim goes in over HTTP (POST /validate, then the Graph Store). Last, with the server
stopped, `otsgraph revert` undoes both changes and the graph is as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import requests

from conftest import require
from serve_command import otsgraph_command, serve_process

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Two sentences of the article's introduction that no shipped fact quotes (coverage lists them).
BY_HAND = (
    "Екі елдің тарихи байланыстары түркі халықтарының ортақ мәдени және тілдік дәстүрлеріне негізделген."
)
BY_HTTP = "Осы тарихи сабақтастық пен ортақ мәдени мұра Түркі мемлекеттер ұйымының құрылуында"
FACT_BY_HAND = (
    '    res:kazakhstan dct:description "The historical ties of Kazakhstan and Turkey rest on the '
    'common cultural and linguistic traditions of the Turkic peoples."@en .\n'
)
FACT_BY_HTTP = (
    '    res:turkey dct:description "A common historical continuity and cultural heritage underlay '
    'the decisive role of Kazakhstan and Turkey in founding the OTS."@en .\n'
)
QUOTE_OF = """SELECT ?quote ?start WHERE {
  GRAPH ?claim { res:kazakhstan dct:description ?d FILTER(CONTAINS(?d, "linguistic traditions")) }
  ?claim ots:quote ?quote ; ots:quoteStart ?start .
}"""


def fill_in(skeleton: str, fact: str) -> str:
    """Step 3: the person replaces the skeleton's example lines with the fact the quote supports."""
    lines = skeleton.splitlines(keepends=True)
    hint = next(i for i, line in enumerate(lines) if line.strip().startswith("# Write here"))
    return "".join(lines[:hint]) + fact + "".join(lines[hint + 2 :])


def test_contribute_a_quoted_fact_by_hand_and_over_http(tmp_path, article_text):
    root = tmp_path / "otsgraph"
    for folder in ("ontology", "data", "shapes", "examples"):
        shutil.copytree(REPO / folder, root / folder)
    env = {**os.environ, "OTSGRAPH_HOME": str(root)}

    def otsgraph(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [otsgraph_command(), *arguments], cwd=root, env=env, capture_output=True, text=True, timeout=300
        )

    # 1. find a sentence that no fact quotes yet
    coverage = otsgraph("coverage", "--uncovered", "--quiet")
    assert coverage.returncode == 0, coverage.stderr
    assert BY_HAND in coverage.stdout and BY_HTTP in coverage.stdout

    # 2. its offsets and a ready claim skeleton
    quoted = otsgraph("quote", BY_HAND)
    assert quoted.returncode == 0, quoted.stderr
    start = article_text.index(BY_HAND)
    assert f"ots:quoteStart {start} ; ots:quoteEnd {start + len(BY_HAND)} ." in quoted.stdout

    # 3. write the claim, 4. validate it, 5. add it
    claim = root / "my-claim.trig"
    claim.write_text(fill_in(quoted.stdout, FACT_BY_HAND), encoding="utf-8")
    validated = otsgraph("validate", str(claim))
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "conforms: 0 violations" in validated.stdout
    added = otsgraph("add", "--as", "newcomer", str(claim))
    assert added.returncode == 0, added.stdout + added.stderr
    by_hand = added.stdout.split()[2]

    # 6. see it served: /sparql with its quote, the entity page in a browser; and add one over HTTP
    with serve_process(log=tmp_path / "serve.log", tokens="alice:s3cret", env=env) as (address, _):
        answer = requests.get(
            address + "/sparql", params={"query": QUOTE_OF}, headers={"Accept": "application/json"}
        ).json()
        [row] = answer["results"]["bindings"]
        assert row["quote"]["value"] == BY_HAND and row["start"]["value"] == str(start)
        _see_the_fact_and_its_quote_on_the_entity_page(address)

        # the HTTP contributor finds the offsets with the same command
        second = fill_in(otsgraph("quote", "--claim", "by-http", BY_HTTP).stdout, FACT_BY_HTTP)
        checked = requests.post(
            address + "/validate", data=second.encode(), headers={"Content-Type": "application/trig"}
        )
        assert checked.status_code == 200 and checked.json()["conforms"] is True, checked.text
        stored = requests.post(
            address + "/rdf-graphs?default",
            data=second.encode(),
            headers={"Content-Type": "application/trig", "Authorization": "Bearer s3cret"},
        )
        assert stored.status_code in (201, 204), stored.text
        ask = "ASK { GRAPH claim:by-http { res:turkey dct:description ?d } claim:by-http ots:quote ?q }"
        assert requests.get(address + "/sparql", params={"query": ask}).json()["boolean"] is True

    # 7. revert both changes from the command line (the server is stopped: it held the store)
    log = otsgraph("log", "--json")
    changes = [entry["id"] for entry in json.loads(log.stdout)]
    assert changes[0] == by_hand and len(changes) == 2
    for change in reversed(changes):
        reverted = otsgraph("revert", "--as", "newcomer", change)
        assert reverted.returncode == 0, reverted.stdout + reverted.stderr
    gone = otsgraph("query", "ASK { res:kazakhstan dct:description ?d FILTER(CONTAINS(?d, 'linguistic')) }")
    assert gone.stdout.strip() == "false"
    gone = otsgraph(
        "query", "ASK { GRAPH ?g { res:turkey dct:description ?d FILTER(CONTAINS(?d, 'heritage')) } }"
    )
    assert gone.stdout.strip() == "false"


def _see_the_fact_and_its_quote_on_the_entity_page(address: str) -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_default_timeout(20_000)
            page.goto(address + "/resource/kazakhstan")
            row = page.locator("tr", has_text="linguistic traditions of the Turkic peoples")
            assert row.count() >= 1, "the added fact is not on the entity page"
            text = row.first.inner_text()
            assert "Екі елдің тарихи байланыстары" in text  # its quote, beside it
            assert "added" in text and "other" not in text  # an accepted addition, said so
        finally:
            browser.close()
