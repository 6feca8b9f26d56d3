"""How the pages show RDF terms: where an IRI links to, and which label it gets.

The graph's IRIs live under https://w3id.org/otsgraph/; on this server the same paths are
served from its own root (or the configured public URL), so links stay on the server that
rendered them. Labels are read once per data version (the store changes only by updates).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import pyoxigraph as ox
from flask import current_app, request

from otsgraph.core import queries
from otsgraph.core.namespaces import BASE, LANGUAGES, prefixed
from otsgraph.pipeline.docs_html import Describer

from ..state import state
from .i18n import text

_SAFE_SCHEMES = ("http://", "https://")
T = TypeVar("T")


def site_root() -> str:
    """The server's root for links, without a trailing slash: the public URL if configured, else this
    request's script root (which honours X-Forwarded-Prefix from trusted proxies)."""
    configured = state().config.public_url
    return configured.rstrip("/") if configured else request.script_root.rstrip("/")


def local_path(iri: str) -> str | None:
    """'resource/kazakhstan' for the graph's own IRIs, None for others."""
    return iri[len(BASE) :] if iri.startswith(BASE) and len(iri) > len(BASE) else None


def href(iri: str) -> str | None:
    """Where a link to `iri` goes: this server for the graph's IRIs, the IRI itself for http(s) ones,
    nothing for any other scheme (a `javascript:` IRI must never become a link)."""
    path = local_path(iri)
    if path is not None:
        return f"{site_root()}/{path}"
    return iri if iri.lower().startswith(_SAFE_SCHEMES) else None


def compact(iri: str) -> str:
    """A prefixed name when a known prefix fits (ots:State), else the IRI."""
    return prefixed(iri) or iri


def nt(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """The N-Triples form of a term, as /explain takes it."""
    return str(term)


@dataclass
class Labels:
    """rdfs:label and skos:altLabel of every subject, by language."""

    main: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    alternative: dict[str, list[ox.Literal]] = field(default_factory=lambda: defaultdict(list))
    every: dict[str, list[ox.Literal]] = field(default_factory=lambda: defaultdict(list))

    def label(self, iri: str, lang: str) -> str | None:
        """The label in `lang`, else English, else any; None when the IRI has none."""
        found = self.main.get(iri)
        if not found:
            return None
        for choice in (lang, "en", *LANGUAGES, ""):
            if choice in found:
                return found[choice]
        return next(iter(found.values()))


# re-entrant: one cached value's build may need another (the search index needs the labels)
_lock = threading.RLock()


def per_version(name: str, build: Callable[[], T]) -> T:
    """`build()` once per data version of this app (the store changes only by updates, which bump it)."""
    server = state()
    cache = current_app.extensions.setdefault("otsgraph.pages", {})
    cached = cache.get(name)
    if cached and cached[0] == server.version:
        return cached[1]
    with _lock:
        version = server.version
        value = build()
        cache[name] = (version, value)
        return value


def _read_labels() -> Labels:
    server = state()
    found = Labels()
    rows = server.store.query(queries.load("pages", "labels"), default_graph=server.default_graphs)
    for row in rows:
        subject, predicate, literal = row["s"], row["p"], row["label"]
        if not isinstance(subject, ox.NamedNode) or not isinstance(literal, ox.Literal):
            continue
        found.every[subject.value].append(literal)
        if predicate.value.endswith("altLabel"):
            found.alternative[subject.value].append(literal)
        else:
            found.main[subject.value].setdefault(literal.language or "", literal.value)
    return found


def labels() -> Labels:
    """The labels of the current data version."""
    return per_version("labels", _read_labels)


def label_of(iri: str, lang: str) -> str:
    """What a page shows for an IRI: its label, else its prefixed name."""
    return labels().label(iri, lang) or compact(iri)


@dataclass(frozen=True)
class TermView:
    """A term as a page shows it: the text, where it links, and a note (language tag or datatype)."""

    text: str
    kind: str  # "iri", "literal" or "bnode"
    href: str | None = None
    title: str | None = None  # the full IRI, shown on hover
    note: str | None = None


def _objects(subject: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode) -> list:
    """The objects of (subject, predicate) in any graph, each once."""
    return list(dict.fromkeys(q.object for q in state().store.quads_for_pattern(subject, predicate, None)))


def describer(lang: str) -> Describer:
    """Words for the OWL blank nodes of the store (restrictions, unions, lists …) in `lang`."""
    return Describer(
        _objects, lambda iri: label_of(iri, lang), lambda key, **values: text(key, lang, **values)
    )


def view(term: ox.NamedNode | ox.BlankNode | ox.Literal, lang: str) -> TermView:
    if isinstance(term, ox.NamedNode):
        return TermView(label_of(term.value, lang), "iri", href(term.value), term.value)
    if isinstance(term, ox.Literal):
        note = term.language or (
            None if term.datatype.value.endswith("#string") else compact(term.datatype.value)
        )
        return TermView(term.value, "literal", note=note)
    # a blank node's label means nothing to a reader: a class expression in words, else "an unnamed node"
    return TermView(describer(lang).phrase(term) or text("x_unnamed", lang), "bnode")
