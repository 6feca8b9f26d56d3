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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from otsgraph.core.interning import Interner
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
        self.triples = list(triples)
        for s, p, o in self.triples:
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
    """The data's triples as ids (core/interning.py): by predicate and subject, the instances of each
    class, and (built on first use: only inverse paths and sh:targetObjectsOf need it, and the shipped
    shapes use neither) by predicate and object.

    Given terms, it encodes the triples itself; the build gives it the ids it reasoned over, with
    their Interner (`terms`): at 1M triples, ids are what makes validation fit the build's budget.
    """

    def __init__(
        self, triples: Iterable[tuple], terms: Interner | None = None, predicates: set[Term] | None = None
    ) -> None:
        """`predicates`: index only the triples with these (a shapes graph can read no others than
        the IRIs it names); None: every triple."""
        if terms is None:
            terms = Interner()
            encode = terms.encode
            triples = dict.fromkeys(encode(t) for t in triples)
        elif not isinstance(triples, (set, frozenset)):
            # without repeats, in the order given: the build gives its triples in the order it made
            # them, which is their order in memory, and indexes them markedly faster in that order
            triples = dict.fromkeys(triples)
        self.terms = terms
        self.type = terms.id(RDF_TYPE)
        self._into: dict | None = None
        # no triple comes twice, so no list here has repeats: path values need no de-duplication
        by_predicate: dict[int, dict[int, list[int]]] = {}
        instances: dict[int, list[int]] = defaultdict(list)
        type_id = self.type
        wanted = None if predicates is None else {i for i in map(terms.get, predicates) if i is not None}
        for s, p, o in triples:
            if wanted is not None and p not in wanted:
                continue
            values = by_predicate.get(p)
            if values is None:
                values = by_predicate[p] = defaultdict(list)
            values[s].append(o)
            if p == type_id:
                instances[o].append(s)
        self.out = by_predicate
        self.instances = instances

    @property
    def into(self) -> dict[int, dict[int, list[int]]]:
        if self._into is None:
            into: dict = {}
            for p, subjects in self.out.items():
                by_object = into[p] = defaultdict(list)
                for s, objects in subjects.items():
                    for o in objects:
                        by_object[o].append(s)
            self._into = into
        return self._into


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
    """Validates the data of a DataIndex against a shapes graph. The methods taking terms (focus
    nodes, values) are the interface; the ones with a leading underscore work on the index's ids."""

    def __init__(self, shapes: ShapesGraph, data: DataIndex) -> None:
        self.shapes = shapes
        self.data = data
        self.terms = data.terms
        self._ids: dict[Term, int] = {}  # the shapes' terms as ids, each looked up once
        #: by id() of a Shape (the shapes graph keeps each one): its path's id when the path is one
        #: IRI, its property shapes, and its components with their arguments' ids
        self._compiled: dict[int, _Compiled] = {}

    def key(self, term: Term) -> int:
        """A shapes graph term as an id of the data's Interner (given one if the data lacks it)."""
        found = self._ids.get(term)
        if found is None:
            found = self._ids[term] = self.terms.id(term)
        return found

    # the interface, in terms
    def path_values(self, focus: Term, path: Term, inverse: bool = False) -> list[Term]:
        """The nodes the path leads to from the focus node (with inverse, the nodes it leads from)."""
        return [self.terms.term(v) for v in self._path_values(self.key(focus), path, inverse)]

    def focus_nodes(self, shape_node: Term) -> list[Term]:
        return [self.terms.term(n) for n in self._focus_nodes(shape_node)]

    def conforms(self, node: Term, shape_node: Term) -> bool:
        return self._conforms(self.key(node), shape_node)

    def validate_shape(self, shape: Shape, focus: Term, stop_early: bool = False) -> list[Result]:
        return self._validate_shape(shape, self.key(focus), stop_early)

    def validate_all(self) -> list[Result]:
        results: list[Result] = []
        for shape_node in self.shapes.targeted():
            shape = self.shapes.shape(shape_node)
            for focus in self._focus_nodes(shape_node):
                results += self._validate_shape(shape, focus)
        return results

    # paths
    def _path_values(self, focus: int, path: Term, inverse: bool = False) -> list[int]:
        if isinstance(path, NamedNode):
            index = self.data.into if inverse else self.data.out
            return index.get(self.key(path), {}).get(focus, [])
        props = self.shapes.by_subject.get(path, {})
        if RDF_FIRST in props:  # a sequence path; its inverse is the inverse steps in reverse
            nodes = [focus]
            steps = self.shapes.rdf_list(path)
            for step in reversed(steps) if inverse else steps:
                nodes = list(dict.fromkeys(v for n in nodes for v in self._path_values(n, step, inverse)))
            return nodes
        if sh("inversePath") in props:
            return self._path_values(focus, props[sh("inversePath")][0], not inverse)
        if sh("alternativePath") in props:
            options = self.shapes.rdf_list(props[sh("alternativePath")][0])
            return list(dict.fromkeys(v for step in options for v in self._path_values(focus, step, inverse)))
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
                    nxt = [v for n in frontier for v in self._path_values(n, step, inverse) if v not in seen]
                    for v in nxt:
                        seen[v] = None
                    frontier = nxt if repeat else []
                return list(seen)
        raise NotImplementedError(f"unknown path {path}")

    def _focus_nodes(self, shape_node: Term) -> list[int]:
        nodes: dict = {}
        instances = self.data.instances
        for cls in self.shapes.values(shape_node, "targetClass"):
            nodes.update(dict.fromkeys(instances.get(self.key(cls), [])))
        if shape_node in self.shapes.implicit_class_targets():
            nodes.update(dict.fromkeys(instances.get(self.key(shape_node), [])))
        nodes.update(dict.fromkeys(self.key(n) for n in self.shapes.values(shape_node, "targetNode")))
        for p in self.shapes.values(shape_node, "targetSubjectsOf"):
            nodes.update(dict.fromkeys(self.data.out.get(self.key(p), {})))
        for p in self.shapes.values(shape_node, "targetObjectsOf"):
            nodes.update(dict.fromkeys(self.data.into.get(self.key(p), {})))
        return list(nodes)

    def _conforms(self, node: int, shape_node: Term) -> bool:
        return not self._validate_shape(self.shapes.shape(shape_node), node, stop_early=True)

    def _compile(self, shape: Shape) -> _Compiled:
        """What validating a shape reads, prepared once (it runs for every focus node): its path's id
        when the path is one IRI, and each constraint's argument as the check uses it (an id, a
        number, a compiled pattern, a list's members, a property shape)."""
        path_id = self.key(shape.path) if isinstance(shape.path, NamedNode) else None
        constraints = [  # (in the shape's order, sh:property among them: the results' order)
            (
                name,
                [
                    self.shapes.shape(a) if name == "property" else self._prepared(name, a, shape)
                    for a in args
                ],
            )
            for name, args in shape.components
        ]
        found = self._compiled[id(shape)] = (path_id, constraints)
        return found

    def _prepared(self, name: str, arg: Term, shape: Shape) -> Any:
        p = shape.params
        if name in ("class", "hasValue", "lessThan", "lessThanOrEquals", "equals", "disjoint"):
            return self.key(arg)
        if name == "nodeKind":
            return _NODE_KINDS[arg.value.removeprefix(SH)]
        if name in ("minCount", "maxCount", "minLength", "maxLength"):
            return int(arg.value)
        if name == "languageIn":
            return [t.value for t in self.shapes.rdf_list(arg)]
        if name == "uniqueLang":
            return is_true(arg)
        if name == "pattern":
            return compile_pattern(arg.value, "".join(f.value for f in p.get(sh("flags"), [])))
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            return comparable(arg)
        if name in ("in", "or", "and", "xone"):
            return self.shapes.rdf_list(arg)
        if name == "qualifiedValueShape":
            disjoint = any(is_true(d) for d in p.get(sh("qualifiedValueShapesDisjoint"), []))
            low, high = p.get(sh("qualifiedMinCount")), p.get(sh("qualifiedMaxCount"))
            return (
                arg,
                self.shapes.siblings(shape.node) if disjoint else [],
                int(low[0].value) if low else None,
                int(high[0].value) if high else None,
            )
        return arg  # datatype, not, node: the term itself

    def _fail(self, shape: Shape, focus: int, component: str, value: int | None) -> Result:
        term = self.terms.term
        return Result(
            term(focus),
            shape.path,
            None if value is None else term(value),
            "; ".join(shape.messages),
            shape.severity,
            shape.node,
            _component_iri(component),  # sh:ClassConstraintComponent
        )

    def _validate_shape(self, shape: Shape, focus: int, stop_early: bool = False) -> list[Result]:
        if shape.deactivated:
            return []
        path_id, constraints = self._compiled.get(id(shape)) or self._compile(shape)
        if shape.path is None:
            values = [focus]
        elif path_id is not None:
            values = self.data.out.get(path_id, {}).get(focus, ())
        else:
            values = self._path_values(focus, shape.path)
        results: list[Result] = []
        for name, prepared in constraints:
            if name == "property":
                for prop_shape in prepared:
                    for v in values:
                        results += self._validate_shape(prop_shape, v, stop_early)
                continue
            for arg in prepared:  # a constraint may be given more than once on a shape: each one holds
                if stop_early and results:
                    return results
                failed = self._failing(name, arg, focus, values)
                if failed:
                    if stop_early:  # conforms() asks only whether there is a result: no need to make it
                        return [_FAILED]
                    results += [self._fail(shape, focus, component, v) for component, v in failed]
        return results

    def _failing(
        self, name: str, arg: Any, focus: int, values: Sequence[int]
    ) -> list[tuple[str, int | None]]:
        """The failures of one constraint (`arg` as _prepared made it): (component, value or None)."""
        term = self.terms.term
        if name == "class":
            types = self.data.out.get(self.data.type, {})  # (a literal's id is negative: it has no type)
            return [(name, v) for v in values if v < 0 or arg not in types.get(v, ())]
        if name == "datatype":
            return [(name, v) for v in values if not _has_datatype(term(v), arg)]
        if name == "nodeKind":
            return [(name, v) for v in values if not isinstance(term(v), arg)]
        if name == "minCount":
            return [(name, None)] if len(values) < arg else []
        if name == "maxCount":
            return [(name, None)] if len(values) > arg else []
        if name == "languageIn":
            return [(name, v) for v in values if not _language_in(term(v), arg)]
        if name == "uniqueLang":
            if not arg:
                return []
            counts: dict = defaultdict(int)
            for v in values:
                x = term(v)
                if isinstance(x, Literal) and x.language:
                    counts[x.language.lower()] += 1
            return [(name, None) for n in counts.values() if n > 1]
        if name == "pattern":
            return [
                (name, v) for v in values if isinstance(x := term(v), BlankNode) or not arg.search(x.value)
            ]
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            inclusive, low_side = name.endswith("Inclusive"), name.startswith("min")
            failed = []
            for v in values:  # an ill-formed value cannot be ordered, so it fails the bound
                x = comparable(term(v))
                if not (_ordered(arg, x, inclusive) if low_side else _ordered(x, arg, inclusive)):
                    failed.append((name, v))
            return failed
        if name in ("minLength", "maxLength"):
            failed = []
            for v in values:
                x = term(v)
                size = None if isinstance(x, BlankNode) else len(x.value)
                if size is None or (size < arg if name == "minLength" else size > arg):
                    failed.append((name, v))
            return failed
        if name == "in":
            return [(name, v) for v in values if term(v) not in arg]
        if name == "hasValue":
            return [(name, None)] if arg not in values else []
        if name in ("lessThan", "lessThanOrEquals"):
            others = self.data.out.get(arg, {}).get(focus, [])
            or_equal = name == "lessThanOrEquals"
            return [(name, v) for v in values for w in others if not _lt(term(v), term(w), or_equal)]
        if name in ("equals", "disjoint"):
            others, mine = set(self.data.out.get(arg, {}).get(focus, [])), set(values)
            return [(name, v) for v in (mine ^ others if name == "equals" else mine & others)]
        if name in ("or", "and", "xone"):
            failed = []
            for v in values:  # each stops at the first member that settles it
                passing = (m for m in arg if self._conforms(v, m))
                if name == "or":
                    ok = next(passing, None) is not None
                elif name == "and":
                    ok = all(self._conforms(v, m) for m in arg)
                else:  # xone: one passes and no second one
                    ok = next(passing, None) is not None and next(passing, None) is None
                if not ok:
                    failed.append((name, v))
            return failed
        if name == "not":
            return [(name, v) for v in values if self._conforms(v, arg)]
        if name == "node":
            return [(name, v) for v in values if not self._conforms(v, arg)]
        if name == "qualifiedValueShape":
            qualified, siblings, low, high = arg
            passed = sum(
                1
                for v in values
                if self._conforms(v, qualified) and not any(self._conforms(v, s) for s in siblings)
            )
            failed = []
            if low is not None and passed < low:
                failed.append(("qualifiedMinCount", None))
            if high is not None and passed > high:
                failed.append(("qualifiedMaxCount", None))
            return failed
        return []  # (the parameters of another component: sh:flags, sh:qualifiedMinCount...)


#: a Shape, prepared: its path's id (one IRI), its constraints with their arguments
_Compiled = tuple[int | None, list[tuple[str, list[Any]]]]

_NODE_KINDS = {
    "IRI": (NamedNode,),
    "BlankNode": (BlankNode,),
    "Literal": (Literal,),
    "BlankNodeOrIRI": (BlankNode, NamedNode),
    "BlankNodeOrLiteral": (BlankNode, Literal),
    "IRIOrLiteral": (NamedNode, Literal),
}


def _has_datatype(x: Term, datatype: Term) -> bool:
    ok = isinstance(x, Literal) and x.datatype == datatype
    if ok and datatype == XSD_STRING:
        ok = not x.language
    return ok and well_formed(x)


def _language_in(x: Term, tags: list[str]) -> bool:
    return isinstance(x, Literal) and bool(x.language) and any(_lang_matches(x.language, t) for t in tags)


def validate_triples(
    data: Iterable[tuple], shapes: Iterable[tuple], terms: Interner | None = None
) -> list[Result]:
    """Validate (reasoned) data triples against shape triples with the fast validator (with
    `terms`, the data triples are ids of it)."""
    graph = ShapesGraph(shapes)
    if graph.unsupported():
        raise NotImplementedError(f"unsupported SHACL constructs: {graph.unsupported()[:3]}")
    named = {t for triple in graph.triples for t in triple if isinstance(t, NamedNode)}
    return Validator(graph, DataIndex(data, terms, predicates=named | {RDF_TYPE})).validate_all()
