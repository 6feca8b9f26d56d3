"""Journey 3 of issue 11: open the ontology in the tools people use, as a newcomer would.

Start the real `otsgraph serve` (a subprocess on 127.0.0.1 and a free port, its own store); open
/ontology in a headless browser (Debian's chromium through Playwright) and follow a term's anchor in
the documentation; fetch /ontology the way Protégé's "open from URL" does (its Accept header) and get
RDF/XML; save it to a file and load THAT file into owlready2; run HermiT (owlready2.sync_reasoner,
Debian's Java): consistent, and no class unsatisfiable; then open a term's IRI asking for Turtle and
follow its 303 to the whole ontology. Without chromium or Java the journey skips, under CI=true it
fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
import requests

from conftest import require
from serve_command import serve_process

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
PROTEGE = "application/rdf+xml, application/xml; q=0.5, text/xml; q=0.3, */*; q=0.2"
OTS = "https://w3id.org/otsgraph/ontology/"


def test_open_the_ontology_in_a_browser_protege_s_way_and_hermit(tmp_path):
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed (Debian's chromium package)")
    require(shutil.which("java") is not None, "java is not installed (Debian's default-jre-headless)")
    sync_api = pytest.importorskip("playwright.sync_api")
    owlready2 = pytest.importorskip("owlready2")

    with serve_process("--store", str(tmp_path / "store"), log=tmp_path / "serve.log") as (address, _):
        # 1. the documentation, in a browser, and a term's anchor
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
            page = browser.new_page()
            page.set_default_timeout(20_000)
            problems: list[str] = []
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.goto(address + "/ontology")
            assert page.locator("article.ontology h1").inner_text().startswith("otsgraph")
            page.click('ul.tree a[href="#Summit"]')
            page.wait_for_url("**/ontology#Summit")
            summit = page.locator("section#Summit")
            assert summit.is_visible() and "ots:Summit" in summit.inner_text()
            assert "_:" not in page.inner_text("body")
            assert problems == []
            browser.close()

        # 2. Protégé's "open from URL": RDF/XML of the whole ontology, saved to a file
        response = requests.get(address + "/ontology", headers={"Accept": PROTEGE}, timeout=30)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/rdf+xml")
        saved = tmp_path / "otsgraph.owl"
        saved.write_bytes(response.content)
        graph = rdflib.Graph().parse(saved, format="xml")
        assert len(graph) > 1000 and (rdflib.URIRef(OTS + "State"), None, None) in graph

        # 3. that file in owlready2, and HermiT
        world = owlready2.World()
        onto = world.get_ontology(saved.as_uri()).load()
        assert onto.search_one(iri=OTS + "State") is not None
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as err:
            pytest.fail(f"HermiT finds the ontology inconsistent: {err}")
        unsatisfiable = [c.iri for c in world.inconsistent_classes()]
        assert unsatisfiable == [], f"classes equivalent to owl:Nothing: {unsatisfiable}"

        # 4. a term's IRI asked for Turtle: 303 to the whole ontology
        term = requests.get(address + "/ontology/State", headers={"Accept": "text/turtle"}, timeout=30,
                            allow_redirects=False)  # fmt: skip
        assert term.status_code == 303
        followed = requests.get(term.headers["Location"], headers={"Accept": "text/turtle"}, timeout=30)
        assert followed.status_code == 200 and followed.headers["Content-Type"].startswith("text/turtle")
        assert len(rdflib.Graph().parse(data=followed.text, format="turtle")) == len(graph)
