"""The ontology's documentation: every class and property with labels, definition, domain and range,
the class hierarchy, and OWL class expressions (restrictions, unions, property chains …) as sentences.

Two readers use it: `otsgraph docs` (one standalone English HTML file) and the server's `/ontology`
page (in the reader's language, through the site's template). Both build the same `Documentation`
from the triples of graph:ontology. `Describer` turns a blank node of OWL syntax into words; the
server also uses it so that no page ever shows a blank node's label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape

import pyoxigraph as ox

from otsgraph.core.namespaces import BASE, LANGUAGES, OTS, RDF_TYPE, Graphs
from otsgraph.core.results import short

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SKOS_DEFINITION = ox.NamedNode(SKOS + "definition")
ONTOLOGY_IRI = BASE + "ontology"

Term = ox.NamedNode | ox.BlankNode | ox.Literal

# The words of class expressions and of the documentation page, key: (en, kk, ru). The server's
# i18n table takes them in (server/i18n.py), so the pages and `otsgraph docs` say the same thing.
PHRASES: dict[str, tuple[str, str, str]] = {
    "x_has_value": ("has {p} = {v}", "{p} мәні — {v}", "имеет {p} = {v}"),
    "x_some": (
        "has at least one {p} that is {c}",
        "кемінде бір {p} мәні — {c}",
        "имеет хотя бы одно значение {p}, являющееся {c}",
    ),
    "x_all": ("has only {p} values that are {c}", "{p} мәндерінің бәрі — {c}", "все значения {p} — {c}"),
    "x_exactly": ("has exactly {n} {p}{of}", "{p} мәндерінің саны дәл {n}{of}", "имеет ровно {n} {p}{of}"),
    "x_min": (
        "has at least {n} {p}{of}",
        "{p} мәндерінің саны кемінде {n}{of}",
        "имеет не менее {n} {p}{of}",
    ),
    "x_max": (
        "has at most {n} {p}{of}",
        "{p} мәндерінің саны көп дегенде {n}{of}",
        "имеет не более {n} {p}{of}",
    ),
    "x_of": (" of type {c}", " ({c} түріндегі)", " типа {c}"),
    "x_self": ("is related to itself by {p}", "{p} арқылы өзіне байланысты", "связан сам с собой через {p}"),
    "x_or": (" or ", " немесе ", " или "),
    "x_and": (" and ", " және ", " и "),
    "x_not": ("not {c}", "{c} емес", "не {c}"),
    "x_one_of": ("one of {items}", "мыналардың бірі: {items}", "одно из: {items}"),
    "x_then": (", then ", ", содан кейін ", ", затем "),
    "x_anything": ("anything that {vp}", "кез келген нәрсе, ол: {vp}", "всё, что {vp}"),
    "x_every": ("every {s} {vp}", "әрбір {s}: {vp}", "каждый {s} {vp}"),
    "x_every_is": ("every {s} is {c}", "әрбір {s} — {c}", "каждый {s} — {c}"),
    "x_exactly_those": (
        "{s} is exactly {c}",
        "{s} дәл осы: {c}",
        "{s} — это в точности {c}",
    ),
    "x_disjoint": (
        "pairwise disjoint: {items}",
        "өзара қиылыспайды: {items}",
        "попарно не пересекаются: {items}",
    ),
    "x_unnamed": ("an unnamed node", "атаусыз түйін", "безымянный узел"),
    "doc_heading": ("The ontology", "Онтология", "Онтология"),
    "doc_hierarchy": ("Class hierarchy", "Кластар иерархиясы", "Иерархия классов"),
    "doc_classes": ("Classes ({n})", "Кластар ({n})", "Классы ({n})"),
    "doc_properties": ("Properties ({n})", "Қасиеттер ({n})", "Свойства ({n})"),
    "doc_labels": ("en / kk / ru", "en / kk / ru", "en / kk / ru"),
    "doc_definition": ("definition", "анықтамасы", "определение"),
    "doc_kind": ("kind", "түрі", "вид"),
    "doc_subclass_of": ("subclass of", "жоғарғы класы", "подкласс"),
    "doc_subproperty_of": ("subproperty of", "жоғарғы қасиеті", "подсвойство"),
    "doc_domain": ("domain", "анықталу облысы", "область определения"),
    "doc_range": ("range", "мәндер облысы", "область значений"),
    "doc_inverse_of": ("inverse of", "кері қасиеті", "обратное к"),
    "doc_equivalent": ("equivalent to", "баламасы", "эквивалентно"),
    "doc_chain": ("property chain", "қасиеттер тізбегі", "цепочка свойств"),
    "doc_disjoint": ("disjoint with", "қиылыспайды", "не пересекается с"),
    "doc_axioms": ("axioms", "аксиомалар", "аксиомы"),
    "doc_mappings": (
        "Wikidata and other vocabularies",
        "Уикидерек және басқа сөздіктер",
        "Викиданные и другие словари",
    ),
    "doc_kind_class": ("class", "класс", "класс"),
    "doc_kind_object": ("object property", "объектілік қасиет", "объектное свойство"),
    "doc_kind_datatype": ("datatype property", "деректер қасиеті", "свойство данных"),
    "doc_kind_annotation": ("annotation property", "аннотация қасиеті", "свойство аннотации"),
    "doc_download": (
        "The whole ontology as data:",
        "Бүкіл онтология дерек ретінде:",
        "Вся онтология как данные:",
    ),
    "doc_term_page": ("its page", "беті", "страница"),
}
_PHRASES_EN = {key: values[0] for key, values in PHRASES.items()}

Say = Callable[..., str]  # say(key, **values): a phrase in the reader's language


def english(key: str, **values: object) -> str:
    template = _PHRASES_EN[key]
    return template.format(**values) if values else template


class Describer:
    """Words for a blank node of OWL syntax: a restriction, a union, an intersection, a complement,
    an enumeration, a list (a property chain), an AllDisjointClasses axiom. `objects(s, p)` reads the
    graph, `name(iri)` gives an IRI's label, `say` the phrases; None when the node is none of these."""

    def __init__(
        self,
        objects: Callable[[Term, ox.NamedNode], list[Term]],
        name: Callable[[str], str],
        say: Say = english,
        max_depth: int = 6,
    ):
        self.objects, self.name, self.say, self.max_depth = objects, name, say, max_depth

    def _one(self, node: Term, local: str) -> Term | None:
        found = self.objects(node, ox.NamedNode(OWL + local))
        return found[0] if found else None

    def items(self, head: Term, limit: int = 200) -> list[Term] | None:
        """The members of an RDF list, or None when `head` is not a well-formed list."""
        found, seen = [], set()
        while head != ox.NamedNode(RDF + "nil"):
            if not isinstance(head, ox.BlankNode) or head in seen or len(found) >= limit:
                return None
            seen.add(head)
            first, rest = (
                self.objects(head, ox.NamedNode(RDF + "first")),
                self.objects(head, ox.NamedNode(RDF + "rest")),
            )
            if not first or not rest:
                return None
            found.append(first[0])
            head = rest[0]
        return found

    def term(self, node: Term, depth: int = 0) -> str:
        """Any term in words: an IRI's label, a literal's value, a blank node's description."""
        if isinstance(node, ox.NamedNode):
            return self.name(node.value)
        if isinstance(node, ox.Literal):
            return node.value
        return self.phrase(node, depth + 1) or self.say("x_unnamed")

    def _join(self, nodes: Iterable[Term], word: str, depth: int) -> str:
        parts = [self.term(x, depth) for x in nodes]
        wrap = len(parts) > 1 and depth > 0
        text = self.say(word).join(parts)
        return f"({text})" if wrap else text

    def restriction(self, node: Term, depth: int = 0) -> str | None:
        """A restriction as what its members do ("has P31 = Q6256"); None for anything else."""
        if not isinstance(node, ox.BlankNode) or depth > self.max_depth:
            return None
        prop = self._one(node, "onProperty")
        if prop is None:
            return None
        p = self.term(prop, depth)
        if (value := self._one(node, "hasValue")) is not None:
            return self.say("x_has_value", p=p, v=self.term(value, depth))
        if (cls := self._one(node, "someValuesFrom")) is not None:
            return self.say("x_some", p=p, c=self.term(cls, depth))
        if (cls := self._one(node, "allValuesFrom")) is not None:
            return self.say("x_all", p=p, c=self.term(cls, depth))
        if self._one(node, "hasSelf") is not None:
            return self.say("x_self", p=p)
        qualified = self._one(node, "onClass") or self._one(node, "onDataRange")
        of = self.say("x_of", c=self.term(qualified, depth)) if qualified is not None else ""
        for key, names in (
            ("x_exactly", ("cardinality", "qualifiedCardinality")),
            ("x_min", ("minCardinality", "minQualifiedCardinality")),
            ("x_max", ("maxCardinality", "maxQualifiedCardinality")),
        ):
            for local in names:
                if (n := self._one(node, local)) is not None:
                    return self.say(key, n=self.term(n, depth), p=p, of=of)
        return None

    def phrase(self, node: Term, depth: int = 0) -> str | None:
        """A class expression (or a list) as a noun phrase; None when the node is none."""
        if not isinstance(node, ox.BlankNode) or depth > self.max_depth:
            return None
        if (vp := self.restriction(node, depth)) is not None:
            return self.say("x_anything", vp=vp)
        for local, word in (("unionOf", "x_or"), ("intersectionOf", "x_and")):
            if (head := self._one(node, local)) is not None and (members := self.items(head)) is not None:
                return self._join(members, word, depth)
        if (other := self._one(node, "complementOf")) is not None:
            return self.say("x_not", c=self.term(other, depth))
        if (head := self._one(node, "oneOf")) is not None and (members := self.items(head)) is not None:
            return self.say("x_one_of", items=", ".join(self.term(x, depth) for x in members))
        if (head := self._one(node, "members")) is not None and (members := self.items(head)) is not None:
            return self.say("x_disjoint", items=", ".join(self.term(x, depth) for x in members))
        if (members := self.items(node)) is not None:  # a list: a property chain reads "a, then b"
            return self.say("x_then").join(self.term(x, depth) for x in members)
        return None

    def axiom(self, subject: str, predicate: str, node: Term) -> str | None:
        """`subject predicate node` as a sentence: "every State has P31 = Q6256"."""
        if predicate == RDFS + "subClassOf":
            if (vp := self.restriction(node)) is not None:
                return self.say("x_every", s=subject, vp=vp)
            if (c := self.phrase(node)) is not None:
                return self.say("x_every_is", s=subject, c=c)
        if predicate == OWL + "equivalentClass" and (c := self.phrase(node)) is not None:
            return self.say("x_exactly_those", s=subject, c=c)
        return None


# ---------------------------------------------------------------------------------- documentation


@dataclass
class Ref:
    """A term a documentation row names: its text, its IRI (None for an expression in words)."""

    text: str
    iri: str | None = None

    @property
    def local(self) -> str | None:
        """The anchor of one of our own terms on the documentation page."""
        if self.iri and self.iri.startswith(str(OTS)) and "/" not in self.iri[len(str(OTS)) :]:
            return self.iri[len(str(OTS)) :]
        return None


@dataclass
class DocTerm:
    iri: str
    name: str  # the local name, also the anchor
    kind: str  # class, object, datatype, annotation
    label: str
    labels: dict[str, str]
    definition: str
    definition_lang: str | None
    rows: list[tuple[str, list[Ref]]] = field(default_factory=list)  # (phrase key, values)
    axioms: list[str] = field(default_factory=list)


@dataclass
class Documentation:
    title: str
    description: str
    version: str
    classes: list[DocTerm]
    properties: list[DocTerm]
    tree: list[tuple[int, DocTerm]]  # the class hierarchy, depth first: (depth, class)
    triples: int


_KINDS = {
    "Class": "class",
    "ObjectProperty": "object",
    "DatatypeProperty": "datatype",
    "AnnotationProperty": "annotation",
}
_ROWS = (
    ("doc_subclass_of", RDFS + "subClassOf"),
    ("doc_equivalent", OWL + "equivalentClass"),
    ("doc_subproperty_of", RDFS + "subPropertyOf"),
    ("doc_domain", RDFS + "domain"),
    ("doc_range", RDFS + "range"),
    ("doc_inverse_of", OWL + "inverseOf"),
    ("doc_chain", OWL + "propertyChainAxiom"),
    ("doc_mappings", SKOS + "exactMatch"),
    ("doc_mappings", SKOS + "closeMatch"),
)


def _in_language(values: list[Term], lang: str) -> tuple[str, str | None]:
    """The literal in `lang`, else English, else any: (text, its language)."""
    literals = [v for v in values if isinstance(v, ox.Literal)]
    for choice in (lang, "en", *LANGUAGES, ""):
        for value in literals:
            if (value.language or "") == choice:
                return value.value, value.language
    return (literals[0].value, literals[0].language) if literals else ("", None)


def documentation(
    triples: Iterable[tuple[Term, Term, Term]],
    lang: str = "en",
    say: Say = english,
    name: Callable[[str], str] | None = None,
) -> Documentation:
    """The documentation model of the ontology graph's triples. `name(iri)` labels IRIs from outside
    the graph (the server passes its label index); the graph's own labels come first."""
    props: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    count = 0
    for s, p, o in triples:
        props[s][p.value].append(o)
        count += 1

    def label(iri: str) -> str:
        own = props.get(ox.NamedNode(iri), {}).get(RDFS + "label")
        if own:
            return _in_language(own, lang)[0]
        return name(iri) if name else short(ox.NamedNode(iri))

    def objects(s: Term, p: ox.NamedNode) -> list[Term]:
        return list(props.get(s, {}).get(p.value, []))

    describe = Describer(objects, label, say)

    def own(kind: str) -> list[ox.NamedNode]:
        return sorted(
            (
                s
                for s, ps in props.items()
                if ox.NamedNode(OWL + kind) in ps.get(RDF_TYPE.value, [])
                and isinstance(s, ox.NamedNode)
                and s.value.startswith(str(OTS))
            ),
            key=lambda n: n.value,
        )

    def ref(value: Term) -> Ref:
        if isinstance(value, ox.NamedNode):
            return Ref(label(value.value), value.value)
        return Ref(describe.term(value))

    def term(node: ox.NamedNode, kind: str) -> DocTerm:
        ps = props[node]
        labels = {x.language: x.value for x in ps.get(RDFS + "label", []) if isinstance(x, ox.Literal)}
        definition, definition_lang = _in_language(ps.get(SKOS_DEFINITION.value, []), lang)
        found = DocTerm(
            iri=node.value,
            name=node.value.removeprefix(str(OTS)),
            kind=kind,
            label=label(node.value),
            labels=labels,
            definition=definition,
            definition_lang=definition_lang,
        )
        by_key: dict[str, list[Ref]] = {}
        for key, predicate in _ROWS:
            for value in ps.get(predicate, []):
                sentence = (
                    describe.axiom(found.label, predicate, value) if isinstance(value, ox.BlankNode) else None
                )
                if sentence:
                    found.axioms.append(sentence)
                else:
                    by_key.setdefault(key, []).append(ref(value))
        found.rows = [(key, sorted(values, key=lambda r: r.text)) for key, values in by_key.items()]
        return found

    classes = [term(c, "class") for c in own("Class")]
    properties = [
        term(p, _KINDS[kind])
        for kind in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty")
        for p in own(kind)
    ]
    # disjointness and other axioms on blank nodes that name our classes
    by_iri = {c.iri: c for c in classes}
    for s, ps in props.items():
        if isinstance(s, ox.BlankNode) and ox.NamedNode(OWL + "AllDisjointClasses") in ps.get(
            RDF_TYPE.value, []
        ):
            sentence = describe.phrase(s)
            members = describe.items(ps.get(OWL + "members", [ox.Literal("")])[0]) or []
            for member in members:
                if isinstance(member, ox.NamedNode) and member.value in by_iri and sentence:
                    by_iri[member.value].axioms.append(sentence)
    for c in classes:
        for other in props[ox.NamedNode(c.iri)].get(OWL + "disjointWith", []):
            c.rows.append(("doc_disjoint", [ref(other)]))

    children: dict[str | None, list[DocTerm]] = defaultdict(list)
    for c in classes:
        parents = [
            p.value for p in props[ox.NamedNode(c.iri)].get(RDFS + "subClassOf", []) if p.value in by_iri
        ]
        for parent in parents or [None]:
            children[parent].append(c)
    tree: list[tuple[int, DocTerm]] = []

    def walk(parent: str | None, depth: int, path: tuple[str, ...]) -> None:
        for child in sorted(children.get(parent, []), key=lambda c: c.label.casefold()):
            if child.iri in path:
                continue
            tree.append((depth, child))
            walk(child.iri, depth + 1, (*path, child.iri))

    walk(None, 0, ())
    header = props.get(ox.NamedNode(ONTOLOGY_IRI), {})
    return Documentation(
        title=_in_language(header.get(DCT + "title", []), lang)[0] or "otsgraph ontology",
        description=_in_language(header.get(DCT + "description", []), lang)[0],
        version=_in_language(header.get(OWL + "versionInfo", []), lang)[0],
        classes=classes,
        properties=properties,
        tree=tree,
        triples=count,
    )


# -------------------------------------------------------------------------- `otsgraph docs`: one file


def ontology_html(sources) -> str:
    """The documentation as one standalone English HTML page (`otsgraph docs`)."""
    doc = documentation(sources.triples(ox.NamedNode(str(Graphs.ONTOLOGY))))

    def link(r: Ref) -> str:
        text = escape(r.text)
        if r.local:
            return f'<a href="#{escape(r.local)}">{text}</a>'
        if r.iri and r.iri.startswith(("http://", "https://")):
            return f'<a href="{escape(r.iri)}">{text}</a>'
        return text

    def block(t: DocTerm) -> str:
        rows = [
            (english("doc_kind"), english(f"doc_kind_{t.kind}")),
            (english("doc_labels"), " / ".join(escape(t.labels.get(x, "")) for x in ("en", "kk", "ru"))),
            (english("doc_definition"), escape(t.definition)),
            *((english(key), ", ".join(link(r) for r in refs)) for key, refs in t.rows),
            *((english("doc_axioms"), escape(a)) for a in t.axioms),
        ]
        body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        return f'<section id="{escape(t.name)}"><h3>ots:{escape(t.name)}</h3><table>{body}</table></section>'

    tree = "".join(
        f'<li style="margin-left:{depth * 1.2}rem">{link(Ref(c.label, c.iri))}</li>' for depth, c in doc.tree
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(doc.title)}</title><style>body{{font-family:sans-serif;max-width:60rem;margin:auto;"
        "padding:1rem}th{text-align:left;padding-right:1rem;vertical-align:top}"
        "section{border-top:1px solid #ddd}ul.tree{list-style:none;padding:0}"
        f"</style></head><body><h1>{escape(doc.title)}</h1><p>{escape(doc.description)}</p>"
        f"<h2>{english('doc_hierarchy')}</h2><ul class='tree'>{tree}</ul>"
        f"<h2>{english('doc_classes', n=len(doc.classes))}</h2>{''.join(block(c) for c in doc.classes)}"
        f"<h2>{english('doc_properties', n=len(doc.properties))}</h2>"
        f"{''.join(block(p) for p in doc.properties)}"
        "</body></html>"
    )
