"""A ready claim skeleton for a quote of the article: what `otsgraph quote` prints.

The skeleton is TriG with every common prefix, a claim graph to fill with the fact the quote
supports, and the claim's description as the ClaimShape asks for it (quote, offsets into the
normalised text, `prov:wasDerivedFrom res:source-article`, the bracket reference when the
article gives one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from otsgraph.core.namespaces import turtle_prefixes

from .article import normalise

_KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")
_BRACKET = re.compile(r"\[(\d{1,3})\]")
# How far after a quote the article's next [n] can still close the quote's paragraph.
_BRACKET_REACH = 600


@dataclass(frozen=True)
class Occurrence:
    """One place of a quote in the normalised text."""

    start: int
    end: int


def occurrences(quote: str, text: str) -> list[Occurrence]:
    """Every place of the (whitespace-normalised) quote in the normalised text.

    >>> occurrences("b c", "a b c b c")
    [Occurrence(start=2, end=5), Occurrence(start=6, end=9)]
    """
    needle = normalise(quote)
    found, start = [], text.find(needle) if needle else -1
    while start >= 0:
        found.append(Occurrence(start, start + len(needle)))
        start = text.find(needle, start + 1)
    return found


def longest_match(quote: str, text: str) -> tuple[int, int]:
    """(matched characters, offset) of the longest prefix of the quote that the text holds.

    It tells a user where a pasted quote stops matching (a retyped letter, a missing word).
    >>> longest_match("a b X", "xx a b c")
    (4, 3)
    """
    needle = normalise(quote)
    low, high, where = 0, len(needle), -1
    while low < high:  # a prefix that is found makes every shorter prefix found: bisect
        middle = (low + high + 1) // 2
        at = text.find(needle[:middle])
        if at >= 0:
            low, where = middle, at
        else:
            high = middle - 1
    return low, where


def language(quote: str) -> str:
    """The article is Kazakh with Russian and English abstracts: kk, ru or en by the letters used.

    >>> language("Қазақстан мен Түркия"), language("Казахстан и Турция"), language("Turkic States")
    ('kk', 'ru', 'en')
    """
    if _KAZAKH_LETTERS.intersection(quote):
        return "kk"
    return "ru" if _CYRILLIC.search(quote) else "en"


def bracket_reference(text: str, place: Occurrence) -> tuple[int | None, bool]:
    """The reference [n] for a quote: (n, True) when the quote holds it, (n, False) for the next one
    after it (the article puts [n] at the end of a paragraph), (None, False) when there is none near."""
    inside = _BRACKET.findall(text[place.start : place.end])
    if inside:
        return int(inside[-1]), True
    after = _BRACKET.search(text, place.end, place.end + _BRACKET_REACH)
    return (int(after.group(1)), False) if after else (None, False)


def claim_name(place: Occurrence) -> str:
    """A claim's local name: `added-<start>` keeps it unique per place in the article."""
    return f"added-{place.start}"


def _turtle_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def skeleton(text: str, place: Occurrence, name: str | None = None, lang: str | None = None) -> str:
    """The TriG skeleton of a claim quoting text[place.start:place.end]."""
    quote = text[place.start : place.end]
    name = name or claim_name(place)
    reference, inside = bracket_reference(text, place)
    if reference is None:
        reference_line = "    # the article gives no [n] near this quote: no ots:bracketReference\n"
    elif inside:
        reference_line = f"    ots:bracketReference {reference} ;\n"
    else:
        reference_line = (
            f"    ots:bracketReference {reference} ;  # the next [{reference}] after the quote: "
            "keep it if it closes the quote's paragraph\n"
        )
    return (
        turtle_prefixes()
        + "\n"
        + f"claim:{name} {{\n"
        + "    # Write here the fact(s) the quote supports, with the ontology's terms, e.g.\n"
        + '    # res:kazakhstan dct:description "…"@en .\n'
        + "}\n"
        + f"claim:{name} a ots:Claim ;\n"
        + "    prov:wasDerivedFrom res:source-article ;\n"
        + f"    ots:quote {_turtle_string(quote)}@{lang or language(quote)} ;\n"
        + reference_line
        + f"    ots:quoteStart {place.start} ; ots:quoteEnd {place.end} .\n"
    )
