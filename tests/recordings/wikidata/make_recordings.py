"""Writes the recordings in this folder: Wikidata API and Query Service answers, built by hand.

These machines cannot reach Wikidata, so the answers are assembled here, in the documented formats
(wbsearchentities, wbgetentities, SPARQL 1.1 JSON results), from evidence about real items found in
stored public sources. Every value below names its evidence; every file written carries a
"_recording" note saying it was built by hand and from what. Statement ids ("Q232$…") are made up
(uuid5 of the statement), and an item holds only the statements the evidence covers: an absent
statement means "not in the evidence", not "not in Wikidata".

Run from the checkout: `python tests/recordings/wikidata/make_recordings.py` (rewrites the files).
The request parameters come from otsgraph's own code, so the recordings match its requests.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

HERE = Path(__file__).parent

# -- evidence --------------------------------------------------------------------------------------

SPOC = "SpocWiki/_Standards (GitHub), a Wikidata-derived country page"
EVIDENCE = {
    "Q232": f"{SPOC} Earth/Continent/Asia/Asia~Central/Kazakhstan.md: has_id_wikidata Q232; instance_of "
    "country (6256), sovereign state (3624078), landlocked country (123480), unitary state (179164), "
    "transcontinental country (1323642); member_of includes Organization_of_Turkic_States (596850), "
    "Shanghai_Cooperation_Organisation (485207), United_Nations (1065); population 20139914 and "
    "nominal_GDP 197112255361, 220623001967 (the page gives no years, so none are recorded); capital "
    "Astana (1520); names kk Қазақстан, ru Казахстан, en Kazakhstan.",
    "Q874": f"{SPOC} Earth/Continent/Asia/Asia~Central/Turkmenistan.md: has_id_wikidata Q874; instance_of "
    "country (6256), landlocked country (123480), sovereign state (3624078); member_of includes "
    "Organization_of_Turkic_States (596850) and United_Nations (1065), with no qualifiers shown (the "
    "page drops qualifiers, so a role such as observer cannot be seen and none is recorded); "
    "population 6117933 (no year); capital Ashgabat (23438).",
    "Q813": f"{SPOC} Earth/Continent/Asia/Asia~Central/Kyrgyzstan.md: has_id_wikidata Q813; instance_of "
    "landlocked country (123480), sovereign state (3624078), country (6256), republic (7270); member_of "
    "includes Organization_of_Turkic_States (596850), Shanghai_Cooperation_Organisation (485207), "
    "United_Nations (1065); population 6694200 and nominal_GDP 10930644915, 8740681889 (no years "
    "given); capital Bishkek (9361).",
    "Q43": f"{SPOC} Earth/Continent/Europe/Europe~East/Turkey.md (commit 02765bb): has_id_wikidata Q43; "
    "instance_of sovereign state (3624078), country (6256), transcontinental country (1323642); "
    "capital Ankara (3640); head_of_state Recep Tayyip Erdoğan (39259); office_held_by_head_of_state "
    "President of Turkey (1922067); member_of includes Organization_of_Turkic_States (596850), NATO "
    "(7184), United_Nations (1065); population 85372377 and nominal_GDP 819034484303, 905987824096 (no "
    "years given).",
    "Q265": f"{SPOC} Earth/Continent/Asia/Asia~Central/Uzbekistan.md: has_id_wikidata Q265; instance_of "
    "landlocked country (123480), sovereign state (3624078), country (6256); member_of includes "
    "Organization_of_Turkic_States (596850), Shanghai_Cooperation_Organisation (485207), United_Nations "
    "(1065); capital Tashkent (269); population 34915100, nominal_GDP 69238900000 (no years given).",
    "Q596850": f"{SPOC} (Kazakhstan.md, Turkmenistan.md): the member_of link "
    "'WD~Organization_of_Turkic_States,596850'. Its inception (P571) 2009-10-03 is from the English "
    "Wikipedia infobox of the Organization of Turkic States ('Establishment: Nakhchivan Agreement, "
    "3 October 2009'; stored copies at kiwix.lema.org and movatter.jp), not from Wikidata itself.",
    "Q35493": "Stored public code lists ('Q35493', 1916822, 'Q232') # Almaty among cities with their "
    f"population and country, and {SPOC} Kazakhstan.md lists WD~Almaty,35493 among Kazakhstan's "
    "administrative entities; a city, so an instance of human settlement (Q486972, through city). "
    "Labels: en Almaty; kk and ru Алматы (the official name, used in Russian too, e.g. 'город Алматы' "
    "in public city lists); Wikidata's ru label may be the older Алма-Ата.",
    "Q186466": f"{SPOC} Kazakhstan.md lists WD~Almaty_Region,186466 among the regions Kazakhstan contains "
    "(P150): a first-level region (Almaty oblysy), not a human settlement.",
    "Q211051": "A real wbsearchentities answer stored in public code: id Q211051, label 'Discovery', "
    "description 'Wikimedia disambiguation page' (so an instance of Q4167410).",
}


def note(*qids: str) -> str:
    return "Built by hand, not recorded from the live API. Evidence: " + " | ".join(EVIDENCE[q] for q in qids)


# -- Wikidata's JSON shapes ------------------------------------------------------------------------


def _statement(qid: str, prop: str, datavalue: dict, datatype: str, qualifiers: dict | None = None) -> dict:
    statement = {
        "mainsnak": {"snaktype": "value", "property": prop, "datavalue": datavalue, "datatype": datatype},
        "type": "statement",
        "id": f"{qid}${uuid.uuid5(uuid.NAMESPACE_URL, f'{qid}/{prop}/{json.dumps(datavalue)}')}".upper(),
        "rank": "normal",
    }
    if qualifiers:
        statement["qualifiers"] = qualifiers
        statement["qualifiers-order"] = list(qualifiers)
    return statement


def item_value(target: str) -> dict:
    return {
        "value": {"entity-type": "item", "numeric-id": int(target[1:]), "id": target},
        "type": "wikibase-entityid",
    }


def quantity_value(amount: int, unit: str | None = None) -> dict:
    return {
        "value": {"amount": f"+{amount}", "unit": f"http://www.wikidata.org/entity/{unit}" if unit else "1"},
        "type": "quantity",
    }


def time_value(time: str, precision: int) -> dict:
    return {
        "value": {
            "time": time,
            "timezone": 0,
            "before": 0,
            "after": 0,
            "precision": precision,
            "calendarmodel": "http://www.wikidata.org/entity/Q1985727",
        },
        "type": "time",
    }


def entity(
    qid: str, labels: dict, descriptions: dict | None = None, claims: dict | None = None, aliases=None
):
    return {
        "type": "item",
        "id": qid,
        "labels": {lang: {"language": lang, "value": v} for lang, v in labels.items()},
        "descriptions": {lang: {"language": lang, "value": v} for lang, v in (descriptions or {}).items()},
        "aliases": {
            lang: [{"language": lang, "value": v} for v in vs] for lang, vs in (aliases or {}).items()
        },
        "claims": claims or {},
    }


def items(qid: str, prop: str, targets: list[str]) -> dict:
    return {prop: [_statement(qid, prop, item_value(t), "wikibase-item") for t in targets]}


def quantities(qid: str, prop: str, amounts: list[int], unit: str | None = None) -> dict:
    return {prop: [_statement(qid, prop, quantity_value(a, unit), "quantity") for a in amounts]}


ITEMS = {
    "Q232": entity(
        "Q232",
        {"en": "Kazakhstan", "kk": "Қазақстан", "ru": "Казахстан"},
        claims={
            **items("Q232", "P31", ["Q6256", "Q3624078", "Q123480", "Q179164", "Q1323642"]),
            **items("Q232", "P463", ["Q596850", "Q485207", "Q1065"]),
            **items("Q232", "P36", ["Q1520"]),
            **quantities("Q232", "P1082", [20139914]),
            **quantities("Q232", "P2131", [197112255361, 220623001967], "Q4917"),
        },
    ),
    "Q874": entity(
        "Q874",
        {"en": "Turkmenistan"},
        claims={
            **items("Q874", "P31", ["Q6256", "Q123480", "Q3624078"]),
            **items("Q874", "P463", ["Q596850", "Q1065"]),
            **items("Q874", "P36", ["Q23438"]),
            **quantities("Q874", "P1082", [6117933]),
        },
    ),
    "Q813": entity(
        "Q813",
        {"en": "Kyrgyzstan"},
        claims={
            **items("Q813", "P31", ["Q123480", "Q3624078", "Q6256", "Q7270"]),
            **items("Q813", "P463", ["Q596850", "Q485207", "Q1065"]),
            **items("Q813", "P36", ["Q9361"]),
            **quantities("Q813", "P1082", [6694200]),
            **quantities("Q813", "P2131", [10930644915, 8740681889], "Q4917"),
        },
    ),
    "Q43": entity(
        "Q43",
        {"en": "Turkey"},
        claims={
            **items("Q43", "P31", ["Q3624078", "Q6256", "Q1323642"]),
            **items("Q43", "P463", ["Q596850", "Q7184", "Q1065"]),
            **items("Q43", "P36", ["Q3640"]),
            **items("Q43", "P35", ["Q39259"]),
            **items("Q43", "P1906", ["Q1922067"]),
            **quantities("Q43", "P1082", [85372377]),
            **quantities("Q43", "P2131", [819034484303, 905987824096], "Q4917"),
        },
    ),
    "Q265": entity(
        "Q265",
        {"en": "Uzbekistan"},
        claims={
            **items("Q265", "P31", ["Q123480", "Q3624078", "Q6256"]),
            **items("Q265", "P463", ["Q596850", "Q485207", "Q1065"]),
            **items("Q265", "P36", ["Q269"]),
            **quantities("Q265", "P1082", [34915100]),
            **quantities("Q265", "P2131", [69238900000], "Q4917"),
        },
    ),
    "Q596850": entity(
        "Q596850",
        {"en": "Organization of Turkic States"},
        claims={"P571": [_statement("Q596850", "P571", time_value("+2009-10-03T00:00:00Z", 11), "time")]},
    ),
    "Q35493": entity(
        "Q35493",
        {"en": "Almaty", "kk": "Алматы", "ru": "Алматы"},
        claims={**items("Q35493", "P17", ["Q232"]), **quantities("Q35493", "P1082", [1916822])},
    ),
    "Q186466": entity("Q186466", {"en": "Almaty Region"}),
    "Q211051": entity("Q211051", {"en": "Discovery"}, {"en": "Wikimedia disambiguation page"}),
}


def search_hit(qid: str, language: str, match_type: str = "label") -> dict:
    data = ITEMS[qid]
    label = data["labels"].get(language, data["labels"]["en"])["value"]
    hit = {
        "id": qid,
        "title": qid,
        "repository": "wikidata",
        "url": f"//www.wikidata.org/wiki/{qid}",
        "concepturi": f"http://www.wikidata.org/entity/{qid}",
        "display": {"label": {"value": label, "language": language}},
        "label": label,
        "match": {"type": match_type, "language": language, "text": label},
    }
    description = data["descriptions"].get("en")
    if description:
        hit["description"] = description["value"]
    return hit


def sparql_results(pairs: list[tuple[str, str]]) -> dict:
    return {
        "head": {"vars": ["item", "class"]},
        "results": {
            "bindings": [
                {
                    "item": {"type": "uri", "value": f"http://www.wikidata.org/entity/{i}"},
                    "class": {"type": "uri", "value": f"http://www.wikidata.org/entity/{c}"},
                }
                for i, c in pairs
            ]
        },
    }


# -- the requests otsgraph makes --------------------------------------------------------------------


def main() -> None:
    from otsgraph.core.namespaces import OTS
    from otsgraph.wikidata.client import API_URL, SPARQL_URL, Request
    from otsgraph.wikidata.search import LANGUAGES
    from otsgraph.wikidata.typecheck import RULES, type_fit_query

    written = []

    def write(name: str, url: str, params: dict, body: dict, evidence: str) -> None:
        request = Request.of(url, params)
        recording = {
            "_recording": evidence,
            "request": request.to_json(),
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json; charset=utf-8"},
                "json": body,
            },
        }
        (HERE / f"{name}.json").write_text(
            json.dumps(recording, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        written.append(name)

    def search(name: str, text: str, language: str, hits: list[dict], *evidence: str) -> None:
        params = {
            "action": "wbsearchentities",
            "search": text,
            "language": language,
            "uselang": language,
            "type": "item",
            "limit": "7",
            "format": "json",
        }
        body = {"searchinfo": {"search": text}, "search": hits, "success": 1}
        write(name, API_URL, params, body, note(*evidence))

    def get(name: str, qids: list[str], props: str, languages: str) -> None:
        keep = props.split("|")
        entities = {}
        for q in qids:
            full = ITEMS[q]
            entities[q] = {k: v for k, v in full.items() if k in ("type", "id") or k in keep}
            for field in ("labels", "descriptions", "aliases"):
                if field in entities[q]:
                    entities[q][field] = {
                        lang: v for lang, v in full[field].items() if lang in languages.split("|")
                    }
        params = {
            "action": "wbgetentities",
            "ids": "|".join(qids),
            "props": props,
            "languages": languages,
            "format": "json",
        }
        write(name, API_URL, params, {"entities": entities, "success": 1}, note(*qids))

    def types(name: str, our_class: str, qids: list[str], pairs: list[tuple[str, str]]) -> None:
        rule = RULES[str(OTS[our_class])]
        query = type_fit_query(qids, rule.accept | rule.reject)
        write(name, SPARQL_URL, {"query": query, "format": "json"}, sparql_results(pairs), note(*qids))

    # `otsgraph link --check`: one wbgetentities per linked item
    for qid in ("Q232", "Q874", "Q813", "Q43", "Q265", "Q596850", "Q35493"):
        get(f"check-wbgetentities-{qid}", [qid], "labels|claims", "en")

    # `otsgraph link` on Kazakhstan: found by its label in each language; a sovereign state
    for language, text in zip(LANGUAGES, ("Қазақстан", "Казахстан", "Kazakhstan"), strict=True):
        search(f"link-search-kazakhstan-{language}", text, language, [search_hit("Q232", language)], "Q232")
    get("link-wbgetentities-Q232", ["Q232"], "labels|aliases|descriptions|claims", "kk|ru|en")
    types("link-types-kazakhstan", "State", ["Q232"], [("Q232", "Q3624078"), ("Q232", "Q6256")])

    # `otsgraph link` on Almaty: the city, and the region of the same name (a look-alike)
    search("link-search-almaty-kk", "Алматы", "kk", [search_hit("Q35493", "kk")], "Q35493")
    search("link-search-almaty-ru", "Алматы", "ru", [search_hit("Q35493", "ru")], "Q35493")
    search(
        "link-search-almaty-en",
        "Almaty",
        "en",
        [search_hit("Q35493", "en"), search_hit("Q186466", "en")],
        "Q35493",
        "Q186466",
    )
    get("link-wbgetentities-almaty", ["Q35493", "Q186466"], "labels|aliases|descriptions|claims", "kk|ru|en")
    types("link-types-almaty", "City", ["Q35493", "Q186466"], [("Q35493", "Q486972")])

    # a disambiguation page, for the type filter's test
    get("wbgetentities-Q211051", ["Q211051"], "labels|aliases|descriptions|claims", "kk|ru|en")
    types("types-Q211051-as-city", "City", ["Q211051"], [("Q211051", "Q4167410")])
    print("wrote", len(written), "recordings:", ", ".join(written))


if __name__ == "__main__":
    main()
