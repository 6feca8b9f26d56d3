"""The one name matcher of /search and /reconcile: what people type against every label of the graph.

Every rdfs:label and skos:altLabel of the served graph, in any language, is folded to keys, and so is
the query:

- lower case, no diacritics or punctuation, apostrophes dropped (Türkiye -> turkiye, O'zbekiston ->
  ozbekiston);
- Cyrillic spelled in Latin letters two ways: the 2021 Kazakh Latin alphabet (Қазақстан -> qazaqstan)
  and a common Russian romanisation (Казахстан -> kazakhstan);
- a loose key for each, which merges the spellings that romanisations of the same name differ by
  (kh/h/x, zh/j/dzh, sh/s, ch/c, q/k, y/i, w/v, doubled letters): Nakhchivan, Nahçıvan and Naxçıvan
  have the same loose key.

A label scores, from 100 down (the best key pair counts):

=====  =====================================================================================
100    the same key (the label as written, in any case, script or with/without diacritics)
97     the same words in another order (Nazarbayev, Nursultan)
96     the same loose key (another romanisation); 95 the same loose words in another order
94/88  one/two letters wrong, missing, extra or swapped (rapidfuzz's optimal string alignment
       distance; 91/85 on the loose keys); a name of fewer than 7 letters allows none (Astara
       is a town, not a typo of Astana), of 7-9 letters one, longer ones two; the digits must
       be the same (2012 is not 2024), and a short name in capitals is an abbreviation, which
       allows none (TÜRKPA is not Türkiye)
<85    candidates that are not a match: the query's words are words of the label, or the label's
       words are words of the query, each word allowing its own typos (60-80), a prefix of the
       label or of a word (50-75), text inside it (20-50), or similar as a whole
       (0.8 x rapidfuzz's ratio when it is 70 or more, at most 84)
=====  =====================================================================================

THRESHOLD (85) is the match rule, the same for /search and /reconcile: a score at or above it says
that the name identifies this entity. At most one entity of a list may have it (`single_out`): the
best one, if no other entity reaches its score; when two tie, neither is a match. A name entity
(ots:OrganisationName, linked by ots:hasName) gives way to the entity that bears it, which carries the
same label.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

THRESHOLD = 85.0

# The 2021 Kazakh Latin alphabet (decree of 29 January 2021), lower case. Letters the alphabet
# lacks (ё, ц, ч, щ, ъ, ь, э, ю, я, only in loanwords) follow the recommended spellings. Kyrgyz,
# Uzbek and Azerbaijani Cyrillic letters are spelled too (ў, ҳ, ҷ, ҹ, ј).
KAZAKH = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io",
    "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū",
    "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "",
    "ы": "y", "і": "ı", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "ў": "o", "ҳ": "h", "ҷ": "j", "ҹ": "j", "ј": "y",
}  # fmt: skip
# Russian: the common (BGN/PCGN-like) spelling that English names of places and people follow.
RUSSIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Kazakh (and Kyrgyz, Uzbek, Azerbaijani) letters in a Russian spelling, so that a mixed text
    # still becomes Latin
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    "ў": "u", "ҳ": "kh", "ҷ": "j", "ҹ": "j", "ј": "y",
}  # fmt: skip
# letters that NFKD does not split into a base letter and a mark (ə: Azerbaijani schwa)
_PLAIN = str.maketrans(
    {"ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "ə": "e"}
)
# apostrophes inside words (O'zbekiston, Qozogʻiston, Kazakhstan's) join, they do not split
_APOSTROPHES = str.maketrans(dict.fromkeys("'’ʻʼ`´", ""))
# spellings that romanisations of one name differ by, longest first
_LOOSE = [
    ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"), ("sh", "s"), ("ch", "c"),
    ("q", "k"), ("x", "h"), ("w", "v"), ("y", "i"),
]  # fmt: skip
_LOOSE_RE = re.compile("|".join(re.escape(a) for a, _ in _LOOSE))
_LOOSE_MAP = dict(_LOOSE)
_DOUBLED = re.compile(r"(.)\1+")
_DIGITS = re.compile(r"\d+")


def strip(text: str) -> str:
    """Lower case without diacritics or punctuation runs: 'Türkiye' -> 'turkiye'.

    >>> strip("Erdoğan, Türkiye")
    'erdogan turkiye'
    >>> strip("O'zbekiston")
    'ozbekiston'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
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


@functools.lru_cache(maxsize=65536)
def loose(key: str) -> str:
    """A key with the spellings that romanisations differ by merged.

    >>> loose("nakhchivan") == loose("nahcivan") == loose("naxcivan")
    True
    >>> loose("kyrgyzstan")
    'kirgizstan'
    """
    return _DOUBLED.sub(r"\1", _LOOSE_RE.sub(lambda m: _LOOSE_MAP[m.group()], key))


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


def _budget(key: str) -> int:
    """How many letters may be wrong in a name this long (spaces not counted)."""
    letters = len(key.replace(" ", ""))
    return 0 if letters < 7 else 1 if letters < 10 else 2


def _abbreviation(text: str) -> bool:
    """A short name typed in capitals (NATO, TÜRKPA, ТМҰ) is an abbreviation: no letter may be off."""
    letters = [c for c in text if c.isalpha()]
    return 2 <= len(letters) <= 6 and all(c.isupper() for c in letters)


@dataclass(frozen=True)
class Hit:
    iri: str
    label: ox.Literal  # the label that matched best
    score: float  # 0-100, higher is better; THRESHOLD and above: a match
    how: str  # exact, reordered, spelling, typo, words, prefix, inside, similar

    @property
    def match(self) -> bool:
        return self.score >= THRESHOLD


@dataclass(frozen=True)
class _Name:
    iri: str
    literal: ox.Literal
    keys: tuple[str, ...]


class Index:
    """Every label of a set of IRIs, folded once (per data version); `find` matches a query against them."""

    def __init__(
        self, labels: Iterable[tuple[str, ox.Literal]], bearers: Mapping[str, str] | None = None
    ) -> None:
        """`labels`: (IRI, label) pairs; `bearers`: name entity -> the entity that bears the name."""
        self.names: list[_Name] = []
        self.bearers = dict(bearers or {})
        # exact look-ups: folded key, sorted words, loose key, loose sorted words -> names
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.reordered: dict[str, list[int]] = defaultdict(list)
        self.loose: dict[str, list[int]] = defaultdict(list)
        self.loose_reordered: dict[str, list[int]] = defaultdict(list)
        # the fuzzy choices: every distinct key (and loose key) with the names that have it
        self.choices: list[str] = []
        self.loose_choices: list[str] = []
        self._choice_names: list[list[int]] = []
        self._loose_choice_names: list[list[int]] = []
        choice_at: dict[str, int] = {}
        loose_at: dict[str, int] = {}
        # every word of every key (and its loose form) -> the choices (keys) that have it
        self.vocabulary: list[str] = []
        self._word_choices: list[set[int]] = []
        word_at: dict[str, int] = {}
        for iri, literal in labels:
            number = len(self.names)
            found = tuple(sorted(keys(literal.value)))
            self.names.append(_Name(iri, literal, found))
            for key in found:
                self.exact[key].append(number)
                self.reordered[_sorted_words(key)].append(number)
                if key not in choice_at:
                    choice_at[key] = len(self.choices)
                    self.choices.append(key)
                    self._choice_names.append([])
                self._choice_names[choice_at[key]].append(number)
                for word in {*key.split(), *(loose(key).split() if key.isascii() else ())}:
                    if word not in word_at:
                        word_at[word] = len(self.vocabulary)
                        self.vocabulary.append(word)
                        self._word_choices.append(set())
                    self._word_choices[word_at[word]].add(choice_at[key])
                if key.isascii():
                    lk = loose(key)
                    self.loose[lk].append(number)
                    self.loose_reordered[_sorted_words(lk)].append(number)
                    if lk not in loose_at:
                        loose_at[lk] = len(self.loose_choices)
                        self.loose_choices.append(lk)
                        self._loose_choice_names.append([])
                    self._loose_choice_names[loose_at[lk]].append(number)

        self._sorted_choices = [_sorted_words(c) for c in self.choices]
        self._sorted_loose_choices = [_sorted_words(c) for c in self.loose_choices]

    # ------------------------------------------------------------------------------------ scoring

    def _scores(self, query: str) -> dict[int, tuple[float, str]]:
        """name number -> (score, how) for every name the query comes near."""
        best: dict[int, tuple[float, str]] = {}

        def offer(numbers: Iterable[int], score: float, how: str) -> None:
            for number in numbers:
                if number not in best or score > best[number][0]:
                    best[number] = (score, how)

        wanted = keys(query)
        abbreviation = _abbreviation(query)
        words = self._near_words(wanted)
        for key in wanted:
            offer(self.exact.get(key, ()), 100.0, "exact")
            if " " in key:
                offer(self.reordered.get(_sorted_words(key), ()), 97.0, "reordered")
            if key.isascii():
                lk = loose(key)
                offer(self.loose.get(lk, ()), 96.0, "spelling")
                if " " in lk:
                    offer(self.loose_reordered.get(_sorted_words(lk), ()), 95.0, "spelling")
            if not abbreviation:
                self._typos(key, offer)
            self._partial(key, offer)
        self._words(wanted, words, offer)
        return best

    def _typos(self, key: str, offer) -> None:
        """One or two letters off, on the keys and on the loose keys, the words in any order."""
        budget = _budget(key)
        if not budget:
            return
        digits = _DIGITS.findall(key)
        tries = [(key, self.choices, self._sorted_choices, self._choice_names, 100.0)]
        if key.isascii():
            tries.append(
                (loose(key), self.loose_choices, self._sorted_loose_choices, self._loose_choice_names, 97.0)
            )
        for text, choices, sorted_choices, names, top in tries:
            forms = [(text, choices)]
            if " " in text:  # the same words in any order: compare sorted words with sorted words
                forms.append((_sorted_words(text), sorted_choices))
            for form, among in forms:
                found = process.extract(form, among, scorer=OSA.distance, score_cutoff=budget, limit=None)
                for choice, distance, at in found:
                    if distance == 0 or _DIGITS.findall(choice) != digits:
                        continue
                    if distance > _budget(choice):
                        continue
                    offer(names[at], top - 6.0 * distance, "typo")

    def _near_words(self, wanted: set[str]) -> dict[str, set[str]]:
        """Each word of the query (any of its keys) -> the words of the vocabulary it may stand for:
        itself, its loose form, and the words one or two letters off (by its length)."""
        near: dict[str, set[str]] = {}
        for key in wanted:
            for word in key.split():
                if word in near:
                    continue
                forms = {word, loose(word)} if word.isascii() else {word}
                found = set(forms)
                for form in forms:
                    budget = _budget(form)
                    if budget and not _DIGITS.search(form):
                        found.update(
                            choice
                            for choice, _distance, _at in process.extract(
                                form, self.vocabulary, scorer=OSA.distance, score_cutoff=budget, limit=None
                            )
                            if not _DIGITS.search(choice)
                        )
                near[word] = found
        return near

    def _words(self, wanted: set[str], near: dict[str, set[str]], offer) -> None:
        """Below the threshold: every word of the query is a word of the label, or every word of the
        label is a word of the query, each word with its typos (Atambaev -> Almazbek Atambayev,
        Azerbaycan Respublikası -> Azerbaijan)."""
        at_of = {word: i for i, word in enumerate(self.vocabulary)}
        for key in wanted:
            query_words = key.split()
            # the choices each query word is in
            per_word = []
            for word in query_words:
                choices: set[int] = set()
                for form in near.get(word, ()):
                    if form in at_of:
                        choices |= self._word_choices[at_of[form]]
                per_word.append(choices)
            touched = set().union(*per_word) if per_word else set()
            for at in touched:
                choice = self.choices[at]
                if choice == key:
                    continue
                choice_words = choice.split()
                if all(at in choices for choices in per_word):  # the query's words are in the label
                    closeness = len(key) / max(len(key), len(choice))
                elif all(  # the label's words are in the query
                    any(w == cw or loose(w) == loose(cw) or cw in near.get(w, ()) for w in query_words)
                    for cw in choice_words
                ):
                    closeness = len(choice) / max(len(key), len(choice))
                else:
                    continue
                offer(self._choice_names[at], round(60 + 20 * closeness, 1), "words")

    def _partial(self, key: str, offer) -> None:
        """Candidates below the threshold: prefixes, text inside, similar."""
        cap = THRESHOLD - 1
        for at, choice in enumerate(self.choices):
            if key not in choice or choice == key:
                continue
            closeness = min(1.0, len(key) / max(1, len(choice)))
            if choice.startswith(key) or f" {key}" in choice:
                offer(self._choice_names[at], round(50 + 25 * closeness, 1), "prefix")
            elif key in choice:
                offer(self._choice_names[at], round(20 + 30 * closeness, 1), "inside")
        for _choice, similarity, at in process.extract(
            key, self.choices, scorer=fuzz.ratio, score_cutoff=70, limit=None
        ):
            offer(self._choice_names[at], round(min(cap, 0.8 * similarity), 1), "similar")

    # ------------------------------------------------------------------------------------ results

    def find(self, query: str, limit: int | None = None, decide: bool = True) -> list[Hit]:
        """Entities whose labels come near `query`, best first, one hit per entity (its best label);
        at most one has a score at or above THRESHOLD (see `single_out`), unless `decide` is False
        (/reconcile decides after its type and property filters)."""
        if not strip(query):
            return []
        typed = strip(query)
        cyrillic = _cyrillic(query)
        best: dict[str, tuple[tuple, Hit]] = {}
        for number, (score, how) in self._scores(query).items():
            name = self.names[number]
            # of equal scores: the label as typed (Эрдоган: the Russian label, not "Ердоған" or
            # "Erdoğan", which match as well once transliterated), then one in the query's script,
            # then the shorter
            rank = (
                -score,
                strip(name.literal.value) != typed,
                _cyrillic(name.literal.value) != cyrillic,
                len(name.literal.value),
            )
            if name.iri not in best or rank < best[name.iri][0]:
                best[name.iri] = (rank, Hit(name.iri, name.literal, score, how))
        hits = [hit for _, hit in sorted(best.values(), key=lambda b: (b[0], b[1].iri))]
        hits = self._defer_names(hits)
        return (single_out(hits) if decide else hits)[:limit]

    def _defer_names(self, hits: list[Hit]) -> list[Hit]:
        """A name entity found with the entity that bears it scores below the bearer and the threshold."""
        scores = {h.iri: h.score for h in hits}
        out = []
        for hit in hits:
            bearer = self.bearers.get(hit.iri)
            if bearer in scores and scores[bearer] >= hit.score:
                # strictly below the bearer (a tie would leave the order to the IRIs) and the threshold
                lowered = min(hit.score, THRESHOLD - 1, round(scores[bearer] - 0.1, 1))
                hit = Hit(hit.iri, hit.label, lowered, hit.how)
            out.append(hit)
        return sorted(out, key=lambda h: -h.score)  # stable: the order above breaks ties


def single_out(items: list, score=lambda item: item.score, rescore=None) -> list:
    """The match rule over one list, best first: only the best item may keep a score at or above
    THRESHOLD, and only if no other item has the same score; the others are lowered to just below it.

    `score` reads an item's score, `rescore(item, new)` returns the item with a new score (for Hits,
    a new Hit)."""
    if rescore is None:

        def rescore(item, new):
            return Hit(item.iri, item.label, new, item.how)

    ranked = sorted(items, key=lambda item: -score(item))
    above = [i for i, item in enumerate(ranked) if score(item) >= THRESHOLD]
    if not above:
        return ranked
    tie = len(above) > 1 and score(ranked[above[1]]) >= score(ranked[above[0]])
    lowered = set(above if tie else above[1:])
    return [rescore(item, THRESHOLD - 1) if i in lowered else item for i, item in enumerate(ranked)]


def similar(a: str, b: str) -> float:
    """How alike two names are, 0-100, by the same rules as a query against one label."""
    return max((hit.score for hit in Index([("", ox.Literal(b))]).find(a)), default=0.0)


def _cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)
