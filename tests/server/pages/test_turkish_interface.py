"""The interface in Turkish (issue 12, "Interface and examples"): every interface string has a
Turkish form, the switcher offers Türkçe, ?lang=tr and its cookie work on every page, labels fall
back to English where the graph has no @tr label, and the example queries have titles in en, kk, ru
and tr (examples/titles.json), on a real server."""

from __future__ import annotations

import json
import re
import string
from html import unescape
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from otsgraph.core.namespaces import LANGUAGES, RDFS, RES, Graphs
from otsgraph.server.pages.i18n import LANGUAGE_NAMES, STRINGS, UI_LANGUAGES
from otsgraph.server.pages.pages import example_titles
from otsgraph.server.state import state_of
from server_fixtures import added, serve

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
HTML = {"Accept": "text/html"}
LABEL = ox.NamedNode(str(RDFS.label))
# interface strings that read the same in every language
SAME_EVERYWHERE = {"doc_labels"}  # "en / kk / ru": language codes


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# ------------------------------------------------------------------------------------- the table


def test_interface_languages_apart_from_label_languages():
    assert UI_LANGUAGES == ("en", "kk", "ru", "tr")
    assert LANGUAGES == ("en", "kk", "ru")  # what search, /reconcile and the label shapes read
    assert LANGUAGE_NAMES["tr"] == "Türkçe"
    assert set(STRINGS) == set(UI_LANGUAGES)


def test_every_interface_string_is_in_turkish():
    english, turkish = STRINGS["en"], STRINGS["tr"]
    assert set(turkish) == set(english)
    for key, template in english.items():
        assert turkish[key].strip(), key
        assert placeholders(turkish[key]) == placeholders(template), key
        if key not in SAME_EVERYWHERE:
            assert turkish[key] != template, f"{key} is still English"
            assert turkish[key] != STRINGS["kk"][key], f"{key} is Kazakh"
    # Turkish letters: a sign the strings are Turkish and not a transliteration of another language
    assert sum(any(c in s for c in "ğışçöüİ") for s in turkish.values()) > len(turkish) // 3


# --------------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def server():
    with serve() as live:
        yield live


def get(server, path: str, **kwargs) -> requests.Response:
    return requests.get(server.url + path, timeout=60, headers=HTML, **kwargs)


def visible(html: str) -> str:
    """The page's text and attribute values a reader meets, without scripts and the JSON data."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return unescape(html)


def test_switcher_offers_turkish_and_the_choice_sticks(server):
    response = get(server, "/?lang=tr")
    assert '<html lang="tr">' in response.text
    assert re.search(
        r'<a href="[^"]*lang=tr"[^>]*hreflang="tr"[^>]*aria-current="true"[^>]*>Türkçe</a>', response.text
    )
    for code in ("en", "kk", "ru"):
        assert f'hreflang="{code}"' in response.text
    assert "Örnek sorgular" in response.text and "SPARQL sorgusu" in response.text
    assert response.cookies.get("lang") == "tr"
    again = get(server, "/downloads", cookies={"lang": "tr"})
    assert '<html lang="tr">' in again.text and "Grafın tamamı" in again.text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/timeline",
        "/search?q=Astana",
        "/downloads",
        "/explain",
        "/explain?s=res:summit-tc-2024-bishkek&p=ots:heldIn&o=res:kyrgyzstan",
        "/resource/kazakhstan",
        "/ontology",
        "/resource/no-such-thing",
    ],
)
def test_no_english_interface_string_on_a_turkish_page(server, path):
    """Every interface string that differs between English and Turkish shows in Turkish: none of the
    English ones (longer than a word, and not a label, which falls back to English) is on the page."""
    response = get(server, path + ("&" if "?" in path else "?") + "lang=tr")
    assert response.status_code in (200, 404)
    text = visible(response.text)
    assert '<html lang="tr">' in text
    store = state_of(server.app).store
    names = {q.object.value.lower() for q in store.quads_for_pattern(None, LABEL, None)}  # en label fallbacks
    leftovers = [
        english
        for key, english in STRINGS["en"].items()
        if english.lower() not in names
        and not placeholders(english)
        and " " in english.strip()
        and english != STRINGS["tr"][key]
        and len(english) > 12
        and english in text
    ]
    assert not leftovers, leftovers


def test_the_query_page_s_script_strings_are_turkish(server):
    html = get(server, "/?lang=tr").text
    data = json.loads(re.search(r'id="client-data">(.*?)</script>', html, re.S).group(1))
    assert data["lang"] == "tr"
    assert data["strings"]["running"] == "Çalışıyor…" and data["strings"]["no_results"] == "Sonuç yok."


def test_labels_fall_back_to_english_without_a_turkish_one(server):
    """An entity with en/kk/ru labels only is named in English on a Turkish page, and by its @tr
    label once it has one (another engineer's data/labels add them: the test makes its own)."""
    thing = ox.NamedNode(f"{RES}test-turkish-fallback")
    graph = ox.NamedNode(str(Graphs.ASSERTED))
    labels = [
        ox.Quad(thing, LABEL, ox.Literal(v, language=code), graph)
        for code, v in (("en", "Fallback Test Place"), ("kk", "Сынақ орны"), ("ru", "Тестовое место"))
    ]
    with added(server, labels):
        html = unescape(get(server, "/resource/test-turkish-fallback?lang=tr").text)
        assert re.search(r"<h1>Fallback Test Place</h1>", html)
        api = requests.post(
            server.url + "/api/labels", json={"lang": "tr", "iris": [thing.value]}, timeout=30
        ).json()
        assert api["labels"][thing.value]["label"] == "Fallback Test Place"
        turkish = ox.Quad(
            thing, LABEL, ox.Literal("Deneme Yeri", language="tr"), ox.NamedNode(str(Graphs.LABELS))
        )
        with added(server, [turkish]):
            html = unescape(get(server, "/resource/test-turkish-fallback?lang=tr").text)
            assert "<h1>Deneme Yeri</h1>" in html
            assert "<h1>Fallback Test Place</h1>" in unescape(
                get(server, "/resource/test-turkish-fallback?lang=en").text
            )


def test_a_shipped_turkish_label_is_used_where_there_is_one(server):
    """Whatever @tr labels the shipped graph has, a Turkish page shows them (else English)."""
    store = state_of(server.app).store
    kazakhstan = ox.NamedNode(f"{RES}kazakhstan")
    found = {q.object.language: q.object.value for q in store.quads_for_pattern(kazakhstan, LABEL, None)}
    expected = found.get("tr") or found["en"]
    assert f"<h1>{expected}</h1>" in unescape(get(server, "/resource/kazakhstan?lang=tr").text)


# -------------------------------------------------------------------------------- example titles


def _examples() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.rq"))


def test_every_example_has_a_title_in_four_languages():
    titles = json.loads((EXAMPLES / "titles.json").read_text(encoding="utf-8"))
    assert sorted(titles) == _examples(), "examples/titles.json names exactly the examples"
    for name, entry in titles.items():
        assert set(entry) == set(UI_LANGUAGES), name
        assert all(entry[lang].strip() for lang in UI_LANGUAGES), name
        assert len({entry[lang] for lang in UI_LANGUAGES}) == 4, f"{name}: a title is not translated"
        assert re.search("[а-яәіңғүұқөһ]", entry["kk"].lower()) and re.search(
            "[а-яё]", entry["ru"].lower()
        ), name


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_the_query_page_lists_the_titles_in_the_language(server, lang):
    titles = json.loads((EXAMPLES / "titles.json").read_text(encoding="utf-8"))
    html = unescape(get(server, f"/?lang={lang}").text)
    for name in _examples():
        shown = re.search(rf'data-example="{re.escape(name)}"[^>]*>([^<]*)</a>', html, re.S)
        assert shown, name
        assert shown.group(1).strip() == titles[name][lang], name


def test_titles_fall_back_to_the_header_line(tmp_path):
    (tmp_path / "titles.json").write_text(json.dumps({"a": {"en": "A?", "tr": "A mı?", "kk": " "}}), "utf-8")
    titles = example_titles(tmp_path)
    assert titles == {"a": {"en": "A?", "tr": "A mı?"}}  # an empty title is no title: the header line shows
    (tmp_path / "titles.json").write_text("{not json", "utf-8")
    assert example_titles(tmp_path) == {}
    assert example_titles(tmp_path / "nowhere") == {}


def test_the_english_titles_are_the_examples_own_header_lines():
    """titles.json copies each example's English header line: a header rewritten without the
    file (or the other way round) must not leave the page showing a stale title."""
    titles = json.loads((EXAMPLES / "titles.json").read_text(encoding="utf-8"))
    for query in sorted(EXAMPLES.glob("*.rq")):
        header = query.read_text(encoding="utf-8").splitlines()[0].lstrip("#").strip()
        assert titles[query.stem]["en"] == header, query.name
