"""The gate's own checks, beside the SHACL shapes: provenance, ontology terms, literal values.

- Provenance: every new fact is in a claim graph whose node is an ots:Claim with a source
  (prov:wasDerivedFrom or dct:source), as the shipped data is (docs/modelling.md). Only an
  entity's declaration (its type, labels, notes) may stand outside a claim; the ClaimShape then
  checks the claim's description (a quote with offsets, or a background claim's dct:source).
- Terms: an ots: term the ontology does not declare, or a term of another known vocabulary that
  neither the ontology, the shapes nor the stored data use, is a typo; the nearest known term is
  suggested. A res: entity used without a declaration gets the nearest declared entity suggested.
- Literals: a typed literal whose lexical form is impossible ("2023-02-30"^^xsd:date), or that does
  not satisfy the property's declared rdfs:range under the datatype rule below.

The datatype rule, one rule for the ontology, the shapes and this gate (docs/modelling.md, "Datatypes"):
an rdfs:range of a datatype property names a datatype of the OWL 2 datatype map (or rdfs:Literal),
never xsd:date, xsd:gYear and the like, which HermiT and the OWL 2 DL profile refuse. A literal
satisfies the range when its datatype is the range or is derived from it in the XSD hierarchy, or when
its value lies in the range's value space (OWL 2 semantics: "42251"^^xsd:integer is a
nonNegativeInteger value, "-1"^^xsd:integer is not). The shapes name the exact datatype the data must
use (sh:datatype) with its facets (sh:minInclusive 0), and constrain the datatypes outside the map on
their own. tests/validation/test_ontology_shapes_agree.py checks that every shape agrees with the ranges.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from otsgraph.core.graphs import ASSERTED_DATA, is_claim_graph, is_data_graph
from otsgraph.core.namespaces import OTS, PREFIXES, RDF_TYPE, RES
from otsgraph.validation import shacl
from otsgraph.validation.report import Finding, term_text, value_text

from .change import Change

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RANGE = ox.NamedNode(RDFS + "range")
LANG_STRING = RDF + "langString"
CLAIM_CLASS = ox.NamedNode(str(OTS.Claim))
SOURCES = (
    ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"),
    ox.NamedNode("http://purl.org/dc/terms/source"),
)
#: what an entity's declaration may say outside a claim graph (as data/entities/*.ttl does)
DECLARATION = {
    ox.NamedNode(iri)
    for iri in (
        RDF + "type",
        RDFS + "label",
        RDFS + "comment",
        SKOS + "altLabel",
        SKOS + "prefLabel",
        SKOS + "definition",
        SKOS + "note",
        SKOS + "editorialNote",
    )
}
#: vocabularies whose terms are checked for typos (ours are checked against the ontology)
_CHECKED_VOCABULARIES = tuple(
    iri for prefix, iri in PREFIXES.items() if prefix not in ("res", "claim", "graph", "shp", "wd", "ots")
)


def run(context, change: Change, plan) -> list[Finding]:
    """Every check of this module on the quads a client submits (a revert replays logged quads: none)."""
    if change.exact:
        return []
    submitted = plan.submitted
    findings = provenance(context, plan.view, submitted)
    findings += terms(context, plan.view, submitted)
    findings += literals(context, submitted)
    return findings


# ---- Provenance -----------------------------------------------------------------------------


def _is_sourced_claim(view, graph) -> bool:
    classes = view.objects(graph, RDF_TYPE)
    sourced = any(view.objects(graph, p) for p in SOURCES)
    return CLAIM_CLASS in classes and sourced


def provenance(context, view, submitted: Iterable[ox.Quad]) -> list[Finding]:
    findings: list[Finding] = []
    claim_graphs = {
        q.graph_name for q in submitted if is_claim_graph(q.graph_name) and not is_data_graph(q.graph_name)
    }
    unsourced = {g for g in claim_graphs if not _is_sourced_claim(view, g)}
    for g in sorted(unsourced, key=str):
        findings.append(
            Finding(
                term_text(g),
                None,
                None,
                "Fact without provenance: this named graph holds new facts but is not described as a claim "
                "with a source. Describe it in the default graph: type it ots:Claim and give "
                "prov:wasDerivedFrom res:source-article with ots:quote/ots:quoteStart/ots:quoteEnd, "
                "or type it "
                "ots:BackgroundClaim with dct:source <https://...> (docs/modelling.md, docs/writes.md).",
                "Violation",
                None,
                "provenance",
            )
        )
    for q in submitted:
        if not is_data_graph(q.graph_name):
            continue
        if q.predicate in DECLARATION or q.subject in claim_graphs or _describes_claim(view, q.subject):
            continue
        if _already_asserted(view, q):  # not a new fact: its provenance is already recorded
            continue
        findings.append(
            Finding(
                term_text(q.subject),
                q.predicate.value,
                value_text(q.object),
                "Fact without provenance: a new fact must be inside a claim graph (a named graph "
                "described as an ots:Claim with prov:wasDerivedFrom or dct:source). Only an entity's "
                "declaration (rdf:type, labels, notes) may stand outside a claim; send TriG, N-Quads or "
                "JSON-LD with the claim graph.",
                "Violation",
                None,
                "provenance",
            )
        )
    return findings


def _already_asserted(view, q: ox.Quad) -> bool:
    stored = view.store.quads_for_pattern(q.subject, q.predicate, q.object)
    return any(found.graph_name in ASSERTED_DATA for found in stored)


def _describes_claim(view, node) -> bool:
    return CLAIM_CLASS in view.objects(node, RDF_TYPE)


# ---- Terms ----------------------------------------------------------------------------------


class _Vocabulary:
    """Known terms, read once per context: the ontology's, the shapes', and predicates in use."""

    def __init__(self, context) -> None:
        self.ontology_terms = {s for s, _, _ in context.ontology if isinstance(s, ox.NamedNode)}
        known = {t for triple in context.ontology for t in triple if isinstance(t, ox.NamedNode)}
        known |= {t for triple in context.shapes_triples for t in triple if isinstance(t, ox.NamedNode)}
        self.known = known
        self.ours = sorted(t.value for t in self.ontology_terms if t.value.startswith(str(OTS)))
        self._entities: list[str] | None = None
        self.store = context.store

    def used_in_store(self, term: ox.NamedNode, as_predicate: bool) -> bool:
        pattern = (None, term, None) if as_predicate else (None, RDF_TYPE, term)
        return any(True for _ in self.store.quads_for_pattern(*pattern))

    def entities(self) -> list[str]:
        if self._entities is None:
            rows = self.store.query(
                "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e a ?c } FILTER(STRSTARTS(STR(?e), STR(res:))) }",
                prefixes={"res": str(RES)},
            )
            self._entities = sorted(row["e"].value for row in rows)
        return self._entities


def _vocabulary(context) -> _Vocabulary:
    if not hasattr(context, "_vocabulary"):
        context._vocabulary = _Vocabulary(context)
    return context._vocabulary


def _suggest(term: str, candidates: list[str]) -> str:
    # compare local names, so that the shared namespace does not make every term look close
    def local(iri: str) -> str:
        return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    by_local: dict[str, str] = {}
    for c in candidates:
        by_local.setdefault(local(c), c)
    close = difflib.get_close_matches(local(term), list(by_local), n=1, cutoff=0.6)
    if not close:
        return ""
    from otsgraph.core.results import short

    return f" Did you mean {short(ox.NamedNode(by_local[close[0]]))}?"


def terms(context, view, submitted: Iterable[ox.Quad]) -> list[Finding]:
    vocab = _vocabulary(context)
    findings: list[Finding] = []
    seen: set = set()
    subjects = {q.subject for q in submitted}
    for q in submitted:
        positions = [(q.predicate, True)]
        if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            positions.append((q.object, False))
        elif isinstance(q.object, ox.NamedNode):
            positions.append((q.object, None))
        for term, as_predicate in positions:
            if term in seen:
                continue
            seen.add(term)
            problem = _unknown_term(vocab, view, term, as_predicate, subjects)
            if problem:
                findings.append(
                    Finding(
                        term_text(q.subject),
                        q.predicate.value,
                        value_text(q.object) if as_predicate is not True else None,
                        problem,
                        "Violation",
                        None,
                        "term",
                    )
                )
    return findings


def _declared(view, term: ox.NamedNode, submitted_subjects: set) -> bool:
    """Is the entity described in the asserted data (stored or submitted), not just inferred to exist?"""
    if term in submitted_subjects:
        return True
    return any(q.graph_name in ASSERTED_DATA for q in view.store.quads_for_pattern(term, None, None))


def _unknown_term(
    vocab: _Vocabulary, view, term: ox.NamedNode, as_predicate: bool | None, submitted_subjects: set
) -> str | None:
    from otsgraph.core.results import short

    iri = term.value
    if iri.startswith(str(OTS)):
        if term in vocab.ontology_terms:
            return None
        what = "property" if as_predicate else "class" if as_predicate is False else "term"
        return f"Unknown term: {short(term)} is not a {what} of the ontology.{_suggest(iri, vocab.ours)}"
    if iri.startswith(str(RES)) and as_predicate is None:
        if _declared(view, term, submitted_subjects):
            return None
        return (
            f"Undeclared entity: {short(term)} has no rdf:type (declare it with its labels, or fix the IRI)."
            + _suggest(iri, vocab.entities())
        )
    if as_predicate is None or not iri.startswith(_CHECKED_VOCABULARIES):
        return None
    if term in vocab.known or vocab.used_in_store(term, bool(as_predicate)):
        return None
    namespace = next(ns for ns in _CHECKED_VOCABULARIES if iri.startswith(ns))
    candidates = sorted(t.value for t in vocab.known if t.value.startswith(namespace))
    what = "property" if as_predicate else "class"
    return (
        f"Unknown term: {short(term)} is a {what} that neither the ontology, the shapes nor the data use."
        + _suggest(iri, candidates)
    )


# ---- Literals -------------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS_LITERAL = RDFS + "Literal"
PLAIN_LITERAL = RDF + "PlainLiteral"
XSD_STRING = XSD + "string"

#: the OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus rdf:langString (RDF 1.1's
#: name for the language-tagged part of rdf:PlainLiteral, which HermiT and the OWL API accept)
OWL2_DATATYPES = frozenset(
    [RDFS_LITERAL, PLAIN_LITERAL, LANG_STRING, RDF + "XMLLiteral", OWL + "real", OWL + "rational"]
    + [
        XSD + name
        for name in [
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        ]
    ]
)

#: each datatype's base type (XSD 1.1 Part 2; owl:real and owl:rational from OWL 2)
_BASE = {
    XSD + "integer": XSD + "decimal",
    XSD + "nonNegativeInteger": XSD + "integer",
    XSD + "positiveInteger": XSD + "nonNegativeInteger",
    XSD + "nonPositiveInteger": XSD + "integer",
    XSD + "negativeInteger": XSD + "nonPositiveInteger",
    XSD + "long": XSD + "integer",
    XSD + "int": XSD + "long",
    XSD + "short": XSD + "int",
    XSD + "byte": XSD + "short",
    XSD + "unsignedLong": XSD + "nonNegativeInteger",
    XSD + "unsignedInt": XSD + "unsignedLong",
    XSD + "unsignedShort": XSD + "unsignedInt",
    XSD + "unsignedByte": XSD + "unsignedShort",
    XSD + "decimal": OWL + "rational",
    OWL + "rational": OWL + "real",
    XSD + "normalizedString": XSD_STRING,
    XSD + "token": XSD + "normalizedString",
    XSD + "language": XSD + "token",
    XSD + "Name": XSD + "token",
    XSD + "NCName": XSD + "Name",
    XSD + "NMTOKEN": XSD + "token",
    XSD + "dateTimeStamp": XSD + "dateTime",
}

_REAL = OWL + "real"
_NAME_START = (
    r"A-Za-z_:\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\uFFFD"
)
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
#: the value spaces of the string types, as tests on a string value
_STRING_SPACES = {
    XSD_STRING: lambda v: True,
    XSD + "normalizedString": lambda v: not re.search(r"[\r\n\t]", v),
    XSD + "token": lambda v: not re.search(r"[\r\n\t]|^ | $|  ", v),
    XSD + "language": lambda v: re.fullmatch(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*", v) is not None,
    XSD + "Name": lambda v: re.fullmatch(f"[{_NAME_START}][{_NAME_CHAR}]*", v) is not None,
    XSD + "NCName": lambda v: ":" not in v and re.fullmatch(f"[{_NAME_START}][{_NAME_CHAR}]*", v) is not None,
    XSD + "NMTOKEN": lambda v: re.fullmatch(f"[{_NAME_CHAR}]+", v) is not None,
}


def derived_from(datatype: str, ancestor: str) -> bool:
    """Is `datatype` `ancestor` or derived from it (every datatype is derived from rdfs:Literal)?"""
    if ancestor == RDFS_LITERAL:
        return True
    while datatype is not None:
        if datatype == ancestor:
            return True
        datatype = _BASE.get(datatype)
    return False


def integer_bounds(datatype: str) -> tuple[int | None, int | None] | None:
    """The bounds of an integer type's value space; None for a datatype that is not an integer type."""
    return shacl.INTEGER_BOUNDS.get(datatype)


def is_numeric(datatype: str) -> bool:
    """Is the datatype's value space part of owl:real (xsd:double and xsd:float are not, in OWL 2)?"""
    return derived_from(datatype, _REAL)


def satisfies_range(literal: ox.Literal, range_iri: str) -> bool:
    """The datatype rule: does a well-formed literal satisfy an rdfs:range that names a datatype?"""
    if range_iri == RDFS_LITERAL:
        return True
    if literal.language:
        return range_iri in (LANG_STRING, PLAIN_LITERAL)
    datatype = literal.datatype.value
    if derived_from(datatype, range_iri):
        return True
    if range_iri == PLAIN_LITERAL:
        return derived_from(datatype, XSD_STRING)
    # the value space: a number of another numeric type, a string of another string type, a timestamp
    if is_numeric(range_iri) and is_numeric(datatype):
        return _number_in(literal.value, range_iri)
    if range_iri in _STRING_SPACES and derived_from(datatype, XSD_STRING):
        return _STRING_SPACES[range_iri](literal.value)
    if range_iri == XSD + "dateTimeStamp" and datatype == XSD + "dateTime":
        return re.search(r"(Z|[+-]\d{2}:\d{2})$", literal.value) is not None
    return False


def datatype_within_range(datatype: str, range_iri: str, low=None, high=None) -> bool:
    """The datatype rule for a shape: does every literal of `datatype` between the shape's bounds
    (`low`/`high`: inclusive, from sh:minInclusive and the like; None for none) satisfy the range?
    (sh:datatype xsd:integer with sh:minInclusive 0 is within xsd:nonNegativeInteger.)"""
    if derived_from(datatype, range_iri):
        return True
    if datatype == LANG_STRING:
        return range_iri == PLAIN_LITERAL
    if range_iri == PLAIN_LITERAL:
        return derived_from(datatype, XSD_STRING)
    if not (is_numeric(datatype) and is_numeric(range_iri)):
        return False
    wanted = integer_bounds(range_iri)
    if wanted is None:
        # a decimal, rational or real range that the datatype does not derive from (checked above) is
        # narrower than it: "1/3"^^owl:rational is no xsd:decimal, and bounds add no fraction's digits
        return False
    own = integer_bounds(datatype)
    if own is None:
        return False  # a decimal may have a fraction
    lows = [b for b in (own[0], None if low is None else math.ceil(low)) if b is not None]
    highs = [b for b in (own[1], None if high is None else math.floor(high)) if b is not None]
    floor_, ceiling = (max(lows) if lows else None), (min(highs) if highs else None)
    return (wanted[0] is None or (floor_ is not None and floor_ >= wanted[0])) and (
        wanted[1] is None or (ceiling is not None and ceiling <= wanted[1])
    )


def _number_in(lexical: str, range_iri: str) -> bool:
    try:
        value = Decimal(lexical.strip())
    except InvalidOperation:
        return False  # an owl:rational such as "1/3": not needed by any range here
    bounds = integer_bounds(range_iri)
    if bounds is None:
        return True  # xsd:decimal, owl:rational, owl:real hold every decimal value
    if value != value.to_integral_value():
        return False
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def _ranges(context) -> dict:
    """Each property's datatype ranges, read once per context (the check runs on every write)."""
    if not hasattr(context, "_datatype_ranges"):
        ranges: dict = {}
        for s, p, o in context.ontology:
            if p == RANGE and _is_datatype(o):
                ranges.setdefault(s, set()).add(o)
        context._datatype_ranges = ranges
    return context._datatype_ranges


def literals(context, submitted: Iterable[ox.Quad]) -> list[Finding]:
    ranges = _ranges(context)
    findings = []
    for q in submitted:
        o = q.object
        declared = ranges.get(q.predicate, ())
        if isinstance(o, ox.Literal):
            if not shacl.well_formed(o):
                findings.append(
                    _literal_finding(
                        q,
                        f"Impossible value: {o.value!r} is not a valid {_short(o.datatype)} "
                        "(check the day, month and format).",
                    )
                )
            elif declared and not _matches(o, declared):
                findings.append(_literal_finding(q, _range_message(q.predicate, o, declared)))
        elif declared:
            expected = " and ".join(sorted(_short(r) for r in declared))
            findings.append(
                _literal_finding(
                    q, f"Wrong kind of value: {_short(q.predicate)} takes a {expected} literal, not a node."
                )
            )
    return findings


def _range_message(predicate, literal: ox.Literal, declared: set) -> str:
    expected = " and ".join(sorted(_short(r) for r in declared))
    given = f"@{literal.language}" if literal.language else _short(literal.datatype)
    kin = not literal.language and all(
        (is_numeric(r.value) and is_numeric(literal.datatype.value))
        or (derived_from(r.value, XSD_STRING) and derived_from(literal.datatype.value, XSD_STRING))
        for r in declared
    )
    if kin:  # the right kind of value, outside the range's value space ("-1" for a nonNegativeInteger)
        return (
            f"Value out of range: {_short(predicate)} takes {expected} values; "
            f"{literal.value!r} ({given}) is not one."
        )
    return f"Wrong datatype: {_short(predicate)} takes {expected}, not {given}."


def _is_datatype(term) -> bool:
    return isinstance(term, ox.NamedNode) and (term.value.startswith(XSD) or term.value in OWL2_DATATYPES)


def _matches(literal: ox.Literal, declared: set) -> bool:
    # several ranges are an intersection: the value must satisfy each
    return all(satisfies_range(literal, r.value) for r in declared)


def _short(term) -> str:
    from otsgraph.core.results import short

    return short(term)


def _literal_finding(q: ox.Quad, message: str) -> Finding:
    return Finding(
        term_text(q.subject), q.predicate.value, value_text(q.object), message, "Violation", None, "literal"
    )
