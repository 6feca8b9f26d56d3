"""/search finds the article's sentences too, by their words or by the project's translations of them,
and shows each quote with the translation for the reader (issue 12: quotes "shown with it ... in
search"), on a real server."""

from __future__ import annotations

import re

import pytest
import requests

from server_fixtures import serve

EMBASSY_CLAIM = "https://w3id.org/otsgraph/claim/intro-embassy-of-turkey-almaty-1992"


@pytest.fixture(scope="module")
def live():
    with serve() as server:
        yield server


def quotes(live, query: str, lang: str = "en") -> list[dict]:
    answer = requests.get(
        live.url + "/search", params={"q": query, "lang": lang}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["quotes"]


@pytest.mark.parametrize(
    "query",
    [
        "Embassy of Turkey opened in Almaty",  # the English translation
        "посольство Турции",  # the Russian one
        "Түркия елшілігі ашылып",  # the article's own words
        "turkiya elshiligi",  # the same, typed in Latin letters
    ],
)
def test_a_quote_is_found_by_its_words_or_its_translations(live, query):
    found = quotes(live, query)
    assert EMBASSY_CLAIM in [q["claim"] for q in found], [q["claim"] for q in found]
    [embassy] = [q for q in found if q["claim"] == EMBASSY_CLAIM]
    assert embassy["lang"] == "kk" and "елшілігі" in embassy["quote"]
    assert set(embassy["translations"]) >= {"en", "ru"}


def test_every_word_must_occur_and_short_queries_find_no_quote(live):
    assert quotes(live, "Embassy opened zzqx") == []
    assert quotes(live, "de") == []  # two letters would match half the article


def test_the_page_shows_the_quote_then_the_readers_translation_marked_as_the_projects(live):
    page = requests.get(live.url + "/search", params={"q": "посольство Турции", "lang": "tr"}).text
    section = page.split("Makalenin kendi sözleriyle")[1]
    kazakh = section.index('<q lang="kk">')
    english = section.index('<q lang="en">')  # a Turkish reader gets the English translation
    assert kazakh < english
    assert re.search(r"projenin çevirisi|project", section[english:], flags=re.I)
