"""Search and /reconcile find what people type (issue 12).

The labelled set tests/fixtures/search/queries.tsv (names in en, kk Cyrillic, kk Latin, ru, tr, az,
uz, ky, with typos, reordered names, other spellings, and decoys that must match nothing) is run
through a live server's /reconcile and /search by bench/search_accuracy.py's evaluation, and the
issue's targets are asserted: top-1 accuracy of at least 95 %, and no wrong entity at or above the
match threshold on any query. The matcher's rules are tested apart on small indexes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from otsgraph.server.reconcile import matching
from otsgraph.server.reconcile.matching import THRESHOLD, Index, single_out
from server_fixtures import serve

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
import search_accuracy

RES = search_accuracy.RES


# ------------------------------------------------------------------------------------ the set


def test_the_set_is_as_large_and_as_varied_as_the_issue_asks():
    cases = search_accuracy.load_cases()
    positives = [c for c in cases if c.expected]
    decoys = [c for c in cases if not c.expected]
    assert len(positives) >= 150 and len(decoys) >= 30
    languages = {c.lang for c in positives}
    assert {"en", "kk", "kk-Latn", "ru", "tr"} <= languages and len(languages) >= 6, languages
    kinds = {c.kind for c in positives}
    assert {"typo1", "typo2", "reorder", "spelling", "native"} <= kinds
    # the same text may be typed by readers of two languages (Түркия in kk and ky), but counts once
    assert len({(c.query, c.lang) for c in cases}) == len(cases), "no query twice in one language"
    assert len({c.query for c in positives}) >= 150 and len({c.query for c in decoys}) >= 30
    # the Turkish forms the issue names are in the set
    wanted = {
        "Kazakistan",
        "Türk Devletleri Teşkilatı",
        "Azerbaycan",
        "Özbekistan",
        "Kırgızistan",
        "Nahçıvan",
    }
    assert wanted <= {c.query for c in cases}
    assert {"Bakı", "Nazarbayev, Nursultan", "Organisation of Turkic States"} <= {c.query for c in cases}


@pytest.fixture(scope="module")
def server():
    with serve() as live:
        yield live


@pytest.fixture(scope="module")
def report(server):
    def reconcile(batch: dict) -> dict:
        response = requests.post(f"{server.url}/reconcile", data={"queries": json.dumps(batch)}, timeout=60)
        assert response.status_code == 200, response.text[:300]
        return response.json()

    def search(query: str) -> list[str]:
        response = requests.get(
            f"{server.url}/search", params={"q": query}, headers={"Accept": "application/json"}, timeout=30
        )
        assert response.status_code == 200, response.text[:300]
        return [r["iri"] for r in response.json()["results"]]

    return search_accuracy.evaluate(search_accuracy.load_cases(), reconcile, search, THRESHOLD)


def test_every_expected_entity_is_in_the_served_graph(server):
    expected = sorted({c.expected for c in search_accuracy.load_cases() if c.expected})
    values = " ".join(f"<{iri}>" for iri in expected)
    query = f"SELECT ?s {{ VALUES ?s {{ {values} }} FILTER EXISTS {{ ?s ?p ?o }} }}"
    response = requests.get(f"{server.url}/sparql", params={"query": query}, timeout=30)
    found = {row["s"]["value"] for row in response.json()["results"]["bindings"]}
    assert set(expected) - found == set()


def test_no_wrong_entity_at_or_above_the_threshold_on_any_query(report):
    wrong = [(o.case.query, o.wrong_above) for o in report.wrong_above]
    assert wrong == []


def test_top1_accuracy_reaches_the_target(report):
    misses = [(o.case.lang, o.case.query, o.top) for o in report.positives if not o.right]
    assert report.top1 >= search_accuracy.TOP1_TARGET, misses


def test_match_flag_follows_the_threshold_and_search_agrees(report):
    for outcome in report.outcomes:
        if outcome.top_score is not None and outcome.top_score >= THRESHOLD:
            assert outcome.matched == outcome.top, outcome.case
            # /search uses the same matcher: a match is its first result too
            assert outcome.search_top == outcome.top, outcome.case
        else:
            assert outcome.matched is None, outcome.case


def test_the_bench_writes_its_figures(report, tmp_path):
    text = search_accuracy.markdown(report, "abc1234", {"en": 1})
    assert "| top-1 accuracy (/reconcile) |" in text and "abc1234" in text
    for lang in ("en", "kk", "kk-Latn", "ru", "tr", "az", "uz", "ky"):
        assert f"\n| {lang} |" in text, lang
    assert f"match threshold **{THRESHOLD:g}**" in text


# ---------------------------------------------------------------------------- the matcher's rules


def _index(*entries: tuple[str, str, str], bearers=None) -> Index:
    return Index(((RES + slug, ox.Literal(text, language=lang)) for slug, text, lang in entries), bearers)


def _top(index: Index, query: str) -> tuple[str, float]:
    [hit, *_] = index.find(query)
    return hit.iri.removeprefix(RES), hit.score


PEOPLE = _index(
    ("nazarbayev", "Nursultan Nazarbayev", "en"),
    ("nazarbayev", "Нұрсұлтан Назарбаев", "kk"),
    ("term", "Nursultan Nazarbayev as President of Kazakhstan", "en"),
    ("kazakhstan", "Kazakhstan", "en"),
    ("kazakhstan", "Қазақстан", "kk"),
    ("turkmenistan", "Түркменстан", "kk"),
    ("decl-2012", "Bishkek Declaration (2012)", "en"),
    ("decl-2024", "Bishkek Declaration (2024)", "en"),
    ("nakhchivan", "Nakhchivan", "en"),
    ("turkey", "Түркия", "kk"),
)


@pytest.mark.parametrize(
    ("query", "slug", "at_least"),
    [
        ("Nursultan Nazarbayev", "nazarbayev", 100),
        ("Nazarbayev, Nursultan", "nazarbayev", 97),  # reordered
        ("Назарбаев Нұрсұлтан", "nazarbayev", 97),
        ("Nursultan Nazarbaev", "nazarbayev", 94),  # the Kazakh label in Latin letters
        ("Kazakistan", "kazakhstan", 94),  # Turkish: one letter off
        ("Qazaqstan", "kazakhstan", 100),  # Latin-script Kazakh
        ("Nahçıvan", "nakhchivan", 95),  # another romanisation
        ("Naxçıvan", "nakhchivan", 95),
        ("Bishkek Declaration 2012", "decl-2012", 100),
    ],
)
def test_names_people_type_score_as_matches(query, slug, at_least):
    found, score = _top(PEOPLE, query)
    assert found == slug and score >= at_least >= THRESHOLD


def test_the_digits_must_be_the_same():
    hits = {h.iri.removeprefix(RES): h.score for h in PEOPLE.find("Bishkek Declaration 2012")}
    assert hits["decl-2012"] == 100 and hits.get("decl-2024", 0) < THRESHOLD


@pytest.mark.parametrize("query", ["Turkestan", "TÜRKPA", "Kazan", "Tokayev", "qwertyuiop"])
def test_near_names_of_other_things_are_no_match(query):
    assert all(h.score < THRESHOLD for h in PEOPLE.find(query)), PEOPLE.find(query)[:3]


def test_a_short_name_allows_no_typo_and_capitals_are_an_abbreviation():
    index = _index(("baku", "Baku", "en"), ("nato", "NATO", "en"), ("astana", "Astana", "en"))
    assert all(h.score < THRESHOLD for h in index.find("Baki"))
    assert all(h.score < THRESHOLD for h in index.find("Astara"))  # a town in Azerbaijan
    assert index.find("Astara")[0].iri == RES + "astana"  # still the first candidate
    assert all(h.score < THRESHOLD for h in index.find("NAFO"))
    assert index.find("nato")[0].score == 100


def test_a_part_of_a_name_is_a_candidate_not_a_match():
    found, score = _top(PEOPLE, "Nazarbayev")
    assert found == "nazarbayev" and score < THRESHOLD
    found, score = _top(PEOPLE, "Nazarbaev")  # with a typo
    assert found == "nazarbayev" and score < THRESHOLD


def test_at_most_one_entity_is_above_the_threshold():
    index = _index(("a", "Gül", "kk"), ("b", "Гүл", "kk"), ("c", "Gul", "en"))
    assert all(h.score < THRESHOLD for h in index.find("Gül")), "a tie is no match"
    items = [matching.Hit("x", ox.Literal("x"), s, "exact") for s in (100, 94, 20)]
    assert [h.score for h in single_out(items)] == [100, THRESHOLD - 1, 20]


def test_a_name_entity_gives_way_to_its_bearer():
    index = _index(
        ("organization-of-turkic-states", "Turkic Council", "en"),
        ("name-turkic-council", "Turkic Council", "en"),
        bearers={RES + "name-turkic-council": RES + "organization-of-turkic-states"},
    )
    [first, second] = index.find("Turkic Council")
    assert first.iri == RES + "organization-of-turkic-states" and first.score == 100
    assert second.score < THRESHOLD


def test_similar_applies_the_same_rule_to_two_names():
    assert matching.similar("Бішкек", "Bishkek") == 100
    assert matching.similar("Bishkeck", "Bishkek") >= THRESHOLD
    assert matching.similar("Kazan", "Kars") < THRESHOLD


def test_the_search_page_marks_the_one_match_and_gives_scores():
    """The page and its JSON say which hit is the match (score at or above the threshold)."""
    with serve() as live:
        answer = requests.get(
            live.url + "/search", params={"q": "Kazakistan"}, headers={"Accept": "application/json"}
        )
        results = answer.json()["results"]
        assert results[0]["iri"].endswith("/kazakhstan") and results[0]["match"] is True
        assert results[0]["score"] >= 85 and sum(r["match"] for r in results) == 1
        page = requests.get(live.url + "/search", params={"q": "Kazakistan", "lang": "tr"}).text
        assert page.count('class="badge match"') == 1
        none = requests.get(
            live.url + "/search", params={"q": "Kazakh"}, headers={"Accept": "application/json"}
        )
        assert not any(r["match"] for r in none.json()["results"])  # a part of a name is no match
