"""/explain: why an inferred triple holds, from the derivations the reasoner recorded at build time.

Each inferred triple keeps the rule and the premises of its first derivation
(reasoning.Closure.derivations); the explanation walks them down to asserted triples. The
derivations are those of the graph the server loaded: triples added later by SPARQL Update
have none, and are reported as "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from otsgraph.core.namespaces import PREFIXES

from ..state import state

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class BadTerm(ValueError):
    """A parameter that is neither an IRI nor an N-Triples term."""


MAX_TERM = 4000  # characters: no IRI of the graph comes near
# schemes written bare that are IRIs, not prefixed names (a prefix of PREFIXES wins over them)
IRI_SCHEMES = {"http", "https", "urn", "mailto", "tag", "file", "ftp", "data", "did"}
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:(.*)", re.S)
_TYPED = re.compile(r'(".*")\^\^([A-Za-z][\w.-]*)?:([^<>"\s]+)', re.S)


def expand(text: str, name: str) -> str:
    """A bare IRI or a prefixed name (res:kazakhstan, with the common prefixes of the query page) as
    an IRI in <>; BadTerm for a prefix nobody declared."""
    match = _PREFIXED.fullmatch(text)
    if not match or match.group(2).startswith("//"):
        return f"<{text}>"
    prefix, local = match.group(1) or "", match.group(2)
    if prefix in PREFIXES:
        return f"<{PREFIXES[prefix]}{local}>"
    if prefix.lower() in IRI_SCHEMES:
        return f"<{text}>"
    known = ", ".join(f"{p}:" for p in PREFIXES)
    raise BadTerm(f"{name}: unknown prefix {prefix}: (known: {known}); or give the whole IRI in <>")


def parse_term(text: str, name: str, literal_ok: bool) -> Term:
    """An IRI (bare, in <>, or a prefixed name such as res:kazakhstan) or, for the object, any
    N-Triples term ("x"@en, "1"^^<…>, "1"^^xsd:gYear) or a blank node of the store (_:id, as the
    entity pages link an inferred type that is a restriction)."""
    text = (text or "").strip()
    if not text:
        raise BadTerm(f"the parameter {name} is missing")
    if len(text) > MAX_TERM:
        raise BadTerm(f"{name} is {len(text)} characters long; a term has at most {MAX_TERM}")
    if text.startswith("_:"):
        if not literal_ok:
            raise BadTerm(f"{name} must be an IRI")
        try:
            return ox.BlankNode(text[2:])
        except ValueError:
            raise BadTerm(f"{name} is not a blank node label: {text[:80]!r}") from None
    if not text.startswith(('"', "<")):
        text = expand(text, name)
    elif text.startswith('"') and (typed := _TYPED.fullmatch(text)) and (typed.group(2) or "") in PREFIXES:
        text = f"{typed.group(1)}^^<{PREFIXES[typed.group(2) or '']}{typed.group(3)}>"
    try:
        [triple] = ox.parse(f"<urn:x:s> <urn:x:p> {text} .", format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError) as err:
        raise BadTerm(f"{name} is not an IRI, a prefixed name or an N-Triples term: {err}") from None
    term = triple.object
    if isinstance(term, ox.BlankNode) or (isinstance(term, ox.Literal) and not literal_ok):
        raise BadTerm(f"{name} must be an IRI")
    return term


@dataclass(frozen=True)
class Step:
    depth: int
    triple: tuple[Term, Term, Term]
    rule: str  # a rule name, "asserted", or "unknown"


def status(triple: tuple[Term, Term, Term]) -> str:
    """'inferred', 'asserted' or 'unknown' for the loaded graph."""
    reasoned = state().reasoned
    if reasoned is None:
        return "unknown"
    if triple in reasoned.input:
        return "asserted"
    return "inferred" if triple in reasoned.closure.derivations else "unknown"


def explain(triple: tuple[Term, Term, Term]) -> list[Step]:
    """The derivation tree, depth first: the triple, then its premises one level deeper."""
    reasoned = state().reasoned
    if reasoned is None:
        return []
    return [Step(*line) for line in reasoned.closure.explain(triple, reasoned.input)]
