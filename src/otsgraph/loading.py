"""Reading the shipped files into the dataset's named graphs, with located parse errors."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .namespaces import Graphs

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


class LoadError(Exception):
    """A file that cannot be read, located as file:line:column."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.detail = message
        where = self.path if line is None else f"{self.path}:{line}:{column or 1}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Layout:
    """Where the project's inputs and outputs are."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def queries_dir(self) -> Path:
        return Path(__file__).parent / "queries"

    @property
    def examples_dir(self) -> Path:
        return self.root / "examples"

    @classmethod
    def default(cls) -> Layout:
        """$OTSGRAPH_HOME, else the checkout this package was installed from, else the cwd."""
        env = os.environ.get("OTSGRAPH_HOME")
        if env:
            return cls(Path(env))
        checkout = Path(__file__).resolve().parents[2]
        if (checkout / "ontology").is_dir():
            return cls(checkout)
        return cls(Path.cwd())


def parse_file(path: Path, fmt: ox.RdfFormat | None = None) -> list[ox.Quad]:
    """Parse one RDF file; raise LoadError with file:line:column on bad input."""
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LoadError(path, f"unknown RDF file extension {path.suffix!r}")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LoadError(path, f"cannot read: {error.strerror}") from error
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise LoadError(path, "the file is not valid UTF-8", line, column) from error
    try:
        return list(ox.parse(raw, format=fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as error:
        message = str(error.args[0]) if error.args else str(error)
        raise LoadError(path, message, error.lineno, error.offset) from error


@dataclass
class Sources:
    """The shipped files, read into the dataset's graphs."""

    graphs: dict[ox.NamedNode, list[ox.Triple]] = field(default_factory=lambda: defaultdict(list))
    claim_graphs: dict[ox.NamedNode, list[ox.Triple]] = field(default_factory=lambda: defaultdict(list))
    shapes: list[ox.Triple] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def triples(self, *names: ox.NamedNode) -> list[tuple]:
        return [(t.subject, t.predicate, t.object) for name in names for t in self.graphs[name]]

    def quads(self) -> list[ox.Quad]:
        """Every quad of the shipped dataset: the fixed graphs and each claim graph."""
        out = [ox.Quad(t.subject, t.predicate, t.object, g) for g, ts in self.graphs.items() for t in ts]
        out += [
            ox.Quad(t.subject, t.predicate, t.object, g) for g, ts in self.claim_graphs.items() for t in ts
        ]
        return out


def _node(iri) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _files(folder: Path, *suffixes: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())


def _make_disjoint(sources: Sources, graph: ox.NamedNode, before: tuple[ox.NamedNode, ...]) -> None:
    """Drop from `graph` the triples an earlier graph already holds.

    The default graph is the union of the fixed graphs, and SPARQL would count a triple
    held by two of them twice. A background fact the article also states is not background;
    its background claim graph still records it.
    """
    seen = {t for g in before for t in sources.graphs[g]}
    sources.graphs[graph] = [t for t in dict.fromkeys(sources.graphs[graph]) if t not in seen]


def load_sources(layout: Layout) -> Sources:
    """Read ontology/, data/ and shapes/ into their graphs (see docs/modelling.md)."""
    from .namespaces import ENTITY_LABELS_CLAIM

    sources = Sources()
    ontology, asserted = _node(Graphs.ONTOLOGY), _node(Graphs.ASSERTED)
    background, provenance = _node(Graphs.BACKGROUND), _node(Graphs.PROVENANCE)
    links = _node(Graphs.LINKS)
    labels_claim = _node(ENTITY_LABELS_CLAIM)

    def add(path: Path, default_graph: ox.NamedNode, claims_into: ox.NamedNode | None) -> None:
        sources.files.append(path)
        for q in parse_file(path):
            triple = ox.Triple(q.subject, q.predicate, q.object)
            if isinstance(q.graph_name, ox.DefaultGraph):
                sources.graphs[default_graph].append(triple)
                if default_graph == asserted:
                    sources.claim_graphs[labels_claim].append(triple)
            elif claims_into is None:
                raise LoadError(path, f"named graph {q.graph_name} is not allowed in this file")
            else:
                sources.claim_graphs[q.graph_name].append(triple)
                sources.graphs[claims_into].append(triple)

    for path in _files(layout.ontology_dir, ".ttl"):
        add(path, ontology, None)
    for path in _files(layout.data_dir / "entities", ".ttl"):
        add(path, asserted, None)
    for path in _files(layout.data_dir / "facts", ".trig"):
        add(path, provenance, asserted)
    for path in _files(layout.data_dir / "background", ".trig"):
        add(path, provenance, background)
    for path in _files(layout.data_dir / "links", ".ttl", ".trig"):
        add(path, links, None)
    for path in sorted(layout.data_dir.glob("*.ttl")) if layout.data_dir.is_dir() else []:
        add(path, provenance, None)
    for graph in list(sources.graphs):
        _make_disjoint(sources, graph, ())
    _make_disjoint(sources, asserted, (ontology,))
    _make_disjoint(sources, background, (asserted, ontology))
    _make_disjoint(sources, provenance, (asserted, ontology, background))
    for path in _files(layout.shapes_dir, ".ttl"):
        sources.files.append(path)
        sources.shapes += [ox.Triple(q.subject, q.predicate, q.object) for q in parse_file(path)]
    return sources
