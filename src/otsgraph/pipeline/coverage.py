"""Which sentences of the article some fact quotes, and which none does.

A sentence is covered when the span of at least one claim's quote overlaps it
(offsets are into the whitespace-normalised text, as in the data).

>>> [s.text for s in sentences("One. Two [1]. Three?")]
['One.', 'Two [1].', 'Three?']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from otsgraph.core.queries import load

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket reference)
# when the next word starts with a capital letter, a digit or an opening quote.
_BOUNDARY = re.compile(r"(?<=[.!?»”\]])\s+(?=[«“\"(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CoverageReport:
    sentences: list[tuple[Sentence, int]]  # each sentence with the number of claims quoting it

    @property
    def covered(self) -> int:
        return sum(1 for _, n in self.sentences if n)

    @property
    def share(self) -> float:
        return self.covered / len(self.sentences) if self.sentences else 0.0


def sentences(text: str) -> list[Sentence]:
    out, position = [], 0
    for piece in _BOUNDARY.split(text):
        start = text.index(piece, position)
        out.append(Sentence(start, start + len(piece), piece))
        position = start + len(piece)
    return out


def quote_spans(store: ox.Store) -> list[tuple[int, int]]:
    return [
        (int(row["start"].value), int(row["end"].value))
        for row in store.query(load("stats", "quote-spans"), use_default_graph_as_union=True)
    ]


def coverage(text: str, spans: list[tuple[int, int]]) -> CoverageReport:
    result = []
    for sentence in sentences(text):
        hits = sum(1 for a, b in spans if a < sentence.end and b > sentence.start)
        result.append((sentence, hits))
    return CoverageReport(result)
