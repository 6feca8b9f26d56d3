"""The shapes and the ontology cannot disagree (issue 11, journey 1).

Every sh:datatype, sh:class and sh:nodeKind in shapes/ (directly on a property shape, or inside its
sh:or / sh:and / sh:xone / sh:node) is checked against the rdfs:range of the same property (sh:path) in
ontology/, under the datatype rule of src/otsgraph/gate/checks.py (docs/modelling.md, "Datatypes"):

- a range names a datatype of the OWL 2 datatype map; datatypes outside it (xsd:date, xsd:gYear, …) are
  constrained by the shapes alone and may not be ranges;
- a shape's datatype agrees with a datatype range when it is the range or derived from it, or when its
  values, within the shape's sh:minInclusive/… bounds, lie in the range's value space (sh:datatype
  xsd:integer with sh:minInclusive 0 is within xsd:nonNegativeInteger);
- a shape's class agrees with a class range when it is the range or a subclass of it;
- a literal (sh:datatype, sh:nodeKind sh:Literal) disagrees with a class range or an object property,
  a node (sh:class, sh:nodeKind sh:IRI/sh:BlankNode) with a datatype range or a datatype property.

A property's ranges include those of its super-properties and the domains of its inverses. The gate's
own literal check uses the same rule; the last tests here run it and the shapes through `otsgraph
validate` on a claim written the way the shipped data writes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from otsgraph.gate import checks

REPO = Path(__file__).resolve().parents[2]
NODE_KINDS = {SH.IRI, SH.BlankNode, SH.BlankNodeOrIRI}
LITERAL_KINDS = {SH.Literal}
MIXED_KINDS = {SH.IRIOrLiteral, SH.BlankNodeOrLiteral}


def read_folder(folder: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


# ---- The checker ---------------------------------------------------------------------------------


class Ontology:
    def __init__(self, graph: rdflib.Graph) -> None:
        self.g = graph

    def is_datatype(self, term) -> bool:
        return (
            str(term) in checks.OWL2_DATATYPES
            or str(term).startswith(str(XSD))
            or ((term, RDF.type, RDFS.Datatype) in self.g)
        )

    def superproperties(self, prop) -> set:
        seen, pending = {prop}, [prop]
        while pending:
            for parent in self.g.objects(pending.pop(), RDFS.subPropertyOf):
                if isinstance(parent, URIRef) and parent not in seen:
                    seen.add(parent)
                    pending.append(parent)
        return seen

    def ranges(self, prop) -> set:
        found = set()
        for p in self.superproperties(prop):
            found |= set(self.g.objects(p, RDFS.range))
            inverses = set(self.g.objects(p, OWL.inverseOf)) | set(self.g.subjects(OWL.inverseOf, p))
            for inverse in inverses:
                found |= set(self.g.objects(inverse, RDFS.domain))
        return {r for r in found if isinstance(r, URIRef)}  # a class expression is not compared

    def kind(self, prop) -> str | None:
        types = {t for p in self.superproperties(prop) for t in self.g.objects(p, RDF.type)}
        if OWL.DatatypeProperty in types:
            return "datatype"
        if OWL.ObjectProperty in types:
            return "object"
        return None

    def superclasses(self, cls) -> set:
        seen, pending = {cls}, [cls]
        while pending:
            c = pending.pop()
            parents = set(self.g.objects(c, RDFS.subClassOf)) | set(self.g.objects(c, OWL.equivalentClass))
            parents |= set(self.g.subjects(OWL.equivalentClass, c))
            for parent in parents:
                if isinstance(parent, URIRef) and parent not in seen:
                    seen.add(parent)
                    pending.append(parent)
        return seen


@dataclass
class Alternative:
    """What one branch of a property shape allows its values to be: the constraints all hold."""

    datatypes: set = field(default_factory=set)
    classes: set = field(default_factory=set)
    kinds: set = field(default_factory=set)
    values: set = field(default_factory=set)
    low: float | None = None
    high: float | None = None

    def merge(self, other: Alternative) -> Alternative:
        lows = [b for b in (self.low, other.low) if b is not None]
        highs = [b for b in (self.high, other.high) if b is not None]
        return Alternative(
            self.datatypes | other.datatypes,
            self.classes | other.classes,
            self.kinds | other.kinds,
            self.values | other.values,
            max(lows) if lows else None,
            min(highs) if highs else None,
        )


def _number(term) -> float | None:
    try:
        return float(term.toPython()) if isinstance(term, Literal) else None
    except (TypeError, ValueError):
        return None


def alternatives(shapes: rdflib.Graph, shape, depth: int = 0) -> list[Alternative]:
    """The branches of a shape's value constraints (sh:or/sh:xone split them, sh:and/sh:node join them)."""
    own = Alternative(
        set(shapes.objects(shape, SH.datatype)),
        set(shapes.objects(shape, SH["class"])),
        set(shapes.objects(shape, SH.nodeKind)),
        set(shapes.objects(shape, SH.hasValue)),
    )
    for head in shapes.objects(shape, SH["in"]):
        own.values |= set(Collection(shapes, head))
    lows = [_number(v) for v in shapes.objects(shape, SH.minInclusive)]
    lows += [
        None if (n := _number(v)) is None else math.floor(n) + 1
        for v in shapes.objects(shape, SH.minExclusive)
    ]
    highs = [_number(v) for v in shapes.objects(shape, SH.maxInclusive)]
    highs += [
        None if (n := _number(v)) is None else math.ceil(n) - 1
        for v in shapes.objects(shape, SH.maxExclusive)
    ]
    own.low = max((b for b in lows if b is not None), default=None)
    own.high = min((b for b in highs if b is not None), default=None)
    branches = [own]
    if depth > 10:
        return branches
    joined = [m for head in shapes.objects(shape, SH["and"]) for m in Collection(shapes, head)]
    joined += list(shapes.objects(shape, SH.node))
    for member in joined:
        branches = [b.merge(m) for b in branches for m in alternatives(shapes, member, depth + 1)]
    for logical in (SH["or"], SH.xone):
        for head in shapes.objects(shape, logical):
            members = [
                m for member in Collection(shapes, head) for m in alternatives(shapes, member, depth + 1)
            ]
            branches = [b.merge(m) for b in branches for m in members]
    return branches


def _short(term) -> str:
    text = str(term)
    for prefix, ns in (
        ("xsd:", str(XSD)),
        ("rdf:", str(RDF)),
        ("rdfs:", str(RDFS)),
        ("sh:", str(SH)),
        ("ots:", "https://w3id.org/otsgraph/ontology/"),
    ):
        if text.startswith(ns):
            return prefix + text[len(ns) :]
    return f"<{text}>"


def disagreements(ontology_graph: rdflib.Graph, shapes: rdflib.Graph) -> list[str]:
    """Every way the shapes and the ontology's ranges disagree, in words; empty when they agree."""
    onto = Ontology(ontology_graph)
    problems = []
    for prop, range_ in ontology_graph.subject_objects(RDFS.range):
        if onto.is_datatype(range_) and str(range_) not in checks.OWL2_DATATYPES:
            problems.append(
                f"{_short(prop)} has rdfs:range {_short(range_)}, which is outside the OWL 2 datatype map: "
                "use rdfs:Literal and let the shapes constrain the datatype"
            )
    for shape, path in sorted(shapes.subject_objects(SH.path)):
        if not isinstance(path, URIRef):
            continue  # a complex path has no single property whose range applies
        ranges = onto.ranges(path)
        kind = onto.kind(path)
        where = f"shape on {_short(path)}"
        for alt in alternatives(shapes, shape):
            literal_only = bool(alt.datatypes) or (alt.kinds and alt.kinds <= LITERAL_KINDS)
            node_only = bool(alt.classes) or (alt.kinds and alt.kinds <= NODE_KINDS)
            if kind == "object" and literal_only:
                problems.append(f"{where}: a literal ({_kinds(alt)}), but it is an owl:ObjectProperty")
            if kind == "datatype" and node_only:
                problems.append(f"{where}: a node ({_kinds(alt)}), but it is an owl:DatatypeProperty")
            for range_ in ranges:
                if onto.is_datatype(range_):
                    problems += _against_datatype(where, alt, range_)
                else:
                    problems += _against_class(where, alt, range_, onto)
    return sorted(set(problems))


def _kinds(alt: Alternative) -> str:
    parts = [f"sh:datatype {_short(d)}" for d in alt.datatypes]
    parts += [f"sh:class {_short(c)}" for c in alt.classes] + [f"sh:nodeKind {_short(k)}" for k in alt.kinds]
    return ", ".join(sorted(parts)) or "values"


def _against_datatype(where: str, alt: Alternative, range_) -> list[str]:
    problems = []
    r = _short(range_)
    for cls in alt.classes:
        problems.append(f"{where}: sh:class {_short(cls)}, but the rdfs:range is the datatype {r}")
    for k in alt.kinds:
        if k in NODE_KINDS or (k in MIXED_KINDS and not alt.datatypes):
            problems.append(
                f"{where}: sh:nodeKind {_short(k)} allows nodes, but the rdfs:range is the datatype {r}"
            )
    for dt in alt.datatypes:
        if not checks.datatype_within_range(str(dt), str(range_), alt.low, alt.high):
            bounds = "" if alt.low is None and alt.high is None else f" (bounds {alt.low}..{alt.high})"
            problems.append(
                f"{where}: sh:datatype {_short(dt)}{bounds} allows values outside the rdfs:range {r}"
            )
    for value in alt.values:
        if not isinstance(value, Literal):
            problems.append(
                f"{where}: the value {_short(value)} is a node, but the rdfs:range is the datatype {r}"
            )
        elif not checks.satisfies_range(_ox_literal(value), str(range_)):
            problems.append(f"{where}: the value {value.n3()} does not satisfy the rdfs:range {r}")
    return problems


def _against_class(where: str, alt: Alternative, range_, onto: Ontology) -> list[str]:
    problems = []
    r = _short(range_)
    for dt in alt.datatypes:
        problems.append(f"{where}: sh:datatype {_short(dt)}, but the rdfs:range is the class {r}")
    for k in alt.kinds:
        if k in LITERAL_KINDS or (k in MIXED_KINDS and not alt.classes):
            problems.append(
                f"{where}: sh:nodeKind {_short(k)} allows literals, but the rdfs:range is the class {r}"
            )
    for cls in alt.classes:
        if range_ not in onto.superclasses(cls):
            problems.append(f"{where}: sh:class {_short(cls)} is not a subclass of the rdfs:range {r}")
    for value in alt.values:
        if isinstance(value, Literal):
            problems.append(
                f"{where}: the value {value.n3()} is a literal, but the rdfs:range is the class {r}"
            )
    return problems


def _ox_literal(value: Literal) -> ox.Literal:
    if value.language:
        return ox.Literal(str(value), language=value.language)
    return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype or XSD.string)))


# ---- The shipped files ---------------------------------------------------------------------------


def test_the_shipped_shapes_agree_with_the_ontology():
    problems = disagreements(read_folder(REPO / "ontology"), read_folder(REPO / "shapes"))
    assert not problems, "\n".join(problems)


def test_every_datatype_range_is_in_the_owl2_datatype_map():
    ontology = read_folder(REPO / "ontology")
    ranges = {r for r in ontology.objects(None, RDFS.range) if Ontology(ontology).is_datatype(r)}
    assert ranges, "the ontology has datatype ranges"
    assert {str(r) for r in ranges} <= checks.OWL2_DATATYPES


def test_the_checker_sees_the_shipped_offsets_shapes():
    """The checker reads the property shapes it is meant to compare (not an empty walk that agrees)."""
    shapes = read_folder(REPO / "shapes")
    paths = {p for p in shapes.objects(None, SH.path) if isinstance(p, URIRef)}
    ots = "https://w3id.org/otsgraph/ontology/"
    assert {URIRef(ots + "quoteStart"), URIRef(ots + "quoteEnd"), URIRef(ots + "ordinal")} <= paths
    ordinal = next(s for s, p in shapes.subject_objects(SH.path) if p == URIRef(ots + "ordinal"))
    branches = alternatives(shapes, ordinal)
    assert len(branches) == 2 and all(b.low == 1 for b in branches)


# ---- Planted failures: the checker itself ----------------------------------------------------------

PREFIXES = """
@prefix ots: <https://w3id.org/otsgraph/ontology/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
TINY_ONTOLOGY = (
    PREFIXES
    + """
ots:quoteEnd a owl:DatatypeProperty ; rdfs:range xsd:nonNegativeInteger .
ots:ordinal a owl:DatatypeProperty ; rdfs:range xsd:positiveInteger .
ots:value a owl:DatatypeProperty ; rdfs:range xsd:decimal .
ots:quote a owl:DatatypeProperty ; rdfs:range rdf:langString .
ots:Place a owl:Class . ots:State a owl:Class ; rdfs:subClassOf ots:Place . ots:Person a owl:Class .
ots:heldIn a owl:ObjectProperty ; rdfs:range ots:Place .
ots:inCountry a owl:ObjectProperty ; rdfs:subPropertyOf ots:heldIn .
"""
)


def _check(shape: str, ontology: str = TINY_ONTOLOGY) -> list[str]:
    shapes = rdflib.Graph().parse(data=PREFIXES + shape, format="turtle")
    return disagreements(rdflib.Graph().parse(data=ontology, format="turtle"), shapes)


def test_planted_the_quote_end_bug_is_caught():
    """Issue 11: the range said xsd:nonNegativeInteger, the shape any xsd:integer; no literal passed both."""
    problems = _check("[] sh:path ots:quoteEnd ; sh:datatype xsd:integer .")
    assert problems == [
        "shape on ots:quoteEnd: sh:datatype xsd:integer allows values outside the rdfs:range "
        "xsd:nonNegativeInteger"
    ]
    assert _check("[] sh:path ots:quoteEnd ; sh:datatype xsd:integer ; sh:minInclusive 0 .") == []
    assert _check("[] sh:path ots:quoteEnd ; sh:datatype xsd:integer ; sh:minExclusive -1 .") == []
    assert _check("[] sh:path ots:quoteEnd ; sh:datatype xsd:nonNegativeInteger .") == []
    assert _check("[] sh:path ots:quoteEnd ; sh:datatype xsd:positiveInteger .") == []  # a subtype
    assert _check("[] sh:path ots:quoteEnd ; sh:datatype xsd:decimal ; sh:minInclusive 0 .")  # 0.5


def test_planted_a_wrong_branch_of_an_or_is_caught():
    shape = (
        "[] sh:path ots:ordinal ; sh:or ( [ sh:datatype xsd:positiveInteger ] [ sh:datatype xsd:integer ] ) ."
    )
    assert _check(shape) == [
        "shape on ots:ordinal: sh:datatype xsd:integer allows values outside the rdfs:range "
        "xsd:positiveInteger"
    ]
    bounded = shape.replace("sh:or", "sh:minInclusive 1 ; sh:or")
    assert _check(bounded) == []
    assert (
        _check("[] sh:path ots:value ; sh:or ( [ sh:datatype xsd:decimal ] [ sh:datatype xsd:integer ] ) .")
        == []
    )
    assert _check("[] sh:path ots:value ; sh:or ( [ sh:datatype xsd:decimal ] [ sh:datatype xsd:double ] ) .")


def test_planted_literal_against_a_class_and_node_against_a_datatype():
    assert _check("[] sh:path ots:heldIn ; sh:nodeKind sh:Literal .") == [
        "shape on ots:heldIn: a literal (sh:nodeKind sh:Literal), but it is an owl:ObjectProperty",
        "shape on ots:heldIn: sh:nodeKind sh:Literal allows literals, but the rdfs:range is the class "
        "ots:Place",
    ]
    assert _check("[] sh:path ots:quoteEnd ; sh:nodeKind sh:IRI .") == [
        "shape on ots:quoteEnd: a node (sh:nodeKind sh:IRI), but it is an owl:DatatypeProperty",
        "shape on ots:quoteEnd: sh:nodeKind sh:IRI allows nodes, but the rdfs:range is the datatype "
        "xsd:nonNegativeInteger",
    ]
    assert _check("[] sh:path ots:quote ; sh:datatype xsd:string .")  # a plain string is not a langString
    assert _check("[] sh:path ots:quote ; sh:datatype rdf:langString .") == []
    assert _check("[] sh:path ots:heldIn ; sh:datatype xsd:string .")


def test_planted_classes_follow_subclasses_and_super_properties():
    assert _check("[] sh:path ots:heldIn ; sh:class ots:State .") == []  # State ⊑ Place
    assert _check("[] sh:path ots:inCountry ; sh:class ots:State .") == []  # the range of the super-property
    assert _check("[] sh:path ots:inCountry ; sh:class ots:Person .") == [
        "shape on ots:inCountry: sh:class ots:Person is not a subclass of the rdfs:range ots:Place"
    ]
    assert _check("[] sh:path ots:quoteEnd ; sh:class ots:Place .")


def test_planted_values_in_sh_in_and_sh_has_value():
    assert _check("[] sh:path ots:quoteEnd ; sh:in ( 1 2 3 ) .") == []
    assert _check("[] sh:path ots:quoteEnd ; sh:hasValue -1 .") == [
        'shape on ots:quoteEnd: the value "-1"^^<http://www.w3.org/2001/XMLSchema#integer> '
        "does not satisfy the rdfs:range xsd:nonNegativeInteger"
    ]
    assert _check("[] sh:path ots:heldIn ; sh:in ( ots:State ) .") == []


def test_planted_a_range_outside_the_owl2_datatype_map_is_caught():
    ontology = TINY_ONTOLOGY + "ots:earliestDate a owl:DatatypeProperty ; rdfs:range xsd:date .\n"
    assert _check("[] sh:path ots:earliestDate ; sh:datatype xsd:date .", ontology) == [
        "ots:earliestDate has rdfs:range xsd:date, which is outside the OWL 2 datatype map: "
        "use rdfs:Literal and let the shapes constrain the datatype"
    ]
    fixed = TINY_ONTOLOGY + "ots:earliestDate a owl:DatatypeProperty ; rdfs:range rdfs:Literal .\n"
    assert _check("[] sh:path ots:earliestDate ; sh:datatype xsd:date .", fixed) == []


# ---- The gate follows the same rule ----------------------------------------------------------------

OTS = "https://w3id.org/otsgraph/ontology/"


class _Context:
    def __init__(self, triples) -> None:
        self.ontology = triples


def _literal_findings(prop: str, range_: str, literal: ox.Literal) -> list[str]:
    node = ox.NamedNode
    context = _Context([(node(OTS + prop), node(str(RDFS.range)), node(range_))])
    quad = ox.Quad(node("https://w3id.org/otsgraph/claim/x"), node(OTS + prop), literal, ox.DefaultGraph())
    return [f.message for f in checks.literals(context, [quad])]


@pytest.mark.parametrize(
    ("prop", "range_", "lexical", "datatype", "ok"),
    [
        ("quoteEnd", XSD.nonNegativeInteger, "42360", XSD.integer, True),  # as the shipped data writes it
        ("quoteEnd", XSD.nonNegativeInteger, "42360", XSD.nonNegativeInteger, True),
        ("quoteEnd", XSD.nonNegativeInteger, "0", XSD.integer, True),
        ("quoteEnd", XSD.nonNegativeInteger, "-1", XSD.integer, False),
        ("quoteEnd", XSD.nonNegativeInteger, "42360", XSD.string, False),
        ("ordinal", XSD.positiveInteger, "9", XSD.integer, True),
        ("ordinal", XSD.positiveInteger, "0", XSD.integer, False),
        ("ordinal", XSD.positiveInteger, "9", XSD.unsignedByte, True),  # not a subtype, but 9 is in it
        ("value", XSD.decimal, "1340000000000", XSD.integer, True),
        ("value", XSD.decimal, "1.5E3", XSD.double, False),  # doubles are not reals in OWL 2
        ("bracketReference", XSD.integer, "5.0", XSD.decimal, True),  # the value 5
        ("bracketReference", XSD.integer, "5.5", XSD.decimal, False),
    ],
)
def test_the_gate_literal_check_follows_the_rule(prop, range_, lexical, datatype, ok):
    findings = _literal_findings(prop, str(range_), ox.Literal(lexical, datatype=ox.NamedNode(str(datatype))))
    assert (findings == []) is ok, findings


def test_the_gate_messages_say_what_is_wrong():
    out_of_range = _literal_findings(
        "quoteEnd", str(XSD.nonNegativeInteger), ox.Literal("-1", datatype=ox.NamedNode(str(XSD.integer)))
    )
    assert out_of_range == [
        "Value out of range: ots:quoteEnd takes xsd:nonNegativeInteger values; '-1' (xsd:integer) is not one."
    ]
    wrong = _literal_findings("ordinal", str(XSD.positiveInteger), ox.Literal("third"))
    assert wrong == ["Wrong datatype: ots:ordinal takes xsd:positiveInteger, not xsd:string."]


# ---- End to end: `otsgraph validate` with the shipped ontology and shapes ----------------------------

CLAIM = """
@prefix ots: <https://w3id.org/otsgraph/ontology/> .
@prefix res: <https://w3id.org/otsgraph/resource/> .
@prefix claim: <https://w3id.org/otsgraph/claim/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

claim:agree-test {{
    res:summit-tc-2012-bishkek ots:heldIn res:bishkek .
{extra}
}}
claim:agree-test a ots:Claim ;
    prov:wasDerivedFrom res:source-article ;
    ots:quote "Бішкекте"@kk ;
    ots:quoteStart {start} ; ots:quoteEnd {end} .
"""
FIGURE = """    res:figure-agree-test a ots:EconomicFigure ;
        rdfs:label "Test figure"@en , "Сынақ көрсеткіші"@kk , "Тестовый показатель"@ru ;
        ots:indicator res:indicator-gdp ; ots:unit res:unit-usd ; ots:value 1000 ; ots:isForecast false ;
        ots:about res:kazakhstan ; ots:statedValue "1000"@kk ; ots:referenceYear {year} ."""


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    from gate_support import seeded_store_dir

    return seeded_store_dir(tmp_path_factory.mktemp("agree"), tmp_path_factory.getbasetemp())


def _validate(store_dir, tmp_path, text: str) -> tuple[int, str]:
    import contextlib
    import io

    from otsgraph.cli import main

    path = tmp_path / "claim.trig"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["validate", "-q", "--store", str(store_dir), str(path)])
    return code, out.getvalue()


def test_a_claim_written_as_the_data_writes_it_validates(store_dir, tmp_path):
    code, out = _validate(store_dir, tmp_path, CLAIM.format(extra="", start="42251", end="42360"))
    assert code == 0, out


def test_typed_offsets_and_negative_offsets(store_dir, tmp_path):
    typed = CLAIM.format(
        extra="", start='"42251"^^xsd:nonNegativeInteger', end='"42360"^^xsd:nonNegativeInteger'
    )
    code, out = _validate(store_dir, tmp_path, typed)
    assert (
        code == 1 and "ots:quoteEnd must be one positive xsd:integer" in out
    )  # the shapes name the lexical type
    code, out = _validate(store_dir, tmp_path, CLAIM.format(extra="", start="-5", end="-1"))
    assert code == 1 and "Value out of range: ots:quoteEnd" in out, out


def test_dates_outside_the_datatype_map_are_refused_through_the_shapes(store_dir, tmp_path):
    good = CLAIM.format(extra=FIGURE.format(year='"2024"^^xsd:gYear'), start="42251", end="42360")
    code, out = _validate(store_dir, tmp_path, good)
    assert code == 0, out
    wrong = CLAIM.format(extra=FIGURE.format(year="2024"), start="42251", end="42360")
    code, out = _validate(store_dir, tmp_path, wrong)
    assert code == 1 and "ots:referenceYear" in out, out
    derived = CLAIM.format(
        extra='    res:summit-tc-2012-bishkek ots:earliestDate "2012"^^xsd:gYear .',
        start="42251",
        end="42360",
    )
    code, out = _validate(store_dir, tmp_path, derived)
    assert code == 1 and "ots:earliestDate must be an xsd:date" in out, out
