"""Our side: the project's entities, names, Wikidata links and facts, read from its shipped files.

The files are loaded into an in-memory store (no build needed, nothing written). The facts are
read as asserted (memberships through their membership nodes), so no reasoning is needed either.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from otsgraph.core.loading import Layout, load_sources
from otsgraph.core.namespaces import LANGUAGES, prefixed
from otsgraph.core.queries import load

from .search import WD_ENTITY


def _value(term: ox.Term | None) -> str | None:
    return None if term is None else term.value


def short(iri: str) -> str:
    """res:kazakhstan for our IRIs, wd:Q232 for Wikidata's (namespaces.prefixed), else the IRI."""
    return prefixed(iri) or iri


@dataclass
class ProjectData:
    """The project's graph in memory, with the few views the linking needs."""

    store: ox.Store
    layout: Layout
    classes: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # our IRI → QID
    statuses: dict[str, str] = field(default_factory=dict)  # our IRI → why it has no link

    @classmethod
    def load(cls, layout: Layout) -> ProjectData:
        sources = load_sources(layout)
        store = ox.Store()
        store.extend(sources.quads())
        data = cls(store, layout)
        data._read()
        return data

    def select(self, name: str) -> list[dict[str, ox.Term]]:
        """Rows of queries/link/<name>.rq, over every graph."""
        results = self.store.query(load("link", name), use_default_graph_as_union=True)
        variables = [v.value for v in results.variables]
        return [{v: row[v] for v in variables if row[v] is not None} for row in results]

    def _read(self) -> None:
        classes: dict[str, set[str]] = defaultdict(set)
        for row in self.select("entity-classes"):
            classes[row["entity"].value].add(row["class"].value)
        self.classes = dict(classes)
        names: dict[str, dict[str, list[str]]] = defaultdict(lambda: {lang: [] for lang in LANGUAGES})
        rows = sorted(self.select("entity-names"), key=lambda r: r["preferred"].value != "true")
        for row in rows:
            literal = row["name"]
            language = getattr(literal, "language", None)
            if language in LANGUAGES and literal.value not in names[row["entity"].value][language]:
                names[row["entity"].value][language].append(literal.value)
        self.names = dict(names)
        for row in self.select("links"):
            self.links[row["entity"].value] = row["item"].value.removeprefix(WD_ENTITY)
        for row in self.select("statuses"):
            self.statuses[row["entity"].value] = row["status"].value

    def label(self, iri: str, language: str = "en") -> str:
        names = self.names.get(iri, {}).get(language) or []
        return names[0] if names else short(iri)

    def entity_for(self, qid: str) -> str | None:
        """Our entity linked to an item (the first, if several are)."""
        for iri, linked in sorted(self.links.items()):
            if linked == qid:
                return iri
        return None
