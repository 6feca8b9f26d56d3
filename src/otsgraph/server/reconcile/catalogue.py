"""What the reconciliation service (reconcile.py) matches against, and how it scores a match.

The catalogue holds every entity of the graph (an IRI under res:) with its types, the types
written in the data, and the Wikidata items graph:links ties it to. It is read once per data
version, like the pages' labels. Names are matched with the search index of search.py (the
matcher of matching.py), so a name typed in any language and script of the labels, in any case,
with or without diacritics, with a typo or its words in another order, finds the same entity.

Scores run from 0 to 100 (the manifests announce standardizedScore):
- the name: the matcher's score (matching.py: 100 the same name after folding case, diacritics and
  script, 97 reordered words, 96 another romanisation, 94/88 one/two letters off, below 85 a
  candidate that is not a match);
- property conditions: with conditions, the score is 60 % the name's and 40 % the share of
  conditions met; without a name, it is the share of conditions met. A `required` condition that
  fails removes the candidate.
- `match` (safe to accept without review) follows the matcher's one rule, as /search does: a
  candidate is a match when its score is at least matching.THRESHOLD (85) and no other candidate of
  the query (after the type filter and the conditions) reaches its score; the others are lowered
  to just below the threshold, so at most one candidate is ever at or above it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from otsgraph.core import queries
from otsgraph.core.namespaces import LANGUAGES, PREFIXES, RES, WD

from ..pages import search
from ..pages.links import compact, labels, per_version
from ..state import state
from . import matching

WIKIDATA = "wikidata"  # the pseudo-property whose values are the linked Wikidata QIDs
MAX_CANDIDATES = 100  # per query, whatever limit a client asks for
DEFAULT_LIMIT = 10
_KAZAKH_ONLY = set("әғқңөұүһі")  # Cyrillic letters Kazakh writes and Russian does not


class BadQuery(ValueError):
    """A query the service cannot answer; `where` says which part (e.g. 'q0.type')."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Entity:
    iri: str
    types: frozenset[str]  # every type, inferred superclasses included: what type filters test
    stated_types: tuple[str, ...]  # the types the data writes: what a candidate shows
    qids: tuple[str, ...]  # linked Wikidata items, e.g. ('Q232',)


@dataclass
class Catalogue:
    entities: dict[str, Entity]
    by_qid: dict[str, list[str]]
    instances: dict[str, int]  # type IRI -> number of entities of that type
    property_uses: dict[str, dict[str, int]]  # property IRI -> {type IRI: entities using it}
    descriptions: dict[str, dict[str, str]]  # entity IRI -> {language: definition}
    type_index: search.Index = field(repr=False)
    property_index: search.Index = field(repr=False)


def _rows(name: str) -> list[ox.QuerySolution]:
    server = state()
    return list(server.store.query(queries.load("reconcile", name), default_graph=server.default_graphs))


def _index(iris: list[str]) -> search.Index:
    """A search index over the labels of these IRIs (types or properties), and their local names."""
    every = labels().every
    return search.Index(
        (iri, literal) for iri in iris for literal in [*every.get(iri, []), ox.Literal(_local_name(iri))]
    )


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _build() -> Catalogue:
    types: dict[str, set[str]] = defaultdict(set)
    for row in _rows("entity-types"):
        types[row["entity"].value].add(row["type"].value)
    stated: dict[str, list[str]] = defaultdict(list)
    for row in _rows("stated-types"):
        stated[row["entity"].value].append(row["type"].value)
    qids: dict[str, list[str]] = defaultdict(list)
    by_qid: dict[str, list[str]] = defaultdict(list)
    for row in _rows("wikidata-links"):
        qid = row["item"].value[len(str(WD)) :]
        qids[row["entity"].value].append(qid)
        by_qid[qid].append(row["entity"].value)
    uses: dict[str, dict[str, int]] = defaultdict(dict)
    for row in _rows("properties"):
        uses[row["property"].value][row["type"].value] = int(row["uses"].value)
    descriptions: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _rows("descriptions"):
        descriptions[row["entity"].value].setdefault(row["text"].language or "", row["text"].value)
    entities = {
        iri: Entity(
            iri, frozenset(found), tuple(sorted(stated.get(iri, []))), tuple(sorted(qids.get(iri, [])))
        )
        for iri, found in types.items()
    }
    instances: dict[str, int] = defaultdict(int)
    for entity in entities.values():
        for type_iri in entity.types:
            instances[type_iri] += 1
    return Catalogue(
        entities,
        dict(by_qid),
        dict(instances),
        dict(uses),
        dict(descriptions),
        _index(sorted(instances)),
        _index(sorted(uses)),
    )


def catalogue() -> Catalogue:
    """The catalogue of the current data version."""
    # links.per_version holds one plain lock while it builds, so a build that needs another
    # per-version value deadlocks unless that value is ready: make the labels and the index first.
    labels()
    search.index()
    return per_version("reconcile", _build)


# ----------------------------------------------------------------------------------- identifiers


def expand(text: str) -> str:
    """A prefixed name (ots:State) as its IRI; anything else unchanged."""
    prefix, colon, rest = text.partition(":")
    if colon and prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    return text


def entity_for(identifier: str) -> str | None:
    """The entity an identifier names: its IRI, res:slug, or a linked QID (Q232 or wd:Q232)."""
    found = catalogue()
    text = identifier.strip()
    iri = expand(text)
    if iri in found.entities:
        return iri
    qid = text.removeprefix(str(WD)).removeprefix("wd:")
    matches = [iri for iri in found.by_qid.get(qid, []) if iri in found.entities]
    return matches[0] if len(matches) == 1 else None


def resolve_type(identifier: str, where: str) -> str:
    iri = expand(identifier.strip())
    if iri not in catalogue().instances:
        raise BadQuery(where, f"unknown type {identifier!r}: /reconcile/suggest/type lists the types")
    return iri


def resolve_property(identifier: str, where: str) -> str:
    if identifier.strip() == WIKIDATA:
        return WIKIDATA
    iri = expand(identifier.strip())
    if iri not in catalogue().property_uses:
        raise BadQuery(where, f"unknown property {identifier!r}: /reconcile/suggest/property lists them")
    return iri


# ---------------------------------------------------------------------------------------- names


def name_of(iri: str, lang: str | None = None) -> str:
    """The label in `lang`, else English, else any; the prefixed name when there is none."""
    found = labels().main.get(iri, {})
    if lang and lang in found:
        return found[lang]
    return labels().label(iri, "en") or compact(iri)


def type_refs(iri: str, lang: str | None = None) -> list[dict[str, str]]:
    entity = catalogue().entities[iri]
    shown = entity.stated_types or tuple(sorted(entity.types))
    return [{"id": t, "name": name_of(t, lang)} for t in shown]


def describe(iri: str, lang: str | None = None) -> str:
    """A line that tells namesakes apart: the types, the Wikidata item, a definition if any."""
    entity = catalogue().entities[iri]
    parts = [", ".join(t["name"] for t in type_refs(iri, lang))]
    if entity.qids:
        parts.append("Wikidata " + ", ".join(entity.qids))
    definitions = catalogue().descriptions.get(iri, {})
    definition = definitions.get(lang or "en") or definitions.get("en")
    if definition:
        parts.append(definition)
    return " · ".join(p for p in parts if p)


# ------------------------------------------------------------------------------------- matching


@dataclass
class Condition:
    property: str  # a property IRI or WIKIDATA
    values: list  # str | int | float | bool | {"id": ..., "name": ...}
    required: bool = False
    quantifier: str = "any"  # any | all | none


@dataclass
class Query:
    name: str | None
    types: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    conditions: list[Condition] = field(default_factory=list)
    lang: str | None = None


@dataclass
class Candidate:
    iri: str
    score: float
    name_score: float | None
    matched_label: ox.Literal | None
    conditions_met: int = 0
    match: bool = False


def property_values(iri: str, prop: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal | str]:
    """The values of a property on an entity (QID strings for WIKIDATA), without duplicates."""
    if prop == WIKIDATA:
        return list(catalogue().entities[iri].qids)
    server = state()
    seen: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
    subject, predicate = ox.NamedNode(iri), ox.NamedNode(prop)
    for graph in server.default_graphs:
        for quad in server.store.quads_for_pattern(subject, predicate, None, graph):
            seen.setdefault(str(quad.object), quad.object)
    return sorted(seen.values(), key=str)


def _value_matches(have: object, wanted: object) -> bool:
    if isinstance(have, str):  # a QID
        wanted_id = wanted.get("id") if isinstance(wanted, dict) else wanted
        return isinstance(wanted_id, str) and wanted_id.strip().removeprefix("wd:") == have
    if isinstance(wanted, dict):
        wanted_id = wanted.get("id")
        if (
            isinstance(wanted_id, str)
            and isinstance(have, ox.NamedNode)
            and have.value in (expand(wanted_id.strip()), entity_for(wanted_id))
        ):
            return True
        wanted_name = wanted.get("name")
        return isinstance(wanted_name, str) and _text_matches(have, wanted_name)
    if isinstance(wanted, bool):
        return isinstance(have, ox.Literal) and have.value == ("true" if wanted else "false")
    if isinstance(wanted, int | float):
        return isinstance(have, ox.Literal) and _number_matches(have, wanted)
    if isinstance(wanted, str):
        if isinstance(have, ox.NamedNode) and (expand(wanted.strip()) == have.value):
            return True
        return _text_matches(have, wanted)
    return False


def _number_matches(have: ox.Literal, wanted: float) -> bool:
    try:
        return math.isclose(float(have.value), float(wanted))
    except ValueError:  # a date: the number may be its year
        return float(wanted).is_integer() and have.value.startswith(f"{int(wanted):04d}")


def _text_matches(have: object, wanted: str) -> bool:
    """A value's text (a literal, or any label of an entity) is the wanted name by the matcher's rule."""
    if isinstance(have, ox.Literal):
        return matching.similar(wanted, have.value) >= matching.THRESHOLD
    if isinstance(have, ox.NamedNode):
        return any(
            matching.similar(wanted, label.value) >= matching.THRESHOLD
            for label in labels().every.get(have.value, [])
        )
    return False


def condition_met(iri: str, condition: Condition) -> bool:
    have = property_values(iri, condition.property)
    results = [any(_value_matches(h, w) for h in have) for w in condition.values]
    if condition.quantifier == "all":
        return all(results)
    if condition.quantifier == "none":
        return not any(results)
    return any(results)


def _type_fits(entity: Entity, types: tuple[str, ...]) -> bool:
    return not types or bool(entity.types.intersection(types))


def reconcile(query: Query) -> list[Candidate]:
    """The candidates for one query, best first, at most query.limit."""
    found = catalogue()
    pool: list[Candidate] = []
    direct = entity_for(query.name) if query.name else None
    if direct:
        pool.append(Candidate(direct, 100.0, 100.0, None))
    elif query.name:
        for hit in search.index().find(query.name, decide=False):
            if hit.iri in found.entities:
                pool.append(Candidate(hit.iri, hit.score, hit.score, hit.label))
    else:
        pool = [Candidate(iri, 0.0, None, None) for iri in sorted(found.entities)]
    chosen = []
    for candidate in pool:
        if not _type_fits(found.entities[candidate.iri], query.types):
            continue
        met = [condition_met(candidate.iri, c) for c in query.conditions]
        if any(c.required and not ok for c, ok in zip(query.conditions, met, strict=True)):
            continue
        candidate.conditions_met = sum(met)
        if query.conditions:
            share = 100 * candidate.conditions_met / len(query.conditions)
            if candidate.name_score is None:
                if not candidate.conditions_met:
                    continue
                candidate.score = round(share, 1)
            else:
                candidate.score = round(0.6 * candidate.name_score + 0.4 * share, 1)
        chosen.append(candidate)
    chosen.sort(key=lambda c: -c.score)  # stable: the index's order breaks ties
    chosen = matching.single_out(chosen, lambda c: c.score, _rescore)[: query.limit]
    for candidate in chosen:
        candidate.match = candidate.score >= matching.THRESHOLD
    return chosen


def _rescore(candidate: Candidate, score: float) -> Candidate:
    candidate.score = score
    return candidate


def display_language(candidate: Candidate, query: Query) -> str | None:
    """The language to name a candidate in: the query's; English for a name typed in Latin letters
    (Latin-script Kazakh included); Kazakh for Cyrillic with Kazakh letters; else the language of
    the label it matched."""
    if query.lang in LANGUAGES:
        return query.lang
    letters = [c for c in (query.name or "").casefold() if c.isalpha()]
    if letters and not any("\u0400" <= c <= "\u04ff" for c in letters):
        return "en"
    if any(c in _KAZAKH_ONLY for c in letters):
        return "kk"
    if candidate.matched_label is not None and candidate.matched_label.language in LANGUAGES:
        return candidate.matched_label.language
    return None


# -------------------------------------------------------------------------------------- suggest


def suggest_entities(prefix: str, types: tuple[str, ...] = ()) -> list[str]:
    found = catalogue()
    direct = entity_for(prefix) if prefix.strip() else None
    if direct:
        return [direct]
    if search.strip(prefix):
        iris = [h.iri for h in search.index().find(prefix) if h.iri in found.entities]
    else:
        iris = sorted(found.entities, key=lambda i: name_of(i).casefold())
    return [i for i in iris if _type_fits(found.entities[i], types)]


def suggest_from(index: search.Index, prefix: str, everything: list[str]) -> list[str]:
    if not search.strip(prefix):
        return sorted(everything, key=lambda i: name_of(i).casefold())
    iri = expand(prefix.strip())
    if iri in everything:
        return [iri]
    return [h.iri for h in index.find(prefix)]


def suggest_types(prefix: str) -> list[str]:
    found = catalogue()
    return suggest_from(found.type_index, prefix, sorted(found.instances))


def suggest_properties(prefix: str) -> list[str]:
    found = catalogue()
    everything = [WIKIDATA, *sorted(found.property_uses)]
    if search.strip(prefix) and WIKIDATA.startswith(search.strip(prefix)):
        return [
            WIKIDATA,
            *[i for i in suggest_from(found.property_index, prefix, everything) if i != WIKIDATA],
        ]
    return suggest_from(found.property_index, prefix, everything)


def property_name(prop: str, lang: str | None = None) -> str:
    return "Wikidata item (QID)" if prop == WIKIDATA else name_of(prop, lang)


def proposed_properties(type_iri: str) -> list[str]:
    """The properties entities of this type have, the most used first; `wikidata` leads."""
    found = catalogue()
    used = [(uses[type_iri], p) for p, uses in found.property_uses.items() if type_iri in uses]
    return [WIKIDATA, *[p for _, p in sorted(used, key=lambda u: (-u[0], u[1]))]]


def is_entity(iri: str) -> bool:
    return iri in catalogue().entities and iri.startswith(str(RES))
