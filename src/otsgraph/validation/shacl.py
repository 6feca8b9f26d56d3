"""A fast SHACL Core validator over indexed triples, with pySHACL as the reference.

pySHACL takes about 35 s to validate 100k triples against the shipped shapes (most of it in
per-node graph lookups through rdflib), far over the build's budget. This module evaluates
the same SHACL Core constraint components over Python dictionaries of the (already reasoned)
triples. It implements the components listed in COMPONENTS; `unsupported` reports any other
SHACL construct a shapes graph uses, and validation.py then falls back to pySHACL, so a gap
can never pass silently. Tests check that both validators report the same results on the
shipped graph and on every shape fixture.

Class targets (explicit, and the implicit target of a shape that is also an rdfs:Class) and
sh:class read rdf:type directly: the data is the OWL RL closure, which already holds every
superclass type. sh:minInclusive and the other bounds, sh:lessThan and sh:lessThanOrEquals order
values as SPARQL does: numbers of any XSD numeric type with each other, strings, xsd:dateTime
(and xsd:date, as pySHACL does); anything else (xsd:gYear among them) cannot be ordered and so
fails the bound. sh:flags takes the XPath flags s, m, i and x (pySHACL reads i and m only).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pyoxigraph import BlankNode, Literal, NamedNode

from otsgraph.core.namespaces import RDF_TYPE

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_CLASS = NamedNode("http://www.w3.org/2000/01/rdf-schema#Class")
RDFS_SUBCLASS_OF = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
RDF_FIRST, RDF_REST, RDF_NIL = NamedNode(RDF + "first"), NamedNode(RDF + "rest"), NamedNode(RDF + "nil")
LANG_STRING = NamedNode(RDF + "langString")
XSD_STRING = NamedNode(XSD + "string")


def sh(name: str) -> NamedNode:
    return NamedNode(SH + name)


COMPONENTS = {
    sh(n)
    for n in [
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "languageIn",
        "uniqueLang",
        "pattern",
        "flags",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "minLength",
        "maxLength",
        "in",
        "hasValue",
        "lessThan",
        "lessThanOrEquals",
        "equals",
        "disjoint",
        "or",
        "and",
        "not",
        "xone",
        "node",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint",
        "property",
    ]
}
#: predicates that carry no constraint of their own
DESCRIPTIVE = {
    sh(n)
    for n in [
        "path",
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "severity",
        "message",
        "name",
        "description",
        "deactivated",
        "order",
        "group",
        "defaultValue",
    ]
} | {RDF_TYPE}
UNSUPPORTED = {sh(n) for n in ("closed", "ignoredProperties", "sparql", "target", "rule", "js")}
#: the kinds of path that take one path as argument (sequence paths are RDF lists)
PATH_KINDS = {sh(n) for n in ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath")}

Term = NamedNode | BlankNode | Literal


def is_true(term: Term) -> bool:
    """An xsd:boolean true, in either lexical form ("true" or "1")."""
    return isinstance(term, Literal) and term.value in ("true", "1")


@dataclass(frozen=True)
class Result:
    """One validation result, as pySHACL reports it."""

    focus: Term
    path: Term | None
    value: Term | None
    message: str
    severity: NamedNode
    shape: Term
    component: NamedNode


@dataclass
class Shape:
    node: Term
    path: Term | None
    params: dict[NamedNode, list[Term]] = field(default_factory=dict)
    severity: NamedNode = field(default_factory=lambda: sh("Violation"))
    messages: list[str] = field(default_factory=list)
    deactivated: bool = False
    #: params by component local name ("minCount"), read once: validate_shape runs for every node
    components: list[tuple[str, list[Term]]] = field(default_factory=list)


class ShapesGraph:
    """The shapes, read out of triples."""

    def __init__(self, triples: Iterable[tuple]) -> None:
        self.by_subject: dict = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            self.by_subject[s][p].append(o)
        self._shapes: dict[Term, Shape] = {}
        self._lists: dict[Term, list[Term]] = {}

    def values(self, node: Term, name: str) -> list[Term]:
        return self.by_subject.get(node, {}).get(sh(name), [])

    def rdf_list(self, head: Term) -> list[Term]:
        """The members of the list at `head` (read once: the shapes do not change)."""
        found = self._lists.get(head)
        if found is None:
            found, node = [], head
            while node != RDF_NIL and node in self.by_subject:
                found.append(self.by_subject[node][RDF_FIRST][0])
                node = self.by_subject[node][RDF_REST][0]
            self._lists[head] = found
        return found

    def shape(self, node: Term) -> Shape:
        if node not in self._shapes:
            props = self.by_subject.get(node, {})
            paths = props.get(sh("path"), [])
            shape = Shape(node, paths[0] if paths else None)
            shape.params = {p: v for p, v in props.items() if p in COMPONENTS}
            shape.components = [(p.value.removeprefix(SH), v) for p, v in shape.params.items()]
            severities = props.get(sh("severity"), [])
            if severities:
                shape.severity = severities[0]
            shape.messages = [m.value for m in props.get(sh("message"), []) if isinstance(m, Literal)]
            shape.deactivated = any(is_true(v) for v in props.get(sh("deactivated"), []))
            self._shapes[node] = shape
        return self._shapes[node]

    def implicit_class_targets(self) -> set[Term]:
        """The shapes that are also classes, and so target their own instances (SHACL 2.1.3.3): SHACL
        instances of rdfs:Class (through rdfs:subClassOf in the shapes graph) and of sh:NodeShape or
        sh:PropertyShape."""
        if not hasattr(self, "_implicit"):
            classes, pending = {RDFS_CLASS}, [RDFS_CLASS]
            subclasses = defaultdict(list)
            for s, props in self.by_subject.items():
                for o in props.get(RDFS_SUBCLASS_OF, []):
                    subclasses[o].append(s)
            while pending:
                for sub in subclasses.get(pending.pop(), []):
                    if sub not in classes:
                        classes.add(sub)
                        pending.append(sub)
            shape_types = {sh("NodeShape"), sh("PropertyShape")}
            self._implicit = {
                s
                for s, props in self.by_subject.items()
                if not classes.isdisjoint(props.get(RDF_TYPE, []))
                and not shape_types.isdisjoint(props.get(RDF_TYPE, []))
            }
        return self._implicit

    def targeted(self) -> list[Term]:
        kinds = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
        implicit = self.implicit_class_targets()
        return [
            s for s, props in self.by_subject.items() if s in implicit or any(sh(k) in props for k in kinds)
        ]

    def siblings(self, shape_node: Term) -> list[Term]:
        """The sibling shapes of a qualified value shape (SHACL 4.7.3): the values of
        sh:property/sh:qualifiedValueShape of every shape that has this one as a sh:property, less
        this shape's own sh:qualifiedValueShape."""
        if not hasattr(self, "_parents"):
            self._parents: dict = defaultdict(list)
            for s, props in self.by_subject.items():
                for o in props.get(sh("property"), []):
                    self._parents[o].append(s)
        own = self.values(shape_node, "qualifiedValueShape")
        found = {
            q: None
            for parent in self._parents.get(shape_node, [])
            for prop in self.values(parent, "property")
            for q in self.values(prop, "qualifiedValueShape")
            if q not in own
        }
        return list(found)

    def named_parent(self, shape: Term) -> NamedNode | None:
        """The named node shape a blank property shape belongs to (a report names it by that)."""
        parents = self.__dict__.get("_parents")
        if parents is None:
            parents = {
                v: s
                for s, props in self.by_subject.items()
                if isinstance(s, NamedNode)
                for v in props.get(sh("property"), [])
                if isinstance(v, BlankNode)
            }
            self.__dict__["_parents"] = parents
        return parents.get(shape)

    def known_path(self, path: Term, depth: int = 0) -> bool:
        """Whether the validator can follow the path (a cyclic or malformed one it cannot)."""
        if isinstance(path, NamedNode):
            return True
        props = self.by_subject.get(path, {})
        if depth > 50 or isinstance(path, Literal) or not props:
            return False
        if RDF_FIRST in props:
            return all(self.known_path(step, depth + 1) for step in self.rdf_list(path))
        if sh("alternativePath") in props:
            options = self.rdf_list(props[sh("alternativePath")][0])
            return all(self.known_path(step, depth + 1) for step in options)
        kinds = [k for k in PATH_KINDS if k in props]
        return len(kinds) == 1 and self.known_path(props[kinds[0]][0], depth + 1)

    def unsupported(self) -> list[tuple]:
        found = [(s, p) for s, props in self.by_subject.items() for p in props if p in UNSUPPORTED]
        return found + [
            (s, sh("path"))
            for s, props in self.by_subject.items()
            if sh("path") in props and not all(self.known_path(p) for p in props[sh("path")])
        ]


class DataIndex:
    """Triples by subject and (built on first use: only inverse paths and sh:targetObjectsOf need
    it, and the shipped shapes use neither) by object, for path evaluation."""

    def __init__(self, triples: Iterable[tuple]) -> None:
        self.out: dict = defaultdict(lambda: defaultdict(list))
        self.instances: dict = defaultdict(list)
        self._triples = triples if isinstance(triples, (list, tuple, set, frozenset)) else list(triples)
        self._into: dict | None = None
        for s, p, o in self._triples:
            self.out[s][p].append(o)
            if p == RDF_TYPE:
                self.instances[o].append(s)

    @property
    def into(self) -> dict:
        if self._into is None:
            into: dict = defaultdict(lambda: defaultdict(list))
            for s, p, o in self._triples:
                into[o][p].append(s)
            self._into = into
        return self._into

    def types(self, node: Term) -> list[Term]:
        return self.out.get(node, {}).get(RDF_TYPE, [])


# ---- Literal checks ----------------------------------------------------------------------

#: the bounds of the integer types' value spaces (None: unbounded), by datatype IRI
INTEGER_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    XSD + "integer": (None, None),
    XSD + "nonNegativeInteger": (0, None),
    XSD + "positiveInteger": (1, None),
    XSD + "nonPositiveInteger": (None, 0),
    XSD + "negativeInteger": (None, -1),
    XSD + "long": (-(2**63), 2**63 - 1),
    XSD + "int": (-(2**31), 2**31 - 1),
    XSD + "short": (-(2**15), 2**15 - 1),
    XSD + "byte": (-(2**7), 2**7 - 1),
    XSD + "unsignedLong": (0, 2**64 - 1),
    XSD + "unsignedInt": (0, 2**32 - 1),
    XSD + "unsignedShort": (0, 2**16 - 1),
    XSD + "unsignedByte": (0, 2**8 - 1),
}
_ZONE = r"(Z|[+-]\d{2}:\d{2})"
_TIME = r"\d{2}:\d{2}:\d{2}(\.\d+)?"
_YEAR = r"-?(?:[1-9]\d{3,}|0\d{3})"


def _calendar_date(year: str, month: str, day: str) -> None:
    """Raise ValueError unless the day exists in that month of that year. Leap years repeat every 400
    years, so any year (XSD 1.1 has a year 0, a leap year) maps onto one of 2000-2399."""
    dt.date(2000 + int(year) % 400, int(month), int(day))


def _integer_in_bounds(name: str) -> Callable[[str], object]:
    low, high = INTEGER_BOUNDS[XSD + name]

    def check(value: str) -> object:
        if not re.fullmatch(r"[+-]?\d+", value):
            raise ValueError(value)
        number = int(value)
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(value)
        return number

    return check


def _date_time(value: str, zone_required: bool) -> object:
    """xsd:dateTime (xsd:dateTimeStamp with the zone required): a real date and time; 24:00:00 is allowed."""
    if not re.fullmatch(rf"{_YEAR}-\d{{2}}-\d{{2}}T{_TIME}{_ZONE}{'' if zone_required else '?'}", value):
        raise ValueError(value)
    date, _, time = value.partition("T")
    _calendar_date(date[:-6], date[-5:-3], date[-2:])
    hours, minutes, seconds = int(time[:2]), int(time[3:5]), float(time[6:8])
    if (hours, minutes, seconds) != (24, 0, 0.0) and (hours > 23 or minutes > 59 or seconds > 59):
        raise ValueError(value)
    return value


_LEXICAL: dict[str, Callable[[str], object]] = {
    **{name.removeprefix(XSD): _integer_in_bounds(name.removeprefix(XSD)) for name in INTEGER_BOUNDS},
    "double": lambda v: re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([Ee][+-]?\d+)?|[+-]?INF|NaN", v) or 1 / 0,
    "float": lambda v: re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([Ee][+-]?\d+)?|[+-]?INF|NaN", v) or 1 / 0,
    "dateTime": lambda v: _date_time(v, zone_required=False),
    "dateTimeStamp": lambda v: _date_time(v, zone_required=True),
    "date": lambda v: _calendar_date(
        *re.fullmatch(rf"({_YEAR})-(\d{{2}})-(\d{{2}}){_ZONE}?", v).groups()[:3]
    ),
    "gYear": lambda v: re.fullmatch(rf"{_YEAR}{_ZONE}?", v) or 1 / 0,
    "gYearMonth": lambda v: _calendar_date(
        *re.fullmatch(rf"({_YEAR})-(\d{{2}}){_ZONE}?", v).groups()[:2], "1"
    ),
    "gMonthDay": lambda v: _calendar_date(
        "2000", *re.fullmatch(rf"--(\d{{2}})-(\d{{2}}){_ZONE}?", v).groups()[:2]
    ),
    "decimal": lambda v: Decimal(v) if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", v) else 1 / 0,
    "boolean": lambda v: v if v in ("true", "false", "1", "0") else 1 / 0,
    "anyURI": lambda v: v,
    "language": lambda v: re.fullmatch(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*", v) or 1 / 0,
}


def well_formed(literal: Literal) -> bool:
    name = literal.datatype.value.removeprefix(XSD)
    check = _LEXICAL.get(name) if literal.datatype.value.startswith(XSD) else None
    if check is None:
        return True
    try:
        check(literal.value)
    except (ValueError, ZeroDivisionError, InvalidOperation, TypeError, AttributeError):
        return False
    return True


#: the XSD numeric types, ordered as numbers with each other
_DECIMALS = {name.removeprefix(XSD) for name in INTEGER_BOUNDS} | {"decimal"}


def _date_time_value(value: str) -> dt.datetime:
    """A well-formed xsd:dateTime as a datetime (with a time zone if it has one); 24:00:00 is the next
    day's midnight. A year outside 1-9999 raises ValueError."""
    _date_time(value, zone_required=False)
    if value[11:19] == "24:00:00":
        moment = dt.datetime.fromisoformat(value[:11] + "00:00:00" + value[19:].lstrip(".0123456789"))
        return moment + dt.timedelta(days=1)
    return dt.datetime.fromisoformat(value)


def comparable(term: Term) -> object | None:
    """A Python value to order a literal by, or None if it is ill-formed or cannot be ordered: as in
    SPARQL, only numbers, strings and date-times are ordered (and xsd:date by its date alone, as
    pySHACL orders it). Numbers of every XSD numeric type are Decimal (float for xsd:double and
    xsd:float) and order with each other; a date-time with a time zone is not ordered against one
    without (nor does pySHACL order them)."""
    if not isinstance(term, Literal) or term.language:
        return None
    name = term.datatype.value.removeprefix(XSD)
    try:
        if name in _DECIMALS:
            return Decimal(_LEXICAL[name](term.value))
        if name in ("double", "float"):
            _LEXICAL[name](term.value)
            return float(term.value)
        if name == "string":
            return term.value
        if name in ("dateTime", "dateTimeStamp"):
            return _date_time_value(term.value)
        if name == "date" and re.fullmatch(rf"\d{{4}}-\d{{2}}-\d{{2}}{_ZONE}?", term.value):
            return dt.date.fromisoformat(term.value[:10])  # by the date alone, as pySHACL orders them
    except (ValueError, ZeroDivisionError, InvalidOperation):
        return None
    return None


def _ordered(x: object, y: object, or_equal: bool) -> bool:
    """x < y (x <= y) for two values of comparable(); False when they cannot be ordered."""
    if x is None or y is None:
        return False
    if type(x) is not type(y) and not (isinstance(x, Decimal | float) and isinstance(y, Decimal | float)):
        return False
    try:
        return x <= y if or_equal else x < y
    except (TypeError, InvalidOperation):  # a date-time with a time zone and one without; NaN
        return False


def _lt(a: Term, b: Term, or_equal: bool) -> bool:
    return _ordered(comparable(a), comparable(b), or_equal)


_XPATH_CLASS_OR_SPACE = re.compile(r"\\.|\[(?:\\.|[^\]])*\]|[\t\n\r ]")


def compile_pattern(pattern: str, flags: str) -> re.Pattern:
    """An XPath regular expression with its flags (s, m, i, x) as a Python one. x removes whitespace
    outside character classes (Python's re.X would also read # as a comment)."""
    if "x" in flags:
        pattern = _XPATH_CLASS_OR_SPACE.sub(lambda m: "" if m.group().isspace() else m.group(), pattern)
    options = {"s": re.DOTALL, "m": re.MULTILINE, "i": re.IGNORECASE}
    return re.compile(pattern, sum(v for k, v in options.items() if k in flags))


def _lang_matches(tag: str, wanted: str) -> bool:
    tag, wanted = tag.lower(), wanted.lower()
    return wanted == "*" or tag == wanted or tag.startswith(wanted + "-")


# ---- The validator -------------------------------------------------------------------------


_COMPONENT_IRIS: dict[str, NamedNode] = {}
#: what a check that only asks whether a node conforms records for a failure (never reported)
_UNREPORTED = NamedNode("urn:otsgraph:unreported")
_FAILED = Result(_UNREPORTED, None, None, "", NamedNode(SH + "Violation"), _UNREPORTED, _UNREPORTED)


def _component_iri(name: str) -> NamedNode:
    """sh:ClassConstraintComponent for "class" (made once per name)."""
    iri = _COMPONENT_IRIS.get(name)
    if iri is None:
        iri = _COMPONENT_IRIS[name] = sh(name[0].upper() + name[1:] + "ConstraintComponent")
    return iri


class Validator:
    def __init__(self, shapes: ShapesGraph, data: DataIndex) -> None:
        self.shapes = shapes
        self.data = data

    # paths
    def path_values(self, focus: Term, path: Term, inverse: bool = False) -> list[Term]:
        """The nodes the path leads to from the focus node (with inverse, the nodes it leads from)."""
        if isinstance(path, NamedNode):
            index = self.data.into if inverse else self.data.out
            return list(dict.fromkeys(index.get(focus, {}).get(path, [])))
        props = self.shapes.by_subject.get(path, {})
        if RDF_FIRST in props:  # a sequence path; its inverse is the inverse steps in reverse
            nodes = [focus]
            steps = self.shapes.rdf_list(path)
            for step in reversed(steps) if inverse else steps:
                nodes = list(dict.fromkeys(v for n in nodes for v in self.path_values(n, step, inverse)))
            return nodes
        if sh("inversePath") in props:
            return self.path_values(focus, props[sh("inversePath")][0], not inverse)
        if sh("alternativePath") in props:
            options = self.shapes.rdf_list(props[sh("alternativePath")][0])
            return list(dict.fromkeys(v for step in options for v in self.path_values(focus, step, inverse)))
        for name, include_self, repeat in (
            ("zeroOrMorePath", True, True),
            ("oneOrMorePath", False, True),
            ("zeroOrOnePath", True, False),
        ):
            if sh(name) in props:
                step = props[sh(name)][0]
                seen: dict = {focus: None} if include_self else {}
                frontier = [focus]
                while frontier:
                    nxt = [v for n in frontier for v in self.path_values(n, step, inverse) if v not in seen]
                    for v in nxt:
                        seen[v] = None
                    frontier = nxt if repeat else []
                return list(seen)
        raise NotImplementedError(f"unknown path {path}")

    def focus_nodes(self, shape_node: Term) -> list[Term]:
        nodes: dict = {}
        for cls in self.shapes.values(shape_node, "targetClass"):
            nodes.update(dict.fromkeys(self.data.instances.get(cls, [])))
        if shape_node in self.shapes.implicit_class_targets():
            nodes.update(dict.fromkeys(self.data.instances.get(shape_node, [])))
        nodes.update(dict.fromkeys(self.shapes.values(shape_node, "targetNode")))
        for p in self.shapes.values(shape_node, "targetSubjectsOf"):
            nodes.update(dict.fromkeys(s for s, props in self.data.out.items() if p in props))
        for p in self.shapes.values(shape_node, "targetObjectsOf"):
            nodes.update(dict.fromkeys(o for o, props in self.data.into.items() if p in props))
        return list(nodes)

    def conforms(self, node: Term, shape_node: Term) -> bool:
        return not self.validate_shape(self.shapes.shape(shape_node), node, stop_early=True)

    def validate_all(self) -> list[Result]:
        results: list[Result] = []
        for shape_node in self.shapes.targeted():
            shape = self.shapes.shape(shape_node)
            for focus in self.focus_nodes(shape_node):
                results += self.validate_shape(shape, focus)
        return results

    def validate_shape(self, shape: Shape, focus: Term, stop_early: bool = False) -> list[Result]:
        if shape.deactivated:
            return []
        values = [focus] if shape.path is None else self.path_values(focus, shape.path)
        results: list[Result] = []

        def fail(component: str, value: Term | None) -> None:
            if stop_early:  # conforms() asks only whether there is a result: no need to make it
                results.append(_FAILED)
                return
            results.append(
                Result(
                    focus,
                    shape.path,
                    value,
                    "; ".join(shape.messages),
                    shape.severity,
                    shape.node,
                    _component_iri(component),  # sh:ClassConstraintComponent
                )
            )

        p = shape.params
        for name, args in shape.components:
            if name == "property":
                for prop in args:
                    prop_shape = self.shapes.shape(prop)
                    for v in values:
                        results += self.validate_shape(prop_shape, v, stop_early)
                continue
            for arg in args:  # a constraint may be given more than once on a shape: each one holds
                if stop_early and results:
                    return results
                if name == "class":
                    for v in values:
                        if isinstance(v, Literal) or not any(arg == t for t in self.data.types(v)):
                            fail(name, v)
                elif name == "datatype":
                    for v in values:
                        ok = isinstance(v, Literal) and v.datatype == arg
                        if ok and arg == XSD_STRING:
                            ok = not v.language
                        if not ok or not well_formed(v):
                            fail(name, v)
                elif name == "nodeKind":
                    allowed = {
                        "IRI": (NamedNode,),
                        "BlankNode": (BlankNode,),
                        "Literal": (Literal,),
                        "BlankNodeOrIRI": (BlankNode, NamedNode),
                        "BlankNodeOrLiteral": (BlankNode, Literal),
                        "IRIOrLiteral": (NamedNode, Literal),
                    }[arg.value.removeprefix(SH)]
                    for v in values:
                        if not isinstance(v, allowed):
                            fail(name, v)
                elif name == "minCount":
                    if len(values) < int(arg.value):
                        fail(name, None)
                elif name == "maxCount":
                    if len(values) > int(arg.value):
                        fail(name, None)
                elif name == "languageIn":
                    tags = [t.value for t in self.shapes.rdf_list(arg)]
                    for v in values:
                        if not (
                            isinstance(v, Literal)
                            and v.language
                            and any(_lang_matches(v.language, t) for t in tags)
                        ):
                            fail(name, v)
                elif name == "uniqueLang":
                    if is_true(arg):
                        counts: dict = defaultdict(int)
                        for v in values:
                            if isinstance(v, Literal) and v.language:
                                counts[v.language.lower()] += 1
                        for _ in (lang for lang, n in counts.items() if n > 1):
                            fail(name, None)
                elif name == "pattern":
                    regex = compile_pattern(arg.value, "".join(f.value for f in p.get(sh("flags"), [])))
                    for v in values:
                        if isinstance(v, BlankNode) or not regex.search(v.value):
                            fail(name, v)
                elif name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
                    inclusive, bound = name.endswith("Inclusive"), comparable(arg)
                    for v in values:  # an ill-formed value cannot be ordered, so it fails the bound
                        x = comparable(v)
                        low, high = (bound, x) if name.startswith("min") else (x, bound)
                        if not _ordered(low, high, inclusive):
                            fail(name, v)
                elif name in ("minLength", "maxLength"):
                    for v in values:
                        size = None if isinstance(v, BlankNode) else len(v.value)
                        limit = int(arg.value)
                        if size is None or (size < limit if name == "minLength" else size > limit):
                            fail(name, v)
                elif name == "in":
                    allowed_values = self.shapes.rdf_list(arg)
                    for v in values:
                        if v not in allowed_values:
                            fail(name, v)
                elif name == "hasValue":
                    if arg not in values:
                        fail(name, None)
                elif name in ("lessThan", "lessThanOrEquals"):
                    others = self.data.out.get(focus, {}).get(arg, [])
                    for v in values:
                        for w in others:
                            if not _lt(v, w, name == "lessThanOrEquals"):
                                fail(name, v)
                elif name in ("equals", "disjoint"):
                    others = set(self.data.out.get(focus, {}).get(arg, []))
                    mine = set(values)
                    if name == "equals":
                        for v in mine ^ others:
                            fail(name, v)
                    else:
                        for v in mine & others:
                            fail(name, v)
                elif name in ("or", "and", "xone"):
                    members = self.shapes.rdf_list(arg)
                    for v in values:  # each stops at the first member that settles it
                        passing = (m for m in members if self.conforms(v, m))
                        if name == "or":
                            ok = next(passing, None) is not None
                        elif name == "and":
                            ok = all(self.conforms(v, m) for m in members)
                        else:  # xone: one passes and no second one
                            ok = next(passing, None) is not None and next(passing, None) is None
                        if not ok:
                            fail(name, v)
                elif name == "not":
                    for v in values:
                        if self.conforms(v, arg):
                            fail(name, v)
                elif name == "node":
                    for v in values:
                        if not self.conforms(v, arg):
                            fail(name, v)
                elif name == "qualifiedValueShape":
                    disjoint = any(is_true(d) for d in p.get(sh("qualifiedValueShapesDisjoint"), []))
                    siblings = self.shapes.siblings(shape.node) if disjoint else []
                    passed = sum(
                        1
                        for v in values
                        if self.conforms(v, arg) and not any(self.conforms(v, s) for s in siblings)
                    )
                    low = p.get(sh("qualifiedMinCount"))
                    high = p.get(sh("qualifiedMaxCount"))
                    if low and passed < int(low[0].value):
                        fail("qualifiedMinCount", None)
                    if high and passed > int(high[0].value):
                        fail("qualifiedMaxCount", None)
        return results


def validate_triples(data: Iterable[tuple], shapes: Iterable[tuple]) -> list[Result]:
    """Validate (reasoned) data triples against shape triples with the fast validator."""
    graph = ShapesGraph(shapes)
    if graph.unsupported():
        raise NotImplementedError(f"unsupported SHACL constructs: {graph.unsupported()[:3]}")
    return Validator(graph, DataIndex(data)).validate_all()
