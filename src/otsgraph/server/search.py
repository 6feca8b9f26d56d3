"""Label search across languages and scripts.

Both the query and every label are folded to keys: lower case, no diacritics, and Cyrillic spelled
in Latin letters. Kazakh Cyrillic goes to the 2021 Kazakh Latin alphabet (Қазақстан → Qazaqstan) and
Russian Cyrillic to a common Latin spelling (Казахстан → Kazakhstan), so a name typed in any of the
scripts finds the label written in another. The Cyrillic letters both languages share (х, и, у …)
are spelled both ways: each label and the query get several keys, and any key of the query that
occurs inside any key of a label is a match.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from .links import labels, per_version

# The 2021 Kazakh Latin alphabet (decree of 29 January 2021), lower case. Letters the alphabet
# lacks (ё, ц, ч, щ, ъ, ь, э, ю, я, only in loanwords) follow the recommended spellings.
KAZAKH = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io",
    "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū",
    "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "",
    "ы": "y", "і": "ı", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
# Russian: the common (BGN/PCGN-like) spelling that English names of places and people follow.
RUSSIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Kazakh letters in a Russian spelling, so that a mixed text still becomes Latin
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip
# letters that NFKD does not split into a base letter and a mark
_PLAIN = str.maketrans({"ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d"})
MAX_RESULTS = 50


def strip(text: str) -> str:
    """Lower case without diacritics or punctuation runs: 'Türkiye' -> 'turkiye'.

    >>> strip("Erdoğan, Türkiye")
    'erdogan turkiye'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_PLAIN)
    return " ".join("".join(c if c.isalnum() else " " for c in bare).split())


def transliterate(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in text.casefold())


def keys(text: str) -> set[str]:
    """Every folded spelling of a text.

    >>> sorted(keys("Қазақстан"))
    ['kazakstan', 'qazaqstan', 'қазақстан']
    >>> "kazakhstan" in keys("КАЗАХСТАН")
    True
    """
    found = {strip(text), strip(transliterate(text, KAZAKH)), strip(transliterate(text, RUSSIAN))}
    found.discard("")
    return found


@dataclass(frozen=True)
class Hit:
    iri: str
    label: ox.Literal  # the label that matched
    score: tuple  # lower is better


class Index:
    """(keys, entity, label) for every label, built once per data version."""

    def __init__(self, entries: list[tuple[frozenset[str], str, ox.Literal]]) -> None:
        self.entries = entries

    def find(self, query: str, limit: int = MAX_RESULTS) -> list[Hit]:
        wanted = keys(query)
        cyrillic = _cyrillic(query)
        typed = strip(query)
        best: dict[str, Hit] = {}
        for label_keys, iri, literal in self.entries:
            score = _score(wanted, label_keys)
            if score is None:
                continue
            # of equal matches: the label as typed (Эрдоган: the Russian label, not "Ердоған" or
            # "Erdoğan", which match as well once transliterated), then one in the query's script,
            # then the shorter
            as_typed = strip(literal.value) == typed
            other_script = _cyrillic(literal.value) != cyrillic
            hit = Hit(iri, literal, (*score, not as_typed, other_script, len(literal.value)))
            if iri not in best or hit.score < best[iri].score:
                best[iri] = hit
        return sorted(best.values(), key=lambda h: (h.score, h.iri))[:limit]


def _cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


def _score(wanted: set[str], have: frozenset[str]) -> tuple[int] | None:
    """0 an exact match, 1 a prefix (of the label or one of its words), 2 inside; None no match."""
    best = None
    for w in wanted:
        for h in have:
            if w == h:
                return (0,)
            if h.startswith(w) or f" {w}" in h:
                best = min(best or 1, 1)
            elif w in h:
                best = best or 2
    return None if best is None else (best,)


def _build() -> Index:
    return Index(
        [
            (frozenset(keys(literal.value)), iri, literal)
            for iri, literals in labels().every.items()
            for literal in literals
        ]
    )


def index() -> Index:
    return per_version("search", _build)


def search(query: str, limit: int = MAX_RESULTS) -> list[Hit]:
    """Entities with a label like `query`, best first; nothing for a blank query."""
    return index().find(query, limit) if strip(query) else []
