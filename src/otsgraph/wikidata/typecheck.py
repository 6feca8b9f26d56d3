"""Does a candidate item's type fit our class? Asked of the Wikidata Query Service (P31/P279*).

Each of our classes has Wikidata classes a candidate must be an instance of (one is enough), and
classes it must not be an instance of. The exclusions are what keep the look-alikes out: a
province is no human settlement, so it cannot stand for a city; a historical country (the Kazakh
SSR) cannot stand for today's state; a disambiguation page is never an entity.

The Wikidata class ids, and where each was confirmed, are listed in docs/wikidata.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from otsgraph.core.namespaces import OTS
from otsgraph.core.queries import load

from .client import WikidataClient
from .search import WD_ENTITY

DISAMBIGUATION_PAGE = "Q4167410"
HUMAN = "Q5"
COUNTRY = "Q6256"
SOVEREIGN_STATE = "Q3624078"
STATE_WITH_LIMITED_RECOGNITION = "Q15634554"
HISTORICAL_COUNTRY = "Q3024240"
HUMAN_SETTLEMENT = "Q486972"
CITY = "Q515"
GEOGRAPHIC_REGION = "Q82794"
ORGANIZATION = "Q43229"
INTERNATIONAL_ORGANIZATION = "Q484652"
EVENT = "Q1656682"
TREATY = "Q131569"
POSITION = "Q4164871"


@dataclass(frozen=True)
class TypeRule:
    """What a candidate for one of our classes must be (any of `accept`) and must not be (any of `reject`)."""

    accept: frozenset[str]
    reject: frozenset[str] = frozenset()
    hints: tuple[str, ...] = ()  # words in a fitting candidate's English description


def _rule(accept: Iterable[str], reject: Iterable[str] = (), hints: Iterable[str] = ()) -> TypeRule:
    return TypeRule(frozenset(accept), frozenset(reject) | {DISAMBIGUATION_PAGE}, tuple(hints))


#: our class (most specific first) → its rule; a class not listed uses its nearest listed superclass
RULES: dict[str, TypeRule] = {
    str(OTS.PartiallyRecognisedState): _rule(
        [STATE_WITH_LIMITED_RECOGNITION], hints=["state", "republic", "recogni"]
    ),
    str(OTS.HistoricalState): _rule([HISTORICAL_COUNTRY], hints=["former", "state", "union"]),
    str(OTS.State): _rule([SOVEREIGN_STATE, COUNTRY], [HISTORICAL_COUNTRY], ["country", "state"]),
    str(OTS.City): _rule([HUMAN_SETTLEMENT], hints=["city", "capital", "town"]),
    str(OTS.Region): _rule([GEOGRAPHIC_REGION], hints=["region", "area"]),
    str(OTS.Person): _rule([HUMAN], hints=["politician", "president", "minister", "diplomat", "scholar"]),
    str(OTS.InternationalOrganisation): _rule(
        [INTERNATIONAL_ORGANIZATION, ORGANIZATION], hints=["organization", "organisation", "council"]
    ),
    str(OTS.Organisation): _rule([ORGANIZATION], hints=["organization", "organisation", "body"]),
    str(OTS.Summit): _rule([EVENT], hints=["summit", "meeting"]),
    str(OTS.Event): _rule([EVENT], hints=["event", "coup", "summit"]),
    str(OTS.InternationalInstrument): _rule([TREATY], hints=["treaty", "agreement", "declaration"]),
    str(OTS.Office): _rule([POSITION], hints=["position", "office", "head of state"]),
}


def rule_for(classes: Iterable[str]) -> tuple[str, TypeRule] | None:
    """The rule for an entity of these classes (its types and their superclasses): the most specific."""
    classes = set(classes)
    for cls, rule in RULES.items():  # RULES lists subclasses before their superclasses
        if cls in classes:
            return cls, rule
    return None


def type_fit_query(qids: Iterable[str], classes: Iterable[str]) -> str:
    items = " ".join(f"wd:{q}" for q in sorted(set(qids), key=lambda q: (len(q), q)))
    wanted = " ".join(f"wd:{c}" for c in sorted(set(classes), key=lambda q: (len(q), q)))
    text = "\n".join(line for line in load("wikidata", "type-fit").splitlines() if not line.startswith("#"))
    return text.replace("{{items}}", items).replace("{{classes}}", wanted) + "\n"


def classes_of(client: WikidataClient, qids: Iterable[str], classes: Iterable[str]) -> dict[str, set[str]]:
    """{qid: the given classes it is an instance of}, from one WDQS query."""
    qids = list(qids)
    found: dict[str, set[str]] = {q: set() for q in qids}
    if not qids:
        return found
    answer = client.sparql(type_fit_query(qids, classes))
    for row in answer.get("results", {}).get("bindings", []):
        item = row["item"]["value"].removeprefix(WD_ENTITY)
        found.setdefault(item, set()).add(row["class"]["value"].removeprefix(WD_ENTITY))
    return found


@dataclass(frozen=True)
class TypeVerdict:
    fits: bool
    reason: str


def judge(rule: TypeRule, instance_of: set[str]) -> TypeVerdict:
    """Fit if an instance of an accepted class and of no rejected one."""
    rejected = sorted(instance_of & rule.reject)
    if rejected:
        return TypeVerdict(False, "instance of " + ", ".join(f"wd:{q}" for q in rejected))
    accepted = sorted(instance_of & rule.accept)
    if accepted:
        return TypeVerdict(True, "instance of " + ", ".join(f"wd:{q}" for q in accepted))
    return TypeVerdict(False, "instance of none of " + ", ".join(f"wd:{q}" for q in sorted(rule.accept)))


def check_types(client: WikidataClient, qids: Iterable[str], rule: TypeRule) -> dict[str, TypeVerdict]:
    """{qid: verdict} for candidates of one of our classes."""
    found = classes_of(client, qids, rule.accept | rule.reject)
    return {q: judge(rule, classes) for q, classes in found.items()}
