"""Reconciling entities that lack a Wikidata link: search, type check, score, decide, write.

For each unlinked entity whose class has a type rule (typecheck.RULES): search Wikidata by its
kk, ru and en labels (wbsearchentities), fetch the candidates (wbgetentities), check their types
on the Query Service, score them (scoring.py) and decide:

- accept the best candidate when its score reaches the threshold, its type fits, and no other
  fitting candidate comes within AMBIGUITY_MARGIN points of it (people who share a name);
- otherwise list the candidates for a person to review.

Accepted links are written to their own Turtle file (data/links/reconciled.ttl by default), never
into the curated links, each with a record of its method, evidence and date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from otsgraph.core.namespaces import LINK, OTS, PREFIXES, RES, WD

from .client import MissingRecording, WikidataClient, write_text_atomically
from .local import ProjectData, short
from .scoring import Score, score_candidate
from .search import LANGUAGES, get_entities, search_entities
from .typecheck import check_types, rule_for

DEFAULT_THRESHOLD = 85
AMBIGUITY_MARGIN = 5
SEARCH_LIMIT = 7
#: curated statuses that say Wikidata has no item to find: not searched again
NOT_SEARCHED = frozenset({str(OTS.GraphConstruct), str(OTS.ArticleOnly)})


@dataclass
class Decision:
    """What became of one entity: accepted (with its link) or left for review (with candidates)."""

    entity: str
    our_class: str
    accepted: Score | None
    candidates: list[Score] = field(default_factory=list)
    rejected: list[Score] = field(default_factory=list)  # type did not fit
    reason: str = ""
    skipped: bool = False  # offline, with no recording of its requests (--skip-unrecorded)

    @property
    def status(self) -> str:
        return "skipped" if self.skipped else "accepted" if self.accepted else "review"

    def to_json(self, data: ProjectData) -> dict:
        def one(s: Score) -> dict:
            return {
                "qid": s.qid,
                "score": s.total,
                "matched_label": s.matched_label,
                "matched_language": s.matched_language,
                "match": s.match_kind,
                "languages": s.languages,
                "type_fits": s.fits,
                "type": s.type_reason,
                "notes": s.notes,
            }

        return {
            "entity": short(self.entity),
            "label": data.label(self.entity),
            "class": short(self.our_class),
            "status": self.status,
            "reason": self.reason,
            "accepted": one(self.accepted) if self.accepted else None,
            "candidates": [one(s) for s in self.candidates],
            "rejected_by_type": [one(s) for s in self.rejected],
        }


def unlinked_entities(data: ProjectData) -> list[tuple[str, str]]:
    """(entity, our class with a rule) for every entity without a Wikidata link, sorted.

    Entities the curated links mark as this graph's own nodes or as known only from the article are
    left out; those marked "no evidence found" or "only a look-alike found" are searched.
    """
    out = []
    for entity, classes in sorted(data.classes.items()):
        if entity in data.links or data.statuses.get(entity) in NOT_SEARCHED:
            continue
        found = rule_for(classes)
        if found is not None:
            out.append((entity, found[0]))
    return out


def not_searched(data: ProjectData) -> list[tuple[str, str]]:
    """(entity, why) for every entity without a link that reconciliation leaves alone, sorted."""
    out = []
    for entity, classes in sorted(data.classes.items()):
        if entity in data.links:
            continue
        status = data.statuses.get(entity)
        if status in NOT_SEARCHED:
            out.append((entity, f"curated as ots:{status.rsplit('/', 1)[-1]}"))
        elif rule_for(classes) is None:
            out.append((entity, "no Wikidata type rule for its class"))
    return out


def reconcile_entity(
    client: WikidataClient, data: ProjectData, entity: str, threshold: int = DEFAULT_THRESHOLD
) -> Decision:
    found = rule_for(data.classes.get(entity, ()))
    if found is None:
        return Decision(entity, "", None, reason="no type rule for its class")
    our_class, rule = found
    names = data.names.get(entity, {})
    candidates: list[str] = []
    for language in LANGUAGES:
        label = (names.get(language) or [None])[0]
        if not label:
            continue
        for hit in search_entities(client, label, language, limit=SEARCH_LIMIT):
            if hit.qid not in candidates:
                candidates.append(hit.qid)
    if not candidates:
        return Decision(entity, our_class, None, reason="no search results in kk, ru or en")
    entities = get_entities(client, candidates)
    verdicts = check_types(client, list(entities), rule)
    scores = [score_candidate(names, entities[q], rule, verdicts.get(q)) for q in entities if q in candidates]
    fitting = sorted((s for s in scores if s.fits), key=lambda s: (-s.total, s.qid))
    rejected = sorted((s for s in scores if not s.fits), key=lambda s: (-s.total, s.qid))
    decision = Decision(entity, our_class, None, fitting, rejected)
    if not fitting:
        decision.reason = "no candidate of a fitting type"
    elif fitting[0].total < threshold:
        decision.reason = f"best score {fitting[0].total} is below the threshold {threshold}"
    elif len(fitting) > 1 and fitting[1].total >= fitting[0].total - AMBIGUITY_MARGIN:
        decision.reason = (
            f"ambiguous: wd:{fitting[0].qid} ({fitting[0].total}) and wd:{fitting[1].qid} "
            f"({fitting[1].total}) are within {AMBIGUITY_MARGIN} points"
        )
    else:
        decision.accepted = fitting[0]
        decision.reason = f"score {fitting[0].total} ≥ threshold {threshold}"
    return decision


def reconcile(
    client: WikidataClient,
    data: ProjectData,
    threshold: int = DEFAULT_THRESHOLD,
    limit: int | None = None,
    progress: Callable[[str], None] = lambda message: None,
    skip_missing: bool = False,
) -> list[Decision]:
    """Decide every unlinked entity; with `skip_missing`, an entity whose requests were never
    recorded is listed as skipped instead of stopping the run (MissingRecording)."""
    todo = unlinked_entities(data)[:limit] if limit is not None else unlinked_entities(data)
    decisions = []
    for index, (entity, our_class) in enumerate(todo, 1):
        progress(f"[{index}/{len(todo)}] {short(entity)}")
        try:
            decisions.append(reconcile_entity(client, data, entity, threshold))
        except MissingRecording:
            if not skip_missing:
                raise
            decisions.append(Decision(entity, our_class, None, reason="no recording", skipped=True))
    return decisions


def link_graph(decisions: Iterable[Decision], api_url: str, today: date | None = None) -> Graph:
    """The accepted links with their records, in the terms of ontology/wikidata-links.ttl.

    Each record is an ots:WikidataLink (the reified skos:exactMatch) with ots:linkMethod
    ots:AutomaticReconciliation, the API it came from (prov:wasDerivedFrom), the evidence in words
    (dct:description: score, matched label, type check) and the date (dct:date).
    """
    today = today or date.today()
    graph = Graph()
    for prefix in ("res", "wd", "skos", "dct", "prov", "xsd", "rdf", "ots"):
        graph.bind(prefix, PREFIXES[prefix])
    graph.bind("link", LINK)
    for decision in decisions:
        if decision.accepted is None:
            continue
        subject, item = URIRef(decision.entity), WD[decision.accepted.qid]
        graph.add((subject, SKOS.exactMatch, item))
        record = LINK[decision.entity.removeprefix(str(RES))]
        graph.add((record, RDF.type, OTS.WikidataLink))
        graph.add((record, RDF.subject, subject))
        graph.add((record, RDF.predicate, SKOS.exactMatch))
        graph.add((record, RDF.object, item))
        graph.add((record, OTS.linkMethod, OTS.AutomaticReconciliation))
        graph.add((record, PROV.wasDerivedFrom, URIRef(api_url)))
        evidence = (
            f"{decision.accepted.evidence()}; found with wbsearchentities and wbgetentities at {api_url}"
        )
        graph.add((record, DCTERMS.description, Literal(evidence, lang="en")))
        graph.add((record, DCTERMS.date, Literal(today.isoformat(), datatype=XSD.date)))
    return graph


def write_links(decisions: list[Decision], out: Path, api_url: str, today: date | None = None) -> int:
    """Add the accepted links to `out` (kept: what it already holds); atomically. Returns links added."""
    graph = Graph()
    if out.exists():
        graph.parse(out, format="turtle")
    added = link_graph(decisions, api_url, today)
    count = sum(1 for _ in added.triples((None, SKOS.exactMatch, None)))
    if not count:
        return 0
    for prefix, namespace in added.namespaces():
        graph.bind(prefix, namespace)
    graph += added
    header = (
        "# Links accepted by `otsgraph link` (automatic reconciliation): apart from the curated links.\n"
        "# Each link has a record (ots:WikidataLink): method, evidence (dct:description), API, date.\n"
    )
    write_text_atomically(out, header + graph.serialize(format="turtle"))
    return count
