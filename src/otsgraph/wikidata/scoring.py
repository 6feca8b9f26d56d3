"""How well a Wikidata candidate matches one of our entities: a score from 0 to 100.

The scale (the table in docs/wikidata.md says the same):

- label match, best of kk/ru/en, 0-50: exact label 50, exact alias 45, normalised 40 (case, accents,
  punctuation, ё/е), transliterated 30 (Cyrillic read as Latin), one name contained in the other 15;
- languages with a matching name (normalised or better), 0-20: one 8, two 14, three 20;
- type, 0-25: fits our class 25, no rule for our class 10, does not fit 0 (the candidate is dropped);
- description, -30..+5: names our class's kind ("city") +5, says it is a disambiguation page -30.

The total is clipped to 0-100.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .search import Entity
from .typecheck import TypeRule, TypeVerdict

EXACT_LABEL, EXACT_ALIAS, NORMALISED, TRANSLITERATED, CONTAINED = 50, 45, 40, 30, 15
LANGUAGE_POINTS = {0: 0, 1: 8, 2: 14, 3: 20}
TYPE_FITS, TYPE_UNKNOWN = 25, 10
HINT_BONUS, DISAMBIGUATION_PENALTY = 5, -30
DISAMBIGUATION_WORDS = ("disambiguation", "страница значений", "айрық мағыналы")

# Cyrillic letters of Kazakh and Russian, as a plain Latin reading (enough to compare names).
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya a g k n o u u h i".split(),  # noqa: SIM905, E501
        strict=True,
    )
)


def normalise(text: str) -> str:
    """Lower case, no accents, ё → е, punctuation and hyphens as spaces, one space between words."""
    text = text.casefold().replace("ё", "е")
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c) or c == "\u0306"
    )
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


def transliterate(text: str) -> str:
    """A Latin reading of Cyrillic text, normalised (Алматы → almaty, Бішкек → bishkek)."""
    out = []
    for char in normalise(text):
        latin = _CYRILLIC.get(char, char)
        out.append("" if latin == "_" else latin)
    return normalise("".join(out))


def _latin_key(text: str) -> str:
    """A key for comparing names across scripts: transliterated, vowels doubled or not, y/i alike."""
    key = transliterate(text).replace("y", "i").replace("kh", "k")
    return re.sub(r"(.)\1+", r"\1", key)


@dataclass
class Score:
    """A candidate's score and how it was made up."""

    qid: str
    total: int
    label_points: int
    matched_label: str
    matched_language: str
    match_kind: str
    languages: list[str]
    type_points: int
    description_points: int
    type_reason: str
    fits: bool
    notes: list[str] = field(default_factory=list)

    def evidence(self) -> str:
        return (
            f"score {self.total}/100: {self.match_kind} match of "
            f"'{self.matched_label}'@{self.matched_language}"
            f" ({self.label_points}), names match in {len(self.languages)} language(s)"
            f" {'/'.join(self.languages) or '-'}, type {self.type_reason} ({self.type_points})"
            + (f", description {self.description_points:+d}" if self.description_points else "")
        )


def _label_match(ours: Mapping[str, Sequence[str]], entity: Entity) -> tuple[int, str, str, str, list[str]]:
    """Best (points, matched name, language, kind) over our names, and the languages that match."""
    best = (0, "", "", "none")
    languages = []
    for language, names in ours.items():
        theirs_label = entity.labels.get(language)
        theirs_alias = entity.aliases.get(language, [])
        all_theirs = entity.names(language)
        matched_here = False
        for name in names:
            if theirs_label == name:
                found = (EXACT_LABEL, name, language, "exact label")
            elif name in theirs_alias:
                found = (EXACT_ALIAS, name, language, "exact alias")
            elif any(normalise(t) == normalise(name) for t in all_theirs):
                found = (NORMALISED, name, language, "normalised")
            else:
                found = (0, "", "", "none")
            if found[0]:
                matched_here = True
            if found[0] > best[0]:
                best = found
        if matched_here:
            languages.append(language)
    if best[0] < TRANSLITERATED:
        # across scripts: our Cyrillic names read in Latin against the item's Latin names, and back
        latin_theirs = {_latin_key(t) for lang in entity.labels for t in entity.names(lang)}
        for language, names in ours.items():
            for name in names:
                if _latin_key(name) in latin_theirs and _latin_key(name):
                    best = (TRANSLITERATED, name, language, "transliterated")
                    break
            if best[0] == TRANSLITERATED:
                break
    if best[0] < CONTAINED:
        theirs = [normalise(t) for lang in entity.labels for t in entity.names(lang)]
        for language, names in ours.items():
            for name in names:
                mine = normalise(name)
                if mine and any(t and (f" {mine} " in f" {t} " or f" {t} " in f" {mine} ") for t in theirs):
                    best = (CONTAINED, name, language, "contained")
                    break
            if best[0] == CONTAINED:
                break
    return (*best, languages)


def score_candidate(
    ours: Mapping[str, Sequence[str]],
    entity: Entity,
    rule: TypeRule | None,
    verdict: TypeVerdict | None,
) -> Score:
    """Score one candidate against our names ({language: [label, alt labels…]}) and the type check."""
    points, name, language, kind, languages = _label_match(ours, entity)
    language_points = LANGUAGE_POINTS[min(3, len(languages))]
    if rule is None or verdict is None:
        type_points, fits, reason = TYPE_UNKNOWN, True, "not checked (no rule for our class)"
    else:
        fits, reason = verdict.fits, verdict.reason
        type_points = TYPE_FITS if fits else 0
    description = " ".join(entity.descriptions.values()).casefold()
    description_points = 0
    notes = []
    if any(w in description for w in DISAMBIGUATION_WORDS):
        description_points = DISAMBIGUATION_PENALTY
        notes.append("its description says it is a disambiguation page")
    elif rule is not None and any(h in entity.descriptions.get("en", "").casefold() for h in rule.hints):
        description_points = HINT_BONUS
    total = max(0, min(100, points + language_points + type_points + description_points))
    return Score(
        qid=entity.qid,
        total=total,
        label_points=points,
        matched_label=name,
        matched_language=language,
        match_kind=kind,
        languages=languages,
        type_points=type_points,
        description_points=description_points,
        type_reason=reason,
        fits=fits,
        notes=notes,
    )
