"""The ontology's documentation as one HTML page: every class and property with labels,
definition, domain and range, and the class hierarchy."""

from __future__ import annotations

from collections import defaultdict
from html import escape

import pyoxigraph as ox

from .loading import Sources
from .namespaces import OTS, Graphs
from .results import short

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS_DEFINITION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#definition")


def ontology_html(sources: Sources) -> str:
    props: dict = defaultdict(lambda: defaultdict(list))
    for s, p, o in sources.triples(ox.NamedNode(str(Graphs.ONTOLOGY))):
        props[s][p].append(o)

    def own(kind: str) -> list:
        return sorted(
            (
                s
                for s, ps in props.items()
                if ox.NamedNode(OWL + kind) in ps.get(RDF_TYPE, [])
                and isinstance(s, ox.NamedNode)
                and s.value.startswith(str(OTS))
            ),
            key=lambda n: n.value,
        )

    def label(node, lang: str) -> str:
        for value in props[node].get(ox.NamedNode(RDFS + "label"), []):
            if isinstance(value, ox.Literal) and value.language == lang:
                return value.value
        return ""

    def link(node) -> str:
        text = escape(short(node))
        if isinstance(node, ox.NamedNode) and node.value.startswith(str(OTS)):
            return f'<a href="#{escape(node.value.removeprefix(str(OTS)))}">{text}</a>'
        return text

    def term_block(node) -> str:
        name = node.value.removeprefix(str(OTS))
        rows = [
            ("en / kk / ru", " / ".join(escape(label(node, lang)) for lang in ("en", "kk", "ru"))),
            ("definition", escape(" ".join(v.value for v in props[node].get(SKOS_DEFINITION, [])))),
        ]
        for title, iri in (
            ("subclass of", "subClassOf"),
            ("subproperty of", "subPropertyOf"),
            ("domain", "domain"),
            ("range", "range"),
            ("inverse of", None),
        ):
            pred = ox.NamedNode(OWL + "inverseOf") if iri is None else ox.NamedNode(RDFS + iri)
            values = props[node].get(pred, [])
            if values:
                rows.append((title, ", ".join(link(v) for v in values if not isinstance(v, ox.BlankNode))))
        body = "".join(f"<tr><th>{t}</th><td>{v}</td></tr>" for t, v in rows)
        return f'<section id="{escape(name)}"><h3>ots:{escape(name)}</h3><table>{body}</table></section>'

    classes = own("Class")
    children = defaultdict(list)
    for c in classes:
        parents = [p for p in props[c].get(ox.NamedNode(RDFS + "subClassOf"), []) if p in classes]
        for parent in parents or [None]:
            children[parent].append(c)

    def tree(parent) -> str:
        items = "".join(f"<li>{link(c)} {tree(c)}</li>" for c in children.get(parent, []))
        return f"<ul>{items}</ul>" if items else ""

    properties = own("ObjectProperty") + own("DatatypeProperty") + own("AnnotationProperty")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>otsgraph ontology</title><style>body{font-family:sans-serif;max-width:60rem;margin:auto;"
        "padding:1rem}th{text-align:left;padding-right:1rem;vertical-align:top}"
        "section{border-top:1px solid #ddd}"
        "</style></head><body><h1>otsgraph ontology</h1>"
        f"<h2>Class hierarchy</h2>{tree(None)}"
        f"<h2>Classes ({len(classes)})</h2>{''.join(term_block(c) for c in classes)}"
        f"<h2>Properties ({len(properties)})</h2>{''.join(term_block(p) for p in properties)}"
        "</body></html>"
    )
