"""The 0-100 score, the type rules, and the accept/review decisions."""

from __future__ import annotations

import json
from pathlib import Path

from otsgraph.core.namespaces import OTS
from otsgraph.wikidata.client import API_URL, SPARQL_URL, ReplayTransport, WikidataClient
from otsgraph.wikidata.reconcile import AMBIGUITY_MARGIN, Decision, reconcile_entity
from otsgraph.wikidata.scoring import normalise, score_candidate, transliterate
from otsgraph.wikidata.search import Entity
from otsgraph.wikidata.typecheck import RULES, TypeVerdict, judge, rule_for, type_fit_query

CITY = RULES[str(OTS.City)]
STATE = RULES[str(OTS.State)]
FITS = TypeVerdict(True, "instance of wd:Q486972")
UNFIT = TypeVerdict(False, "instance of none of wd:Q486972")
ALMATY = {"en": ["Almaty", "Alma-Ata"], "kk": ["Алматы"], "ru": ["Алматы", "Алма-Ата"]}


def test_normalise_and_transliterate():
    assert normalise("  Türkiye ") == "turkiye"
    assert normalise("Cholpon-Ata") == normalise("cholpon ata")
    assert normalise("Алма-Ата") == "алма ата"
    assert transliterate("Алматы") == "almaty"
    assert transliterate("Бішкек") == "bishkek"


def test_exact_labels_in_three_languages_of_a_fitting_type_score_95():
    item = Entity("Q35493", labels={"en": "Almaty", "kk": "Алматы", "ru": "Алматы"})
    score = score_candidate(ALMATY, item, CITY, FITS)
    assert (score.label_points, score.languages, score.type_points) == (50, ["en", "kk", "ru"], 25)
    assert score.total == 95 and score.fits


def test_an_alias_a_normalised_and_a_transliterated_match_score_less():
    alias = Entity("Q1", labels={"ru": "Алма-Ата"}, aliases={"ru": ["Алматы"]})
    assert score_candidate({"ru": ["Алматы"]}, alias, CITY, FITS).label_points == 45
    case = Entity("Q1", labels={"en": "ALMATY"})
    assert score_candidate({"en": ["Almaty"]}, case, CITY, FITS).match_kind == "normalised"
    latin_only = Entity("Q1", labels={"en": "Bishkek"})
    score = score_candidate({"kk": ["Бішкек"]}, latin_only, CITY, FITS)
    assert (score.match_kind, score.label_points, score.languages) == ("transliterated", 30, [])
    assert score.total == 30 + 25


def test_the_description_hint_and_the_disambiguation_penalty():
    described = Entity("Q35493", labels={"en": "Almaty"}, descriptions={"en": "largest city in Kazakhstan"})
    assert score_candidate({"en": ["Almaty"]}, described, CITY, FITS).description_points == 5
    page = Entity("Q211051", labels={"en": "Discovery"}, descriptions={"en": "Wikimedia disambiguation page"})
    score = score_candidate({"en": ["Discovery"]}, page, CITY, UNFIT)
    assert score.description_points == -30 and score.total == 50 + 8 + 0 - 30 and not score.fits


def test_type_rules_reject_look_alikes():
    assert judge(CITY, {"Q486972"}).fits
    assert not judge(CITY, set()).fits  # a province is no human settlement
    assert not judge(CITY, {"Q486972", "Q4167410"}).fits  # a disambiguation page, whatever else
    assert not judge(STATE, {"Q6256", "Q3024240"}).fits  # a Soviet republic: a historical country
    assert judge(STATE, {"Q3624078"}).fits


def test_the_most_specific_class_chooses_the_rule():
    trnc = {str(OTS.PartiallyRecognisedState), str(OTS.State), str(OTS.Place)}
    assert rule_for(trnc)[0] == str(OTS.PartiallyRecognisedState)
    assert rule_for({str(OTS.Summit), str(OTS.Event)})[0] == str(OTS.Summit)
    assert rule_for({str(OTS.Claim)}) is None


class FakeData:
    """Just what reconcile_entity reads of ProjectData: one person and their names."""

    def __init__(self, names):
        self.classes = {"res:x": {str(OTS.Person)}}
        self.names = {"res:x": names}


def replay_client(folder: Path, hits: list[str], people: dict[str, str], humans: list[str]) -> WikidataClient:
    """A real client replaying answers written here in Wikidata's formats (made-up people, for the rules)."""
    folder.mkdir()
    answers = [
        (
            API_URL,
            {
                "action": "wbsearchentities",
                "search": "Ahmet Yılmaz",
                "language": "en",
                "uselang": "en",
                "type": "item",
                "limit": "7",
                "format": "json",
            },
            {
                "search": [
                    {
                        "id": q,
                        "label": people[q],
                        "match": {"type": "label", "language": "en", "text": people[q]},
                    }
                    for q in hits
                ],
                "success": 1,
            },
        ),
        (
            API_URL,
            {
                "action": "wbgetentities",
                "ids": "|".join(hits),
                "props": "labels|aliases|descriptions|claims",
                "languages": "kk|ru|en",
                "format": "json",
            },
            {
                "entities": {
                    q: {"type": "item", "id": q, "labels": {"en": {"language": "en", "value": people[q]}}}
                    for q in hits
                },
                "success": 1,
            },
        ),
        (
            SPARQL_URL,
            {
                "query": type_fit_query(hits, RULES[str(OTS.Person)].accept | RULES[str(OTS.Person)].reject),
                "format": "json",
            },
            {
                "head": {"vars": ["item", "class"]},
                "results": {
                    "bindings": [
                        {
                            "item": {"type": "uri", "value": f"http://www.wikidata.org/entity/{q}"},
                            "class": {"type": "uri", "value": "http://www.wikidata.org/entity/Q5"},
                        }
                        for q in humans
                    ]
                },
            },
        ),
    ]
    for index, (url, params, body) in enumerate(answers):
        recording = {
            "_recording": "made up in this test",
            "request": {"url": url, "params": params},
            "response": {"status": 200, "json": body},
        }
        (folder / f"{index}.json").write_text(json.dumps(recording), encoding="utf-8")
    return WikidataClient(ReplayTransport(folder), min_interval=0)


NAMES = {"en": ["Ahmet Yılmaz"], "kk": [], "ru": []}


def test_a_candidate_at_the_threshold_is_accepted_and_one_below_is_left_for_review(tmp_path):
    client = replay_client(tmp_path / "r", ["Q1"], {"Q1": "Ahmet Yılmaz"}, ["Q1"])
    # exact en label 50 + one language 8 + type 25 = 83
    accepted = reconcile_entity(client, FakeData(NAMES), "res:x", threshold=83)
    assert isinstance(accepted, Decision) and accepted.status == "accepted" and accepted.accepted.qid == "Q1"
    review = reconcile_entity(client, FakeData(NAMES), "res:x", threshold=84)
    assert review.status == "review" and "below the threshold 84" in review.reason
    assert [c.qid for c in review.candidates] == ["Q1"]


def test_two_people_who_share_a_name_are_left_for_review(tmp_path):
    people = {"Q1": "Ahmet Yılmaz", "Q2": "Ahmet Yılmaz"}
    client = replay_client(tmp_path / "r", ["Q1", "Q2"], people, ["Q1", "Q2"])
    decision = reconcile_entity(client, FakeData(NAMES), "res:x", threshold=50)
    assert decision.status == "review" and "ambiguous" in decision.reason
    assert f"within {AMBIGUITY_MARGIN} points" in decision.reason


def test_a_candidate_of_the_wrong_type_is_never_accepted(tmp_path):
    client = replay_client(tmp_path / "r", ["Q1"], {"Q1": "Ahmet Yılmaz"}, [])
    decision = reconcile_entity(client, FakeData(NAMES), "res:x", threshold=0)
    assert decision.status == "review" and decision.reason == "no candidate of a fitting type"
    assert [r.qid for r in decision.rejected] == ["Q1"]
