"""The pages in a real headless browser (Debian's chromium, driven by Playwright): run an example
query and see the table, switch the language, open an entity page and follow a link. No
screenshots: nothing read them. Without /usr/bin/chromium the tests skip, except under
CI=true, where they fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import require
from ontology_words import has_p31_sovereign_state
from otsgraph.server.state import state_of
from server_fixtures import serve

CHROMIUM = Path("/usr/bin/chromium")
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
    assert page.problems == []


def test_switch_the_language(page, server):
    page.goto(server.url + "/?example=member-states")
    page.wait_for_selector("#results table tbody tr")
    page.click('.languages a[data-lang="kk"]')
    page.wait_for_selector('html[lang="kk"]')
    page.wait_for_selector("#results table tbody tr")
    assert "Сұраныс мысалдары" in page.inner_text("body")  # interface strings
    assert "Қазақстан" in page.inner_text("#results")  # labels of the result IRIs
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
    page.click('svg.graph a[href="/resource/kazakhstan"], table.facts a[href="/resource/kazakhstan"]')
    page.wait_for_url("**/resource/kazakhstan")
    assert page.inner_text("article.entity h1") == "Kazakhstan"
    page.click("a.why >> nth=0")
    page.wait_for_selector("ol.derivation li.step")
    assert page.problems == []


def test_readable_on_a_phone(browser, server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.goto(server.url + "/timeline")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling
    page.goto(server.url + "/resource/kazakhstan")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
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


def test_the_ontology_documentation_and_a_term_anchor(page, server):
    page.goto(server.url + "/ontology")
    page.wait_for_selector("article.ontology h1")
    assert page.locator("section.term").count() > 100  # every class and property
    page.click('ul.tree a[href="#State"]')
    page.wait_for_url("**/ontology#State")
    state = page.locator("section#State")
    assert state.is_visible()
    restriction = has_p31_sovereign_state(state_of(server.app).store)
    assert f"every State {restriction}" in state.inner_text()  # a restriction in words
    assert not any("_:" in t for t in page.locator("body").all_inner_texts())
    page.click('.languages a[data-lang="kk"]')
    page.wait_for_selector('html[lang="kk"]')
    assert "Кластар иерархиясы" in page.inner_text("body") and "Мемлекет" in page.inner_text("body")
    page.click("section#State a >> text=беті")  # the term's own page
    page.wait_for_url("**/ontology/State*")
    assert "әрбір" in page.inner_text("table.facts")  # "every …", in Kazakh
    assert "_:" not in page.inner_text("body")
    assert page.problems == []


def test_an_inferred_restriction_type_reads_as_a_sentence(page, server):
    page.goto(server.url + "/resource/kazakhstan")
    restriction = has_p31_sovereign_state(state_of(server.app).store)
    assert f"anything that {restriction}" in page.inner_text("p.types")
    assert "_:" not in page.inner_text("body")
    page.click(f"tr:has-text('anything that {restriction}') a.why")  # its explanation works too
    page.wait_for_selector("ol.derivation li.step")
    assert "cax-sco" in page.inner_text("ol.derivation")
    assert "_:" not in page.inner_text("body")
    assert page.problems == []


def test_the_explain_form_takes_prefixed_names(page, server):
    page.goto(server.url + "/explain")
    page.fill('form.explain input[name="s"]', "res:summit-tc-2015-astana")
    page.fill('form.explain input[name="p"]', "ots:heldIn")
    page.fill('form.explain input[name="o"]', "res:kazakhstan")
    page.click("form.explain button[type=submit]")
    page.wait_for_selector("ol.derivation li.step")
    assert "prp-spo2" in page.inner_text("ol.derivation")
    assert page.input_value('form.explain input[name="s"]') == "res:summit-tc-2015-astana"  # kept
    page.fill('form.explain input[name="s"]', "nope:thing")
    page.click("form.explain button[type=submit]")
    page.wait_for_selector('[role="alert"]')
    assert "unknown prefix nope:" in page.inner_text('[role="alert"]')
    page.fill('form.explain input[name="s"]', "res:kazakhstan")
    page.fill('form.explain input[name="p"]', "")
    page.fill('form.explain input[name="o"]', "")
    page.click("form.explain button[type=submit]")
    page.wait_for_selector("ul.inferred-facts a.why")
    page.click("ul.inferred-facts a.why >> nth=0")
    page.wait_for_selector("ol.derivation li.step")
    assert [p for p in page.problems if "status of 400" not in p] == []  # only the bad prefix's 400


def test_switch_to_turkish_and_read_a_quote_s_translation(page, server):
    """Türkçe in the switcher: the interface and the example titles turn Turkish, and an entity page
    shows each Kazakh quote first with the project's translation beside it, marked as such."""
    page.goto(server.url + "/?lang=en")
    page.click('.languages a[data-lang="tr"]')
    page.wait_for_selector('html[lang="tr"]')
    assert "Örnek sorgular" in page.inner_text("aside.examples")
    assert "Kazakistan'da hangi zirveler yapıldı" in page.inner_text("aside.examples")  # examples/titles.json
    page.goto(server.url + "/resource/embassy-of-turkey-almaty")  # the cookie keeps Turkish
    page.wait_for_selector("article.entity h1")
    source = page.locator("div.source", has_text="Нәтижесінде 1992 жылы 16 мамырда").first
    quote, translation = source.locator("q").nth(0), source.locator("div.translation q")
    assert quote.get_attribute("lang") == "kk"
    assert translation.inner_text() == "As a result, on 16 May 1992 the Embassy of Turkey opened in Almaty"
    assert (
        quote.bounding_box()["y"] < translation.bounding_box()["y"]
    )  # the quote first, the translation below
    assert "projenin çevirisi" in source.locator("div.translation").inner_text()
    page.click('.languages a[data-lang="ru"]')
    page.wait_for_selector('html[lang="ru"]')
    source = page.locator("div.source", has_text="Нәтижесінде 1992 жылы 16 мамырда").first
    assert "открылось посольство Турции" in source.locator("div.translation").inner_text()
    assert "перевод проекта" in source.locator("div.translation").inner_text()
    assert page.problems == []
