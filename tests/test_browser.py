"""The pages in a real headless browser (Debian's chromium, driven by Playwright): run an example
query and see the table, switch the language, open an entity page and follow a link. A screenshot
of each step is kept in tests/artifacts/. Without /usr/bin/chromium the tests skip, except under
CI=true, where they fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import require
from server_fixtures import serve

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT = 20_000  # ms


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed (Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server():
    with serve() as live:
        yield live


@pytest.fixture
def page(browser):
    """A fresh page that records console errors (a CSP violation shows up there) and page errors."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_run_an_example_query_and_see_the_table(page, server):
    page.goto(server.url + "/")
    page.click('[data-example="member-states"]')
    assert "ots:memberOf" in page.input_value("#query")
    page.click("#run")
    page.wait_for_selector("#results table tbody tr")
    rows = page.locator("#results table tbody tr").count()
    assert rows >= 3  # the member states
    assert "Kazakhstan" in page.inner_text("#results")
    assert page.locator("#downloads a").count() == 4  # JSON, XML, CSV, TSV
    assert "query=" in page.url  # the permalink is in the address bar
    shot(page, "01-query-table")
    assert page.problems == []


def test_switch_the_language(page, server):
    page.goto(server.url + "/?example=member-states")
    page.wait_for_selector("#results table tbody tr")
    page.click('.languages a[data-lang="kk"]')
    page.wait_for_selector('html[lang="kk"]')
    page.wait_for_selector("#results table tbody tr")
    assert "Сұраныс мысалдары" in page.inner_text("body")  # interface strings
    assert "Қазақстан" in page.inner_text("#results")  # labels of the result IRIs
    shot(page, "02-language-kk")
    page.click('.languages a[data-lang="ru"]')
    page.wait_for_selector('html[lang="ru"]')
    page.wait_for_selector("#results table tbody tr")
    assert "Казахстан" in page.inner_text("#results")
    assert page.problems == []


def test_open_an_entity_page_and_follow_a_link(page, server):
    page.goto(server.url + "/?example=summits-in-kazakhstan")
    page.wait_for_selector("#results table tbody tr")
    page.click('#results a[href^="/resource/summit-"]')
    page.wait_for_selector("article.entity h1")
    assert "/resource/summit-" in page.url
    assert page.locator("svg.graph").count() == 1
    assert page.locator("table.facts q").count() > 0  # quotes
    shot(page, "03-entity-page")
    page.click('svg.graph a[href="/resource/kazakhstan"], table.facts a[href="/resource/kazakhstan"]')
    page.wait_for_url("**/resource/kazakhstan")
    assert page.inner_text("article.entity h1") == "Kazakhstan"
    page.click("a.why >> nth=0")
    page.wait_for_selector("ol.derivation li.step")
    shot(page, "04-explain")
    assert page.problems == []


def test_readable_on_a_phone(browser, server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.goto(server.url + "/timeline")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling
    shot(page, "05-timeline-phone")
    page.goto(server.url + "/resource/kazakhstan")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "06-entity-phone")
    context.close()


def test_construct_results_and_their_downloads(page, server):
    query = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "CONSTRUCT { ?s rdfs:label ?l }\n"
        "WHERE { ?s a <https://w3id.org/otsgraph/ontology/State> ; rdfs:label ?l } LIMIT 5"
    )
    page.goto(server.url + "/")
    page.fill("#query", query)
    page.press("#query", "Control+Enter")  # the keyboard shortcut runs it
    page.wait_for_selector("#results table tbody tr")
    assert page.locator("#results table thead th").all_inner_texts() == ["subject", "predicate", "object"]
    formats = page.locator("#downloads a").all_inner_texts()
    assert formats == ["TURTLE", "NTRIPLES", "JSONLD", "RDFXML"]
    href = page.locator("#downloads a >> nth=0").get_attribute("href")
    assert "format=turtle" in href
    assert page.problems == []
