"""/explain: why an inferred triple holds, from the derivations the reasoner recorded at build time.

Each inferred triple keeps the rule and the premises of its first derivation
(reasoning.Closure.derivations); the explanation walks them down to asserted triples. The
derivations are those of the graph the server loaded: triples added later by SPARQL Update
have none, and are reported as "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .state import state

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class BadTerm(ValueError):
    """A parameter that is neither an IRI nor an N-Triples term."""


def parse_term(text: str, name: str, literal_ok: bool) -> Term:
    """An IRI (bare or in <>) or, for the object, any N-Triples term ("x"@en, "1"^^<…>)."""
    text = (text or "").strip()
    if not text:
        raise BadTerm(f"the parameter {name} is missing")
    if not text.startswith(('"', "<", "_:")):
        text = f"<{text}>"
    try:
        [triple] = ox.parse(f"<urn:x:s> <urn:x:p> {text} .", format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError) as err:
        raise BadTerm(f"{name} is not an IRI or an N-Triples term: {err}") from None
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
