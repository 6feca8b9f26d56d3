"""Label search across languages and scripts: /search, and the entity matching of /reconcile.

The matching itself (folding, transliteration, typos, reordered words, other spellings, the match
threshold) is in matching.py; this module builds its index over every rdfs:label and skos:altLabel
of the served graph, once per data version.
"""

from __future__ import annotations

from otsgraph.core import queries

from ..reconcile.matching import THRESHOLD, Hit, Index, keys, strip, transliterate
from ..state import state
from .links import labels, per_version

__all__ = ["MAX_RESULTS", "THRESHOLD", "Hit", "Index", "index", "keys", "search", "strip", "transliterate"]

MAX_RESULTS = 50


def _bearers() -> dict[str, str]:
    server = state()
    rows = server.store.query(queries.load("server", "name-bearers"), default_graph=server.default_graphs)
    return {row["name"].value: row["bearer"].value for row in rows}


def _build() -> Index:
    every = labels().every
    return Index(((iri, literal) for iri, literals in every.items() for literal in literals), _bearers())


def index() -> Index:
    return per_version("search", _build)


def search(query: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Entities with a label like `query`, best first; nothing for a blank query. A hit whose
    score is at least THRESHOLD is a match (at most one per query)."""
    return index().find(query, limit) if strip(query) else []
