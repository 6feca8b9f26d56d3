"""What an entity page shows: every triple about the entity and pointing to it, where each comes
from (the claim graphs and their quotes, or the fixed graph: background, inferred, ontology …),
and the entity's own triples as RDF for content negotiation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from markupsafe import Markup

from otsgraph.core import queries
from otsgraph.core.namespaces import CLAIM, OTS, RDF, RDFS, SKOS, Graphs

from ..state import state
from .i18n import text
from .links import TermView, describer, href, label_of, labels, site_root, view
from .svg import Edge, neighbourhood

Term = ox.NamedNode | ox.BlankNode | ox.Literal

# the fixed graphs by what a page calls them
GRAPH_KINDS = {
    str(Graphs.ASSERTED): "asserted",
    str(Graphs.BACKGROUND): "background",
    str(Graphs.INFERRED): "inferred",
    str(Graphs.ONTOLOGY): "ontology",
    str(Graphs.PROVENANCE): "provenance",
    str(Graphs.LINKS): "link",
    str(Graphs.LABELS): "project",  # the project's labels and quote translations, not the article's words
    str(Graphs.ADDITIONS): "added",  # accepted since the release (otsgraph add, HTTP writes)
    # an inference that holds only with graph:background, not on the article alone (docs/background.md)
    str(Graphs.INFERRED_FROM_BACKGROUND): "from_background",
}
TYPE = str(RDF.type)
# properties listed first, in this order; the rest by their label
_FIRST = {TYPE: 0, str(RDFS.label): 1, str(SKOS.prefLabel): 2, str(SKOS.altLabel): 3}
EXACT_MATCH = str(SKOS.exactMatch)
WIKIDATA = "http://www.wikidata.org/entity/"
MAX_ROWS = 500  # rows per table: an ontology class can be the object of thousands of triples


@dataclass
class Source:
    """A claim graph that holds a fact, with what supports it."""

    claim: ox.NamedNode
    quote: ox.Literal | None = None
    ref: str | None = None  # the bracket reference, e.g. "5"
    source: Term | None = None  # dct:source of a background claim
    translations: list[ox.Literal] = field(default_factory=list)  # the project's, one per language


@dataclass
class Fact:
    s: Term
    p: ox.NamedNode
    o: Term
    kinds: set[str] = field(default_factory=set)  # "asserted", "inferred", … (see GRAPH_KINDS)
    sources: list[Source] = field(default_factory=list)

    @property
    def inferred(self) -> bool:
        """Only inferred: no fixed graph states it and no claim holds it."""
        return (
            "inferred" in self.kinds
            and not self.sources
            and not (self.kinds - {"inferred", "from_background"})  # the listing is no assertion
        )


def node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def exists(term: ox.NamedNode) -> bool:
    """Whether any graph of the store mentions the IRI as subject or object."""
    store = state().store
    return any(True for _ in store.quads_for_pattern(term, None, None)) or any(
        True for _ in store.quads_for_pattern(None, None, term)
    )


def facts(**bound: Term) -> list[Fact]:
    """The facts matching the bound terms (s, p and/or o), each once, with every graph holding it."""
    substitutions = {ox.Variable(name): term for name, term in bound.items()}
    rows = state().store.query(queries.load("pages", "facts"), substitutions=substitutions)
    found: dict[tuple, Fact] = {}
    for row in rows:
        key = (row["s"], row["p"], row["o"])
        fact = found.setdefault(key, Fact(*key))
        graph = row["g"].value
        if graph in GRAPH_KINDS:
            fact.kinds.add(GRAPH_KINDS[graph])
        elif graph.startswith(str(CLAIM)):
            source = next((x for x in fact.sources if x.claim == row["g"]), None)
            if source is None:
                ref = row["ref"].value if row["ref"] is not None else None
                source = Source(row["g"], row["quote"], ref, row["source"])
                fact.sources.append(source)
            translation = row["translation"]
            if translation is not None and translation not in source.translations:
                source.translations.append(translation)
        else:
            fact.kinds.add("other_graph")
    return list(found.values())


def ordered(items: Iterable[Fact], label: Callable[[str], str], by_subject: bool = False) -> list[Fact]:
    """Types and labels first, then by property label; asserted before inferred."""

    def key(fact: Fact) -> tuple:
        other = fact.s if by_subject else fact.o
        return (
            _FIRST.get(fact.p.value, 9),
            label(fact.p.value),
            fact.inferred,
            label(other.value) if isinstance(other, ox.NamedNode) else str(other.value),
        )

    return sorted(items, key=key)


def wikidata_links(about: list[Fact]) -> list[str]:
    """skos:exactMatch targets in Wikidata (from graph:links)."""
    return sorted(
        f.o.value
        for f in about
        if f.p.value == EXACT_MATCH and isinstance(f.o, ox.NamedNode) and f.o.value.startswith(WIKIDATA)
    )


def entity_quads(term: ox.NamedNode) -> list[ox.Quad]:
    """The entity's triples as subject, each in the named graph that holds it (claim graphs too)."""
    return [
        q for q in state().store.quads_for_pattern(term, None, None) if isinstance(q.graph_name, ox.NamedNode)
    ]


def entity_triples(term: ox.NamedNode) -> list[ox.Triple]:
    """The same as plain triples, each once: for the formats without named graphs."""
    seen: dict[tuple, ox.Triple] = {}
    for q in entity_quads(term):
        seen.setdefault((q.subject, q.predicate, q.object), ox.Triple(q.subject, q.predicate, q.object))
    return list(seen.values())


# ------------------------------------------------------------------------------ what the page shows


@dataclass
class SourceView:
    claim: TermView
    quote: str | None
    quote_lang: str | None
    ref: str | None
    source: TermView | None
    translation: ox.Literal | None = None  # the project's translation of the quote, for this reader


def translation_for(quote: ox.Literal | None, translations: list[ox.Literal], lang: str) -> ox.Literal | None:
    """The project's translation of a quote that a reader in `lang` should see beside it: in the
    reader's language, else in English (a Turkish reader of a Kazakh quote); none where the quote is
    already in the reader's language, or the only translation would be into the quote's own."""
    if quote is None or quote.language == lang:
        return None
    for choice in (lang, "en"):
        if choice == quote.language:
            continue
        for literal in translations:
            if literal.language == choice and literal.value.strip():
                return literal
    return None


@dataclass
class Row:
    subject: TermView
    predicate: TermView
    value: TermView
    kinds: list[str]  # i18n keys: asserted, inferred, background, …
    sources: list[SourceView]
    explain: str | None  # the /explain link of an inferred fact
    details: list[tuple[TermView, TermView]] = field(default_factory=list)  # a blank node's own facts


def explain_href(fact: Fact) -> str:
    query = urlencode({"s": fact.s.value, "p": fact.p.value, "o": str(fact.o)})
    return f"{site_root()}/explain?{query}"


def owner(node: ox.BlankNode, limit: int = 50) -> tuple[Term, ox.NamedNode] | None:
    """Where a blank node hangs: walking up from a list cell or a restriction to the first named
    subject (ots:memberOf owl:propertyChainAxiom ( … )) or to a blank node that is a whole axiom
    ([] a owl:AllDisjointClasses ; owl:members ( … ))."""
    store = state().store
    seen = {node}
    for _ in range(limit):
        above = next(iter(store.quads_for_pattern(None, None, node)), None)
        if above is None:
            return None
        if isinstance(above.subject, ox.NamedNode) or above.subject in seen:
            return above.subject, above.predicate
        node = above.subject
        seen.add(node)
        if any(True for _ in store.quads_for_pattern(node, ox.NamedNode(TYPE), None)):
            return node, above.predicate  # a typed node (an axiom, a restriction) is the whole
    return None


def rows(items: list[Fact], lang: str) -> list[Row]:
    shown = []
    words = describer(lang)
    for fact in items:
        sources = [
            SourceView(
                view(x.claim, lang),
                x.quote.value if x.quote is not None else None,
                x.quote.language if x.quote is not None else None,
                x.ref,
                view(x.source, lang) if x.source is not None else None,
                translation_for(x.quote, x.translations, lang),
            )
            for x in fact.sources
        ]
        kinds = sorted(fact.kinds - ({"asserted"} if fact.sources else set()))
        link = explain_href(fact) if "inferred" in fact.kinds else None
        row = Row(view(fact.s, lang), view(fact.p, lang), view(fact.o, lang), kinds, sources, link)
        if isinstance(fact.s, ox.BlankNode) and (up := owner(fact.s)) is not None:
            # a fact pointing here from inside an OWL structure: show the structure's owner instead
            row.subject, row.predicate = view(up[0], lang), view(up[1], lang)
        if isinstance(fact.o, ox.BlankNode):
            subject = label_of(fact.s.value, lang) if isinstance(fact.s, ox.NamedNode) else row.subject.text
            sentence = words.axiom(subject, fact.p.value, fact.o)
            if sentence:  # "every State has P31 = Q6256"
                row.value = TermView(sentence, "bnode")
            elif row.value.text == text("x_unnamed", lang):  # e.g. a summit's number in a series
                own = facts(s=fact.o)
                row.details = [(view(x.p, lang), view(x.o, lang)) for x in own if x.p.value != TYPE]
        shown.append(row)
    return shown


def edges(term: ox.NamedNode, out: list[Fact], into: list[Fact], lang: str) -> list[Edge]:
    """One edge per neighbouring IRI (not types), asserted links before inferred ones."""
    best: dict[str, Edge] = {}
    for outgoing, items in ((True, out), (False, into)):
        for fact in items:
            other = fact.o if outgoing else fact.s
            if fact.p.value == TYPE or not isinstance(other, ox.NamedNode) or other == term:
                continue
            if other.value.startswith(str(OTS)):  # a term of the ontology (a link status), not a neighbour
                continue
            edge = Edge(
                label_of(fact.p.value, lang),
                outgoing,
                label_of(other.value, lang),
                href(other.value),
                fact.inferred,
            )
            if other.value not in best or (best[other.value].inferred and not edge.inferred):
                best[other.value] = edge
    return sorted(best.values(), key=lambda e: (e.inferred, not e.outgoing, e.label, e.target))


@dataclass
class Page:
    iri: str
    title: str
    labels: list[ox.Literal]
    alternative: list[ox.Literal]
    types: list[Row]
    out: list[Row]
    into: list[Row]
    more_out: bool
    more_into: bool
    wikidata: list[str]
    picture: Markup


def page(term: ox.NamedNode, lang: str) -> Page:
    names = labels()
    out = ordered(facts(s=term), lambda iri: label_of(iri, lang))
    into = ordered(facts(o=term), lambda iri: label_of(iri, lang), by_subject=True)
    title = label_of(term.value, lang)
    own = sorted(
        (x for x in names.every.get(term.value, []) if x not in names.alternative.get(term.value, [])),
        key=lambda x: (x.language or "", x.value),
    )
    picture = neighbourhood(title, edges(term, out, into, lang), title)
    return Page(
        iri=term.value,
        title=title,
        labels=own,
        alternative=sorted(names.alternative.get(term.value, []), key=lambda x: (x.language or "", x.value)),
        types=rows([f for f in out if f.p.value == TYPE], lang),
        out=rows(out[:MAX_ROWS], lang),
        into=rows(into[:MAX_ROWS], lang),
        more_out=len(out) > MAX_ROWS,
        more_into=len(into) > MAX_ROWS,
        wikidata=wikidata_links(out),
        picture=picture,
    )
