"""Search the article's quotes and the project's translations of them: /search's second list.

A reader who types "embassy" or "elçilik" finds the Kazakh sentence that says so, with the
translation in their language beside it. Every word of the query must occur in the quote or in one
of its translations, after the same folding as the label search (case, diacritics, Cyrillic read
in Latin letters too, and the letters romanisations differ by merged: "elshiligi" finds "елшілігі").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from otsgraph.core import queries

from ..reconcile.matching import keys, loose
from ..state import state
from .links import per_version

MAX_QUOTES = 20
MIN_LENGTH = 3  # shorter queries would match half the article


@dataclass
class QuoteHit:
    claim: str
    quote: ox.Literal
    start: int
    translations: list[ox.Literal] = field(default_factory=list)
    texts: set[str] = field(default_factory=set)  # every folded spelling of the quote and its translations


def _spellings(text: str) -> set[str]:
    found = keys(text)
    return found | {loose(key) for key in found}


def _build() -> list[QuoteHit]:
    server = state()
    rows = server.store.query(queries.load("server", "quotes"), default_graph=server.default_graphs)
    found: dict[str, QuoteHit] = {}
    for row in rows:
        claim = row["claim"].value
        start = int(row["start"].value) if row["start"] is not None else 0
        hit = found.setdefault(
            claim, QuoteHit(claim, row["quote"], start, texts=_spellings(row["quote"].value))
        )
        translation = row["translation"]
        if translation is not None and translation not in hit.translations:
            hit.translations.append(translation)
            hit.texts |= _spellings(translation.value)
    return sorted(found.values(), key=lambda hit: (hit.start, hit.claim))


def index() -> list[QuoteHit]:
    return per_version("quotes", _build)


def find_quotes(query: str, limit: int = MAX_QUOTES) -> list[QuoteHit]:
    """The claims whose quote or translation holds every word of the query, in the article's order."""
    spellings = [key.split() for key in _spellings(query) if len(key) >= MIN_LENGTH]
    if not spellings:
        return []
    return [
        hit
        for hit in index()
        if any(all(word in text for word in words) for words in spellings for text in hit.texts)
    ][:limit]
