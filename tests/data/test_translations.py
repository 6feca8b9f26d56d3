"""The project's translations of the article's quotes (issue 12, "Quotes"): every quote of
data/facts has exactly one English and one Russian translation (a quote from the Russian or English
abstract: the other two of en/ru/kk), each in ots:quoteTranslation in data/labels/, loaded into
graph:labels, never in place of the quote; and the pages show the reader's translation beside the
quote, marked as the project's, on entity pages and in /explain."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from otsgraph.core import queries
from otsgraph.core.loading import load_sources
from otsgraph.core.namespaces import CLAIM, OTS, Graphs
from server_fixtures import serve

REPO = Path(__file__).resolve().parents[2]
QUOTE = ox.NamedNode(f"{OTS}quote")
TRANSLATION = ox.NamedNode(f"{OTS}quoteTranslation")
TRANSLATED = ("en", "ru", "kk")  # a quote is translated into the two of these that are not its own
HTML = {"Accept": "text/html"}


def _quotes() -> dict[ox.NamedNode, ox.Literal]:
    """Every claim of data/facts with its quote, read from the files themselves."""
    found: dict[ox.NamedNode, ox.Literal] = {}
    for path in sorted((REPO / "data" / "facts").glob("*.trig")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
            if quad.predicate == QUOTE:
                assert quad.subject not in found, f"{quad.subject} has two quotes"
                found[quad.subject] = quad.object
    return found


def _translations() -> dict[ox.NamedNode, list[ox.Literal]]:
    found: dict[ox.NamedNode, list[ox.Literal]] = {}
    for path in sorted((REPO / "data" / "labels").glob("*.ttl")):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if triple.predicate == TRANSLATION:
                found.setdefault(triple.subject, []).append(triple.object)
    return found


def expected_languages(quote: ox.Literal) -> set[str]:
    return {lang for lang in TRANSLATED if lang != quote.language}


def test_every_quote_has_one_translation_in_each_other_language():
    quotes, translations = _quotes(), _translations()
    assert len(quotes) >= 197
    missing, wrong = [], []
    for claim, quote in quotes.items():
        got = translations.get(claim, [])
        languages = sorted(x.language for x in got)
        if sorted(expected_languages(quote)) != languages:
            missing.append(f"{claim.value}: quote @{quote.language}, translations {languages}")
        for literal in got:
            if not literal.value.strip() or literal.value.strip() == quote.value.strip():
                wrong.append(f"{claim.value}@{literal.language}: empty or the quote itself")
            if literal.value != literal.value.strip() or "  " in literal.value:
                wrong.append(f"{claim.value}@{literal.language}: stray whitespace")
    assert not missing, "\n".join(missing)
    assert not wrong, "\n".join(wrong)
    assert {q.language for q in quotes.values()} >= {"kk", "ru", "en"}  # the abstracts' quotes too


def test_no_translation_of_a_claim_without_a_quote():
    quotes = _quotes()
    strays = [claim.value for claim in _translations() if claim not in quotes]
    assert not strays, strays


def test_translations_keep_the_quote_s_numbers():
    """A translation attached to the wrong claim, or one that drops a date, shows here: every year
    and every other number of the quote (1992, 6,3 → 6.3 or 6,3) is in each of its translations."""
    quotes, translations = _quotes(), _translations()
    for claim, quote in quotes.items():
        numbers = re.findall(r"\d+(?:[.,]\d+)?", quote.value)
        for literal in translations.get(claim, []):
            text = literal.value.replace(",", ".")
            for number in numbers:
                assert number.replace(",", ".") in text, f"{claim.value}@{literal.language} lacks {number}"


def test_translations_are_in_graph_labels_beside_the_quote(layout):
    """Loaded into graph:labels (the project's wording), with ots:quote untouched in graph:provenance."""
    sources = load_sources(layout)
    graphs: dict[str, set[str]] = {}
    quotes: dict[ox.NamedNode, ox.Literal] = {}
    for quad in sources.quads():
        if quad.predicate == TRANSLATION:
            graphs.setdefault(quad.graph_name.value, set()).add(quad.subject.value)
        if quad.predicate == QUOTE and quad.graph_name == ox.NamedNode(str(Graphs.PROVENANCE)):
            quotes[quad.subject] = quad.object
    assert set(graphs) == {str(Graphs.LABELS)}
    assert graphs[str(Graphs.LABELS)] == {c.value for c in _quotes()}
    assert quotes == _quotes()  # the article's words, as they were


def test_the_pages_query_binds_the_translations(shipped_build):
    """facts.rq (entity pages, /explain; search can use the same binding) gives ?translation."""
    claim = ox.NamedNode(f"{CLAIM}intro-embassy-of-turkey-almaty-1992")
    rows = list(
        shipped_build.store.query(
            queries.load("pages", "facts"),
            substitutions={
                ox.Variable("s"): ox.NamedNode("https://w3id.org/otsgraph/resource/embassy-of-turkey-almaty")
            },
        )
    )
    got = {row["translation"] for row in rows if row["g"] == claim and row["translation"] is not None}
    assert {x.language for x in got} == {"en", "ru"}
    assert (
        ox.Literal("As a result, on 16 May 1992 the Embassy of Turkey opened in Almaty", language="en") in got
    )


# ------------------------------------------------------------------------------------- the pages


@pytest.fixture(scope="module")
def server():
    with serve() as live:
        yield live


def _sources(html: str) -> list[str]:
    return re.findall(r'<div class="source">(.*?)<small class="claim">', html, re.S)


def _get(server, path: str) -> str:
    response = requests.get(server.url + path, headers=HTML, timeout=60)
    assert response.status_code == 200, response.text[:500]
    return response.text


@pytest.mark.parametrize(
    ("lang", "shown", "mark"),
    [
        (
            "en",
            "As a result, on 16 May 1992 the Embassy of Turkey opened in Almaty",
            "the project's translation",
        ),
        ("ru", "В результате 16 мая 1992 года в Алматы открылось посольство Турции", "перевод проекта"),
        # no Turkish translation: a Turkish reader gets the English one, saying which language it is
        (
            "tr",
            "As a result, on 16 May 1992 the Embassy of Turkey opened in Almaty",
            "projenin çevirisi (en)",
        ),
    ],
)
def test_entity_page_shows_the_quote_then_the_reader_s_translation(server, lang, shown, mark):
    html = _get(server, f"/resource/embassy-of-turkey-almaty?lang={lang}")
    quote = "Нәтижесінде 1992 жылы 16 мамырда Алматыда Түркия елшілігі ашылып"
    [source] = [unescape(s) for s in _sources(html) if quote in unescape(s)][:1]
    assert source.index(quote) < source.index(shown)  # the Kazakh quote first, the translation beside it
    assert f'<q lang="kk">{quote}</q>' in source
    translation_lang = "ru" if lang == "ru" else "en"
    assert f'<div class="translation"><q lang="{translation_lang}">{shown}</q>' in source
    assert mark in source


def test_a_kazakh_reader_sees_kazakh_quotes_alone(server):
    html = _get(server, "/resource/embassy-of-turkey-almaty?lang=kk")
    assert "Нәтижесінде 1992 жылы 16 мамырда" in unescape(html)
    assert 'class="translation"' not in html


def test_a_russian_abstract_quote_gets_kazakh_and_english(server):
    """The Russian abstract's quote: none into Russian for a Russian reader; Kazakh for a Kazakh one."""
    claim = "/claim/abstract-ru-nakhchivan-treaty"
    facts = _get(server, "/resource/nakhchivan-agreement-2009?lang=ru")
    for s in _sources(facts):
        if "Нахичеванский договор" in unescape(s):
            assert 'class="translation"' not in s
            break
    else:
        pytest.fail("the Russian abstract's quote is not on the agreement's page")
    kk = unescape(_get(server, "/resource/nakhchivan-agreement-2009?lang=kk"))
    assert 'Нахчыван шартына қол қойылды</q> <small class="note project-translation">жобаның аудармасы' in kk
    assert claim in kk


def test_explain_shows_the_translation_of_an_asserted_premise(server):
    html = unescape(
        _get(server, "/explain?s=res:summit-tc-2024-bishkek&p=ots:heldIn&o=res:kyrgyzstan&lang=ru")
    )
    assert "11-ші саммит 2024 жылы 6 қарашада Бішкекте өтті" in html
    assert '<q lang="ru">11-й саммит прошёл 6 ноября 2024 года в Бишкеке</q>' in html
    assert "перевод проекта" in html


def test_translation_triples_are_badged_as_the_project_s_on_a_claim_page(server):
    html = unescape(_get(server, "/claim/intro-embassy-of-turkey-almaty-1992?lang=en"))
    assert "As a result, on 16 May 1992 the Embassy of Turkey opened in Almaty" in html
    assert '<span class="badge project">project\'s wording</span>' in html
